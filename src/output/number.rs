//! How values read in a table: units, rounding half away from zero, durations as
//! `4 min 05 s`, thousands separators, and French formatting (`12,5 %`).

use super::Lang;
use crate::catalogue::Unit;
use crate::results::plain_value;
use crate::value::Value;
use rust_decimal::prelude::*;

fn default_decimals(unit: Option<Unit>) -> u32 {
    match unit {
        Some(Unit::Count | Unit::Seconds | Unit::Duration) => 0,
        Some(Unit::Percent | Unit::Points) => 1,
        Some(Unit::Ratio) => 3,
        _ => 2,
    }
}

/// A value for people: rounded for display only, with its unit.
pub fn display_value(
    v: &Value,
    unit: Option<Unit>,
    currency: Option<&str>,
    decimals: Option<u32>,
    lang: Lang,
) -> String {
    // Without unit or decimals, whole numbers show whole.
    let whole = unit.is_none() && v.decimal().is_some_and(|d| d.fract().is_zero());
    let places = decimals.unwrap_or_else(|| if whole { 0 } else { default_decimals(unit) });
    let d = match v {
        Value::Null => return "—".into(),
        Value::Dur(d) => return duration(*d, places),
        Value::Num(d) if matches!(unit, Some(Unit::Seconds | Unit::Duration)) => {
            return duration(*d, places)
        }
        Value::Num(d) => *d,
        other => return plain_value(other),
    };
    let n = number(d, places, lang);
    let fr = lang == Lang::Fr;
    match unit {
        Some(Unit::Percent) => {
            if fr {
                format!("{n} %")
            } else {
                format!("{n}%")
            }
        }
        Some(Unit::Points) => format!("{n} pts"),
        Some(Unit::Currency) => match (currency.unwrap_or("EUR"), fr) {
            ("EUR", true) => format!("{n} €"),
            ("EUR", false) => match n.strip_prefix('-') {
                Some(abs) => format!("-€{abs}"),
                None => format!("€{n}"),
            },
            (c, _) => format!("{n} {c}"),
        },
        _ => n,
    }
}

/// Round half away from zero and group thousands.
pub fn number(d: Decimal, places: u32, lang: Lang) -> String {
    let r = d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    let s = format!("{:.*}", places as usize, r.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let (group, point) = if lang == Lang::Fr {
        ('\u{202f}', ',')
    } else {
        (',', '.')
    };
    let mut out = String::new();
    if r.is_sign_negative() && !r.is_zero() {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// `45 s`, `4 min 05 s`, `2 h 03 min`, `3 d 04 h`.
pub fn duration(secs: Decimal, places: u32) -> String {
    // No sign for what rounds to zero (`0 s`, not `-0 s`).
    let shown = secs.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    let neg = secs.is_sign_negative() && !shown.is_zero();
    let s = secs.abs();
    let sign = if neg { "-" } else { "" };
    let whole = s
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(i64::MAX);
    if whole < 60 {
        let r = s.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
        return format!("{sign}{r:.0$} s", places as usize);
    }
    let (d, h, m, sec) = (
        whole / 86_400,
        whole / 3_600 % 24,
        whole / 60 % 60,
        whole % 60,
    );
    if d > 0 {
        format!("{sign}{d} d {h:02} h")
    } else if h > 0 {
        format!("{sign}{h} h {m:02} min")
    } else {
        format!("{sign}{m} min {sec:02} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn rounding_and_grouping() {
        assert_eq!(number(d("1234.5"), 0, Lang::En), "1,235");
        assert_eq!(number(d("-2.25"), 1, Lang::En), "-2.3");
        assert_eq!(number(d("12.5"), 1, Lang::Fr), "12,5");
        assert_eq!(
            number(d("1234567.891"), 2, Lang::Fr),
            "1\u{202f}234\u{202f}567,89"
        );
        assert_eq!(number(d("-0.04"), 1, Lang::En), "0.0");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(d("245"), 0), "4 min 05 s");
        assert_eq!(duration(d("18.4"), 0), "18 s");
        assert_eq!(duration(d("7380"), 0), "2 h 03 min");
        assert_eq!(duration(d("273600"), 0), "3 d 04 h");
        assert_eq!(duration(d("-90"), 0), "-1 min 30 s");
        assert_eq!(duration(d("-0.2"), 0), "0 s");
    }

    #[test]
    fn units() {
        let v = Value::Num(d("12.5"));
        assert_eq!(
            display_value(&v, Some(Unit::Percent), None, Some(1), Lang::Fr),
            "12,5 %"
        );
        assert_eq!(
            display_value(&v, Some(Unit::Percent), None, Some(1), Lang::En),
            "12.5%"
        );
        assert_eq!(
            display_value(&v, Some(Unit::Currency), Some("EUR"), None, Lang::Fr),
            "12,50 €"
        );
        let debt = Value::Num(d("-5000"));
        assert_eq!(
            display_value(&debt, Some(Unit::Currency), Some("EUR"), None, Lang::En),
            "-€5,000.00"
        );
        assert_eq!(
            display_value(&Value::Null, Some(Unit::Percent), None, None, Lang::En),
            "—"
        );
        let whole = Value::Num(d("10000000"));
        assert_eq!(
            display_value(&whole, None, None, None, Lang::En),
            "10,000,000"
        );
        assert_eq!(
            display_value(&Value::Num(d("2.5")), None, None, None, Lang::En),
            "2.50"
        );
    }
}
