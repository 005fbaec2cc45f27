//! The query's shape: one CTE per source with its plain aggregates, one per `per`
//! aggregate, with `--by` a CTE of every group key left-joined to them, and the KPIs'
//! arithmetic in the final `SELECT`.

use super::{Compiler, Dialect, Grouping};
use crate::analysis::Analyzer;
use crate::ir::{AggArg, KpiId, SourceId};
use std::fmt::Write;

/// One query computing `kpis` (and what they depend on), one column per KPI; with
/// `grouping`, one row per group key, keys first.
pub fn compile(
    an: &Analyzer,
    kpis: &[KpiId],
    dialect: &dyn Dialect,
    grouping: Option<&Grouping>,
) -> String {
    let c = Compiler {
        an,
        dialect,
        grouped: grouping.is_some(),
    };
    let d = dialect;
    // The aggregates the KPIs need, through their dependencies.
    let mut needed = vec![false; an.aggs.len()];
    for a in an.aggregates_of(&an.closure(kpis)) {
        needed[a.0 as usize] = true;
    }
    let names: Vec<&str> = kpis
        .iter()
        .map(|k| an.cat.kpis[k.0 as usize].name.text.as_str())
        .collect();
    let mut sql = format!("-- kpi sql ({}): {}\n", d.name(), names.join(", "));
    if let Some(g) = grouping {
        let _ = writeln!(sql, "-- by {}", g.labels.join(", "));
    }
    let key_count = grouping.map_or(0, |g| g.labels.len());
    let key_cols: Vec<String> = (0..key_count).map(|i| format!("k{i}")).collect();
    let keys_of = |s: usize| -> Vec<String> {
        grouping
            .and_then(|g| g.keys.get(&SourceId(s as u32)))
            .map(|ks| ks.iter().map(|k| c.record(s, k).0).collect())
            .unwrap_or_default()
    };
    let is_per = |a: usize| matches!(an.aggs[a].arg, Some(AggArg::Per(_)));
    // (name, body) of each CTE holding aggregates.
    let mut ctes: Vec<(String, String)> = Vec::new();
    for (s, src) in an.sources.iter().enumerate() {
        let keys = keys_of(s);
        let of_source: Vec<usize> = (0..an.aggs.len())
            .filter(|&a| needed[a] && an.aggs[a].source.0 as usize == s)
            .collect();
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
            ctes.push((
                d.ident(&format!("agg_{}", src.name)),
                format!(
                    "  SELECT\n{}\n  FROM {}{group}",
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
    if let Some(g) = grouping {
        cols.extend(
            g.labels
                .iter()
                .enumerate()
                .map(|(i, l)| format!("  {keys_cte}.k{i} AS {}", d.ident(l))),
        );
    }
    // Durations come out as seconds, as in `kpi eval`'s JSON.
    cols.extend(kpis.iter().map(|&k| {
        format!(
            "  {} AS {}",
            c.kpi(k).0,
            d.ident(&an.cat.kpis[k.0 as usize].name.text)
        )
    }));
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
