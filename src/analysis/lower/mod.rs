//! Lowering syntax to IR, one generic walk over three scopes: record scope (fields), KPI
//! scope (KPIs and aggregates), and the inner scope of a `per` (aggregates per entity).

mod aggregate;
mod call;
mod frames;
pub(crate) mod lookups;
mod scopes;

use super::{Analyzer, Column};
use crate::catalogue::KpiDef;
use crate::diag::{Code, Diag};
use crate::ir::{Col, KExpr, KpiId, Node, RExpr, SourceId};
use crate::registry::AggDef;
use crate::syntax::{BinOp, Call, Expr, ExprKind, Literal, Name, UnOp};
use crate::types::{arithmetic, Ty};
use crate::value::Value;
use scopes::{KpiScope, RecordScope};
use std::borrow::Cow;

trait Scope {
    type L: Clone;
    fn name(&mut self, an: &mut Analyzer, n: &Name) -> Option<(Node<Self::L>, Ty)>;
    fn aggregate(
        &mut self,
        an: &mut Analyzer,
        c: &Call,
        f: &'static AggDef,
        e: &Expr,
    ) -> Option<(Node<Self::L>, Ty)>;
    /// A field of a lookup table: only record scope has them.
    fn lookup(&mut self, an: &mut Analyzer, t: &Name, f: &Name) -> Option<(Node<Self::L>, Ty)> {
        an.diags.push(
            Diag::error(
                Code::Scope,
                format!(
                    "`{}.{}` is a field of a lookup table, but outside an aggregate names are KPIs",
                    t.text, f.text
                ),
            )
            .at(t.span)
            .help(format!(
                "use it inside an aggregate, e.g. `count({}.{} == \"…\")`, or group by it with --by",
                t.text, f.text
            )),
        );
        None
    }

    /// A period function, `total` or `rank`: only KPI scope has them.
    fn frame(
        &mut self,
        an: &mut Analyzer,
        c: &Call,
        _def: &'static crate::registry::FuncDef,
        _kind: crate::registry::FrameFn,
    ) -> Option<(Node<Self::L>, Ty)> {
        an.diags.push(
            Diag::error(
                Code::Scope,
                format!("`{}` works on KPIs, outside any aggregate", c.func.text),
            )
            .at(c.func.span)
            .help(format!(
                "apply it to the aggregate or KPI, e.g. `{}(count())`",
                c.func.text.to_lowercase()
            )),
        );
        None
    }

    /// A use tells the type of a bare field whose type nothing declared: this use then
    /// reads the field as that type (other uses of the field are not affected).
    fn refine(&mut self, _an: &mut Analyzer, _node: &mut Node<Self::L>, _ty: Ty) {}
}

/// A KPI's formula, lowered.
pub(super) struct Lowered {
    pub expr: KExpr,
    pub ty: Ty,
    pub deps: Vec<KpiId>,
    pub needs_grain: bool,
    pub framed: bool,
}

pub(super) fn kpi_formula(an: &mut Analyzer, def: &KpiDef) -> Lowered {
    let default_source = match &def.source {
        Some(s) => match an.source_id(&s.text) {
            Some(id) => Some(id),
            None => {
                an.diags.push(unknown_source(an, s));
                None
            }
        },
        // With a single source, it is everyone's default.
        None if an.sources.len() == 1 => Some(SourceId(0)),
        None => None,
    };
    let mut scope = KpiScope {
        default_source,
        deps: Vec::new(),
        window: None,
        needs_grain: false,
        framed: false,
    };
    let (expr, ty) = lower_or_null(an, &mut scope, &def.formula);
    let mut deps = scope.deps;
    deps.sort();
    deps.dedup();
    Lowered {
        expr,
        ty,
        deps,
        needs_grain: scope.needs_grain,
        framed: scope.framed,
    }
}

pub(super) fn record(an: &mut Analyzer, source: SourceId, e: &Expr) -> (RExpr, Ty) {
    lower_or_null(an, &mut RecordScope { source }, e)
}

pub(super) fn record_condition(an: &mut Analyzer, source: SourceId, e: &Expr, what: &str) -> RExpr {
    condition(an, &mut RecordScope { source }, e, what)
}

/// The column reading field `name` of `source` as type `ty` (its declared type, when the
/// schema declares one), added on first use. An undeclared field read two ways is two
/// columns: what one use needs never changes how another reads it.
pub(crate) fn column(an: &mut Analyzer, source: SourceId, name: &str, ty: Ty) -> Col {
    let declared = an
        .source_def(source)
        .and_then(|d| d.field(name))
        .map(|f| Ty::from(f.ty));
    let ty = declared.unwrap_or(ty);
    let cols = &mut an.sources[source.0 as usize].columns;
    if let Some(i) = cols.iter().position(|c| c.name == name && c.ty == ty) {
        return Col(i as u32);
    }
    cols.push(Column {
        name: name.to_string(),
        ty,
        lookup: None,
    });
    Col(cols.len() as u32 - 1)
}

fn unknown_source(an: &Analyzer, s: &Name) -> Diag {
    let names: Vec<&str> = an.sources.iter().map(|x| x.name.as_str()).collect();
    let otherwise = if names.is_empty() {
        "declare it under `sources:` in a catalogue file".to_string()
    } else {
        format!("the sources are: {}", names.join(", "))
    };
    Diag::error(Code::UnknownName, format!("unknown source `{}`", s.text))
        .at(s.span)
        .suggest(&s.text, names.iter().copied(), Some(otherwise))
}

fn lower_or_null<S: Scope>(an: &mut Analyzer, s: &mut S, e: &Expr) -> (Node<S::L>, Ty) {
    lower(an, s, e).unwrap_or((Node::Lit(Value::Null), Ty::Any))
}

pub fn literal_value(l: &Literal) -> Value<'static> {
    match l {
        Literal::Number(d) => Value::Num(*d),
        Literal::String(s) => Value::Str(Cow::Owned(s.clone())),
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Null => Value::Null,
        Literal::Duration(d) => Value::Dur(*d),
        Literal::Date(d) => Value::Date(*d),
        Literal::DateTime(t) => Value::DateTime(*t),
    }
}

fn type_error(msg: String, parts: &[(&Expr, Ty)]) -> Diag {
    let mut d = Diag::error(Code::Type, msg);
    for (e, t) in parts {
        d = d.label(e.span, format!("this is {}", article(*t)));
    }
    d
}

fn article(t: Ty) -> String {
    match t {
        Ty::Any => "of any type".into(),
        Ty::Null => "null".into(),
        _ => format!("a {t}"),
    }
}

/// Lower an expression that must be a condition.
fn condition<S: Scope>(an: &mut Analyzer, s: &mut S, e: &Expr, what: &str) -> Node<S::L> {
    let (mut n, t) = lower_or_null(an, s, e);
    s.refine(an, &mut n, Ty::Bool);
    if !t.is(Ty::Bool) {
        an.diags.push(
            Diag::error(
                Code::Type,
                format!(
                    "{what} must be a condition (true or false), not {}",
                    article(t)
                ),
            )
            .label(e.span, format!("this is {}", article(t)))
            .help("compare it, e.g. `x >= 4`, or test it with `is null`"),
        );
    }
    n
}

fn lower<S: Scope>(an: &mut Analyzer, s: &mut S, e: &Expr) -> Option<(Node<S::L>, Ty)> {
    Some(match &e.kind {
        ExprKind::Error => return None,
        ExprKind::Lit(l) => (Node::Lit(literal_value(l)), Ty::of_literal(l)),
        ExprKind::Name(n) => return s.name(an, n),
        ExprKind::Lookup(t, f) => return s.lookup(an, t, f),
        ExprKind::Unary(UnOp::Not, x) => (
            Node::Unary(
                UnOp::Not,
                Box::new(condition(an, s, x, "the operand of `not`")),
            ),
            Ty::Bool,
        ),
        ExprKind::Unary(UnOp::Neg, x) => {
            let (mut n, t) = lower(an, s, x)?;
            s.refine(an, &mut n, Ty::Num);
            if !(t.is(Ty::Num) || t == Ty::Dur) {
                an.diags.push(type_error(
                    format!("cannot negate {}", article(t)),
                    &[(x, t)],
                ));
                return None;
            }
            (Node::Unary(UnOp::Neg, Box::new(n)), t)
        }
        ExprKind::Binary(op @ (BinOp::And | BinOp::Or), a, b) => {
            let what = format!("each side of `{}`", op.symbol());
            let (x, y) = (condition(an, s, a, &what), condition(an, s, b, &what));
            (Node::Binary(*op, Box::new(x), Box::new(y)), Ty::Bool)
        }
        ExprKind::Binary(op, a, b) => {
            // Both sides first, so that errors on the right are reported too.
            let (left, right) = (lower(an, s, a), lower(an, s, b));
            let ((mut x, ta), (mut y, tb)) = (left?, right?);
            let (ta, tb) = refine_pair(an, s, (&mut x, ta), (&mut y, tb), *op);
            let ty = if op.is_comparison() {
                if !ta.comparable(tb) {
                    let d = type_error(
                        format!("cannot compare {} with {}", article(ta), article(tb)),
                        &[(a, ta), (b, tb)],
                    );
                    an.diags.push(if matches!((ta, tb), (Ty::Dur, Ty::Num) | (Ty::Num, Ty::Dur)) {
                        d.help("to turn a number of hours into a duration, multiply it by `1h`, e.g. `sla_hours * 1h`")
                    } else {
                        d
                    });
                    return None;
                }
                Ty::Bool
            } else {
                match arithmetic(*op, ta, tb) {
                    Some(t) => t,
                    None => {
                        let d = type_error(
                            format!(
                                "cannot apply `{}` to {} and {}",
                                op.symbol(),
                                article(ta),
                                article(tb)
                            ),
                            &[(a, ta), (b, tb)],
                        );
                        an.diags.push(if ta == Ty::Dur && tb == Ty::Num || ta == Ty::Num && tb == Ty::Dur {
                            d.help("to turn a number of hours into a duration, multiply it by `1h`")
                        } else {
                            d
                        });
                        return None;
                    }
                }
            };
            (Node::Binary(*op, Box::new(x), Box::new(y)), ty)
        }
        ExprKind::IsNull { expr, negated } => {
            let (x, _) = lower(an, s, expr)?;
            (Node::IsNull(Box::new(x), *negated), Ty::Bool)
        }
        ExprKind::In {
            expr,
            list,
            negated,
        } => {
            let (mut x, tx) = lower(an, s, expr)?;
            let mut items = Vec::new();
            let mut tx = tx;
            for item in list {
                let (y, ty) = lower(an, s, item)?;
                s.refine(an, &mut x, ty);
                if !tx.known() {
                    tx = tx.join(ty);
                }
                if !tx.comparable(ty) {
                    an.diags.push(type_error(
                        format!("cannot compare {} with {}", article(tx), article(ty)),
                        &[(expr, tx), (item, ty)],
                    ));
                    return None;
                }
                items.push(y);
            }
            (Node::In(Box::new(x), items, *negated), Ty::Bool)
        }
        ExprKind::Between { expr, low, high } => {
            let (mut x, tx) = lower(an, s, expr)?;
            let (lo, tl) = lower(an, s, low)?;
            let (hi, th) = lower(an, s, high)?;
            s.refine(an, &mut x, tl.join(th));
            let tx = tx.join(tl).join(th);
            for (b, tb) in [(low, tl), (high, th)] {
                if !tx.comparable(tb) {
                    an.diags.push(type_error(
                        format!("cannot compare {} with {}", article(tx), article(tb)),
                        &[(expr, tx), (b, tb)],
                    ));
                    return None;
                }
            }
            (
                Node::Between(Box::new(x), Box::new(lo), Box::new(hi)),
                Ty::Bool,
            )
        }
        ExprKind::Call(c) => return call::call(an, s, c, e),
    })
}

fn refine_pair<S: Scope>(
    an: &mut Analyzer,
    s: &mut S,
    a: (&mut Node<S::L>, Ty),
    b: (&mut Node<S::L>, Ty),
    op: BinOp,
) -> (Ty, Ty) {
    let hint = |other: Ty| match op {
        _ if op.is_comparison() => other,
        BinOp::Add | BinOp::Sub if other == Ty::Num => Ty::Num,
        BinOp::Mul | BinOp::Div => Ty::Num,
        _ => Ty::Any,
    };
    if !a.1.known() && b.1.known() {
        s.refine(an, a.0, hint(b.1));
        return (if op.is_comparison() { b.1 } else { a.1 }, b.1);
    }
    if a.1.known() && !b.1.known() {
        s.refine(an, b.0, hint(a.1));
        return (a.1, if op.is_comparison() { a.1 } else { b.1 });
    }
    (a.1, b.1)
}
