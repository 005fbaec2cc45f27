//! Calendar periods as consecutive integers, so that a grid of periods, an offset and a
//! window are arithmetic: a day is its day number (0 = 1970-01-01), an ISO week the number of
//! Mondays since 1969-12-29, a month `year × 12 + month − 1`, a quarter `year × 4 + q − 1`,
//! a year itself. Labels are the period functions' values (`2025-03-01`, `2025-W09`,
//! `2025-03`, `2025-Q1`, `2025`).

use crate::time::{self, Grain};
use crate::value::Value;
use std::borrow::Cow;

/// Day number of Monday 1969-12-29, the start of ISO week 0.
const MONDAY_ZERO: i64 = -3;

/// The period at grain `g` holding day `days`.
pub fn of_day(g: Grain, days: i64) -> i64 {
    let (y, m, _) = time::civil_from_days(days);
    match g {
        Grain::Day => days,
        Grain::Week => (days - MONDAY_ZERO).div_euclid(7),
        Grain::Month => y * 12 + i64::from(m) - 1,
        Grain::Quarter => y * 4 + i64::from((m - 1) / 3),
        Grain::Year => y,
    }
}

/// The first day of period `p`.
pub fn first_day(g: Grain, p: i64) -> i64 {
    match g {
        Grain::Day => p,
        Grain::Week => p * 7 + MONDAY_ZERO,
        Grain::Month => time::days_from_civil(p.div_euclid(12), p.rem_euclid(12) as u32 + 1, 1),
        Grain::Quarter => time::days_from_civil(p.div_euclid(4), p.rem_euclid(4) as u32 * 3 + 1, 1),
        Grain::Year => time::days_from_civil(p, 1, 1),
    }
}

/// The first day after period `p` (its exclusive upper bound).
pub fn end_day(g: Grain, p: i64) -> i64 {
    first_day(g, p + 1)
}

/// The label of period `p`, as the period functions write it.
pub fn label(g: Grain, p: i64) -> Value<'static> {
    let day = first_day(g, p);
    match g {
        Grain::Day => Value::Date(day),
        Grain::Week => Value::Str(Cow::Owned(time::iso_week(day))),
        Grain::Month => Value::Str(Cow::Owned(time::month(day))),
        Grain::Quarter => Value::Str(Cow::Owned(time::quarter(day))),
        Grain::Year => Value::Str(Cow::Owned(time::year(day))),
    }
}

/// The period a label names (the inverse of [`label`]).
pub fn from_label(g: Grain, v: &Value) -> Option<i64> {
    let s = match (g, v) {
        (Grain::Day, Value::Date(d)) => return Some(*d),
        (_, Value::Str(s)) => s.as_ref(),
        _ => return None,
    };
    let year: i64 = s.get(..4)?.parse().ok()?;
    Some(match g {
        Grain::Day => return None,
        Grain::Year => year,
        Grain::Month => year * 12 + s.get(5..)?.parse::<i64>().ok()? - 1,
        Grain::Quarter => year * 4 + s.get(6..)?.parse::<i64>().ok()? - 1,
        Grain::Week => {
            let week: i64 = s.get(6..)?.parse().ok()?;
            of_day(Grain::Week, iso_week_monday(year, week))
        }
    })
}

/// The Monday of ISO week `week` of ISO year `year`.
fn iso_week_monday(year: i64, week: i64) -> i64 {
    let jan4 = time::days_from_civil(year, 1, 4);
    jan4 - (i64::from(time::weekday(jan4)) - 1) + (week - 1) * 7
}

/// The ISO year and week number of ISO week `p`.
fn iso_year_week(p: i64) -> (i64, i64) {
    let thursday = first_day(Grain::Week, p) + 3;
    let (y, _, _) = time::civil_from_days(thursday);
    (y, (thursday - time::days_from_civil(y, 1, 1)) / 7 + 1)
}

/// The same period a year before: the same date (29 February → 28 February), the same ISO
/// week of the previous ISO year (none for week 53), the same month, quarter. `None` when
/// there is none.
pub fn year_ago(g: Grain, p: i64) -> Option<i64> {
    match g {
        Grain::Day => {
            let (y, m, d) = time::civil_from_days(p);
            let d = if m == 2 && d == 29 { 28 } else { d };
            Some(time::days_from_civil(y - 1, m, d))
        }
        Grain::Week => {
            let (y, w) = iso_year_week(p);
            (w != 53).then(|| of_day(Grain::Week, iso_week_monday(y - 1, w)))
        }
        Grain::Month => Some(p - 12),
        Grain::Quarter => Some(p - 4),
        Grain::Year => Some(p - 1),
    }
}

/// Whether every period at grain `fine` lies whole inside one period at grain `coarse`
/// (and `coarse` is coarser): weeks lie whole only in (ISO) years.
pub fn contains_whole(coarse: Grain, fine: Grain) -> bool {
    use Grain::*;
    matches!(
        (coarse, fine),
        (Week, Day) | (Month, Day) | (Quarter, Day | Month) | (Year, Day | Week | Month | Quarter)
    )
}

/// The first period at grain `fine` of the `coarse` period holding period `p` (for
/// `to_date`; `coarse` must contain `fine` whole). Weeks go by ISO year.
pub fn start_of_enclosing(fine: Grain, p: i64, coarse: Grain) -> i64 {
    if fine == Grain::Week {
        let (y, _) = iso_year_week(p);
        return of_day(Grain::Week, iso_week_monday(y, 1));
    }
    let day = first_day(fine, p);
    of_day(fine, first_day(coarse, of_day(coarse, day)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i64 {
        time::parse_date(s.as_bytes()).unwrap()
    }

    fn text(v: Value) -> String {
        crate::results::plain_value(&v)
    }

    #[test]
    fn labels_round_trip_and_periods_are_consecutive() {
        for g in Grain::ALL {
            let p = of_day(g, day("2025-03-15"));
            assert_eq!(from_label(g, &label(g, p)), Some(p), "{g:?}");
            assert_eq!(end_day(g, p - 1), first_day(g, p), "{g:?}");
            assert!(first_day(g, p) <= day("2025-03-15") && day("2025-03-15") < end_day(g, p));
        }
        assert_eq!(
            text(label(Grain::Week, of_day(Grain::Week, day("2025-03-01")))),
            "2025-W09"
        );
        assert_eq!(
            text(label(Grain::Week, of_day(Grain::Week, day("2024-12-30")))),
            "2025-W01"
        );
        assert_eq!(
            text(label(
                Grain::Quarter,
                of_day(Grain::Quarter, day("2025-03-31"))
            )),
            "2025-Q1"
        );
        assert_eq!(
            first_day(Grain::Week, of_day(Grain::Week, day("2025-03-02"))),
            day("2025-02-24")
        );
    }

    #[test]
    fn a_year_ago() {
        let g = Grain::Day;
        assert_eq!(year_ago(g, day("2024-02-29")), Some(day("2023-02-28")));
        assert_eq!(year_ago(g, day("2025-03-01")), Some(day("2024-03-01")));
        let w = Grain::Week;
        let w53 = from_label(w, &Value::Str("2020-W53".into())).unwrap();
        assert_eq!(year_ago(w, w53), None);
        let w10 = from_label(w, &Value::Str("2021-W10".into())).unwrap();
        assert_eq!(text(label(w, year_ago(w, w10).unwrap())), "2020-W10");
        let m = of_day(Grain::Month, day("2025-01-10"));
        assert_eq!(
            text(label(Grain::Month, year_ago(Grain::Month, m).unwrap())),
            "2024-01"
        );
    }

    #[test]
    fn periods_to_date() {
        let m = of_day(Grain::Month, day("2025-05-10"));
        let jan = start_of_enclosing(Grain::Month, m, Grain::Year);
        assert_eq!(text(label(Grain::Month, jan)), "2025-01");
        let d = day("2025-05-10");
        assert_eq!(
            start_of_enclosing(Grain::Day, d, Grain::Month),
            day("2025-05-01")
        );
        assert_eq!(
            start_of_enclosing(Grain::Day, d, Grain::Week),
            day("2025-05-05")
        );
        // 2024-12-30 is in ISO week 1 of 2025: the ISO year starts there.
        let w = of_day(Grain::Week, day("2025-02-12"));
        assert_eq!(
            first_day(Grain::Week, start_of_enclosing(Grain::Week, w, Grain::Year)),
            day("2024-12-30")
        );
        assert!(contains_whole(Grain::Year, Grain::Week));
        assert!(!contains_whole(Grain::Month, Grain::Week));
        assert!(!contains_whole(Grain::Month, Grain::Month));
    }
}
