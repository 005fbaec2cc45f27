//! DuckDB: the standard forms, `strftime` for period labels, and integer counts left
//! alone (its `/` gives `DOUBLE`).

use super::{Dialect, Period};

pub struct DuckDb;

impl Dialect for DuckDb {
    fn key(&self) -> &'static str {
        "duckdb"
    }
    fn name(&self) -> &'static str {
        "DuckDB"
    }

    fn cast_numeric(&self, x: String) -> String {
        x
    }
    fn int_div(&self, a: &str, b: &str) -> String {
        format!("({a} // {b})")
    }
    fn integer_series(&self, _: &str, bounds: &str) -> String {
        format!("SELECT unnest(generate_series(first_period, last_period)) AS n FROM {bounds}")
    }

    fn period_label(&self, period: Period, t: &str) -> String {
        let format = match period {
            Period::Week => "%G-W%V",
            Period::Month => "%Y-%m",
            Period::Year => "%Y",
            // strftime has no quarter.
            Period::Quarter => {
                return format!(
                    "(strftime({t}, '%Y-Q') || CAST(EXTRACT(QUARTER FROM {t}) AS {}))",
                    self.string_type()
                )
            }
        };
        format!("strftime({t}, '{format}')")
    }
}
