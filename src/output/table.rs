//! The table for people (also as Markdown): units, rounding, French number formatting, the
//! previous value and change with `--compare`, each target's status.

use super::{display_value, has_compare, margin, plain_value, status, Lang, Output};
use crate::catalogue::{Catalogue, Unit};
use crate::results::change;
use crate::value::Value;

pub fn table(out: &Output, cat: &Catalogue, lang: Lang, markdown: bool) -> String {
    let compare = has_compare(out);
    let targets = out
        .rows
        .iter()
        .any(|r| cat.kpis[r.kpi.0 as usize].target.is_some());
    let fr = lang == Lang::Fr;
    let ci = out.ci.is_some();
    let notes = out
        .rows
        .iter()
        .any(|r| r.low_sample(cat.kpis[r.kpi.0 as usize].min_sample));
    let mut head: Vec<String> = vec![if fr { "indicateur" } else { "KPI" }.into()];
    head.extend(out.key_names.iter().cloned());
    head.push(if fr { "valeur" } else { "value" }.into());
    if let Some(level) = out.ci {
        let level = super::number::number(level, level.scale(), lang);
        head.push(if fr {
            format!("±{level} %")
        } else {
            format!("±{level}%")
        });
    }
    if compare {
        head.push(if fr { "précédent" } else { "previous" }.into());
        head.push(if fr { "évolution" } else { "change" }.into());
    }
    if targets {
        head.push(if fr { "objectif" } else { "target" }.into());
        head.push(if fr { "statut" } else { "status" }.into());
    }
    if notes {
        head.push(if fr { "remarque" } else { "note" }.into());
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for r in &out.rows {
        let def = &cat.kpis[r.kpi.0 as usize];
        let label = def
            .label
            .as_ref()
            .map(|l| l.get(lang.code()).to_string())
            .unwrap_or_else(|| def.name.text.clone());
        let mut row = vec![label];
        if r.total {
            row.push("(total)".into());
            row.extend(std::iter::repeat_n(
                String::new(),
                out.key_names.len().saturating_sub(1),
            ));
        } else {
            row.extend(r.key.iter().map(plain_value));
        }
        let show =
            |v: &Value| display_value(v, def.unit, def.currency.as_deref(), def.decimals, lang);
        row.push(show(&r.value));
        if ci {
            row.push(margin(r).map_or(String::new(), |m| format!("± {}", show(&m))));
        }
        if compare {
            let prev = r.previous.clone().unwrap_or(Value::Null);
            row.push(show(&prev));
            let ch = change(&r.value, &prev);
            let mut s = display_value(
                &ch,
                def.unit
                    .map(|u| if u == Unit::Percent { Unit::Points } else { u }),
                def.currency.as_deref(),
                def.decimals,
                lang,
            );
            if ch
                .decimal()
                .is_some_and(|d| d.is_sign_positive() && !d.is_zero())
            {
                s.insert(0, '+');
            }
            row.push(s);
        }
        if targets {
            row.push(
                def.target
                    .as_ref()
                    .map(|t| t.text.clone())
                    .unwrap_or_default(),
            );
            row.push(match (status(def, &r.value), fr) {
                (Some("met"), false) => "met".into(),
                (Some("met"), true) => "atteint".into(),
                (Some(_), false) => "MISSED".into(),
                (Some(_), true) => "NON ATTEINT".into(),
                (None, _) => String::new(),
            });
        }
        if notes {
            row.push(match (r.low_sample(def.min_sample), r.sample, fr) {
                (true, Some(n), false) => format!("low sample (n = {n})"),
                (true, Some(n), true) => format!("petit échantillon (n = {n})"),
                _ => String::new(),
            });
        }
        rows.push(row);
    }
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = head
        .iter()
        .map(|h| width(h).max(if markdown { 3 } else { 1 }))
        .collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let value_col = 1 + out.key_names.len();
    let numbers = 1 + usize::from(ci) + if compare { 2 } else { 0 };
    let numeric = |i: usize| i >= value_col && i < value_col + numbers;
    let pad = |i: usize, c: &str| {
        let fill = " ".repeat(widths[i] - width(c));
        if numeric(i) {
            format!("{fill}{c}")
        } else {
            format!("{c}{fill}")
        }
    };
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                pad(
                    i,
                    &if markdown {
                        c.replace('|', "\\|")
                    } else {
                        c.clone()
                    },
                )
            })
            .collect();
        let l = if markdown {
            format!("| {} |", padded.join(" | "))
        } else {
            padded.join("  ")
        };
        l.trim_end().to_string() + "\n"
    };
    let mut s = line(&head);
    if markdown {
        let rule: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if numeric(i) {
                    format!("{}:", "-".repeat(w - 1))
                } else {
                    "-".repeat(*w)
                }
            })
            .collect();
        s.push_str(&format!("| {} |\n", rule.join(" | ")));
    } else {
        let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
        s.push_str(&"─".repeat(total));
        s.push('\n');
    }
    for r in &rows {
        s.push_str(&line(r));
    }
    s
}
