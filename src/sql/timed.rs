//! Aggregates written as relations of their own, beside `per` (`aggregate.rs`):
//!
//! * `first(x)`, `last(x)`: the value at the record with the smallest (largest) time field
//!   value of its group, the smallest (largest) value among ties; records whose `x` or
//!   time is null are skipped. The best time of each group is a window function over the
//!   group's records, then the value is taken among the records at that time.
//! * `open(start, end)` (periods-lookups brief §13, `eval/run.rs`): without `--grain`, the
//!   records open at `--to` (started before it, not ended by then), or without `--to` the
//!   records whose end is null. With `--grain`, each record adds 1 at its start's period
//!   and takes 1 away at its end's (an end at or after `--to`, or not after the start,
//!   takes nothing away; a start at or after `--to` adds nothing): `open_A` holds these
//!   steps, and the backlog at a period is their sum up to it (`opened_…`). Records before
//!   `--from` count.

use super::aggregate::Records;
use super::expr::Typed;
use super::Compiler;
use crate::analysis::Ty;
use crate::ir::{AggArg, AggSpec};
use crate::registry::Reads;
use crate::value::Value;

impl Compiler<'_, '_> {
    /// Whether aggregate `a` is a relation of its own: `per`, `first`, `last`, `open`.
    pub(super) fn own_relation(&self, a: usize) -> bool {
        let spec = &self.an.aggs[a];
        matches!(spec.arg, Some(AggArg::Per(_))) || spec.func.reads != Reads::Value
    }

    /// The name of the relation of an aggregate of its own: `per_A`, `first_A`, `open_A`….
    pub(super) fn own_name(&self, a: usize) -> String {
        let spec = &self.an.aggs[a];
        match spec.arg {
            Some(AggArg::Per(_)) => format!("per_{a}"),
            _ => format!("{}_{a}", spec.func.name),
        }
    }

    /// Whether aggregate `a` is `open`.
    pub(super) fn is_open(&self, a: usize) -> bool {
        self.an.aggs[a].func.reads == Reads::Span
    }

    /// An aggregate of its own as a query over `records`, one row per group of their keys
    /// (`k0`, `k1`…), its value named `alias`; with its type.
    pub(super) fn own_select(
        &self,
        spec: &AggSpec,
        records: &Records,
        alias: Option<&str>,
    ) -> Typed {
        match &spec.arg {
            Some(AggArg::Pair(start, end)) if spec.func.reads == Reads::Span => {
                let s = spec.source.0 as usize;
                let (start, end) = (self.record(s, start).0, self.record(s, end).0);
                let mut conds = records.history.clone();
                conds.extend(spec.filter.as_ref().map(|w| self.record(s, w).0));
                conds.push(format!("{start} IS NOT NULL"));
                conds.push(match self.end_bound() {
                    Some(b) => format!("{start} < {b} AND ({end} IS NULL OR {end} >= {b})"),
                    None => format!("{end} IS NULL"),
                });
                let body = self.grouped_select(
                    &records.keys,
                    &format!("COUNT(*){}", as_alias(alias)),
                    &records.from,
                    &conds,
                );
                (body, Ty::Num)
            }
            Some(AggArg::Pair(x, time)) => self.timed_select(spec, x, time, records, alias),
            _ => self.per_select_over(spec, records, alias),
        }
    }

    /// `--to` as a literal: the instant `open` counts at.
    fn end_bound(&self) -> Option<String> {
        self.plan.to.map(|t| self.literal(&Value::DateTime(t)))
    }

    /// `SELECT keys AS k0…, value FROM from WHERE conds GROUP BY keys`.
    fn grouped_select(&self, keys: &[String], value: &str, from: &str, conds: &[String]) -> String {
        let mut cols: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{k} AS k{i}"))
            .collect();
        cols.push(value.to_string());
        let mut body = format!("SELECT {} FROM {from}", cols.join(", "));
        if !conds.is_empty() {
            body.push_str(&format!(" WHERE {}", conds.join(" AND ")));
        }
        if !keys.is_empty() {
            body.push_str(&format!(" GROUP BY {}", keys.join(", ")));
        }
        body
    }

    /// `first(x)` or `last(x)` over `records`.
    fn timed_select(
        &self,
        spec: &AggSpec,
        x: &crate::ir::RExpr,
        time: &crate::ir::RExpr,
        records: &Records,
        alias: Option<&str>,
    ) -> Typed {
        let s = spec.source.0 as usize;
        let (x, ty) = self.record(s, x);
        let t = self.record(s, time).0;
        let mut ok = vec![format!("{x} IS NOT NULL"), format!("{t} IS NOT NULL")];
        ok.extend(spec.filter.as_ref().map(|w| self.record(s, w).0));
        let ok = ok.join(" AND ");
        let best = if spec.func.name == "first" {
            "MIN"
        } else {
            "MAX"
        };
        let key_cols: Vec<String> = (0..records.keys.len()).map(|i| format!("k{i}")).collect();
        let mut inner: Vec<String> = records
            .keys
            .iter()
            .zip(&key_cols)
            .map(|(k, c)| format!("{k} AS {c}"))
            .collect();
        inner.push(format!("CASE WHEN {ok} THEN {x} END AS kpi_x"));
        inner.push(format!("CASE WHEN {ok} THEN {t} END AS kpi_time"));
        let filter = if records.conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", records.conds.join(" AND "))
        };
        let partition = if key_cols.is_empty() {
            String::new()
        } else {
            format!("PARTITION BY {}", key_cols.join(", "))
        };
        let mut mid = key_cols.clone();
        mid.extend([
            "kpi_x".to_string(),
            "kpi_time".to_string(),
            format!("{best}(kpi_time) OVER ({partition}) AS kpi_best"),
        ]);
        let ranked = format!(
            "(SELECT {} FROM (SELECT {} FROM {}{filter}) AS timed) AS ranked",
            mid.join(", "),
            inner.join(", "),
            records.from
        );
        let value = format!("{best}(kpi_x){}", as_alias(alias));
        let mut cols = key_cols.clone();
        cols.push(value);
        let mut body = format!(
            "SELECT {} FROM {ranked} WHERE kpi_time = kpi_best",
            cols.join(", ")
        );
        if !key_cols.is_empty() {
            body.push_str(&format!(" GROUP BY {}", key_cols.join(", ")));
        }
        (body, ty)
    }

    /// With `--grain`: the body of `open_A`, the steps of `open` aggregate `spec` (`k0`: a
    /// period; `k1`…: the `--by` keys, `by`; `delta`: +1 or −1).
    pub(super) fn open_steps(&self, spec: &AggSpec, from: &str, by: &[String]) -> String {
        let s = spec.source.0 as usize;
        let Some(AggArg::Pair(start, end)) = &spec.arg else {
            unreachable!("open has a start and an end")
        };
        let (start, end) = (self.record(s, start).0, self.record(s, end).0);
        let mut conds = self.filters_but_from(s);
        conds.extend(spec.filter.as_ref().map(|w| self.record(s, w).0));
        conds.push(format!("{start} IS NOT NULL"));
        let ended = match self.end_bound() {
            Some(b) => {
                conds.push(format!("{start} < {b}"));
                format!("{end} IS NOT NULL AND {end} < {b}")
            }
            None => format!("{end} IS NOT NULL"),
        };
        conds.push(format!("NOT ({ended} AND {end} <= {start})"));
        let step = |at: &str, delta: &str, extra: Option<&str>| {
            let mut cols = vec![format!("{} AS k0", self.period_number(at))];
            cols.extend(
                by.iter()
                    .enumerate()
                    .map(|(i, k)| format!("{k} AS k{}", i + 1)),
            );
            cols.push(format!("{delta} AS delta"));
            let mut c = conds.clone();
            c.extend(extra.map(str::to_string));
            format!(
                "SELECT {} FROM {from} WHERE {}",
                cols.join(", "),
                c.join(" AND ")
            )
        };
        format!(
            "  {}\n  UNION ALL\n  {}",
            step(&start, "1", None),
            step(&end, "-1", Some(&ended))
        )
    }

    /// With `--grain`: the backlog of steps `steps` at each period of `ends` (a `SELECT` of
    /// `kpi_end`), per group of `nb` `--by` keys (none: all groups together); `blank`: the
    /// blank period (a null end) sums every step.
    pub(super) fn open_at(
        &self,
        a: usize,
        steps: &str,
        ends: &str,
        nb: usize,
        blank: bool,
    ) -> String {
        let by: Vec<String> = (1..=nb).map(|i| format!("d.k{i}")).collect();
        let mut cols = vec!["e.kpi_end AS k0".to_string()];
        cols.extend(
            by.iter()
                .enumerate()
                .map(|(i, k)| format!("{k} AS k{}", i + 1)),
        );
        cols.push(format!("SUM(d.delta) AS a{a}"));
        let up_to = if blank {
            "d.k0 <= e.kpi_end OR e.kpi_end IS NULL"
        } else {
            "d.k0 <= e.kpi_end"
        };
        let mut group = vec!["e.kpi_end".to_string()];
        group.extend(by);
        format!(
            "  SELECT {} FROM {steps} AS d CROSS JOIN ({ends}) AS e WHERE {up_to} GROUP BY {}",
            cols.join(", "),
            group.join(", ")
        )
    }
}

/// ` AS alias`, or nothing.
fn as_alias(alias: Option<&str>) -> String {
    alias.map(|a| format!(" AS {a}")).unwrap_or_default()
}
