//! Catalogue tests (§9): inline records through the real evaluator, compared exactly with
//! the expected value.

use crate::analysis::Ir;
use crate::catalogue::yaml::{Node, NodeKind};
use crate::catalogue::{Catalogue, KpiDef, TestDef};
use crate::diag::{did_you_mean, Code, Diag};
use crate::eval;
use crate::ir::{KpiId, SourceId};
use crate::plan::{ir_to_plan, Request};
use crate::results::plain_value;
use crate::syntax::{expr_to_string, parse_formula, ExprKind};
use crate::value::{self, Value};
use rustc_hash::FxHashMap;

/// The outcome of one test.
pub struct Outcome {
    pub kpi: String,
    pub test: String,
    pub passed: bool,
    /// Why it failed (and any data error in its records).
    pub diags: Vec<Diag>,
}

/// Run every test of every KPI, in catalogue order.
pub fn run_all(cat: &Catalogue, an: &Ir) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for (i, def) in cat.kpis.iter().enumerate() {
        for t in &def.tests {
            outcomes.push(run_one(an, KpiId(i as u32), def, t));
        }
    }
    outcomes
}

fn fail(kpi: &KpiDef, t: &TestDef, diags: Vec<Diag>) -> Outcome {
    Outcome {
        kpi: kpi.name.text.clone(),
        test: t.name.clone(),
        passed: false,
        diags,
    }
}

fn run_one(an: &Ir, id: KpiId, def: &KpiDef, t: &TestDef) -> Outcome {
    let mut diags = Vec::new();
    // Which source each block of records feeds.
    let default = def
        .source
        .as_ref()
        .and_then(|s| an.source_id(&s.text))
        .or((an.sources.len() == 1).then_some(SourceId(0)));
    let mut blocks: Vec<(SourceId, &[Node])> = Vec::new();
    for (name, records) in &t.data {
        let sid = match name {
            Some(n) => an.source_id(&n.text).ok_or_else(|| {
                let d = Diag::error(
                    Code::UnknownName,
                    format!("test data for `{}`, which is not a source", n.text),
                )
                .at(n.span);
                match did_you_mean(&n.text, an.sources.iter().map(|s| s.name.as_str())) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d,
                }
            }),
            None => default.ok_or_else(|| {
                Diag::error(
                    Code::Catalogue,
                    "these records feed no source: the KPI has no default source",
                )
                .at(t.span)
                .help("write `data:` as a mapping from source name to records")
            }),
        };
        match sid {
            Ok(s) => blocks.push((s, records)),
            Err(d) => diags.push(d),
        }
    }
    let mut req = Request {
        kpis: vec![id],
        named: true,
        ..Default::default()
    };
    req.grain = t.grain;
    req.from = t.from.map(Value::DateTime);
    req.to = t.to.map(Value::DateTime);
    for e in &t.by {
        req.by.push((expr_to_string(e), e.clone()));
    }
    for i in 0..an.sources.len() {
        req.files.insert(SourceId(i as u32), "test data".into());
    }
    if !diags.is_empty() {
        return fail(def, t, diags);
    }
    let plan = match ir_to_plan(an, &req) {
        Ok(p) => p,
        Err(d) => {
            diags.extend(d.into_iter().filter(|d| d.is_error()));
            return fail(def, t, diags);
        }
    };
    let mut records: FxHashMap<SourceId, Vec<&Node>> = FxHashMap::default();
    for (sid, block) in &blocks {
        records.entry(*sid).or_default().extend(block.iter());
    }
    let reading = crate::input::Reading::from_catalogue(an.cat);
    let out = eval::evaluate(&plan, eval::Records::Inline(&records, &reading));
    diags.extend(out.diags.iter().filter(|d| d.is_error()).cloned());
    if !diags.is_empty() {
        return fail(def, t, diags);
    }
    let actual: Vec<(Vec<Value<'static>>, Value<'static>)> = out
        .rows
        .iter()
        .map(|r| (r.key.clone(), r.value.clone()))
        .collect();
    match compare(&t.expect, &actual, &out.key_names) {
        Ok(()) => Outcome {
            kpi: def.name.text.clone(),
            test: t.name.clone(),
            passed: true,
            diags,
        },
        Err(why) => {
            diags.push(
                Diag::error(
                    Code::TestFailed,
                    format!("test `{}` of `{}` failed: {why}", t.name, def.name.text),
                )
                .label(t.expect.span, "expected here")
                .label(t.span, "in this test"),
            );
            fail(def, t, diags)
        }
    }
}

/// An expected scalar as a value: a number, `null`, `true`/`false`, or a literal such as `5min`.
fn expected_value(n: &Node) -> Result<Value<'static>, String> {
    if n.is_null() {
        return Ok(Value::Null);
    }
    let Some(s) = n.as_scalar() else {
        return Err(format!("expect a value, not {}", n.describe()));
    };
    if let Some(d) = value::parse_number(&s.value, false) {
        return Ok(Value::Num(d));
    }
    // `00:04:05`, `04:05`: a duration written as a clock (issue 8), as in the data.
    if let Some(d) = value::parse_clock(&s.value) {
        return Ok(Value::Dur(d));
    }
    if s.plain {
        if let Some(b) = value::parse_bool(&s.value) {
            return Ok(Value::Bool(b));
        }
        let mut sink = Vec::new();
        let e = parse_formula(&s.value, &n.locator(), &mut sink);
        if let (ExprKind::Lit(l), true) = (&e.kind, sink.is_empty()) {
            return Ok(crate::analysis::literal_value(l));
        }
    }
    Ok(Value::Str(s.value.clone().into()))
}

fn same(actual: &Value, expected: &Value) -> bool {
    match (actual.decimal(), expected.decimal()) {
        (Some(a), Some(e)) => a == e,
        _ => actual == expected,
    }
}

fn show(v: &Value) -> String {
    if v.is_null() {
        "null".into()
    } else {
        plain_value(v)
    }
}

fn compare(
    expect: &Node,
    actual: &[(Vec<Value<'static>>, Value<'static>)],
    key_names: &[String],
) -> Result<(), String> {
    let NodeKind::Seq(rows) = &expect.kind else {
        let want = expected_value(expect)?;
        return match actual {
            [(_, got)] if same(got, &want) => Ok(()),
            [(_, got)] => Err(format!("expected {}, got {}", show(&want), show(got))),
            _ => Err(format!(
                "expected one value, got {} rows (add `by:` to the test for grouped results)",
                actual.len()
            )),
        };
    };
    let mut matched = vec![false; actual.len()];
    for row in rows {
        let NodeKind::Map(entries) = &row.kind else {
            return Err("each expected row is `{by: {...}, value: ...}`".into());
        };
        let get = |k: &str| {
            entries
                .iter()
                .find(|(key, _)| key.as_str() == Some(k))
                .map(|(_, v)| v)
        };
        let want = expected_value(get("value").ok_or("an expected row has no `value`")?)?;
        let by: Vec<(String, String)> = match get("by").map(|b| &b.kind) {
            Some(NodeKind::Map(m)) => m
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().unwrap_or("").to_string(),
                        if v.is_null() {
                            String::new()
                        } else {
                            v.as_str().unwrap_or("").to_string()
                        },
                    )
                })
                .collect(),
            _ => Vec::new(),
        };
        let found = actual.iter().position(|(key, _)| {
            by.iter().all(|(k, v)| {
                key_names
                    .iter()
                    .position(|n| n == k)
                    .is_some_and(|i| key.get(i).is_some_and(|x| plain_value(x) == *v))
            }) && by.len() == key.len()
        });
        let label = by
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        match found {
            Some(i) if same(&actual[i].1, &want) => matched[i] = true,
            Some(i) => {
                return Err(format!(
                    "for {label}: expected {}, got {}",
                    show(&want),
                    show(&actual[i].1)
                ))
            }
            None => return Err(format!("no result for {label}")),
        }
    }
    if let Some(i) = matched.iter().position(|m| !m) {
        let key: Vec<String> = key_names
            .iter()
            .zip(&actual[i].0)
            .map(|(k, v)| format!("{k}={}", plain_value(v)))
            .collect();
        return Err(format!(
            "unexpected result for {}: {}",
            key.join(", "),
            show(&actual[i].1)
        ));
    }
    Ok(())
}
