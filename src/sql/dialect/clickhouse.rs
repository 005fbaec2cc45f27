//! ClickHouse (and chDB): number literals with a fraction would be `Float64`, so they are
//! written as decimals; `/` of integers gives `Float64` and of decimals keeps the scale of
//! the dividend, and `avg` gives `Float64`: divisions and averages are made in
//! `Decimal256` with 40 decimals (exact far below 28 significant digits; a value with
//! more than 36 integer digits is an error), divisions with `divideDecimal`. Casts go
//! through `toX` functions, which take nullable values. Text functions count characters
//! (`lengthUTF8`), `UNION DISTINCT` is spelled out, and the query asks for null where a
//! join finds no row or an aggregate has no value (`join_use_nulls`,
//! `aggregate_functions_null_for_empty`). Percentiles are `quantileExactInclusive`, exact
//! in doubles.

use super::{Aggregate, DatePart, Dialect, Period};
use rust_decimal::Decimal;

pub struct ClickHouse;

/// A value as the wide decimal divisions and averages are made in.
fn wide(x: &str) -> String {
    format!("toDecimal256({x}, 40)")
}

impl Dialect for ClickHouse {
    fn key(&self) -> &'static str {
        "clickhouse"
    }
    fn name(&self) -> &'static str {
        "ClickHouse"
    }

    fn string(&self, s: &str) -> String {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
    fn number(&self, n: Decimal) -> String {
        let n = n.normalize();
        if n.scale() == 0 {
            n.to_string()
        } else {
            format!("toDecimal128('{n}', {})", n.scale())
        }
    }
    fn date(&self, iso: &str) -> String {
        format!("toDate32('{iso}')")
    }
    fn timestamp(&self, text: &str) -> String {
        format!("toDateTime64('{text}', 6)")
    }
    fn string_type(&self) -> &'static str {
        "String"
    }
    fn cast_text(&self, x: &str) -> String {
        format!("toString({x})")
    }
    fn cast_integer(&self, x: &str) -> String {
        format!("toInt32({x})")
    }
    fn substring(&self, s: &str, start: usize, len: usize) -> String {
        format!("substring({s}, {start}, {len})")
    }
    fn date_from_text(&self, s: &str) -> String {
        format!("toDate32({s})")
    }

    fn cast_numeric(&self, x: String) -> String {
        x
    }
    fn day_number(&self, d: &str) -> String {
        format!("toInt64({d})")
    }
    fn date_of_day_number(&self, n: &str) -> String {
        format!("addDays(toDate32('1970-01-01'), {n})")
    }
    fn int_div(&self, a: &str, b: &str) -> String {
        format!("intDiv({a}, {b})")
    }
    fn integer_series(&self, _: &str, bounds: &str) -> String {
        format!("SELECT arrayJoin(range(assumeNotNull(first_period), assumeNotNull(last_period) + 1)) AS n FROM {bounds} WHERE first_period IS NOT NULL")
    }
    /// `divideDecimal`: `/` of decimals scales the dividend by the divisor's scale, which
    /// overflows `Decimal256` when the divisor is itself a quotient (40 decimals).
    fn divide(&self, x: &str, y: &str) -> String {
        let zero = format!("ifNull({y}, 0) = 0");
        format!(
            "if({zero}, NULL, divideDecimal({}, {}, 40))",
            wide(x),
            wide(&format!("if({zero}, 1, assumeNotNull({y}))"))
        )
    }

    fn date_diff_seconds(&self, later: &str, earlier: &str) -> String {
        format!("(dateDiff('day', {earlier}, {later}) * 86400)")
    }
    fn timestamp_diff_seconds(&self, later: &str, earlier: &str) -> String {
        format!(
            "(toDecimal128(dateDiff('microsecond', toDateTime64({earlier}, 6), toDateTime64({later}, 6)), 6) / 1000000)"
        )
    }
    fn add_seconds(&self, t: &str, subtract: bool, seconds: &str) -> String {
        let f = if subtract {
            "subtractMicroseconds"
        } else {
            "addMicroseconds"
        };
        format!("{f}(toDateTime64({t}, 6), toInt64({seconds} * 1000000))")
    }

    fn period_label(&self, period: Period, t: &str) -> String {
        match period {
            Period::Week => format!(
                "concat(toString(toISOYear({t})), '-W', leftPad(toString(toISOWeek({t})), 2, '0'))"
            ),
            Period::Month => format!("formatDateTime({t}, '%Y-%m')"),
            Period::Quarter => {
                format!("concat(toString(toYear({t})), '-Q', toString(toQuarter({t})))")
            }
            Period::Year => format!("toString(toYear({t}))"),
        }
    }
    fn date_part(&self, part: DatePart, t: &str) -> String {
        match part {
            DatePart::Hour => format!("toHour({t})"),
            DatePart::Day => format!("toDayOfMonth({t})"),
            DatePart::IsoWeekday => format!("toDayOfWeek({t})"),
        }
    }

    fn function(&self, name: &str, a: &[String]) -> Option<String> {
        Some(match name {
            "date" => format!("toDate32({})", a[0]),
            "len" => format!("lengthUTF8({})", a[0]),
            "lower" => format!("lowerUTF8({})", a[0]),
            "upper" => format!("upperUTF8({})", a[0]),
            "contains" => format!("(positionUTF8({}, {}) > 0)", a[0], a[1]),
            "starts_with" => format!("startsWith({}, {})", a[0], a[1]),
            "ends_with" => format!("endsWith({}, {})", a[0], a[1]),
            _ => return None,
        })
    }

    fn supports_filter(&self) -> bool {
        false
    }
    fn aggregate(&self, agg: Aggregate<'_>) -> String {
        match agg {
            Aggregate::Avg(x) => format!("({} / nullIf(COUNT({x}), 0))", wide(&format!("SUM({x})"))),
            other => super::standard_aggregate(other, self),
        }
    }
    fn percentile(&self, fraction: &str, of: &str) -> String {
        format!("quantileExactInclusive({fraction})({of})")
    }
    fn union_distinct(&self) -> &'static str {
        "UNION DISTINCT"
    }
    fn query_suffix(&self) -> &'static str {
        "\nSETTINGS join_use_nulls = 1, aggregate_functions_null_for_empty = 1"
    }
}
