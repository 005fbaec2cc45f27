//! PostgreSQL: the standard forms, `to_char` for period labels, and counts cast to
//! `NUMERIC` so that their divisions are exact (integer `/` truncates).

use super::{Dialect, Period};

pub struct Postgres;

impl Dialect for Postgres {
    fn key(&self) -> &'static str {
        "postgres"
    }
    fn name(&self) -> &'static str {
        "PostgreSQL"
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
