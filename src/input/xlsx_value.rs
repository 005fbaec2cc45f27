//! A workbook cell's value as `kpi` reads it: typed cells as their types (a number as the
//! shortest decimal that reads back as its double, a time of day as seconds where seconds are
//! read), a cell shown as a percentage as the number shown, text as text.

use crate::analysis::Ty;
use crate::time;
use calamine::{Data, DataRef};
use rust_decimal::Decimal;

pub fn data_ref(d: &Data) -> DataRef<'_> {
    match d {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(t) => DataRef::DateTime(*t),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

/// A needed cell of the current row, converted for its column's type.
#[derive(Clone, Copy, Debug)]
pub enum Prepared {
    Null,
    Num(Decimal),
    Bool(bool),
    DateTime(i64),
    Dur(Decimal),
    /// A range of the row's text.
    Text(u32, u32),
}

/// A header cell's text.
pub fn cell_text(v: &DataRef) -> String {
    match v {
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Float(f) => shortest(*f).map_or_else(|| f.to_string(), |d| d.to_string()),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::DateTime(t) => t.as_f64().to_string(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// A binary double as the shortest decimal that reads back as it (`0.1`, not
/// `0.1000000000000000055…`).
fn shortest(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    // Whole numbers (most cells: counts, seconds, ids) need no formatting.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        return Some(Decimal::from(f as i64));
    }
    let s = format!("{f}");
    Decimal::from_str_exact(&s).ok().map(|d| d.normalize())
}

/// Seconds of a fraction of a day, rounded to the millisecond.
fn day_fraction_seconds(days: f64) -> Option<Decimal> {
    let ms = (days * 86_400_000.0).round();
    if !ms.is_finite() || ms.abs() > 9e15 {
        return None;
    }
    Some(Decimal::new(ms as i64, 3).normalize())
}

fn push_text(text: &mut String, s: &str) -> Prepared {
    let start = text.len() as u32;
    text.push_str(s);
    Prepared::Text(start, text.len() as u32)
}

/// A cell for a column of type `ty`: its value as it is typed in the sheet.
pub fn prepare(v: &DataRef, ty: Ty, text: &mut String) -> Prepared {
    match v {
        DataRef::Empty => Prepared::Null,
        DataRef::Int(i) => Prepared::Num(Decimal::from(*i)),
        DataRef::Float(f) => match shortest(*f) {
            Some(d) => Prepared::Num(d),
            None => push_text(text, &f.to_string()),
        },
        DataRef::Bool(b) => Prepared::Bool(*b),
        DataRef::String(s) => push_text(text, s),
        DataRef::SharedString(s) => push_text(text, s),
        DataRef::DateTime(t) => {
            let serial = t.as_f64();
            let as_seconds =
                t.is_duration() || (matches!(ty, Ty::Num | Ty::Dur) && serial.abs() < 1.0);
            if as_seconds {
                return day_fraction_seconds(serial).map_or(Prepared::Null, Prepared::Dur);
            }
            let (y, m, d, h, mi, s, ms) = t.to_ymd_hms_milli();
            let day = time::days_from_civil(y as i64, m as u32, d as u32);
            let secs = h as i64 * 3600 + mi as i64 * 60 + s as i64;
            Prepared::DateTime(
                day * time::MICROS_PER_DAY + secs * time::MICROS_PER_SEC + ms as i64 * 1000,
            )
        }
        DataRef::DateTimeIso(s) => match time::parse_datetime(s.as_bytes()) {
            Some(t) => Prepared::DateTime(t),
            None => match crate::value::parse_clock(s) {
                Some(secs) if matches!(ty, Ty::Num | Ty::Dur) => Prepared::Dur(secs),
                _ => push_text(text, s),
            },
        },
        DataRef::DurationIso(s) => match iso_duration(s) {
            Some(d) => Prepared::Dur(d),
            None => push_text(text, s),
        },
        DataRef::Error(e) => push_text(text, &e.to_string()),
    }
}

/// A cell its format shows as a percentage: a number reads as the number shown (`85` for
/// a stored 0.85), exactly (the shortest decimal of the double, times 100); another cell as
/// [`prepare`] reads it. A number too large for a decimal is text (that no number field
/// reads).
pub fn prepare_shown_as_percent(v: &DataRef, ty: Ty, text: &mut String) -> Prepared {
    let (number, f) = match v {
        DataRef::Float(f) => (shortest(*f), *f),
        DataRef::Int(i) => (Some(Decimal::from(*i)), *i as f64),
        _ => return prepare(v, ty, text),
    };
    match number.and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED)) {
        Some(d) => Prepared::Num(d.normalize()),
        None => push_text(text, &format!("{}", f * 100.0)),
    }
}

/// `PT1H02M03S`, `PT245S`, `P1DT2H` (days, hours, minutes, seconds) → seconds.
fn iso_duration(s: &str) -> Option<Decimal> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let rest = s.strip_prefix('P')?;
    let mut total = Decimal::ZERO;
    let mut in_time = false;
    let mut num = String::new();
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' | '.' | ',' => num.push(if c == ',' { '.' } else { c }),
            'D' | 'H' | 'M' | 'S' => {
                let n = Decimal::from_str_exact(&num).ok()?;
                num.clear();
                let unit = match (c, in_time) {
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                total = total.checked_add(n.checked_mul(Decimal::from(unit))?)?;
            }
            _ => return None,
        }
    }
    if !num.is_empty() {
        return None;
    }
    Some(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_durations() {
        assert_eq!(shortest(0.1).unwrap().to_string(), "0.1");
        assert_eq!(shortest(1234.5).unwrap().to_string(), "1234.5");
        assert_eq!(shortest(f64::NAN), None);
        assert_eq!(shortest(-42.0).unwrap().to_string(), "-42");
        assert_eq!(shortest(1e20).unwrap().to_string(), "100000000000000000000");
        assert_eq!(
            day_fraction_seconds(245.0 / 86_400.0).unwrap().to_string(),
            "245"
        );
        assert_eq!(iso_duration("PT00H04M05S").unwrap().to_string(), "245");
        assert_eq!(iso_duration("P1DT1H").unwrap().to_string(), "90000");
        assert_eq!(iso_duration("PT4X"), None);
    }

    #[test]
    fn percent_cells_read_as_shown() {
        let shown = |v: DataRef| match prepare_shown_as_percent(&v, Ty::Num, &mut String::new()) {
            Prepared::Num(d) => d.to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(shown(DataRef::Float(0.85)), "85");
        assert_eq!(shown(DataRef::Float(0.07)), "7");
        assert_eq!(shown(DataRef::Float(0.1234)), "12.34");
        assert_eq!(shown(DataRef::Float(-0.005)), "-0.5");
        assert_eq!(shown(DataRef::Float(1.0)), "100");
        assert_eq!(shown(DataRef::Int(2)), "200");
        // Exactly: the decimal times 100, where the doubles give 14.499999999999998.
        assert_ne!(0.145_f64 * 100.0, 14.5);
        assert_eq!(shown(DataRef::Float(0.145)), "14.5");
        assert_eq!(shown(DataRef::Float(0.855)), "85.5");
        // The cell's text in the file when it has up to 15 significant digits; a 17-digit
        // text (as Excel writes some results) reads as the shorter number Excel shows.
        let excel: f64 = "0.85499999999999998".parse().unwrap();
        assert_eq!(shown(DataRef::Float(excel)), "85.5");
        let typed: f64 = "0.123456789012345".parse().unwrap();
        assert_eq!(shown(DataRef::Float(typed)), "12.3456789012345");
        assert_eq!(shown(DataRef::Bool(true)), "Bool(true)");
        let mut text = String::new();
        let big = prepare_shown_as_percent(&DataRef::Float(1e27), Ty::Num, &mut text);
        assert!(matches!(big, Prepared::Text(..)), "{big:?}");
        assert!(
            text.starts_with("1000000000000000") && text.len() == 30,
            "{text}"
        );
    }
}
