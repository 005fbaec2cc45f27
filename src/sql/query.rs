//! The query's shape: one CTE per source with its plain aggregates, one per `per`
//! aggregate, with `--by` a CTE of every group key left-joined to them, and the KPIs'
//! arithmetic in the final `SELECT`.

use super::{Compiler, Dialect};
use crate::ir::AggArg;
use crate::plan::Plan;
use std::fmt::Write;

/// One query computing the plan's KPIs (and what they depend on), one column per KPI;
/// grouped, one row per group key, keys first.
pub fn plan_to_sql(plan: &Plan, dialect: &dyn Dialect) -> String {
    let an = &plan.ir;
    let c = Compiler {
        plan,
        an,
        dialect,
        grouped: plan.grouped(),
    };
    let d = dialect;
    let names: Vec<&str> = plan.shown.iter().map(|k| plan.kpi_name(*k)).collect();
    let mut sql = format!("-- kpi sql ({}): {}\n", d.name(), names.join(", "));
    if plan.grouped() {
        let _ = writeln!(sql, "-- by {}", plan.key_names.join(", "));
    }
    let key_count = plan.key_names.len();
    let key_cols: Vec<String> = (0..key_count).map(|i| format!("k{i}")).collect();
    let is_per = |a: usize| matches!(an.aggs[a].arg, Some(AggArg::Per(_)));
    // (name, body) of each CTE holding aggregates.
    let mut ctes: Vec<(String, String)> = Vec::new();
    for p in &plan.sources {
        let s = p.id.0 as usize;
        let src = &an.sources[s];
        let keys: Vec<String> = p.keys.iter().map(|k| c.record(s, k).0).collect();
        let filters = c.source_filters(s);
        let of_source: Vec<usize> = p.aggs.iter().map(|a| a.0 as usize).collect();
        let simple: Vec<usize> = of_source.iter().copied().filter(|&a| !is_per(a)).collect();
        if !simple.is_empty() {
            let mut columns: Vec<String> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| format!("    {k} AS k{i}"))
                .collect();
            columns.push("    COUNT(*) AS records".into());
            columns.extend(
                simple
                    .iter()
                    .map(|&a| format!("    {} AS a{a}", c.agg_spec(&an.aggs[a]).0)),
            );
            let group = if keys.is_empty() {
                String::new()
            } else {
                format!("\n  GROUP BY {}", keys.join(", "))
            };
            let filter = if filters.is_empty() {
                String::new()
            } else {
                format!("\n  WHERE {}", filters.join(" AND "))
            };
            ctes.push((
                d.ident(&format!("agg_{}", src.name)),
                format!(
                    "  SELECT\n{}\n  FROM {}{filter}{group}",
                    columns.join(",\n"),
                    d.ident(&src.name)
                ),
            ));
        }
        for a in of_source.into_iter().filter(|&a| is_per(a)) {
            let (body, _) = c.per_select(&an.aggs[a], &keys, Some(&format!("a{a}")));
            ctes.push((d.ident(&format!("per_{a}")), format!("  {body}")));
        }
    }
    let data_ctes: Vec<String> = ctes.iter().map(|(n, _)| n.clone()).collect();
    let keys_cte = d.ident("keys");
    let joined = key_count > 0 && !data_ctes.is_empty();
    if joined {
        let union: Vec<String> = data_ctes
            .iter()
            .map(|n| format!("SELECT {} FROM {n}", key_cols.join(", ")))
            .collect();
        ctes.push((
            keys_cte.clone(),
            format!(
                "  {}",
                union.join(&format!("\n  {}\n  ", d.union_distinct()))
            ),
        ));
    }
    if !ctes.is_empty() {
        sql.push_str("WITH\n");
        let parts: Vec<String> = ctes
            .iter()
            .map(|(n, body)| format!("{n} AS (\n{body}\n)"))
            .collect();
        sql.push_str(&parts.join(",\n"));
        sql.push('\n');
    }
    sql.push_str("SELECT\n");
    let mut cols: Vec<String> = Vec::new();
    if plan.grouped() {
        cols.extend(
            plan.key_names
                .iter()
                .enumerate()
                .map(|(i, l)| format!("  {keys_cte}.k{i} AS {}", d.ident(l))),
        );
    }
    // Durations come out as seconds, as in `kpi eval`'s JSON.
    cols.extend(
        plan.shown
            .iter()
            .map(|&k| format!("  {} AS {}", c.kpi(k).0, d.ident(plan.kpi_name(k)))),
    );
    sql.push_str(&cols.join(",\n"));
    if joined {
        let _ = write!(sql, "\nFROM {keys_cte}");
        for n in &data_ctes {
            let on: Vec<String> = key_cols
                .iter()
                .map(|k| d.null_safe_eq(&format!("{n}.{k}"), &format!("{keys_cte}.{k}")))
                .collect();
            let _ = write!(sql, "\n  LEFT JOIN {n} ON {}", on.join(" AND "));
        }
        let order: Vec<String> = (1..=key_count)
            .map(|i| d.nulls_last(&i.to_string()))
            .collect();
        let _ = write!(sql, "\nORDER BY {}", order.join(", "));
    } else if !data_ctes.is_empty() {
        let _ = write!(sql, "\nFROM {}", data_ctes.join(", "));
    }
    sql.push_str(d.query_suffix());
    sql.push_str(";\n");
    sql
}
