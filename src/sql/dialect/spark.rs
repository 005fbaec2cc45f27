//! Spark SQL (3.4 or later, default settings: ANSI mode on or off): back-quoted names,
//! backslash escapes in strings, `TIMESTAMP_NTZ` for datetimes without a zone (a datetime
//! field is read as `TIMESTAMP_NTZ`). `DECIMAL` arithmetic keeps at most 38 digits and a
//! division or an average of `DECIMAL(38, 6)` would keep 6 decimals: both are cast to
//! `DECIMAL(38, 18)` first (18 decimals over a count, at least 12 over a sum of
//! `DECIMAL(38, 6)`; a value with more than 20 integer digits is an error, not a wrong
//! number). Percentiles are `percentile`, exact in doubles.

use super::{Aggregate, DatePart, Dialect, Period};

pub struct Spark;

/// The type divisions and averages are computed in.
const WIDE: &str = "DECIMAL(38, 18)";

impl Dialect for Spark {
    fn key(&self) -> &'static str {
        "spark"
    }
    fn name(&self) -> &'static str {
        "Spark"
    }

    fn ident_quote(&self) -> char {
        '`'
    }
    fn string(&self, s: &str) -> String {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
    fn timestamp(&self, text: &str) -> String {
        format!("TIMESTAMP_NTZ '{text}'")
    }
    fn string_type(&self) -> &'static str {
        "STRING"
    }

    fn cast_numeric(&self, x: String) -> String {
        x
    }
    fn day_number(&self, d: &str) -> String {
        format!("unix_date({d})")
    }
    fn date_of_day_number(&self, n: &str) -> String {
        format!("date_from_unix_date(CAST({n} AS INT))")
    }
    fn int_div(&self, a: &str, b: &str) -> String {
        format!("({a} div {b})")
    }
    fn integer_series(&self, _: &str, bounds: &str) -> String {
        format!("SELECT explode(sequence(first_period, last_period)) AS n FROM {bounds}")
    }
    fn divide(&self, x: &str, y: &str) -> String {
        format!("(CAST({x} AS {WIDE}) / NULLIF({y}, 0))")
    }

    fn date_diff_seconds(&self, later: &str, earlier: &str) -> String {
        format!("(datediff({later}, {earlier}) * 86400)")
    }
    fn timestamp_diff_seconds(&self, later: &str, earlier: &str) -> String {
        format!(
            "(CAST(timestampdiff(MICROSECOND, CAST({earlier} AS TIMESTAMP_NTZ), CAST({later} AS TIMESTAMP_NTZ)) AS DECIMAL(38, 6)) / 1000000)"
        )
    }
    fn add_seconds(&self, t: &str, subtract: bool, seconds: &str) -> String {
        let op = if subtract { "-" } else { "+" };
        format!(
            "(CAST({t} AS TIMESTAMP_NTZ) {op} make_dt_interval(0, 0, 0, CAST({seconds} AS DECIMAL(18, 6))))"
        )
    }

    fn period_label(&self, period: Period, t: &str) -> String {
        match period {
            Period::Week => format!(
                "concat(CAST(extract(YEAROFWEEK FROM {t}) AS STRING), '-W', lpad(CAST(weekofyear({t}) AS STRING), 2, '0'))"
            ),
            Period::Month => format!("date_format({t}, 'yyyy-MM')"),
            Period::Quarter => {
                format!("concat(date_format({t}, 'yyyy'), '-Q', CAST(quarter({t}) AS STRING))")
            }
            Period::Year => format!("date_format({t}, 'yyyy')"),
        }
    }
    fn date_part(&self, part: DatePart, t: &str) -> String {
        match part {
            DatePart::Hour => format!("hour({t})"),
            DatePart::Day => format!("dayofmonth({t})"),
            DatePart::IsoWeekday => format!("extract(DAYOFWEEK_ISO FROM {t})"),
        }
    }

    fn aggregate(&self, agg: Aggregate<'_>) -> String {
        match agg {
            Aggregate::Avg(x) => format!("AVG(CAST({x} AS {WIDE}))"),
            other => super::standard_aggregate(other, self),
        }
    }
    fn percentile(&self, fraction: &str, of: &str) -> String {
        format!("percentile({of}, {fraction})")
    }
    fn null_safe_eq(&self, a: &str, b: &str) -> String {
        format!("{a} <=> {b}")
    }
}
