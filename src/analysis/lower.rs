//! Lowering syntax to IR, one generic walk over three scopes: record scope (fields), KPI
//! scope (KPIs and aggregates), and the inner scope of a `per` (aggregates per entity).

use super::types::{arithmetic, Ty};
use super::{Analyzer, Column};
use crate::catalogue::KpiDef;
use crate::diag::{did_you_mean, Code, Diag};
use crate::ir::{
    AggArg, AggFunc, AggSpec, Col, Func, KExpr, KLeaf, KpiId, Node, PerSpec, RExpr, SourceId, FUNCS,
};
use crate::syntax::{expr_to_string, BinOp, Call, Expr, ExprKind, Literal, Name, UnOp};
use crate::value::Value;
use std::borrow::Cow;

trait Scope {
    type L: Clone;
    fn name(&mut self, an: &mut Analyzer, n: &Name) -> Option<(Node<Self::L>, Ty)>;
    fn aggregate(
        &mut self,
        an: &mut Analyzer,
        c: &Call,
        f: AggFunc,
        e: &Expr,
    ) -> Option<(Node<Self::L>, Ty)>;
    /// A use tells the type of a bare field whose type nothing declared.
    fn refine(&mut self, _an: &mut Analyzer, _node: &Node<Self::L>, _ty: Ty) {}
}

pub(super) fn kpi_formula(an: &mut Analyzer, def: &KpiDef) -> (KExpr, Ty, Vec<KpiId>) {
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
    };
    let (e, ty) = lower_or_null(an, &mut scope, &def.formula);
    let mut deps = scope.deps;
    deps.sort();
    deps.dedup();
    (e, ty, deps)
}

pub(super) fn record(an: &mut Analyzer, source: SourceId, e: &Expr) -> (RExpr, Ty) {
    lower_or_null(an, &mut RecordScope { source }, e)
}

pub(super) fn record_condition(an: &mut Analyzer, source: SourceId, e: &Expr, what: &str) -> RExpr {
    condition(an, &mut RecordScope { source }, e, what)
}

/// The column of field `name` in `source`, added on first use.
pub(super) fn column(an: &mut Analyzer, source: SourceId, name: &str, hint: Ty) -> Col {
    let declared = an
        .source_def(source)
        .and_then(|d| d.field(name))
        .map(|f| Ty::from(f.ty));
    let cols = &mut an.sources[source.0 as usize].columns;
    if let Some(i) = cols.iter().position(|c| c.name == name) {
        if cols[i].ty == Ty::Any && hint.known() {
            cols[i].ty = hint;
        }
        return Col(i as u32);
    }
    cols.push(Column {
        name: name.to_string(),
        ty: declared.unwrap_or(hint),
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
    let (n, t) = lower_or_null(an, s, e);
    s.refine(an, &n, Ty::Bool);
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
        ExprKind::Unary(UnOp::Not, x) => (
            Node::Unary(
                UnOp::Not,
                Box::new(condition(an, s, x, "the operand of `not`")),
            ),
            Ty::Bool,
        ),
        ExprKind::Unary(UnOp::Neg, x) => {
            let (n, t) = lower(an, s, x)?;
            s.refine(an, &n, Ty::Num);
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
            let ((x, ta), (y, tb)) = (left?, right?);
            let (ta, tb) = refine_pair(an, s, (&x, ta), (&y, tb), *op);
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
            let (x, tx) = lower(an, s, expr)?;
            let mut items = Vec::new();
            let mut tx = tx;
            for item in list {
                let (y, ty) = lower(an, s, item)?;
                s.refine(an, &x, ty);
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
            let (x, tx) = lower(an, s, expr)?;
            let (lo, tl) = lower(an, s, low)?;
            let (hi, th) = lower(an, s, high)?;
            s.refine(an, &x, tl.join(th));
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
        ExprKind::Call(c) => {
            if let Some(f) = AggFunc::from_name(&c.func.text.to_lowercase()) {
                return s.aggregate(an, c, f, e);
            }
            if let Some(src) = &c.source {
                let d = Diag::error(
                    Code::UnknownName,
                    format!("unknown aggregate `{}`", c.func.text),
                )
                .at(c.func.span);
                an.diags.push(
                    match suggest_function(&c.func.text, AggFunc::NAMES.iter().copied()) {
                        Some(f) => d.help(format!("did you mean `{}.{f}`?", src.text)),
                        None => d.help(format!(
                            "`{}.` goes before an aggregate: {}",
                            src.text,
                            AggFunc::NAMES.join(", ")
                        )),
                    },
                );
                return None;
            }
            return scalar_call(an, s, c, e);
        }
    })
}

fn refine_pair<S: Scope>(
    an: &mut Analyzer,
    s: &mut S,
    a: (&Node<S::L>, Ty),
    b: (&Node<S::L>, Ty),
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

fn arity(an: &mut Analyzer, c: &Call, min: usize, max: usize) -> bool {
    let n = c.args.len();
    if n >= min && n <= max {
        return true;
    }
    let want = match (min, max) {
        (a, b) if a == b => format!("{a} argument{}", if a == 1 { "" } else { "s" }),
        (a, usize::MAX) => format!("at least {a} argument{}", if a == 1 { "" } else { "s" }),
        (a, b) => format!("{a} to {b} arguments"),
    };
    an.diags.push(
        Diag::error(
            Code::Arity,
            format!("`{}` takes {want}, not {n}", c.func.text),
        )
        .at(c.func.span)
        .help(format!("write it as {}", signature(&c.func.text))),
    );
    false
}

fn signature(f: &str) -> &'static str {
    match f {
        "count" => "`count()` or `count(condition)`",
        "percentile" => "`percentile(x, 0.9)`",
        "pct" | "share" => "`pct(condition)`",
        "round" => "`round(x)` or `round(x, decimals)`",
        "if" => "`if(condition, then, else)`",
        "contains" | "starts_with" | "ends_with" => "`contains(text, part)`",
        "least" | "greatest" | "coalesce" => "`coalesce(a, b, ...)`",
        _ => "`f(x)`",
    }
}

/// A close function name, or the one a spreadsheet or SQL user means by a familiar synonym.
fn suggest_function<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let synonym = match name.to_lowercase().as_str() {
        "average" | "mean" | "avrage" | "moyenne" => "avg",
        "count_distinct" | "countdistinct" | "nunique" | "count_unique" => "distinct",
        "countif" | "count_if" | "nb" => "count",
        "percent" | "percentage" | "pourcentage" => "pct",
        "sumif" | "somme" | "total" => "sum",
        "ifnull" | "nvl" | "isnull" => "coalesce",
        "iif" | "si" => "if",
        _ => "",
    };
    let list: Vec<&str> = candidates.collect();
    list.iter()
        .copied()
        .find(|c| *c == synonym)
        .or_else(|| did_you_mean(name, list))
}

fn scalar_call<S: Scope>(
    an: &mut Analyzer,
    s: &mut S,
    c: &Call,
    e: &Expr,
) -> Option<(Node<S::L>, Ty)> {
    let fname = c.func.text.to_lowercase();
    let Some(&(_, func, min, max)) = FUNCS.iter().find(|f| f.0 == fname) else {
        let d = Diag::error(
            Code::UnknownName,
            format!("unknown function `{}`", c.func.text),
        )
        .at(c.func.span);
        let all = FUNCS.iter().map(|f| f.0).chain(AggFunc::NAMES);
        an.diags.push(match suggest_function(&fname, all) {
            Some(n) => d.help(format!("did you mean `{n}`?")),
            None => d.help("see the list of functions in docs/language.md"),
        });
        return None;
    };
    if let Some(k) = c
        .per
        .first()
        .map(|k| k.span)
        .or(c.filter.as_ref().map(|f| f.span))
    {
        an.diags.push(
            Diag::error(Code::Syntax, format!("`per` and `where` go inside an aggregate, not inside `{fname}`"))
                .at(k)
                .help("aggregates are count, sum, avg, min, max, median, percentile, distinct, pct and share"),
        );
        return None;
    }
    if !arity(an, c, min, max) {
        return None;
    }
    let mut nodes = Vec::new();
    let mut tys = Vec::new();
    let mut failed = false;
    for (i, a) in c.args.iter().enumerate() {
        let lowered = if func == Func::If && i == 0 {
            Some((condition(an, s, a, "the first argument of `if`"), Ty::Bool))
        } else {
            lower(an, s, a)
        };
        match lowered {
            Some((n, t)) => {
                nodes.push(n);
                tys.push(t);
            }
            None => failed = true,
        }
    }
    if failed {
        return None;
    }
    let want = |an: &mut Analyzer,
                s: &mut S,
                i: usize,
                ok: &dyn Fn(Ty) -> bool,
                hint: Ty,
                what: &str|
     -> bool {
        s.refine(an, &nodes[i], hint);
        if ok(tys[i]) || !tys[i].known() {
            return true;
        }
        an.diags.push(
            Diag::error(
                Code::Type,
                format!("`{fname}` needs {what}, not {}", article(tys[i])),
            )
            .label(c.args[i].span, format!("this is {}", article(tys[i]))),
        );
        false
    };
    let num_or_dur = |t: Ty| matches!(t, Ty::Num | Ty::Dur);
    let ty = match func {
        Func::Abs | Func::Floor | Func::Ceil | Func::Round => {
            if !want(an, s, 0, &num_or_dur, Ty::Num, "a number or a duration") {
                return None;
            }
            if func == Func::Round
                && c.args.len() == 2
                && !want(an, s, 1, &|t| t == Ty::Num, Ty::Num, "a number of decimals")
            {
                return None;
            }
            tys[0]
        }
        Func::Least | Func::Greatest | Func::Coalesce | Func::If => {
            let first = if func == Func::If { 1 } else { 0 };
            let mut t = Ty::Null;
            for (i, ti) in tys.iter().enumerate().skip(first) {
                if !t.comparable(*ti) {
                    an.diags.push(type_error(
                        format!(
                            "the arguments of `{fname}` mix {} and {}",
                            article(t),
                            article(*ti)
                        ),
                        &[(&c.args[first], t), (&c.args[i], *ti)],
                    ));
                    return None;
                }
                t = t.join(*ti);
            }
            t
        }
        Func::Lower | Func::Upper | Func::Trim | Func::Len => {
            if !want(an, s, 0, &|t| t == Ty::Str, Ty::Str, "a string") {
                return None;
            }
            if func == Func::Len {
                Ty::Num
            } else {
                Ty::Str
            }
        }
        Func::Contains | Func::StartsWith | Func::EndsWith => {
            if !want(an, s, 0, &|t| t == Ty::Str, Ty::Str, "a string")
                || !want(an, s, 1, &|t| t == Ty::Str, Ty::Str, "a string")
            {
                return None;
            }
            Ty::Bool
        }
        Func::Date
        | Func::Week
        | Func::Month
        | Func::Quarter
        | Func::Year
        | Func::Hour
        | Func::Day
        | Func::Weekday => {
            let ok: &dyn Fn(Ty) -> bool = if func == Func::Hour {
                &|t| t == Ty::DateTime
            } else {
                &|t| matches!(t, Ty::Date | Ty::DateTime)
            };
            let what = if func == Func::Hour {
                "a datetime"
            } else {
                "a date or a datetime"
            };
            if !want(an, s, 0, ok, Ty::DateTime, what) {
                return None;
            }
            match func {
                Func::Date => Ty::Date,
                Func::Hour | Func::Day | Func::Weekday => Ty::Num,
                _ => Ty::Str,
            }
        }
    };
    let _ = e;
    Some((Node::Func(func, nodes), ty))
}

/// Record scope: names are fields of one source.
struct RecordScope {
    source: SourceId,
}

impl Scope for RecordScope {
    type L = Col;
    fn name(&mut self, an: &mut Analyzer, n: &Name) -> Option<(RExpr, Ty)> {
        let src_name = an.sources[self.source.0 as usize].name.clone();
        if let Some(def) = an.source_def(self.source) {
            if def.has_schema && def.field(&n.text).is_none() {
                if let Some((_, dim)) = def.dimensions.iter().find(|(d, _)| d.text == n.text) {
                    return lower(an, self, dim);
                }
                if an.kpi_id(&n.text).is_some() {
                    an.diags.push(
                        Diag::error(Code::Scope, format!("`{}` is a KPI, but inside an aggregate names are fields of `{src_name}`", n.text))
                            .at(n.span)
                            .help("refer to a KPI outside any aggregate, e.g. `nps - 10`"),
                    );
                    return None;
                }
                let d = Diag::error(
                    Code::UnknownName,
                    format!("`{}` is not a field of `{src_name}`", n.text),
                )
                .at(n.span);
                let names: Vec<&str> = def.fields.iter().map(|f| f.name.text.as_str()).collect();
                let all = format!("the fields of `{src_name}` are: {}", names.join(", "));
                an.diags.push(d.suggest(&n.text, names, Some(all)));
                return None;
            }
        }
        let col = column(an, self.source, &n.text, Ty::Any);
        Some((
            Node::Leaf(col),
            an.sources[self.source.0 as usize].columns[col.0 as usize].ty,
        ))
    }

    fn aggregate(
        &mut self,
        an: &mut Analyzer,
        c: &Call,
        _f: AggFunc,
        _e: &Expr,
    ) -> Option<(RExpr, Ty)> {
        an.diags.push(
            Diag::error(
                Code::NestedAggregate,
                format!("`{}` is an aggregate inside another aggregate", c.func.text),
            )
            .at(c.func.span)
            .help("to aggregate per entity first, add `per`: e.g. `avg(count() per customer_id)`"),
        );
        None
    }

    fn refine(&mut self, an: &mut Analyzer, node: &RExpr, ty: Ty) {
        if let Node::Leaf(col) = node {
            let c = &mut an.sources[self.source.0 as usize].columns[col.0 as usize];
            if c.ty == Ty::Any && ty.known() {
                c.ty = ty;
            }
        }
    }
}

/// KPI scope: names are KPIs; aggregates read the default source or the one they name.
struct KpiScope {
    default_source: Option<SourceId>,
    deps: Vec<KpiId>,
}

impl Scope for KpiScope {
    type L = KLeaf;
    fn name(&mut self, an: &mut Analyzer, n: &Name) -> Option<(KExpr, Ty)> {
        if let Some(id) = an.kpi_id(&n.text) {
            self.deps.push(id);
            let ty = an.kpi(id);
            return Some((Node::Leaf(KLeaf::Kpi(id)), ty));
        }
        let field_of = an.sources.iter().enumerate().find(|(i, s)| {
            an.source_def(SourceId(*i as u32))
                .is_some_and(|d| d.field(&n.text).is_some())
                || s.columns.iter().any(|c| c.name == n.text)
        });
        if let Some((_, s)) = field_of {
            an.diags.push(
                Diag::error(
                    Code::Scope,
                    format!(
                        "`{}` is a field of `{}`, but outside an aggregate names are KPIs",
                        n.text, s.name
                    ),
                )
                .at(n.span)
                .help(format!(
                    "wrap it in an aggregate, e.g. `avg({0})` or `count({0} is not null)`",
                    n.text
                )),
            );
            return None;
        }
        let d = Diag::error(Code::UnknownName, format!("unknown KPI `{}`", n.text)).at(n.span);
        let names = an.cat.kpis.iter().map(|k| k.name.text.as_str());
        an.diags.push(d.suggest(
            &n.text,
            names,
            Some("outside an aggregate, names are KPIs; fields go inside an aggregate such as `avg(x)`".into()),
        ));
        None
    }

    fn aggregate(
        &mut self,
        an: &mut Analyzer,
        c: &Call,
        f: AggFunc,
        e: &Expr,
    ) -> Option<(KExpr, Ty)> {
        let source = match &c.source {
            Some(s) => match an.source_id(&s.text) {
                Some(id) => id,
                None => {
                    an.diags.push(unknown_source(an, s));
                    return None;
                }
            },
            None => {
                match self.default_source {
                    Some(s) => s,
                    None => {
                        an.diags.push(
                        Diag::error(Code::UnknownName, format!("`{}` reads no source: this KPI has no default source", c.func.text))
                            .at(c.func.span)
                            .help(format!("add `source: NAME` to the file, or name the source: `NAME.{}(...)`", c.func.text)),
                    );
                        return None;
                    }
                }
            }
        };
        let (spec, ty) = aggregate(an, c, f, e, source, true)?;
        let id = intern(&mut an.ir.aggs, &mut an.agg_index, spec);
        Some((Node::Leaf(KLeaf::Agg(crate::ir::AggId(id as u32))), ty))
    }
}

fn intern(
    list: &mut Vec<AggSpec>,
    index: &mut std::collections::HashMap<String, usize>,
    spec: AggSpec,
) -> usize {
    *index.entry(spec.text.clone()).or_insert_with(|| {
        list.push(spec);
        list.len() - 1
    })
}

/// The inner expression of a `per`: aggregates over the records of one entity.
struct InnerScope {
    source: SourceId,
    aggs: Vec<AggSpec>,
    index: std::collections::HashMap<String, usize>,
}

impl Scope for InnerScope {
    type L = KLeaf;
    fn name(&mut self, an: &mut Analyzer, n: &Name) -> Option<(KExpr, Ty)> {
        an.diags.push(
            Diag::error(Code::Scope, format!("`{}` is outside an aggregate inside `per`", n.text))
                .at(n.span)
                .help(format!(
                    "before `per`, write what to compute per entity with aggregates, e.g. `count()` or `max({})`",
                    n.text
                )),
        );
        None
    }

    fn aggregate(
        &mut self,
        an: &mut Analyzer,
        c: &Call,
        f: AggFunc,
        e: &Expr,
    ) -> Option<(KExpr, Ty)> {
        if let Some(s) = &c.source {
            if an.source_id(&s.text) != Some(self.source) {
                an.diags.push(
                    Diag::error(
                        Code::Scope,
                        "inside `per`, aggregates read the records of the same source",
                    )
                    .at(s.span)
                    .help("remove the source name"),
                );
                return None;
            }
        }
        let (spec, ty) = aggregate(an, c, f, e, self.source, false)?;
        let id = intern(&mut self.aggs, &mut self.index, spec);
        Some((Node::Leaf(KLeaf::Inner(id as u32)), ty))
    }
}

/// Check and lower one aggregate call over `source`.
fn aggregate(
    an: &mut Analyzer,
    c: &Call,
    f: AggFunc,
    e: &Expr,
    source: SourceId,
    allow_per: bool,
) -> Option<(AggSpec, Ty)> {
    let (min, max) = match f {
        AggFunc::Count => (0, 1),
        AggFunc::Percentile => (2, 2),
        _ if !c.per.is_empty() && c.args.is_empty() && f == AggFunc::Distinct => (0, 1),
        _ => (1, 1),
    };
    if !arity(an, c, min, max) {
        return None;
    }
    let filter = c.filter.as_ref().map(|w| {
        condition(
            an,
            &mut RecordScope { source },
            w,
            "the condition of `where`",
        )
    });
    let fraction = if f == AggFunc::Percentile {
        match &c.args[1].kind {
            ExprKind::Lit(Literal::Number(p)) if *p >= 0.into() && *p <= 1.into() => Some(*p),
            _ => {
                an.diags.push(
                    Diag::error(
                        Code::Type,
                        "the second argument of `percentile` is a fraction from 0 to 1",
                    )
                    .at(c.args[1].span)
                    .help("e.g. `percentile(wait_seconds, 0.9)` for the 90th percentile"),
                );
                return None;
            }
        }
    } else {
        None
    };
    let (arg, t) = if !c.per.is_empty() {
        if !allow_per {
            an.diags.push(
                Diag::error(
                    Code::NestedAggregate,
                    "`per` inside the inner part of another `per`",
                )
                .at(c.per[0].span)
                .help("one level of `per` is supported; write the inner level as its own KPI"),
            );
            return None;
        }
        let keys: Vec<RExpr> = c.per.iter().map(|k| record(an, source, k).0).collect();
        for k in &keys {
            an.key_column(source, k);
        }
        let mut inner = InnerScope {
            source,
            aggs: Vec::new(),
            index: Default::default(),
        };
        let (expr, t) = match c.args.first() {
            Some(a) => lower_or_null(an, &mut inner, a),
            None => (Node::Lit(Value::Bool(true)), Ty::Bool),
        };
        if f == AggFunc::Count && !t.is(Ty::Bool) && !c.args.is_empty() {
            an.diags.push(
                Diag::error(
                    Code::Type,
                    format!(
                        "`count(... per ...)` counts entities where a condition holds; this is {}",
                        article(t)
                    ),
                )
                .at(c.args[0].span)
                .help("e.g. `count(count() >= 5 per contact_id)`; for an average, use `avg`"),
            );
            return None;
        }
        (
            Some(AggArg::Per(Box::new(PerSpec {
                keys,
                inner: expr,
                inner_aggs: inner.aggs,
            }))),
            t,
        )
    } else if let Some(a) = c.args.first() {
        let mut rs = RecordScope { source };
        let (n, t) = lower_or_null(an, &mut rs, a);
        let hint = match f {
            AggFunc::Count | AggFunc::Pct | AggFunc::Share => Ty::Bool,
            AggFunc::Sum | AggFunc::Avg | AggFunc::Median | AggFunc::Percentile => Ty::Num,
            _ => Ty::Any,
        };
        rs.refine(an, &n, hint);
        let t = if let Node::Leaf(col) = &n {
            an.sources[source.0 as usize].columns[col.0 as usize].ty
        } else {
            t
        };
        (Some(AggArg::Record(n)), t)
    } else {
        (None, Ty::Num)
    };
    let ok = match f {
        AggFunc::Count | AggFunc::Pct | AggFunc::Share => c.args.is_empty() || t.is(Ty::Bool),
        AggFunc::Sum | AggFunc::Avg | AggFunc::Median | AggFunc::Percentile => {
            t.is(Ty::Num) || t == Ty::Dur
        }
        AggFunc::Min | AggFunc::Max | AggFunc::Distinct => true,
    };
    if !ok {
        let what = match f {
            AggFunc::Count | AggFunc::Pct | AggFunc::Share => "a condition (true or false)",
            _ => "numbers or durations",
        };
        an.diags.push(
            Diag::error(
                Code::Type,
                format!("`{}` needs {what}, not {}", c.func.text, article(t)),
            )
            .label(c.args[0].span, format!("this is {}", article(t))),
        );
        return None;
    }
    let ty = match f {
        AggFunc::Count | AggFunc::Pct | AggFunc::Share | AggFunc::Distinct => Ty::Num,
        AggFunc::Sum | AggFunc::Avg | AggFunc::Median | AggFunc::Percentile if !t.known() => {
            Ty::Num
        }
        _ => t,
    };
    let mut plain = c.clone();
    plain.source = None;
    plain.func.text = plain.func.text.to_lowercase();
    let text = format!(
        "{}.{}",
        an.sources[source.0 as usize].name,
        expr_to_string(&Expr::new(ExprKind::Call(Box::new(plain)), e.span))
    );
    Some((
        AggSpec {
            source,
            func: f,
            arg,
            fraction,
            filter,
            text,
        },
        ty,
    ))
}
