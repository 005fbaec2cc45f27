//! CSV: one row per result, exact values.

use super::{has_compare, plain_value, status, Output};
use crate::catalogue::Catalogue;
use crate::results::change;
use crate::value::Value;

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn csv(out: &Output, cat: &Catalogue) -> String {
    let compare = has_compare(out);
    let mut head = vec!["kpi".to_string()];
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
    let mut s = head
        .iter()
        .map(|h| csv_field(h))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for r in &out.rows {
        let def = &cat.kpis[r.kpi.0 as usize];
        let mut cells = vec![def.name.text.clone()];
        if r.total {
            cells.extend(std::iter::repeat_n(String::new(), out.key_names.len()));
        } else {
            cells.extend(r.key.iter().map(plain_value));
        }
        cells.push(plain_value(&r.value));
        cells.push(def.unit.map(|u| u.as_str().to_string()).unwrap_or_default());
        cells.push(status(def, &r.value).unwrap_or("").into());
        if compare {
            let prev = r.previous.clone().unwrap_or(Value::Null);
            cells.push(plain_value(&prev));
            cells.push(plain_value(&change(&r.value, &prev)));
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
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        s.push('\n');
    }
    s
}
