//! CSV: one row per result, exact values. `--lang fr` writes what French Excel opens as a
//! table: `;` separators, decimal commas, a UTF-8 byte order mark, and each KPI's French
//! label in a `label` column.

use super::{has_compare, plain_value, status, Lang, Output};
use crate::catalogue::Catalogue;
use crate::results::change;
use crate::value::Value;

fn csv_field(s: &str, sep: char) -> String {
    if s.contains([sep, '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A value as the CSV writes it: exact, with a decimal comma in French.
fn cell(v: &Value, fr: bool) -> String {
    match v {
        Value::Num(_) | Value::Dur(_) if fr => plain_value(v).replace('.', ","),
        _ => plain_value(v),
    }
}

pub fn csv(out: &Output, cat: &Catalogue, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let sep = if fr { ';' } else { ',' };
    let compare = has_compare(out);
    let mut head = vec!["kpi".to_string()];
    if fr {
        head.push("label".into());
    }
    head.extend(out.key_names.iter().cloned());
    head.extend(["value", "unit", "status"].map(String::from));
    if compare {
        head.extend(["previous", "change"].map(String::from));
    }
    // With --total, a column tells the overall rows from a blank (null) group.
    let totals = out.rows.iter().any(|r| r.total);
    if totals {
        head.push("total".into());
    }
    let ci = out.ci.is_some();
    if ci {
        head.extend(["low", "high"].map(String::from));
    }
    let samples = out.rows.iter().any(|r| r.sample.is_some());
    let minimums = out
        .rows
        .iter()
        .any(|r| cat.kpis[r.kpi.0 as usize].min_sample.is_some());
    if samples {
        head.push("sample".into());
    }
    if minimums {
        head.push("low_sample".into());
    }
    let mut s = if fr {
        "\u{feff}".to_string()
    } else {
        String::new()
    };
    s += &head
        .iter()
        .map(|h| csv_field(h, sep))
        .collect::<Vec<_>>()
        .join(&sep.to_string());
    s.push('\n');
    for r in &out.rows {
        let def = &cat.kpis[r.kpi.0 as usize];
        let mut cells = vec![def.name.text.clone()];
        if fr {
            cells.push(
                def.label
                    .as_ref()
                    .map_or_else(|| def.name.text.clone(), |l| l.get(lang.code()).to_string()),
            );
        }
        if r.total {
            cells.extend(std::iter::repeat_n(String::new(), out.key_names.len()));
        } else {
            cells.extend(r.key.iter().map(|k| cell(k, fr)));
        }
        cells.push(cell(&r.value, fr));
        cells.push(def.unit.map(|u| u.as_str().to_string()).unwrap_or_default());
        cells.push(status(def, &r.value).unwrap_or("").into());
        if compare {
            let prev = r.previous.clone().unwrap_or(Value::Null);
            cells.push(cell(&prev, fr));
            cells.push(cell(&change(&r.value, &prev), fr));
        }
        if totals {
            cells.push(r.total.to_string());
        }
        if ci {
            let (low, high) = r.bounds.clone().unwrap_or((Value::Null, Value::Null));
            cells.push(plain_value(&low));
            cells.push(plain_value(&high));
        }
        if samples {
            cells.push(r.sample.map_or(String::new(), |n| n.to_string()));
        }
        if minimums {
            cells.push(if def.min_sample.is_some() {
                r.low_sample(def.min_sample).to_string()
            } else {
                String::new()
            });
        }
        s.push_str(
            &cells
                .iter()
                .map(|c| csv_field(c, sep))
                .collect::<Vec<_>>()
                .join(&sep.to_string()),
        );
        s.push('\n');
    }
    s
}
