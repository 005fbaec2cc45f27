//! SQLite (3.39 or later, for `IS NOT DISTINCT FROM`): dates and datetimes are ISO text
//! (`2025-03-01`, `2025-03-01 08:05:00`), booleans 0 and 1, numbers 64-bit integers or
//! doubles (SQLite has no decimal type: sums of fractions are binary). Divisions are
//! made in doubles, since `/` of two integers truncates; periods, parts and time
//! arithmetic go through `strftime`, `date`, `datetime` and `unixepoch`. No exact
//! percentile: KPIs over `median` or `percentile` are left out.

use super::{Aggregate, DatePart, Dialect, Period};

pub struct Sqlite;

impl Dialect for Sqlite {
    fn key(&self) -> &'static str {
        "sqlite"
    }
    fn name(&self) -> &'static str {
        "SQLite"
    }

    fn date(&self, iso: &str) -> String {
        self.string(iso)
    }
    /// ISO text; midnight is written as the bare date, so that a date compares with it
    /// as with the same day's first instant (`'2025-07-01' >= '2025-07-01'`).
    fn timestamp(&self, text: &str) -> String {
        self.string(text.strip_suffix(" 00:00:00").unwrap_or(text))
    }
    fn string_type(&self) -> &'static str {
        "TEXT"
    }

    fn cast_numeric(&self, x: String) -> String {
        x
    }
    fn divide(&self, x: &str, y: &str) -> String {
        format!("(CAST({x} AS REAL) / NULLIF({y}, 0))")
    }

    fn date_diff_seconds(&self, later: &str, earlier: &str) -> String {
        self.timestamp_diff_seconds(later, earlier)
    }
    fn timestamp_diff_seconds(&self, later: &str, earlier: &str) -> String {
        format!("(unixepoch({later}) - unixepoch({earlier}))")
    }
    fn add_seconds(&self, t: &str, subtract: bool, seconds: &str) -> String {
        let sign = if subtract { "-" } else { "" };
        format!("datetime({t}, ({sign}{seconds}) || ' seconds')")
    }
    fn date_from_text(&self, s: &str) -> String {
        format!("date({s})")
    }
    fn day_number(&self, d: &str) -> String {
        format!("CAST(julianday({d}) - 2440587.5 AS INTEGER)")
    }
    fn date_of_day_number(&self, n: &str) -> String {
        format!("date('1970-01-01', ({n}) || ' days')")
    }
    /// A recursive CTE (SQLite needs no `RECURSIVE`).
    fn integer_series(&self, name: &str, bounds: &str) -> String {
        format!(
            "SELECT first_period AS n FROM {bounds} WHERE first_period IS NOT NULL\n  UNION ALL\n  SELECT n + 1 FROM {name}, {bounds} WHERE n < last_period"
        )
    }

    fn period_label(&self, period: Period, t: &str) -> String {
        match period {
            Period::Month => format!("strftime('%Y-%m', {t})"),
            Period::Year => format!("strftime('%Y', {t})"),
            Period::Quarter => format!(
                "(strftime('%Y', {t}) || '-Q' || ((CAST(strftime('%m', {t}) AS INTEGER) + 2) / 3))"
            ),
            // The ISO week is the week of its Thursday, in the Thursday's year.
            Period::Week => {
                let thursday =
                    format!("date({t}, '-' || ((CAST(strftime('%w', {t}) AS INTEGER) + 6) % 7) || ' days', '+3 days')");
                format!(
                    "(strftime('%Y', {thursday}) || '-W' || printf('%02d', (CAST(strftime('%j', {thursday}) AS INTEGER) - 1) / 7 + 1))"
                )
            }
        }
    }
    fn date_part(&self, part: DatePart, t: &str) -> String {
        match part {
            DatePart::Hour => format!("CAST(strftime('%H', {t}) AS INTEGER)"),
            DatePart::Day => format!("CAST(strftime('%d', {t}) AS INTEGER)"),
            DatePart::IsoWeekday => format!("((CAST(strftime('%w', {t}) AS INTEGER) + 6) % 7 + 1)"),
        }
    }

    fn function(&self, name: &str, a: &[String]) -> Option<String> {
        Some(match name {
            "date" => format!("date({})", a[0]),
            "contains" => format!("(instr({}, {}) > 0)", a[0], a[1]),
            "starts_with" => format!("(substr({0}, 1, length({1})) = {1})", a[0], a[1]),
            "ends_with" => format!(
                "(length({1}) = 0 OR substr({0}, -length({1})) = {1})",
                a[0], a[1]
            ),
            // SQLite's min() and max() of several values are null when one is.
            "least" | "greatest" => {
                let f = if name == "least" { "min" } else { "max" };
                let each: Vec<String> = a.iter().map(|x| format!("COALESCE({x}, {})", a.join(", "))).collect();
                format!("{f}({})", each.join(", "))
            }
            _ => return None,
        })
    }

    fn exact_percentile(&self) -> bool {
        false
    }
    fn aggregate(&self, agg: Aggregate<'_>) -> String {
        match agg {
            Aggregate::Percentile { .. } => "NULL".into(),
            other => super::standard_aggregate(other, self),
        }
    }
}
