//! JSON and JSON Lines: exact numbers, every digit.

use super::{status, Output};
use crate::catalogue::Catalogue;
use crate::diag::{Diag, Severity};
use crate::results::{change, plain_value, ResultRow};
use crate::value::Value;
use std::fmt::Write;

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
    if out.ci.is_some() {
        let (low, high) = r.bounds.clone().unwrap_or((Value::Null, Value::Null));
        let _ = write!(
            s,
            ", \"low\": {}, \"high\": {}",
            json_value(&low),
            json_value(&high)
        );
    }
    if let Some(n) = r.sample {
        let _ = write!(s, ", \"sample\": {n}");
    }
    if def.min_sample.is_some() {
        let _ = write!(s, ", \"low_sample\": {}", r.low_sample(def.min_sample));
    }
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

pub fn json(out: &Output, cat: &Catalogue) -> String {
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

/// One JSON object per line.
pub fn jsonl(out: &Output, cat: &Catalogue) -> String {
    out.rows
        .iter()
        .map(|r| format!("{}\n", row_json(r, out, cat)))
        .collect()
}
