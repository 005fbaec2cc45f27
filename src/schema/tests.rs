//! `kpi schema` and `kpi check` agree: the same keys, and the same verdict on values.

use super::validate::{matches, valid};
use super::*;
use crate::catalogue::yaml::{self, Node, NodeKind};

/// The schema names exactly the keys the YAML loader accepts.
#[test]
fn schema_keys_match_the_loader() {
    let s = catalogue_schema();
    let kpi = &s["properties"]["kpis"]["additionalProperties"]["oneOf"][1]["properties"];
    let mut keys: Vec<&str> = kpi
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = crate::catalogue::KPI_KEYS.to_vec();
    keys.sort_unstable();
    want.sort_unstable();
    assert_eq!(keys, want);
    let top: Vec<&str> = s["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(top.len(), 4);
}

/// A YAML node as an editor's YAML 1.2 reader gives it to the schema.
fn to_json(n: &Node) -> Value {
    match &n.kind {
        NodeKind::Map(e) => Value::Object(
            e.iter()
                .map(|(k, v)| (k.as_str().unwrap_or("").to_string(), to_json(v)))
                .collect(),
        ),
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Scalar(s) if !s.plain => Value::String(s.value.clone()),
        NodeKind::Scalar(_) if n.is_null() => Value::Null,
        NodeKind::Scalar(s) => {
            let t = s.value.as_str();
            if matches!(t, "true" | "True" | "TRUE") {
                Value::Bool(true)
            } else if matches!(t, "false" | "False" | "FALSE") {
                Value::Bool(false)
            } else if matches("^[-+]?[0-9]+$", t) {
                json!(t.trim_start_matches('+').parse::<i64>().unwrap())
            } else if matches("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$", t) {
                json!(t.parse::<f64>().unwrap())
            } else {
                Value::String(t.to_string())
            }
        }
    }
}

/// The schema's target pattern takes exactly the targets `parse_target` reads.
#[test]
fn target_pattern_is_parse_target() {
    let numbers = [
        "30", "0.5", "-2", "+3", "1_000", "1__0", "_1", "1_", "5.", ".5", "1e3", "x", "", "4h",
        "90s", "250ms", "5min", "2d", "1w", "5 min", "80%", "80 %", "5min%", "4y",
    ];
    let mut checked = 0;
    for n in numbers {
        for m in ["1", "90", "4h"] {
            let mut texts: Vec<String> = [">=", "<=", "==", ">", "<", "=>", "=", ""]
                .iter()
                .flat_map(|op| {
                    [
                        format!("{op}{n}"),
                        format!("{op} {n}"),
                        format!(" {op}  {n} "),
                    ]
                })
                .collect();
            texts.push(format!("between {n} and {m}"));
            texts.push(format!("between {m} and {n}"));
            texts.push(format!("between\t{n}\tand {m}"));
            texts.push(format!("between{n} and {m}"));
            texts.push(format!("between {n}and {m}"));
            for t in texts {
                let parsed = crate::catalogue::parse_target(&t);
                let order = parsed
                    .as_ref()
                    .err()
                    .is_some_and(|e| e.contains("low bound is above"));
                assert_eq!(
                    matches(TARGET_PATTERN, &t),
                    parsed.is_ok() || order,
                    "{t:?}: {parsed:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 1500, "{checked}");
}

/// Issue 9 (trial): `kpi check` and `kpi schema` give the same verdict on each file
/// (the order of `between`'s bounds is the one thing only `kpi check` sees).
#[test]
fn schema_and_check_agree_on_values() {
    let kpi = |line: &str| {
        format!("sources:\n  s: {{ fields: {{ x: number }} }}\nsource: s\nkpis:\n  k:\n    formula: sum(x)\n    {line}\n")
    };
    let source = |line: &str| {
        format!("sources:\n  s:\n    fields: {{ x: number }}\n    {line}\nsource: s\nkpis:\n  k: sum(x)\n")
    };
    let test = |line: &str| {
        format!("sources:\n  s: {{ fields: {{ x: number }} }}\nsource: s\nkpis:\n  k:\n    formula: sum(x)\n    tests:\n      - {line}\n")
    };
    let cases: Vec<(String, bool)> = vec![
        // The three cases of the trial.
        (kpi("target: 90"), false),
        (kpi("target: \"90\""), false),
        (kpi("target: \">= 90\""), true),
        (kpi("unit: \"%\""), true),
        (source("label: { en: Calls, fr: Appels }"), true),
        // Targets.
        (kpi("target: between 80 and 90"), true),
        (kpi("target: <= 4h"), true),
        (kpi("target: \">= 80%\""), true),
        (kpi("target: \"< 250ms\""), true),
        (kpi("target: \">= 1_000\""), true),
        (kpi("target: \"> -2.5\""), true),
        (kpi("target: about 30"), false),
        (kpi("target: \">= 1e3\""), false),
        (kpi("target: \">= 5 min\""), false),
        (kpi("target: \">=\""), false),
        (kpi("target: [\">= 1\"]"), false),
        (kpi("target:"), false),
        // Units, decimals and the other texts.
        (kpi("unit: percent"), true),
        (kpi("unit: pct"), false),
        (kpi("unit: 5"), false),
        (kpi("unit:"), false),
        (kpi("decimals: 2"), true),
        (kpi("decimals: 0"), true),
        (kpi("decimals: 12"), true),
        (kpi("decimals: 13"), false),
        (kpi("decimals: -1"), false),
        (kpi("decimals: 1.5"), false),
        (kpi("decimals: \"2\""), true),
        (kpi("decimals: \"x\""), false),
        (kpi("decimals:"), false),
        (kpi("min_sample: 30"), true),
        (kpi("min_sample: 1"), true),
        (kpi("min_sample: \"30\""), true),
        (kpi("min_sample: \" +030 \""), true),
        (kpi("min_sample: 0"), false),
        (kpi("min_sample: -5"), false),
        (kpi("min_sample: 2.5"), false),
        (kpi("min_sample: \"x\""), false),
        (kpi("min_sample: [30]"), false),
        (kpi("min_sample:"), false),
        (kpi("currency: EUR"), true),
        (kpi("currency:"), false),
        (kpi("currency: [EUR]"), false),
        (kpi("label: 2024"), true),
        (kpi("label: { en: Calls, fr: Appels }"), true),
        (kpi("label: { en: [Calls] }"), false),
        (kpi("label: [Calls]"), false),
        (kpi("label:"), false),
        (kpi("description: true"), true),
        (kpi("source: s"), true),
        (kpi("source:"), false),
        (kpi("colour: blue"), false),
        ("source: s\nkpis:\n  k: 1\nsources:\n  s:\n".into(), true),
        ("source: s\nkpis:\n  k:\nsources:\n  s:\n".into(), false),
        ("source: s\nkpis:\n  k: [1]\nsources:\n  s:\n".into(), false),
        ("source:\nkpis:\n  k: 1\n".into(), false),
        ("kpis:\n  k:\n    formula: 1\n".into(), true),
        // Sources.
        (source("label: Calls"), true),
        (source("description: { en: Calls }"), true),
        (source("label: [Calls]"), false),
        (source("description:"), false),
        (source("path: calls.csv"), true),
        (source("path:"), false),
        (source("time: x"), true),
        (source("dimensions: { m: x }"), true),
        (source("dimensions: { m: [x] }"), false),
        (source("dimensions:"), true),
        (
            "sources:\n  s:\n    fields: { x: integer }\nsource: s\nkpis:\n  k: sum(x)\n".into(),
            true,
        ),
        (
            "sources:\n  s:\n    fields: { x: timestamp }\nsource: s\nkpis:\n  k: count()\n".into(),
            true,
        ),
        (
            "sources:\n  s:\n    fields: { x: int }\nsource: s\nkpis:\n  k: count()\n".into(),
            false,
        ),
        (
            "sources:\n  s:\n    fields: { x: }\nsource: s\nkpis:\n  k: count()\n".into(),
            false,
        ),
        // Read options (issue 8), checked by `kpi check` through `input/options.rs`.
        (source("encoding: windows-1252"), true),
        (source("encoding: latin1"), true),
        (source("encoding: latin-2"), false),
        (source("encoding: UTF-8"), false),
        (source("delimiter: \";\""), true),
        (source("delimiter: tab"), true),
        (source("delimiter: \"\\t\""), true),
        (source("delimiter: \"::\""), false),
        (source("decimal: \",\""), true),
        (source("decimal: \";\""), false),
        (source("thousands: \" \""), true),
        (source("thousands: _"), false),
        (source("date_format: \"%d/%m/%Y\""), true),
        (source("date_format: \"%d %B %Y\""), true),
        (source("date_format: \"%d/%m/%Q\""), false),
        (source("date_format: \"%d/%m\""), false),
        (source("date_format: \"%m %Y\""), false),
        (source("datetime_format: \"%d/%m/%Y %H:%M\""), true),
        (source("datetime_format: \"%Y-%m-%dT%T.%f\""), true),
        (source("datetime_format: \"%d/%m/%Y %\""), false),
        (source("datetime_format: 5"), false),
        (source("sheet: 2"), true),
        (source("sheet: \"2\""), true),
        (source("sheet: Appels"), true),
        (source("sheet: 0"), false),
        (source("sheet: 1.5"), false),
        (source("sheet: true"), false),
        (source("header_row: 3"), true),
        (source("header_row: 0"), false),
        (source("header_row: \"3\""), false),
        (source("header_row: 2000000"), false),
        (source("format: xlsx"), true),
        (source("format: excel"), false),
        (source("true: [Oui, O]"), true),
        (source("true: [true, 1]"), true),
        (source("false: Non"), true),
        (source("false: no"), true),
        (source("null: [N/A, \"-\", \"null\"]"), true),
        (source("null: [null]"), false),
        (source("null: [[x]]"), false),
        (source("null: { a: b }"), false),
        (source("null:"), false),
        (source("true:"), false),
        // Tests.
        (test("{ expect: 1 }"), true),
        (test("{ expect: null }"), true),
        (test("{ expect: 90min, name: 5 }"), true),
        (test("{ name: t }"), false),
        (test("{ expect: 1, data: [{x: 1}, {x: null}] }"), true),
        (test("{ expect: 1, data: { s: [{x: 1}] } }"), true),
        (test("{ expect: 1, data: }"), true),
        (test("{ expect: 1, data: [1, 2] }"), false),
        (test("{ expect: 1, data: [{x: [1]}] }"), false),
        (test("{ expect: 1, data: { s: [1] } }"), false),
        (test("{ expect: 1, data: { s: 1 } }"), false),
        (test("{ expect: {a: 1} }"), false),
        (test("{ expect: [1] }"), false),
        (test("{ expect: [{value: 1, extra: 2}] }"), false),
        (test("{ expect: [{by: {x: 1}, value: 1}], by: x }"), true),
        (test("{ expect: [{by: 1, value: 1}] }"), false),
        (test("{ expect: [{by: {x: [1]}, value: 1}] }"), false),
        (test("{ expect: [{by: {x: 1}}] }"), false),
        (test("{ expect: [{value: [1]}] }"), false),
        (test("{ expect: 1, by: [x, 1] }"), true),
        (test("{ expect: 1, by: {a: 1} }"), false),
        (test("{ expect: 1, colour: blue }"), false),
    ];
    let schema = catalogue_schema();
    for (text, want) in &cases {
        let mut map = crate::span::SourceMap::default();
        let mut diags = Vec::new();
        let cat = crate::catalogue::load_text("c.yaml", text, false, &mut map, &mut diags);
        crate::input::options::check_catalogue(&cat, &mut diags);
        let checked = !diags.iter().any(|d| d.is_error());
        let node = yaml::parse(crate::span::FileId(0), text).expect("valid YAML");
        let schema_ok = valid(&schema, &to_json(&node));
        assert_eq!(
            (checked, schema_ok),
            (*want, *want),
            "(kpi check, kpi schema) on\n{text}\n{diags:?}"
        );
    }
}
