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
mod grouping;
mod query;
#[cfg(test)]
mod tests;

pub use dialect::Dialect;
pub use grouping::Grouping;
pub use query::compile;

use crate::analysis::Analyzer;

/// What the builder's parts share while writing one query.
struct Compiler<'a, 'c> {
    an: &'a Analyzer<'c>,
    dialect: &'a dyn Dialect,
    /// With `--by`: a group absent from a source reads null there.
    grouped: bool,
}
