//! `--compare`: the key of the period before a period, or of the same period a year
//! before, computed from the period's label as `kpi eval` does (`eval/compare.rs`): labels
//! are cut and rebuilt as text, so that every engine writes the same arithmetic. A day is
//! a date; the day a year before 29 February is 28 February.

use super::Compiler;
use crate::plan::Compare;
use crate::registry;
use crate::time::{Grain, Period};

impl Compiler<'_, '_> {
    /// The key of the period compared with period `key` (SQL over a label, or a date at
    /// the `day` grain).
    pub(super) fn previous_key(&self, key: &str, g: Grain, c: Compare) -> String {
        let d = self.dialect;
        let text = |x: &str| d.cast_text(x);
        let cut = |x: &str, start: usize, len: usize| d.substring(x, start, len);
        let int = |x: &str| d.cast_integer(x);
        let cat = |parts: &[String]| d.concat(parts);
        let lit = |s: &str| d.string(s);
        // Two digits of a number from 1 to 99: `100 + n` without its first digit.
        let two = |n: &str| cut(&text(&format!("(100 + {n})")), 2, 2);
        let label = if g == Grain::Day {
            text(key)
        } else {
            key.to_string()
        };
        let year_before = text(&format!("({} - 1)", int(&cut(&label, 1, 4))));
        let date = |x: &str| {
            let f = registry::function("date").expect("the date function");
            self.call(f, &[d.date_from_text(x)])
        };
        match (g, c) {
            (Grain::Day, Compare::Previous) => date(&text(&d.add_seconds(key, true, "86400"))),
            (Grain::Day, Compare::Year) => {
                let rest = format!(
                    "CASE WHEN {} = {} THEN {} ELSE {} END",
                    cut(&label, 6, 5),
                    lit("02-29"),
                    lit("-02-28"),
                    cut(&label, 5, 6)
                );
                date(&cat(&[year_before, rest]))
            }
            (Grain::Year, _) => year_before,
            (_, Compare::Year) => cat(&[year_before, cut(&label, 5, 4)]),
            (Grain::Month, Compare::Previous) => format!(
                "CASE WHEN {} = {} THEN {} ELSE {} END",
                cut(&label, 6, 2),
                lit("01"),
                cat(&[year_before, lit("-12")]),
                cat(&[
                    cut(&label, 1, 5),
                    two(&format!("{} - 1", int(&cut(&label, 6, 2))))
                ])
            ),
            (Grain::Quarter, Compare::Previous) => format!(
                "CASE WHEN {} = {} THEN {} ELSE {} END",
                cut(&label, 7, 1),
                lit("1"),
                cat(&[year_before, lit("-Q4")]),
                cat(&[
                    cut(&label, 1, 6),
                    text(&format!("({} - 1)", int(&cut(&label, 7, 1))))
                ])
            ),
            // Week 1's previous week is the last of the year before: the week of 28 December.
            (Grain::Week, Compare::Previous) => {
                let dec28 = d.date_from_text(&cat(&[year_before, lit("-12-28")]));
                format!(
                    "CASE WHEN {} = {} THEN {} ELSE {} END",
                    cut(&label, 7, 2),
                    lit("01"),
                    d.period_label(Period::Week, &dec28),
                    cat(&[
                        cut(&label, 1, 6),
                        two(&format!("{} - 1", int(&cut(&label, 7, 2))))
                    ])
                )
            }
        }
    }
}
