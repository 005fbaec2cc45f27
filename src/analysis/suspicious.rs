//! Mistakes that check but give a wrong number (`kpi::suspicious` warnings): a string that
//! names a field, a comparison with `null`, a fraction shown as a percentage (and the
//! reverse), and a target on the wrong scale or in the wrong unit.

use super::{Ir, Ty};
use crate::catalogue::{KpiDef, TargetOp, Unit};
use crate::diag::{Code, Diag};
use crate::ir::{KExpr, KLeaf, Node};
use crate::op::BinOp;
use crate::registry;
use crate::syntax::{expr_to_string, Expr, ExprKind, Literal};
use crate::value::Value;
use rust_decimal::Decimal;

/// Every suspicious pattern of the analysed catalogue.
pub fn suspicious(ir: &Ir) -> Vec<Diag> {
    let mut out = Vec::new();
    let mut scales = vec![None; ir.kpis.len()];
    for &k in &ir.order {
        let def = &ir.cat.kpis[k.0 as usize];
        literals(ir, def, &def.formula, None, &mut out);
        let scale = scale_of(ir, &ir.kpis[k.0 as usize].expr, &scales);
        scales[k.0 as usize] = scale;
        unit_and_scale(def, scale, &mut out);
        target(def, ir.kpis[k.0 as usize].ty, scale, &mut out);
    }
    out
}

fn warning(message: String) -> Diag {
    Diag::warning(Code::Suspicious, message)
}

/// String literals that name a field of the aggregate's source, and comparisons with null.
/// `source` is the source of the enclosing aggregate (record scope), if any.
fn literals(ir: &Ir, def: &KpiDef, e: &Expr, source: Option<&str>, out: &mut Vec<Diag>) {
    match &e.kind {
        ExprKind::Call(c) if registry::aggregate(&c.func.text).is_some() => {
            let inner = c
                .source
                .as_ref()
                .map(|s| s.text.as_str())
                .or(def.source.as_ref().map(|s| s.text.as_str()))
                .or_else(|| (ir.sources.len() == 1).then(|| ir.sources[0].name.as_str()));
            for x in c.args.iter().chain(&c.per).chain(&c.filter) {
                literals(ir, def, x, inner, out);
            }
            return;
        }
        ExprKind::Binary(op, a, b) if op.is_comparison() => {
            for (lit, other) in [(a, b), (b, a)] {
                match &lit.kind {
                    ExprKind::Lit(Literal::Null) => out.push(
                        warning(format!(
                            "`{}` compares with null, so it is never true",
                            expr_to_string(e)
                        ))
                        .at(e.span)
                        .help(format!(
                            "to test for a missing value, write `{} is {}null`",
                            expr_to_string(other),
                            if *op == BinOp::Ne { "not " } else { "" }
                        )),
                    ),
                    ExprKind::Lit(Literal::String(s)) if names_field(ir, source, s) => out.push(
                        warning(format!(
                            "\"{s}\" is a string here, yet a field of `{}` has that name",
                            source.unwrap_or_default()
                        ))
                        .at(lit.span)
                        .help(if crate::syntax::print::is_plain_name(s) {
                            format!("did you mean the field? write it without quotes: `{s}`")
                        } else {
                            format!("did you mean the field? write it in back-quotes: `` `{s}` ``")
                        }),
                    ),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    for x in e.children() {
        literals(ir, def, x, source, out);
    }
}

fn names_field(ir: &Ir, source: Option<&str>, s: &str) -> bool {
    let Some(id) = source.and_then(|s| ir.source_id(s)) else {
        return false;
    };
    ir.source_def(id).is_some_and(|d| d.field(s).is_some())
}

/// What scale a KPI's values are on, where the formula tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scale {
    /// 0 to 1: `share`, a count over a count.
    Fraction,
    /// 0 to 100: `pct`, 100 × a fraction.
    Percent,
}

fn scale_of(ir: &Ir, e: &KExpr, kpis: &[Option<Scale>]) -> Option<Scale> {
    // A number of records or entities.
    let counts = |e: &KExpr| match e {
        Node::Leaf(KLeaf::Agg(a)) => {
            matches!(ir.aggs[a.0 as usize].func.name, "count" | "distinct")
        }
        _ => false,
    };
    let hundred = |e: &KExpr| matches!(e, Node::Lit(Value::Num(d)) if *d == Decimal::from(100));
    match e {
        Node::Leaf(KLeaf::Agg(a)) => match ir.aggs[a.0 as usize].func.name {
            "pct" => Some(Scale::Percent),
            "share" => Some(Scale::Fraction),
            _ => None,
        },
        Node::Leaf(KLeaf::Kpi(k)) => kpis[k.0 as usize],
        Node::Binary(BinOp::Div, a, b) if counts(a) && counts(b) => Some(Scale::Fraction),
        Node::Binary(BinOp::Mul, a, b) if hundred(a) || hundred(b) => {
            let other = if hundred(a) { b } else { a };
            match scale_of(ir, other, kpis) {
                Some(Scale::Fraction) => Some(Scale::Percent),
                _ if counts_ratio(ir, other) => Some(Scale::Percent),
                _ => None,
            }
        }
        Node::Binary(BinOp::Add | BinOp::Sub, a, b) => {
            let (x, y) = (scale_of(ir, a, kpis), scale_of(ir, b, kpis));
            (x == y).then_some(x).flatten()
        }
        _ => None,
    }
}

/// `count / count` (so that `100 * count / count` reads as a percentage too).
fn counts_ratio(ir: &Ir, e: &KExpr) -> bool {
    scale_of(ir, e, &[]) == Some(Scale::Fraction)
}

fn unit_and_scale(def: &KpiDef, scale: Option<Scale>, out: &mut Vec<Diag>) {
    let span = def.name.span;
    match (def.unit, scale) {
        (Some(Unit::Percent), Some(Scale::Fraction)) => out.push(
            warning(format!(
                "`{}` is a fraction from 0 to 1, but its unit is percent: 0.25 would show as 0.25 %",
                def.name.text
            ))
            .at(span)
            .help("use `pct(...)` or multiply by 100 for a percentage, or set `unit: ratio`"),
        ),
        (Some(Unit::Ratio), Some(Scale::Percent)) => out.push(
            warning(format!(
                "`{}` is a percentage from 0 to 100, but its unit is ratio",
                def.name.text
            ))
            .at(span)
            .help("set `unit: percent`, or use `share(...)` for a fraction from 0 to 1"),
        ),
        _ => {}
    }
}

/// The numbers a target compares with.
fn bounds(op: &TargetOp) -> Vec<Decimal> {
    match op {
        TargetOp::Ge(t) | TargetOp::Gt(t) | TargetOp::Le(t) | TargetOp::Lt(t) | TargetOp::Eq(t) => {
            vec![*t]
        }
        TargetOp::Between(a, b) => vec![*a, *b],
    }
}

/// Whether a target was written with a duration unit (`<= 4h`), not as a bare number.
fn written_as_duration(text: &str) -> bool {
    text.split(|c: char| !c.is_alphabetic()).any(|w| {
        !w.is_empty() && !w.eq_ignore_ascii_case("between") && !w.eq_ignore_ascii_case("and")
    })
}

fn target(def: &KpiDef, ty: Ty, scale: Option<Scale>, out: &mut Vec<Diag>) {
    let Some(t) = &def.target else {
        return;
    };
    let percent =
        def.unit == Some(Unit::Percent) || (def.unit.is_none() && scale == Some(Scale::Percent));
    let values = bounds(&t.op);
    if percent
        && values
            .iter()
            .all(|v| *v > Decimal::ZERO && *v <= Decimal::ONE)
    {
        let hundred = |v: &Decimal| (v * Decimal::from(100)).normalize();
        let scaled = match &t.op {
            TargetOp::Between(a, b) => format!("between {} and {}", hundred(a), hundred(b)),
            TargetOp::Ge(v) => format!(">= {}", hundred(v)),
            TargetOp::Gt(v) => format!("> {}", hundred(v)),
            TargetOp::Le(v) => format!("<= {}", hundred(v)),
            TargetOp::Lt(v) => format!("< {}", hundred(v)),
            TargetOp::Eq(v) => format!("== {}", hundred(v)),
        };
        out.push(
            warning(format!(
                "the target `{}` of `{}` is on a 0 to 1 scale, but its values are percentages from 0 to 100",
                t.text, def.name.text
            ))
            .at(t.span)
            .help(format!("did you mean `{scaled}`?")),
        );
    }
    let duration = ty == Ty::Dur || def.unit == Some(Unit::Duration);
    let written = written_as_duration(&t.text);
    if written && !duration && ty.known() && def.unit != Some(Unit::Seconds) {
        out.push(
            warning(format!(
                "the target `{}` of `{}` is a duration, but `{}` is not one",
                t.text, def.name.text, def.name.text
            ))
            .at(t.span)
            .help("a duration target compares seconds; write the target as a plain number"),
        );
    }
    if duration && !written {
        let v = values[0].normalize();
        out.push(
            warning(format!(
                "the target `{}` of `{}` has no unit, but `{}` is a duration",
                t.text, def.name.text, def.name.text
            ))
            .at(t.span)
            .help(format!(
                "say which unit: `{}` or `{}`",
                t.text.replace(&v.to_string(), &format!("{v}min")),
                t.text.replace(&v.to_string(), &format!("{v}s"))
            )),
        );
    }
}
