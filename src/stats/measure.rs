//! Which KPIs get an interval, and the companion aggregates that give it. Planned only when
//! a request asks (`--ci`, or a shown KPI with `min_sample`), so that other runs read exactly
//! what they did: the companions are ordinary aggregates (`count`, `sum`) over the same
//! source and `where` as the KPI's own, added to the plan's copy of the IR and read in the
//! same pass, per group and period, merged for windows and totals like any other.
//!
//! * one `pct`/`share` (directly, or through a KPI that is one): the records where its
//!   condition is true and where it is not null (Wilson);
//! * one `avg` of a record expression (not over `per` entities): the non-null values, their
//!   exact sum and sum of squares (durations in seconds) (Student t);
//! * `pct(a) − pct(b)` (or two `share`s) over the same source and `where`: the counts of
//!   `a`, `b`, `a and b`, and of records where `a`, `b`, both are not null; the interval is
//!   the mean of the score +1 (a), −1 (b), 0, whose sum is #a − #b and sum of squares
//!   #a + #b − 2·#(a and b), only when the three not-null counts are equal (same records);
//! * any other KPI: no interval; its sample is the smallest record count of its sources.

use super::interval::{self, Bounds};
use super::Critical;
use crate::analysis::{Ir, Ty};
use crate::ir::{AggArg, AggId, AggSpec, KExpr, KLeaf, KpiId, Node, RExpr, SourceId};
use crate::op::BinOp;
use crate::registry::{aggregate, AggDef};
use crate::value::Value;
use rust_decimal::prelude::*;

/// A KPI's sample and interval, as companion aggregates.
#[derive(Clone, Debug)]
pub enum Measure {
    Proportion {
        yes: AggId,
        n: AggId,
        scale: Decimal,
    },
    Mean {
        n: AggId,
        sum: AggId,
        squares: AggId,
        dur: bool,
    },
    Difference {
        a: AggId,
        b: AggId,
        both: AggId,
        not_null: [AggId; 3],
        scale: Decimal,
    },
    Records(Vec<AggId>),
}

/// The sample and the bounds of one result.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub sample: Option<u64>,
    pub bounds: Option<(Value<'static>, Value<'static>)>,
}

/// The one aggregate a KPI is, through KPIs that are just another KPI.
fn single_aggregate(ir: &Ir, e: &KExpr, depth: u32) -> Option<AggId> {
    match e {
        Node::Leaf(KLeaf::Agg(a)) => Some(*a),
        Node::Leaf(KLeaf::Kpi(k)) if depth < 64 => {
            single_aggregate(ir, &ir.kpis[k.0 as usize].expr, depth + 1)
        }
        _ => None,
    }
}

/// The KPI's expression, through KPIs that are just another KPI.
fn resolve<'i>(ir: &'i Ir, e: &'i KExpr, depth: u32) -> &'i KExpr {
    match e {
        Node::Leaf(KLeaf::Kpi(k)) if depth < 64 => {
            resolve(ir, &ir.kpis[k.0 as usize].expr, depth + 1)
        }
        _ => e,
    }
}

fn def(name: &str) -> &'static AggDef {
    aggregate(name).expect("a registered aggregate")
}

/// A companion of `base`: the same source and `where`, another aggregate and argument.
fn companion(ir: &mut Ir, base: AggId, role: &str, func: &str, arg: Option<RExpr>) -> AggId {
    let b = &ir.aggs[base.0 as usize];
    let text = format!("({role}) {}", b.text);
    if let Some(i) = ir.aggs.iter().position(|a| a.text == text) {
        return AggId(i as u32);
    }
    let spec = AggSpec {
        source: b.source,
        func: def(func),
        arg: arg.map(AggArg::Record),
        fraction: None,
        filter: b.filter.clone(),
        text,
    };
    ir.aggs.push(spec);
    AggId(ir.aggs.len() as u32 - 1)
}

fn record_arg(spec: &AggSpec) -> Option<RExpr> {
    match &spec.arg {
        Some(AggArg::Record(e)) => Some(e.clone()),
        _ => None,
    }
}

fn not_null(e: RExpr) -> RExpr {
    Node::IsNull(Box::new(e), true)
}

fn ratio_scale(spec: &AggSpec) -> Option<Decimal> {
    match spec.func.name {
        "pct" => Some(Decimal::ONE_HUNDRED),
        "share" => Some(Decimal::ONE),
        _ => None,
    }
}

/// The interval shape of KPI `k`, with its companions added to `ir`; `None` when it has none.
fn interval_measure(ir: &mut Ir, k: KpiId) -> Option<Measure> {
    let e = ir.kpis[k.0 as usize].expr.clone();
    if let Some(a) = single_aggregate(ir, &e, 0) {
        let spec = ir.aggs[a.0 as usize].clone();
        let x = record_arg(&spec)?;
        if let Some(scale) = ratio_scale(&spec) {
            let yes = companion(ir, a, "true", "count", Some(x.clone()));
            let n = companion(ir, a, "not null", "count", Some(not_null(x)));
            return Some(Measure::Proportion { yes, n, scale });
        }
        if spec.func.name != "avg" {
            return None;
        }
        let dur = match ir.kpis[k.0 as usize].ty {
            Ty::Dur => true,
            Ty::Num => false,
            _ => return None,
        };
        // Durations in seconds: x / 1s is a number.
        let y = if dur {
            Node::Binary(
                BinOp::Div,
                Box::new(x.clone()),
                Box::new(Node::Lit(Value::Dur(Decimal::ONE))),
            )
        } else {
            x.clone()
        };
        let square = Node::Binary(BinOp::Mul, Box::new(y.clone()), Box::new(y.clone()));
        return Some(Measure::Mean {
            n: companion(ir, a, "not null", "count", Some(not_null(x))),
            sum: companion(ir, a, "sum", "sum", Some(y)),
            squares: companion(ir, a, "sum of squares", "sum", Some(square)),
            dur,
        });
    }
    let Node::Binary(BinOp::Sub, l, r) = resolve(ir, &e, 0).clone() else {
        return None;
    };
    let (pa, pb) = (single_aggregate(ir, &l, 0)?, single_aggregate(ir, &r, 0)?);
    let (sa, sb) = (&ir.aggs[pa.0 as usize], &ir.aggs[pb.0 as usize]);
    let scale = ratio_scale(sa)?;
    if ratio_scale(sb) != Some(scale)
        || sa.source != sb.source
        || format!("{:?}", sa.filter) != format!("{:?}", sb.filter)
    {
        return None;
    }
    let (x, y) = (record_arg(sa)?, record_arg(sb)?);
    let both = Node::Binary(BinOp::And, Box::new(x.clone()), Box::new(y.clone()));
    let both_known = Node::Binary(
        BinOp::And,
        Box::new(not_null(x.clone())),
        Box::new(not_null(y.clone())),
    );
    Some(Measure::Difference {
        a: companion(ir, pa, "true", "count", Some(x.clone())),
        b: companion(ir, pb, "true", "count", Some(y.clone())),
        both: companion(
            ir,
            pa,
            &format!("and {}", ir.aggs[pb.0 as usize].text),
            "count",
            Some(both),
        ),
        not_null: [
            companion(ir, pa, "not null", "count", Some(not_null(x))),
            companion(ir, pb, "not null", "count", Some(not_null(y))),
            companion(
                ir,
                pa,
                &format!("not null with {}", ir.aggs[pb.0 as usize].text),
                "count",
                Some(both_known),
            ),
        ],
        scale,
    })
}

/// The record count of each source, as `count()` companions.
fn records_measure(ir: &mut Ir, sources: &[SourceId]) -> Option<Measure> {
    let mut aggs = Vec::new();
    for &s in sources {
        let text = format!("(records) {}.count()", ir.sources[s.0 as usize].name);
        let id = match ir.aggs.iter().position(|a| a.text == text) {
            Some(i) => AggId(i as u32),
            None => {
                ir.aggs.push(AggSpec {
                    source: s,
                    func: def("count"),
                    arg: None,
                    fraction: None,
                    filter: None,
                    text,
                });
                AggId(ir.aggs.len() as u32 - 1)
            }
        };
        aggs.push(id);
    }
    (!aggs.is_empty()).then_some(Measure::Records(aggs))
}

/// The measures of the shown KPIs (by KPI id): an interval shape where `intervals` and the
/// KPI has one, else the records read where the KPI has `min_sample`.
pub fn plan_measures(
    ir: &mut Ir,
    shown: &[KpiId],
    sources_of: &[Vec<SourceId>],
    intervals: bool,
) -> Vec<Option<Measure>> {
    let mut out = vec![None; ir.kpis.len()];
    for &k in shown {
        let wants_sample = ir.cat.kpis[k.0 as usize].min_sample.is_some();
        if !intervals && !wants_sample {
            continue;
        }
        let m = interval_measure(ir, k);
        out[k.0 as usize] = match m {
            Some(m) => Some(m),
            None if wants_sample => records_measure(ir, &sources_of[k.0 as usize]),
            None => None,
        };
    }
    out
}

/// Every companion aggregate of a measure.
pub fn companions(m: &Measure) -> Vec<AggId> {
    match m {
        Measure::Proportion { yes, n, .. } => vec![*yes, *n],
        Measure::Mean {
            n, sum, squares, ..
        } => vec![*n, *sum, *squares],
        Measure::Difference {
            a,
            b,
            both,
            not_null,
            ..
        } => [*a, *b, *both].into_iter().chain(*not_null).collect(),
        Measure::Records(a) => a.clone(),
    }
}

fn count(v: Value) -> Option<u64> {
    v.decimal()?.to_u64()
}

fn number(v: Value) -> Option<Decimal> {
    v.decimal()
}

/// Bounds as values of the KPI: rounded to 10 decimal places (their last digits follow a
/// floating-point critical value), scaled, clamped to `[lo, hi]` when given.
fn bounds_value(
    b: Bounds,
    scale: Decimal,
    clamp: Option<(Decimal, Decimal)>,
    dur: bool,
) -> Option<(Value<'static>, Value<'static>)> {
    let fix = |d: Decimal| -> Option<Value<'static>> {
        let mut d = d.checked_mul(scale)?.round_dp(10).normalize();
        if let Some((lo, hi)) = clamp {
            d = d.max(lo).min(hi);
        }
        Some(if dur { Value::Dur(d) } else { Value::Num(d) })
    };
    Some((fix(b.low)?, fix(b.high)?))
}

impl Measure {
    /// The sample and (with a confidence level) the bounds of one result, from the values
    /// its companions take in the result's frame.
    pub fn outcome(
        &self,
        value: impl Fn(AggId) -> Value<'static>,
        crit: Option<&Critical>,
    ) -> Outcome {
        match self {
            Measure::Records(aggs) => Outcome {
                sample: aggs.iter().filter_map(|a| count(value(*a))).min(),
                bounds: None,
            },
            Measure::Proportion { yes, n, scale } => {
                let (k, n) = (count(value(*yes)), count(value(*n)));
                let bounds = match (k, n, crit) {
                    (Some(k), Some(n), Some(c)) => interval::wilson(k, n, c.z)
                        .and_then(|b| bounds_value(b, *scale, None, false)),
                    _ => None,
                };
                Outcome { sample: n, bounds }
            }
            Measure::Mean {
                n,
                sum,
                squares,
                dur,
            } => {
                let n = count(value(*n));
                let bounds = match (n, crit) {
                    (Some(n), Some(c)) => number(value(*sum))
                        .zip(number(value(*squares)))
                        .and_then(|(s, q)| interval::mean_t(n, s, q, |df| c.t(df)))
                        .and_then(|b| bounds_value(b, Decimal::ONE, None, *dur)),
                    _ => None,
                };
                Outcome { sample: n, bounds }
            }
            Measure::Difference {
                a,
                b,
                both,
                not_null,
                scale,
            } => {
                let ns: Vec<Option<u64>> = not_null.iter().map(|x| count(value(*x))).collect();
                let same = ns[0].is_some() && ns[0] == ns[1] && ns[1] == ns[2];
                let n = if same {
                    ns[2]
                } else {
                    ns[0].zip(ns[1]).map(|(x, y)| x.min(y))
                };
                let bounds = match (same, n, crit) {
                    (true, Some(n), Some(c)) => {
                        let (a, b, ab) = (count(value(*a)), count(value(*b)), count(value(*both)));
                        a.zip(b)
                            .zip(ab)
                            .and_then(|((a, b), ab)| {
                                let sum = Decimal::from(a) - Decimal::from(b);
                                let squares = Decimal::from(a) + Decimal::from(b)
                                    - Decimal::TWO * Decimal::from(ab);
                                interval::mean_t(n, sum, squares, |df| c.t(df))
                            })
                            .and_then(|b| bounds_value(b, *scale, Some((-*scale, *scale)), false))
                    }
                    _ => None,
                };
                Outcome { sample: n, bounds }
            }
        }
    }
}
