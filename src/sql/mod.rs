//! `kpi sql`: checked KPIs compiled to one SQL query for a warehouse. Each source is a
//! table of the same name; each becomes one row of aggregates (a CTE whose aggregates carry
//! their `where` as a filter), `per` becomes a grouped subquery, and the KPI arithmetic runs
//! in the final `SELECT`.
//!
//! The builder here is the same for every engine; what differs (quoting, literals, date
//! arithmetic, period labels, percentiles, filtered aggregates…) is asked of a
//! [`Dialect`] (`dialect/`, one file per engine).
//!
//! Numbers follow the warehouse's types: exact `NUMERIC` in PostgreSQL; in DuckDB, divisions
//! give `DOUBLE`. Null, three-valued logic, `pct` denominators and empty inputs keep the
//! language's meaning (`sum` of nothing is 0, a division by zero is null).

mod aggregate;
pub mod dialect;
mod expr;
mod query;
#[cfg(test)]
mod tests;

pub use dialect::Dialect;
pub use query::plan_to_sql;

use crate::analysis::Ir;
use crate::plan::Plan;

/// What the builder's parts share while writing one query.
struct Compiler<'a, 'c> {
    plan: &'a Plan<'c>,
    an: &'a Ir<'c>,
    dialect: &'a dyn Dialect,
    /// With `--by`: a group absent from a source reads null there.
    grouped: bool,
}

impl Compiler<'_, '_> {
    /// The record filters of source `s` (`--where`, `--from`, `--to`) as SQL conditions.
    fn source_filters(&self, s: usize) -> Vec<String> {
        let Some(p) = self.plan.source(crate::ir::SourceId(s as u32)) else {
            return Vec::new();
        };
        // The records before `--from` (kept apart by `kpi eval` for offsets) are left out.
        let history = p
            .history
            .iter()
            .map(|h| format!("(NOT {})", self.record(s, h).0));
        p.filters
            .iter()
            .map(|f| self.record(s, f).0)
            .chain(history)
            .collect()
    }
}
