//! The report's words in English and French, and periods written for people (`Mar 2025`,
//! `mars 2025`, `T1 2025`, `1 juil. 2025`).

use crate::output::Lang;
use crate::results::plain_value;
use crate::value::Value;

pub struct Words {
    pub lang: &'static str,
    pub title: &'static str,
    pub target: &'static str,
    pub met: &'static str,
    pub missed: &'static str,
    pub no_target: &'static str,
    pub change: &'static str,
    pub others: &'static str,
    pub more_groups: &'static str,
    pub low_sample: &'static str,
    pub interval: &'static str,
    pub total: &'static str,
    pub blank: &'static str,
    pub contents: &'static str,
    pub sources: &'static str,
    pub records: &'static str,
    pub warnings: &'static str,
    pub made_by: &'static str,
    pub months: [&'static str; 12],
    pub quarter: &'static str,
    pub week: &'static str,
}

pub const EN: Words = Words {
    lang: "en",
    title: "KPI report",
    target: "target",
    met: "met",
    missed: "missed",
    no_target: "no target",
    change: "since",
    others: "others",
    more_groups: "more groups not shown (their sum is not meaningful for this unit)",
    low_sample: "low sample",
    interval: "confidence interval",
    total: "all groups",
    blank: "(blank)",
    contents: "Indicators",
    sources: "Sources",
    records: "records",
    warnings: "Warnings",
    made_by: "Made by kpi",
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    quarter: "Q",
    week: "W",
};

pub const FR: Words = Words {
    lang: "fr",
    title: "Tableau de bord des indicateurs",
    target: "objectif",
    met: "atteint",
    missed: "non atteint",
    no_target: "sans objectif",
    change: "depuis",
    others: "autres",
    more_groups: "autres groupes non affichés (leur somme n'a pas de sens pour cette unité)",
    low_sample: "petit échantillon",
    interval: "intervalle de confiance",
    total: "tous les groupes",
    blank: "(vide)",
    contents: "Indicateurs",
    sources: "Sources",
    records: "enregistrements",
    warnings: "Avertissements",
    made_by: "Produit par kpi",
    months: [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ],
    quarter: "T",
    week: "S",
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

/// A period label (`2025-03`, `2025-Q1`, `2025-W05`, `2025`, a date) for people; other
/// values as plain text, null as "(blank)".
pub fn period(v: &Value, w: &Words) -> String {
    if v.is_null() {
        return w.blank.to_string();
    }
    let text = plain_value(v);
    let year = text.get(..4).unwrap_or("");
    let rest = text.get(5..).unwrap_or("");
    let month = |m: &str| m.parse::<usize>().ok().filter(|m| (1..=12).contains(m));
    match (text.len(), rest.as_bytes().first()) {
        (7, Some(b'Q')) => format!("{}{} {year}", w.quarter, &rest[1..]),
        (8, Some(b'W')) => format!("{}{} {year}", w.week, &rest[1..]),
        (7, _) => match month(rest) {
            Some(m) => format!("{} {year}", w.months[m - 1]),
            None => text,
        },
        (10, _) => match (month(&rest[..2]), rest[3..].parse::<u32>()) {
            (Some(m), Ok(d)) => format!("{d} {} {year}", w.months[m - 1]),
            _ => text,
        },
        _ => text,
    }
}

/// A group key for people: its values joined, blanks named.
pub fn group(key: &[Value], w: &Words) -> String {
    key.iter()
        .map(|v| {
            if v.is_null() {
                w.blank.to_string()
            } else {
                plain_value(v)
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn periods_read_well_in_both_languages() {
        let s = |t: &str| Value::Str(Cow::Owned(t.to_string()));
        assert_eq!(period(&s("2025-03"), &EN), "Mar 2025");
        assert_eq!(period(&s("2025-03"), &FR), "mars 2025");
        assert_eq!(period(&s("2025-Q1"), &FR), "T1 2025");
        assert_eq!(period(&s("2025-W05"), &EN), "W05 2025");
        assert_eq!(period(&s("2025"), &EN), "2025");
        let day = crate::time::parse_date(b"2025-07-01").unwrap();
        assert_eq!(period(&Value::Date(day), &FR), "1 juil. 2025");
        assert_eq!(period(&Value::Null, &EN), "(blank)");
    }
}
