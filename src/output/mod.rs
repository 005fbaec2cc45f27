//! Result formats: an aligned table for people (units, rounding, French number formatting),
//! and CSV, JSON, JSON Lines and Markdown. Machine formats carry exact values.

mod number;

use crate::catalogue::{Catalogue, KpiDef, Unit};
use crate::diag::{Diag, Severity};
pub use crate::results::plain_value;
use crate::results::{change, ResultRow, Results as Output};
use crate::value::Value;
pub use number::display_value;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Jsonl,
    Markdown,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Table,
        Format::Csv,
        Format::Json,
        Format::Jsonl,
        Format::Markdown,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Markdown => "markdown",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];
    pub fn name(self) -> &'static str {
        self.code()
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

/// A result's target status: `met`, `missed`, or none (no target, or no value).
pub fn status(def: &KpiDef, v: &Value) -> Option<&'static str> {
    let t = def.target.as_ref()?;
    let d = v.decimal()?;
    Some(if t.met(d) { "met" } else { "missed" })
}

pub fn render(out: &Output, cat: &Catalogue, format: Format, lang: Lang) -> String {
    match format {
        Format::Table => table(out, cat, lang, false),
        Format::Markdown => table(out, cat, lang, true),
        Format::Csv => csv(out, cat),
        Format::Json => json(out, cat),
        Format::Jsonl => out
            .rows
            .iter()
            .map(|r| format!("{}\n", row_json(r, out, cat)))
            .collect(),
    }
}

fn has_compare(out: &Output) -> bool {
    out.rows.iter().any(|r| r.previous.is_some())
}

fn table(out: &Output, cat: &Catalogue, lang: Lang, markdown: bool) -> String {
    let compare = has_compare(out);
    let targets = out
        .rows
        .iter()
        .any(|r| cat.kpis[r.kpi.0 as usize].target.is_some());
    let fr = lang == Lang::Fr;
    let mut head: Vec<String> = vec![if fr { "indicateur" } else { "KPI" }.into()];
    head.extend(out.key_names.iter().cloned());
    head.push(if fr { "valeur" } else { "value" }.into());
    if compare {
        head.push(if fr { "précédent" } else { "previous" }.into());
        head.push(if fr { "évolution" } else { "change" }.into());
    }
    if targets {
        head.push(if fr { "objectif" } else { "target" }.into());
        head.push(if fr { "statut" } else { "status" }.into());
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
    let numeric = |i: usize| i >= value_col && i < value_col + if compare { 3 } else { 1 };
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

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(out: &Output, cat: &Catalogue) -> String {
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

/// A JSON string literal.
pub fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A value as JSON: numbers with every exact digit, durations in seconds.
pub fn json_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Num(d) | Value::Dur(d) => d.normalize().to_string(),
        _ => json_str(&plain_value(v)),
    }
}

fn json_scalar(v: &crate::diag::Scalar) -> String {
    use crate::diag::Scalar;
    match v {
        Scalar::Null => "null".into(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(n) => n.clone(),
        Scalar::Text(t) => json_str(t),
    }
}

fn row_json(r: &ResultRow, out: &Output, cat: &Catalogue) -> String {
    let def = &cat.kpis[r.kpi.0 as usize];
    let mut s = format!("{{\"kpi\": {}, \"by\": {{", json_str(&def.name.text));
    if !r.total {
        for (i, (k, v)) in out.key_names.iter().zip(&r.key).enumerate() {
            let _ = write!(
                s,
                "{}{}: {}",
                if i > 0 { ", " } else { "" },
                json_str(k),
                json_value(v)
            );
        }
    }
    let _ = write!(s, "}}, \"value\": {}", json_value(&r.value));
    if r.total {
        s.push_str(", \"total\": true");
    }
    let _ = write!(
        s,
        ", \"unit\": {}",
        def.unit.map_or("null".into(), |u| json_str(u.as_str()))
    );
    if let Some(c) = &def.currency {
        let _ = write!(s, ", \"currency\": {}", json_str(c));
    }
    let _ = write!(
        s,
        ", \"target\": {}",
        def.target
            .as_ref()
            .map_or("null".into(), |t| json_str(&t.text))
    );
    let _ = write!(
        s,
        ", \"status\": {}",
        status(def, &r.value).map_or("null".into(), json_str)
    );
    if let Some(prev) = &r.previous {
        let _ = write!(
            s,
            ", \"previous\": {}, \"change\": {}",
            json_value(prev),
            json_value(&change(&r.value, prev))
        );
    }
    s.push('}');
    s
}

fn json(out: &Output, cat: &Catalogue) -> String {
    let mut s = String::from("{\n  \"results\": [");
    for (i, r) in out.rows.iter().enumerate() {
        let _ = write!(
            s,
            "{}\n    {}",
            if i > 0 { "," } else { "" },
            row_json(r, out, cat)
        );
    }
    s.push_str(if out.rows.is_empty() {
        "],\n  \"sources\": ["
    } else {
        "\n  ],\n  \"sources\": ["
    });
    for (i, src) in out.sources.iter().enumerate() {
        let _ = write!(
            s,
            "{}\n    {{\"name\": {}, \"file\": {}, \"records\": {}, \"rejected\": {}}}",
            if i > 0 { "," } else { "" },
            json_str(&src.name),
            json_str(&src.file),
            src.records,
            src.rejected
        );
    }
    s.push_str(if out.sources.is_empty() {
        "],\n  \"warnings\": ["
    } else {
        "\n  ],\n  \"warnings\": ["
    });
    let warnings: Vec<&Diag> = out
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect();
    for (i, w) in warnings.iter().enumerate() {
        let _ = write!(
            s,
            "{}\n    {{\"code\": {}, \"message\": {}",
            if i > 0 { "," } else { "" },
            json_str(w.code.as_str()),
            json_str(&w.message)
        );
        if let Some(crate::diag::KpiContext { kpi, by }) = &w.kpi {
            let by: Vec<String> = by
                .iter()
                .map(|(k, v)| format!("{}: {}", json_str(k), json_scalar(v)))
                .collect();
            let _ = write!(
                s,
                ", \"kpi\": {}, \"by\": {{{}}}",
                json_str(kpi),
                by.join(", ")
            );
        }
        s.push('}');
    }
    s.push_str(if warnings.is_empty() {
        "]\n}\n"
    } else {
        "\n  ]\n}\n"
    });
    s
}
