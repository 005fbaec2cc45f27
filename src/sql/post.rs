//! Steps over the grouped KPI values, as `kpi eval` takes them (`eval/kpis.rs`):
//!
//! * `results`: the KPI values per group (`vN`), and whether the KPI's sources have the
//!   group (`pN`, with several sources);
//! * `--compare`: the previous value of each KPI (`bN`), written over cells (`cells.rs`);
//! * `--top N`: each KPI's rank among the groups (`rN`, highest first, nulls last, ties in
//!   key order); a KPI's cell is null outside its N highest groups, and a row where no KPI
//!   is kept is left out;
//! * `--total`: the overall row (`totals`), after the groups, with `total` true.
//!
//! The output has the keys, then per KPI its value (with `--compare`, `NAME_previous` and
//! `NAME_change`), then `total` with `--total`; rows in key order.

use super::expr::Typed;
use super::Compiler;
use crate::analysis::Ty;
use crate::ir::Node;
use crate::op::BinOp;
use crate::plan::Plan;
use std::fmt::Write;

/// Whether the plan needs the steps.
pub(super) fn needed(plan: &Plan) -> bool {
    plan.grouped() && (compare(plan) || plan.top.is_some() || plan.total)
}

fn compare(plan: &Plan) -> bool {
    plan.grain.is_some() && plan.compare.is_some()
}

/// The CTEs and the final `SELECT` of a grouped query with its steps.
pub(super) fn query(c: &Compiler) -> (Vec<(String, String)>, String) {
    let (plan, d) = (c.plan, c.dialect);
    let shown = &plan.shown;
    let nk = plan.key_names.len();
    let keys: Vec<String> = (0..nk).map(|i| format!("k{i}")).collect();
    let r = c.relation();
    let mut ctes = r.ctes;
    // What each shown KPI is, and whether its sources may lack a group.
    let types: Vec<Ty> = shown.iter().map(|&k| r.kpis.read(k).1).collect();
    let presence: Vec<Option<String>> = shown.iter().map(|&k| c.presence(k)).collect();
    let mut cols: Vec<String> = r
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} AS k{i}"))
        .collect();
    for (i, &k) in shown.iter().enumerate() {
        cols.push(format!("{} AS v{}", r.kpis.read(k).0, k.0));
        if let Some(p) = &presence[i] {
            cols.push(format!("{p} AS p{}", k.0));
        }
        if let Some(b) = r.previous.as_ref().map(|b| &b[i]) {
            cols.push(format!("{b} AS b{}", k.0));
        }
    }
    let results = d.ident("results");
    ctes.push((
        results.clone(),
        format!("  SELECT\n    {}{}", cols.join(",\n    "), indent(&r.from)),
    ));
    let mut last = results.clone();
    // The condition for a KPI's cell to be shown.
    let mut keep: Vec<Vec<String>> = presence
        .iter()
        .zip(shown)
        .map(|(p, k)| p.iter().map(|_| format!("p{}", k.0)).collect())
        .collect();
    if let Some(n) = plan.top {
        let ranks: Vec<String> = shown
            .iter()
            .zip(&presence)
            .map(|(k, p)| {
                let mut order: Vec<String> = p
                    .iter()
                    .map(|_| format!("CASE WHEN p{} THEN 0 ELSE 1 END", k.0))
                    .collect();
                order.push(d.nulls_last(&format!("v{} DESC", k.0)));
                order.extend(keys.iter().map(|k| d.nulls_last(k)));
                format!(
                    "ROW_NUMBER() OVER (ORDER BY {}) AS r{}",
                    order.join(", "),
                    k.0
                )
            })
            .collect();
        let name = d.ident("ranked");
        ctes.push((
            name.clone(),
            format!("  SELECT *,\n    {}\n  FROM {last}", ranks.join(",\n    ")),
        ));
        last = name;
        for (cond, k) in keep.iter_mut().zip(shown) {
            cond.push(format!("r{} <= {n}", k.0));
        }
    }
    // The output columns of the group rows, and of the total row.
    let mut out: Vec<String> = keys
        .iter()
        .zip(&plan.key_names)
        .map(|(k, l)| format!("{k} AS {}", d.ident(l)))
        .collect();
    let mut total_out: Vec<String> = keys.iter().map(|_| "NULL".to_string()).collect();
    for (i, &k) in shown.iter().enumerate() {
        let name = plan.kpi_name(k);
        let shown_if = |x: String| match keep[i].is_empty() {
            true => x,
            false => format!("CASE WHEN {} THEN {x} END", keep[i].join(" AND ")),
        };
        out.push(format!(
            "{} AS {}",
            shown_if(format!("v{}", k.0)),
            d.ident(name)
        ));
        total_out.push(format!("v{}", k.0));
        if compare(plan) {
            let change = difference(
                c,
                (format!("v{}", k.0), types[i]),
                (format!("b{}", k.0), types[i]),
            );
            out.push(format!(
                "{} AS {}",
                shown_if(format!("b{}", k.0)),
                d.ident(&format!("{name}_previous"))
            ));
            out.push(format!(
                "{} AS {}",
                shown_if(change),
                d.ident(&format!("{name}_change"))
            ));
            total_out.extend(["NULL".to_string(), "NULL".to_string()]);
        }
        if c.marks {
            let mark = if keep[i].is_empty() {
                d.boolean(true)
            } else {
                keep[i].join(" AND ")
            };
            out.push(format!(
                "{mark} AS {}",
                d.ident(&super::query::mark_name(name))
            ));
            total_out.push(d.boolean(true));
        }
    }
    // With --top, a row is kept when one of its cells is.
    let filter = if plan.top.is_some() {
        let kept: Vec<String> = keep
            .iter()
            .map(|k| format!("({})", k.join(" AND ")))
            .collect();
        format!("\nWHERE {}", kept.join(" OR "))
    } else {
        String::new()
    };
    let order: Vec<String> = (1..=nk).map(|i| d.nulls_last(&i.to_string())).collect();
    let mut select = String::new();
    if plan.total {
        let totals = ungrouped(c, "total_", &mut ctes);
        out.push(format!("{} AS {}", d.boolean(false), d.ident("total")));
        total_out.push(d.boolean(true));
        let _ = write!(
            select,
            "SELECT * FROM (\n  SELECT\n    {}\n  FROM {last}{}\n  UNION ALL\n  SELECT {} FROM {totals}\n) AS output\nORDER BY {}, {}",
            out.join(",\n    "),
            filter.replace('\n', "\n  "),
            total_out.join(", "),
            d.ident("total"),
            order.join(", ")
        );
    } else {
        let _ = write!(
            select,
            "SELECT\n  {}\nFROM {last}{filter}\nORDER BY {}",
            out.join(",\n  "),
            order.join(", ")
        );
    }
    (ctes, select)
}

/// The KPIs over all records: their CTEs added to `ctes`, and the name of the one-row CTE
/// of their values (`vN`).
fn ungrouped(c: &Compiler, prefix: &'static str, ctes: &mut Vec<(String, String)>) -> String {
    let u = c.ungrouped(prefix);
    let r = u.relation();
    ctes.extend(r.ctes);
    let cols: Vec<String> = c
        .plan
        .shown
        .iter()
        .map(|&k| format!("{} AS v{}", r.kpis.read(k).0, k.0))
        .collect();
    let name = c.dialect.ident(&format!("{prefix}values"));
    ctes.push((
        name.clone(),
        format!("  SELECT {}{}", cols.join(", "), indent(&r.from)),
    ));
    name
}

/// `a - b` for `--compare`'s change: numbers and durations subtract, times give seconds,
/// other values have no change (null).
fn difference(c: &Compiler, a: Typed, b: Typed) -> String {
    if !matches!(a.1, Ty::Num | Ty::Dur | Ty::Date | Ty::DateTime | Ty::Any) {
        return "NULL".into();
    }
    let e: Node<u8> = Node::Binary(BinOp::Sub, Box::new(Node::Leaf(0)), Box::new(Node::Leaf(1)));
    c.expr(&e, &|l: &u8| if *l == 0 { a.clone() } else { b.clone() })
        .0
}

/// Lines moved into a CTE's body.
fn indent(text: &str) -> String {
    text.replace('\n', "\n  ")
}
