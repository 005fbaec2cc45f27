//! PostgreSQL: the standard forms, `to_char` for period labels, and counts cast to
//! `NUMERIC` so that their divisions are exact (integer `/` truncates). A quotient of
//! `NUMERIC`s keeps only about 16 significant digits (so does `AVG`): dividends are cast to
//! 28 decimals first, as many as `kpi eval` keeps, so that a difference of two quotients
//! (`--compare`'s change) keeps its digits too.

use super::{Aggregate, Dialect, Period};

/// The type dividends and averaged values are cast to.
const WIDE: &str = "NUMERIC(1000, 28)";

pub struct Postgres;

impl Dialect for Postgres {
    fn key(&self) -> &'static str {
        "postgres"
    }
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    fn divide(&self, x: &str, y: &str) -> String {
        format!("(CAST({x} AS {WIDE}) / NULLIF({y}, 0))")
    }
    fn aggregate(&self, agg: Aggregate<'_>) -> String {
        match agg {
            Aggregate::Avg(x) => format!("AVG(CAST({x} AS {WIDE}))"),
            other => super::standard_aggregate(other, self),
        }
    }

    fn period_label(&self, period: Period, t: &str) -> String {
        let format = match period {
            Period::Week => "IYYY\"-W\"IW",
            Period::Month => "YYYY-MM",
            Period::Quarter => "YYYY\"-Q\"Q",
            Period::Year => "YYYY",
        };
        format!("to_char({t}, '{format}')")
    }
}
