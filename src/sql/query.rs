//! The whole query: the relation of KPI values (`relation.rs`), then either one `SELECT`
//! of the KPIs, one column each (one row per group key, keys first), or — with
//! `--compare`, `--top` or `--total` — the steps of `post.rs` over it.

use super::{post, Compiler, Dialect};
use crate::plan::Plan;
use std::fmt::Write;

/// One query computing the plan's KPIs (and what they depend on), one column per KPI;
/// grouped, one row per group key, keys first.
pub fn plan_to_sql(plan: &Plan, dialect: &dyn Dialect) -> String {
    write_query(Compiler::new(plan, dialect))
}

/// The same query with, after each KPI's columns, a boolean column: whether the cell is a
/// result row as `kpi eval` gives it (not a group only other sources have, nor one cut by
/// `--top`). For reading the rows back (`kpi eval --db`).
pub fn plan_to_sql_marked(plan: &Plan, dialect: &dyn Dialect) -> String {
    write_query(Compiler {
        marks: true,
        ..Compiler::new(plan, dialect)
    })
}

fn write_query(c: Compiler) -> String {
    let (plan, dialect) = (c.plan, c.dialect);
    let d = dialect;
    let names: Vec<&str> = plan.shown.iter().map(|k| plan.kpi_name(*k)).collect();
    let mut sql = format!("-- kpi sql ({}): {}\n", d.name(), names.join(", "));
    if plan.grouped() {
        let _ = writeln!(sql, "-- by {}", plan.key_names.join(", "));
    }
    let (ctes, select) = if post::needed(plan) {
        post::query(&c)
    } else {
        simple(&c)
    };
    if !ctes.is_empty() {
        sql.push_str("WITH\n");
        let parts: Vec<String> = ctes
            .iter()
            .map(|(n, body)| format!("{n} AS (\n{body}\n)"))
            .collect();
        sql.push_str(&parts.join(",\n"));
        sql.push('\n');
    }
    sql.push_str(&select);
    sql.push_str(d.query_suffix());
    sql.push_str(";\n");
    sql
}

/// The CTEs and the `SELECT` of a query without post-processing.
fn simple(c: &Compiler) -> (Vec<(String, String)>, String) {
    let (plan, d) = (c.plan, c.dialect);
    let r = c.relation();
    let mut cols: Vec<String> = r
        .keys
        .iter()
        .zip(&plan.key_names)
        .map(|(k, l)| format!("  {k} AS {}", d.ident(l)))
        .collect();
    // Durations come out as seconds, as in `kpi eval`'s JSON.
    for &k in &plan.shown {
        let value = r.kpis.read(k).0;
        let presence = c.presence(k);
        let value = match &presence {
            Some(p) => format!("CASE WHEN {p} THEN {value} END"),
            None => value,
        };
        cols.push(format!("  {value} AS {}", d.ident(plan.kpi_name(k))));
        if c.marks {
            let mark = presence.unwrap_or_else(|| d.boolean(true));
            cols.push(format!(
                "  {mark} AS {}",
                d.ident(&mark_name(plan.kpi_name(k)))
            ));
        }
    }
    let mut select = format!("SELECT\n{}{}", cols.join(",\n"), r.from);
    if r.joined {
        let order: Vec<String> = (1..=r.keys.len())
            .map(|i| d.nulls_last(&i.to_string()))
            .collect();
        let _ = write!(select, "\nORDER BY {}", order.join(", "));
    }
    (r.ctes, select)
}

/// The column that says whether a KPI's cell is a result row.
pub(super) fn mark_name(kpi: &str) -> String {
    format!("{kpi}_row")
}
