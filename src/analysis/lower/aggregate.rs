//! Aggregate calls: checked against their registry definition and lowered to an
//! [`AggSpec`], with `per` lowered to its inner aggregates.

use super::call::arity;
use super::scopes::{InnerScope, RecordScope};
use super::{article, condition, lower_or_null, record, Scope};
use crate::analysis::{Analyzer, Ty};
use crate::diag::{Code, Diag};
use crate::ir::{AggArg, AggSpec, Node, PerSpec, RExpr, SourceId};
use crate::registry::{AggDef, Param, Reads, Returns, AGGREGATES};
use crate::syntax::{expr_to_string, Call, Expr, ExprKind, Literal};
use crate::value::Value;

/// The names of the aggregates, in registry order.
pub(super) fn aggregate_names() -> impl Iterator<Item = &'static str> {
    AGGREGATES.iter().map(|a| a.name)
}

/// Add `spec` to `list` unless an aggregate with the same canonical text is there; its index.
pub(super) fn intern(
    list: &mut Vec<AggSpec>,
    index: &mut std::collections::HashMap<String, usize>,
    spec: AggSpec,
) -> usize {
    *index.entry(spec.text.clone()).or_insert_with(|| {
        list.push(spec);
        list.len() - 1
    })
}

/// Check and lower one aggregate call over `source`.
pub(super) fn aggregate(
    an: &mut Analyzer,
    c: &Call,
    f: &'static AggDef,
    e: &Expr,
    source: SourceId,
    allow_per: bool,
) -> Option<(AggSpec, Ty)> {
    let min = if f.per_alone && !c.per.is_empty() {
        0
    } else {
        f.min
    };
    if !arity(an, c, min, f.max, f.signature) {
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
    let fraction = if f.fraction {
        match &c.args[1].kind {
            ExprKind::Lit(Literal::Number(p)) if *p >= 0.into() && *p <= 1.into() => Some(*p),
            _ => {
                an.diags.push(
                    Diag::error(
                        Code::Type,
                        format!(
                            "the second argument of `{}` is a fraction from 0 to 1",
                            f.name
                        ),
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
    if f.reads != Reads::Value {
        return pair(an, c, f, e, source, allow_per, filter);
    }
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
        let mut keys: Vec<RExpr> = c.per.iter().map(|k| record(an, source, k).0).collect();
        for k in &mut keys {
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
        if f.name == "count" && !t.is(Ty::Bool) && !c.args.is_empty() {
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
        let (mut n, t) = lower_or_null(an, &mut rs, a);
        rs.refine(an, &mut n, f.arg.hint());
        let t = if let Node::Leaf(col) = &n {
            an.sources[source.0 as usize].columns[col.0 as usize].ty
        } else {
            t
        };
        (Some(AggArg::Record(n)), t)
    } else {
        (None, Ty::Num)
    };
    let ok = match f.arg {
        Param::Condition => c.args.is_empty() || t.is(Ty::Bool),
        Param::Numeric => t.is(Ty::Num) || t == Ty::Dur,
        p => p.accepts(t),
    };
    if !ok {
        let what = match f.arg {
            Param::Numeric => "numbers or durations",
            p => p.what(),
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
    // Of values of unknown type (`avg(b - a)` over untyped fields), the result is unknown
    // too: a number, or a duration when the data holds datetimes.
    let ty = match f.returns {
        Returns::Fixed(t) => t,
        _ => t,
    };
    Some((spec(an, c, f, e, source, arg, fraction, filter), ty))
}

/// An aggregate reading two record expressions: `first(x)`, `last(x)` (with the source's
/// time field), `open(start, end)`. They take no `per`, nor go inside one.
fn pair(
    an: &mut Analyzer,
    c: &Call,
    f: &'static AggDef,
    e: &Expr,
    source: SourceId,
    allow_per: bool,
    filter: Option<RExpr>,
) -> Option<(AggSpec, Ty)> {
    if !allow_per || !c.per.is_empty() {
        let at = c.per.first().map_or(c.func.span, |k| k.span);
        an.diags.push(
            Diag::error(
                Code::NestedAggregate,
                format!("`{}` cannot be used with `per`", f.name),
            )
            .at(at)
            .help("compute it per entity as a KPI of its own, or aggregate without `per`"),
        );
        return None;
    }
    let mut rs = RecordScope { source };
    let mut lowered = Vec::new();
    for a in &c.args {
        let (mut n, t) = lower_or_null(an, &mut rs, a);
        rs.refine(an, &mut n, f.arg.hint());
        let t = match &n {
            Node::Leaf(col) => an.sources[source.0 as usize].columns[col.0 as usize].ty,
            _ => t,
        };
        if !f.arg.accepts(t) {
            an.diags.push(
                Diag::error(
                    Code::Type,
                    format!(
                        "`{}` needs {}, not {}",
                        c.func.text,
                        f.arg.what(),
                        article(t)
                    ),
                )
                .label(a.span, format!("this is {}", article(t))),
            );
            return None;
        }
        lowered.push((n, t));
    }
    let (arg, ty) = match f.reads {
        Reads::Timed => {
            let time = match an.time_column(source) {
                Ok(col) => Node::Leaf(col),
                Err(d) => {
                    an.diags.push(
                        Diag::error(
                            Code::Catalogue,
                            format!(
                                "`{}` takes the record with the {} time, but source `{}` has no `time` field",
                                f.name,
                                if f.name == "first" { "earliest" } else { "latest" },
                                an.sources[source.0 as usize].name
                            ),
                        )
                        .at(c.func.span)
                        .help(d.help.unwrap_or_default()),
                    );
                    return None;
                }
            };
            let (x, t) = lowered.pop().expect("arity checked");
            (AggArg::Pair(x, time), t)
        }
        _ => {
            let (end, _) = lowered.pop().expect("arity checked");
            let (start, _) = lowered.pop().expect("arity checked");
            (AggArg::Pair(start, end), Ty::Num)
        }
    };
    Some((spec(an, c, f, e, source, Some(arg), None, filter), ty))
}

/// The aggregate's spec, with its canonical text (`source.call(...)`), which interns it.
#[allow(clippy::too_many_arguments)]
fn spec(
    an: &Analyzer,
    c: &Call,
    f: &'static AggDef,
    e: &Expr,
    source: SourceId,
    arg: Option<AggArg>,
    fraction: Option<rust_decimal::Decimal>,
    filter: Option<RExpr>,
) -> AggSpec {
    let mut plain = c.clone();
    plain.source = None;
    plain.func.text = plain.func.text.to_lowercase();
    let text = format!(
        "{}.{}",
        an.sources[source.0 as usize].name,
        expr_to_string(&Expr::new(ExprKind::Call(Box::new(plain)), e.span))
    );
    AggSpec {
        source,
        func: f,
        arg,
        fraction,
        filter,
        text,
    }
}
