//! `kpi sql`: checked KPIs compiled to one SQL query for a warehouse. Each source is a
//! table of the same name; each becomes one row of aggregates per group (a CTE whose
//! aggregates carry their `where` as a filter), `per` becomes a grouped subquery, and the
//! KPI arithmetic runs in the final `SELECT` (KPIs used often are shared, `kpis.rs`).
//! `--compare`, `--top` and `--total` are steps over those rows (`post.rs`).
//!
//! The builder here is the same for every engine; what differs (quoting, literals, date
//! arithmetic, period labels, percentiles, filtered aggregates, exact division…) is asked of
//! a [`Dialect`] (`dialect/`, one file per engine).
//!
//! Numbers keep their decimals: exact `NUMERIC` in PostgreSQL, wide decimals where an
//! engine would truncate a division (Spark, ClickHouse), doubles where the engine has no
//! decimals (SQLite) or divides in them (DuckDB). Null, three-valued logic, `pct`
//! denominators and empty inputs keep the language's meaning (`sum` of nothing is 0, a
//! division by zero is null).

mod aggregate;
mod cells;
mod contexts;
mod database;
pub mod dialect;
mod expr;
mod frames;
mod grid;
mod kpis;
mod lookup;
mod periods;
mod post;
mod query;
mod relation;
#[cfg(test)]
mod tests;
mod timed;
mod unwritable;

pub use database::run_in_postgres;
pub use dialect::Dialect;
pub use query::{plan_to_sql, plan_to_sql_marked};
pub use unwritable::leave_out_unwritable;

use crate::analysis::Ir;
use crate::diag::{Code, Diag};
use crate::ir::{AggArg, AggSpec, KpiId};
use crate::plan::Plan;
use crate::registry::AggSql;

/// The shown KPIs `dialect` cannot compute exactly (they read a percentile it does not
/// have): `kpi sql` leaves them out with a warning rather than write another number.
pub fn inexact_kpis(plan: &Plan, dialect: &dyn Dialect) -> Vec<KpiId> {
    fn percentile(a: &AggSpec) -> bool {
        a.func.sql == AggSql::Percentile
            || matches!(&a.arg, Some(AggArg::Per(p)) if p.inner_aggs.iter().any(percentile))
    }
    if dialect.exact_percentile() {
        return Vec::new();
    }
    let ir = &plan.ir;
    plan.shown
        .iter()
        .copied()
        .filter(|&k| {
            ir.aggregates_of(&ir.closure(&[k]))
                .iter()
                .any(|a| percentile(&ir.aggs[a.0 as usize]))
        })
        .collect()
}

/// The warning naming the KPIs an engine cannot compute exactly.
pub fn inexact_warning(plan: &Plan, kpis: &[KpiId], d: &dyn Dialect) -> Diag {
    let names: Vec<&str> = kpis.iter().map(|k| plan.kpi_name(*k)).collect();
    Diag::warning(
        Code::Scope,
        format!(
            "left out, because {} has no exact percentile or median: {}",
            d.name(),
            names.join(", ")
        ),
    )
    .help("run these KPIs with kpi eval, or on an engine that has them (duckdb, postgres, spark, clickhouse)")
}

/// What the builder's parts share while writing one relation of a query.
#[derive(Clone, Copy)]
struct Compiler<'a, 'c> {
    plan: &'a Plan<'c>,
    an: &'a Ir<'c>,
    dialect: &'a dyn Dialect,
    /// Rows per group key (`--by`, `--grain`): a group absent from a source reads the
    /// aggregates' values over nothing there.
    grouped: bool,
    /// Before every CTE name of this relation: `total_` for the overall row.
    prefix: &'static str,
    /// KPIs read the aggregates as columns of the first layer CTE (`kpis.rs`).
    layered: bool,
    /// After each KPI's columns, whether eval has a row for that cell (for `--db`).
    marks: bool,
    /// Grouped rows are written over cells (`cells.rs`): with `--grain`, or period
    /// functions, `total` or `rank`.
    framed: bool,
    /// While writing over cells: the contexts and columns the KPIs read (`frames.rs`).
    written: Option<&'a frames::Written>,
}

impl<'a, 'c> Compiler<'a, 'c> {
    fn new(plan: &'a Plan<'c>, dialect: &'a dyn Dialect) -> Self {
        Compiler {
            plan,
            an: &plan.ir,
            dialect,
            grouped: plan.grouped(),
            prefix: "",
            layered: false,
            marks: false,
            framed: cells::over_cells(plan),
            written: None,
        }
    }

    /// The same KPIs over all records (`prefix` before its CTE names).
    fn ungrouped(&self, prefix: &'static str) -> Self {
        Compiler {
            grouped: false,
            prefix,
            layered: false,
            framed: false,
            written: None,
            ..*self
        }
    }

    /// The quoted name of this relation's CTE `base`.
    fn cte(&self, base: &str) -> String {
        self.dialect.ident(&format!("{}{base}", self.prefix))
    }

    /// The record filters of source `s` (`--where`, `--from`, `--to`) as SQL conditions.
    fn source_filters(&self, s: usize) -> Vec<String> {
        let Some(p) = self.plan.source(crate::ir::SourceId(s as u32)) else {
            return Vec::new();
        };
        p.filters.iter().map(|f| self.record(s, f).0).collect()
    }

    /// The record filters of source `s` but `--from`: records before it are read too
    /// (offsets, windows, `open`).
    fn filters_but_from(&self, s: usize) -> Vec<String> {
        let Some(p) = self.plan.source(crate::ir::SourceId(s as u32)) else {
            return Vec::new();
        };
        p.filters
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != p.from)
            .map(|(_, f)| self.record(s, f).0)
            .collect()
    }
}
