//! Periods as consecutive integers in SQL, numbered as `kpi eval` numbers them
//! (`crate::period`): a day is its day number (0 = 1970-01-01), an ISO week the number of
//! Mondays since 1969-12-29, a month `year × 12 + month − 1`, a quarter `year × 4 + q − 1`,
//! a year itself. The grid of `--grain` is a series of them; an offset is arithmetic
//! (`previous`), a window a range (`rolling`, `to_date`, `cumulative`), and a period's
//! label is written from its number for the output. Labels are cut and rebuilt as text,
//! so that every engine writes the same arithmetic.

use super::Compiler;
use crate::registry;
use crate::time::{Grain, Period};

/// Added to day numbers before an integer division, so that the dividend is positive for
/// any date after the year 53 (whole weeks: `OFFSET_WEEKS` × 7).
const OFFSET_WEEKS: i64 = 100_000;

/// A step from a period to another one (`previous`, `year_ago`, `--compare`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Shift {
    Back(u32),
    YearAgo,
}

/// Where a window starts, for the window ending with a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Window {
    Rolling(u32),
    ToDate(Grain),
    Cumulative,
}

impl Compiler<'_, '_> {
    fn grain(&self) -> Grain {
        self.plan.grain.expect("periods are numbered with --grain")
    }

    fn int(&self, x: &str) -> String {
        self.dialect.cast_integer(x)
    }

    fn cut(&self, x: &str, start: usize, len: usize) -> String {
        self.dialect.substring(x, start, len)
    }

    /// Two digits of a number from 1 to 99: `100 + n` without its first digit.
    fn two_digits(&self, n: &str) -> String {
        let d = self.dialect;
        d.substring(&d.cast_text(&format!("(100 + {n})")), 2, 2)
    }

    /// The ISO week number of day number `day`.
    fn week_of_day(&self, day: &str) -> String {
        let q = self
            .dialect
            .int_div(&format!("({day} + {})", OFFSET_WEEKS * 7 + 3), "7");
        format!("({q} - {OFFSET_WEEKS})")
    }

    /// The day number of a date written as text (`2024-01-31`).
    fn day_of_text(&self, text: &str) -> String {
        let d = self.dialect;
        d.day_number(&d.date_from_text(text))
    }

    /// The period number of a record whose time is `t` (null when `t` is).
    pub(super) fn period_number(&self, t: &str) -> String {
        let d = self.dialect;
        let label = |p: Period| d.period_label(p, t);
        match self.grain() {
            Grain::Day => {
                let f = registry::function("date").expect("the date function");
                d.day_number(&self.call(f, &[t.to_string()]))
            }
            Grain::Week => {
                let f = registry::function("date").expect("the date function");
                self.week_of_day(&d.day_number(&self.call(f, &[t.to_string()])))
            }
            Grain::Month => {
                let l = label(Period::Month);
                format!(
                    "({} * 12 + {} - 1)",
                    self.int(&self.cut(&l, 1, 4)),
                    self.int(&self.cut(&l, 6, 2))
                )
            }
            Grain::Quarter => {
                let l = label(Period::Quarter);
                format!(
                    "({} * 4 + {} - 1)",
                    self.int(&self.cut(&l, 1, 4)),
                    self.int(&self.cut(&l, 7, 1))
                )
            }
            Grain::Year => self.int(&label(Period::Year)),
        }
    }

    /// The label of period number `n`: a date at the `day` grain, else text (`2025-W09`,
    /// `2025-03`, `2025-Q1`, `2025`).
    pub(super) fn period_label_of(&self, n: &str) -> String {
        let d = self.dialect;
        match self.grain() {
            Grain::Day => d.date_of_day_number(n),
            Grain::Week => d.period_label(
                Period::Week,
                &d.date_of_day_number(&format!("({n} * 7 - 3)")),
            ),
            Grain::Month => d.concat(&[
                d.cast_text(&d.int_div(n, "12")),
                d.string("-"),
                self.two_digits(&format!("{n} % 12 + 1")),
            ]),
            Grain::Quarter => d.concat(&[
                d.cast_text(&d.int_div(n, "4")),
                d.string("-Q"),
                d.cast_text(&format!("({n} % 4 + 1)")),
            ]),
            Grain::Year => d.cast_text(n),
        }
    }

    /// The label of period number `n` as text (a day as `2025-03-01`).
    fn label_text(&self, n: &str) -> String {
        let label = self.period_label_of(n);
        match self.grain() {
            Grain::Day => self.dialect.cast_text(&label),
            _ => label,
        }
    }

    /// The period `shift` leads to from period `n` (null when there is none: the year
    /// before ISO week 53).
    pub(super) fn shifted(&self, n: &str, shift: Shift) -> String {
        let d = self.dialect;
        let g = self.grain();
        let per_year = match g {
            Grain::Month => 12,
            Grain::Quarter => 4,
            Grain::Year => 1,
            _ => 0,
        };
        match shift {
            Shift::Back(k) => format!("({n} - {k})"),
            Shift::YearAgo if per_year > 0 => format!("({n} - {per_year})"),
            Shift::YearAgo => {
                let label = self.label_text(n);
                let year_before =
                    d.cast_text(&format!("({} - 1)", self.int(&self.cut(&label, 1, 4))));
                if g == Grain::Day {
                    // The day a year before 29 February is 28 February.
                    let rest = format!(
                        "CASE WHEN {} = {} THEN {} ELSE {} END",
                        self.cut(&label, 6, 5),
                        d.string("02-29"),
                        d.string("-02-28"),
                        self.cut(&label, 5, 6)
                    );
                    self.day_of_text(&d.concat(&[year_before, rest]))
                } else {
                    // The same ISO week of the ISO year before; none for week 53.
                    let week = self.cut(&label, 7, 2);
                    let jan4 = self.day_of_text(&d.concat(&[year_before, d.string("-01-04")]));
                    format!(
                        "CASE WHEN {week} = {} THEN NULL ELSE {} + {} - 1 END",
                        d.string("53"),
                        self.week_of_day(&jan4),
                        self.int(&week)
                    )
                }
            }
        }
    }

    /// The first period of `window` ending with period `n`; `first` is the range's first
    /// period (for `cumulative`).
    pub(super) fn window_start(&self, n: &str, window: Window, first: &str) -> String {
        let d = self.dialect;
        let g = self.grain();
        match window {
            Window::Rolling(k) => format!("({n} - {})", i64::from(k) - 1),
            Window::Cumulative => first.to_string(),
            Window::ToDate(coarse) => match (g, coarse) {
                (Grain::Month, Grain::Quarter) => format!("({n} - {n} % 3)"),
                (Grain::Month, _) => format!("({n} - {n} % 12)"),
                (Grain::Quarter, _) => format!("({n} - {n} % 4)"),
                // Weeks lie whole only in ISO years: the ISO year's first week.
                (Grain::Week, _) => {
                    let year = self.cut(&self.label_text(n), 1, 4);
                    self.week_of_day(&self.day_of_text(&d.concat(&[year, d.string("-01-04")])))
                }
                (Grain::Day, Grain::Week) => {
                    format!("({n} - ({n} + {}) % 7)", OFFSET_WEEKS * 7 + 3)
                }
                (Grain::Day, coarse) => {
                    let label = self.label_text(n);
                    let start = match coarse {
                        Grain::Month => d.concat(&[self.cut(&label, 1, 8), d.string("01")]),
                        Grain::Quarter => {
                            let month = self.int(&self.cut(&label, 6, 2));
                            d.concat(&[
                                self.cut(&label, 1, 5),
                                self.two_digits(&format!("{month} - ({month} - 1) % 3")),
                                d.string("-01"),
                            ])
                        }
                        _ => d.concat(&[self.cut(&label, 1, 4), d.string("-01-01")]),
                    };
                    self.day_of_text(&start)
                }
                // `to_date` needs a coarser unit holding the grain's periods whole.
                _ => n.to_string(),
            },
        }
    }

    /// The period number of a bound given as microseconds (`--from`; `--to` is exclusive:
    /// the period of its last instant).
    pub(super) fn bound_period(&self, micros: i64, exclusive: bool) -> i64 {
        let t = if exclusive { micros - 1 } else { micros };
        crate::period::of_day(self.grain(), t.div_euclid(crate::time::MICROS_PER_DAY))
    }
}
