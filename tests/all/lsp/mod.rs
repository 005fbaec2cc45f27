//! `kpi lsp` end to end: the real binary driven over standard input and output as an editor
//! drives it (`client.rs`), on a small catalogue folder of YAML and `.kpi` files.

mod client;
mod incremental;
mod robust;

use client::{find, folder, uri, Client};
use serde_json::{json, Value};
use std::path::PathBuf;

const SOURCES: &str = "\
sources:
  agents:
    key: agent
    fields:
      agent: string
      team: string
  calls:
    time: started_at
    fields:
      started_at: datetime
      answered: bool
      wait_seconds: number
      agent: string
    lookups: {agents: agent}
";

const KPIS: &str = "\
source: calls
kpis:
  pickup_rate:
    label: Pickup rate
    description: Share of calls answered.
    formula: pct(answered)
    unit: percent
    target: \">= 90\"
  avg_wait: avg(wait_seconds)
";

const MORE: &str = "\
@source calls
/// Calls answered within 20 seconds.
fast = pct(wait_seconds < 20)
gap = pickup_rate - fast
by_team = count(agents.team == \"front\")
";

const TESTS: &str = "\
tests:
  pickup_rate:
    - name: half
      data: [{answered: true}, {answered: false}]
      expect: 50
";

fn catalogue(name: &str) -> PathBuf {
    folder(
        name,
        &[
            ("sources.yaml", SOURCES),
            ("kpis.yaml", KPIS),
            ("more.kpi", MORE),
            ("more.tests.yaml", TESTS),
        ],
    )
}

/// A source's read options are checked as `kpi check` checks them.
#[test]
fn read_options_are_checked_as_they_are_typed() {
    let dir = catalogue("read-options");
    let sources = dir.join("sources.yaml");
    let mut c = Client::start();
    c.open(&sources, 1);
    assert!(c.diagnostics(&sources).is_empty());
    let wrong = SOURCES.replace("  calls:\n", "  calls:\n    encoding: latin-2\n");
    c.change(&sources, &wrong, 2);
    let got = c.diagnostics(&sources);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["range"]["start"]["line"], 7, "{got:?}");
    assert!(
        got[0]["message"]
            .as_str()
            .unwrap()
            .contains("`latin-2` is not an encoding"),
        "{got:?}"
    );
}

#[test]
fn diagnostics_are_those_of_kpi_check_at_their_line_and_column() {
    let dir = catalogue("check");
    let more = dir.join("more.kpi");
    let broken = format!("{MORE}slow = pct(wait_secnds > 60)\nbad = count(answered = true)\n");
    std::fs::write(&more, &broken).unwrap();
    let mut c = Client::start();
    c.open(&more, 1);
    let got = c.diagnostics(&more);
    // `kpi check --format json` on the same folder: the same codes, messages and places.
    let (_, out, _) = crate::common::kpi(&["check", "--format", "json", dir.to_str().unwrap()]);
    let check: Value = serde_json::from_str(&out).unwrap();
    let want: Vec<&Value> = check["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"].as_str().unwrap().ends_with("more.kpi"))
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got.len(), want.len(), "{got:?}\n{want:?}");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g["code"], w["code"]);
        assert_eq!(g["source"], "kpi");
        let message = format!(
            "{}\nhelp: {}",
            w["message"].as_str().unwrap(),
            w["help"].as_str().unwrap()
        );
        assert_eq!(g["message"], message.as_str());
        assert_eq!(
            g["range"]["start"]["line"].as_u64().unwrap() + 1,
            w["line"].as_u64().unwrap()
        );
        assert_eq!(
            g["range"]["start"]["character"].as_u64().unwrap() + 1,
            w["column"].as_u64().unwrap()
        );
    }
    let (line, col) = find(&broken, "wait_secnds");
    assert_eq!(
        got[0]["range"]["start"],
        json!({ "line": line, "character": col })
    );
    assert_eq!(
        got[0]["range"]["end"],
        json!({ "line": line, "character": col + 11 })
    );
    assert_eq!(got[0]["code"], "kpi::unknown_name");
    assert_eq!(
        got[0]["message"],
        "`wait_secnds` is not a field of `calls`\nhelp: did you mean `wait_seconds`?"
    );
    assert_eq!(got[1]["code"], "kpi::syntax");
    // With the other modules' snapshots, in `tests/all/snapshots/`.
    insta::with_settings!({ snapshot_path => "../snapshots" }, {
        insta::assert_snapshot!("diagnostics", serde_json::to_string_pretty(&got).unwrap());
    });

    // Quick fixes: the name the help gives, and `==` for `=`.
    let fixes = |c: &mut Client, needle: &str| {
        let (l, ch) = find(&broken, needle);
        let range = json!({ "start": { "line": l, "character": ch }, "end": { "line": l, "character": ch + 1 } });
        c.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri(&more) }, "range": range, "context": { "diagnostics": [] } }),
        )
    };
    let fix = fixes(&mut c, "wait_secnds");
    assert_eq!(fix[0]["kind"], "quickfix");
    assert_eq!(fix[0]["title"], "Replace `wait_secnds` with `wait_seconds`");
    let edit = &fix[0]["edit"]["changes"][uri(&more)][0];
    assert_eq!(edit["newText"], "wait_seconds");
    assert_eq!(edit["range"], got[0]["range"]);
    let fix = fixes(&mut c, "= true");
    assert_eq!(fix[0]["edit"]["changes"][uri(&more)][0]["newText"], "==");

    // Fixed in the buffer (not on disk): the diagnostics go.
    c.change(&more, MORE, 2);
    assert_eq!(c.diagnostics(&more), Vec::<Value>::new());
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn an_unsaved_rename_breaks_the_users_in_other_files() {
    let dir = catalogue("overlay");
    let kpis = dir.join("kpis.yaml");
    let more = dir.join("more.kpi");
    let mut c = Client::start();
    c.open(&kpis, 1);
    assert!(c.diagnostics(&more).is_empty());
    c.drain();
    c.change(&kpis, &KPIS.replace("pickup_rate:", "pickup_ratio:"), 2);
    let d = c.diagnostics(&more);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0]["message"],
        "unknown KPI `pickup_rate`\nhelp: did you mean `pickup_ratio`?"
    );
    assert_eq!(d[0]["range"]["start"], json!({ "line": 3, "character": 6 }));
    let t = c.diagnostics(&dir.join("more.tests.yaml"));
    assert!(
        t[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("tests for `pickup_rate`, which is not a KPI"),
        "{t:?}"
    );
    assert_eq!(c.shutdown(), 0);
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn completion_knows_the_scope() {
    let dir = catalogue("complete");
    let kpis = dir.join("kpis.yaml");
    let more = dir.join("more.kpi");
    let mut c = Client::start();
    // Inside `avg(` in YAML: the fields of the KPI's source, with their types, and the
    // lookup table's fields.
    let typing = KPIS.replace("avg(wait_seconds)", "avg(");
    c.open_text(&kpis, &typing, 1);
    let (line, col) = find(&typing, "avg(");
    let items = c.at("textDocument/completion", &kpis, line, col + 4);
    let names = labels(&items);
    for want in [
        "answered",
        "wait_seconds",
        "agent",
        "agents.team",
        "count",
        "round",
    ] {
        assert!(names.contains(&want.to_string()), "{want} in {names:?}");
    }
    assert!(!names.contains(&"pickup_rate".to_string()), "{names:?}");
    let wait = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "wait_seconds")
        .unwrap();
    assert_eq!(wait["detail"], "number");
    assert_eq!(wait["kind"], 5); // Field

    // In KPI scope of a `.kpi` file: KPIs with their labels, sources, functions.
    let typing = format!("{MORE}total = pick");
    c.open_text(&more, &typing, 1);
    let (line, col) = find(&typing, "pick");
    let items = c.at("textDocument/completion", &more, line, col + 4);
    let pickup = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "pickup_rate")
        .unwrap();
    assert_eq!(pickup["detail"], "Pickup rate");
    assert_eq!(
        pickup["textEdit"]["range"]["start"],
        json!({ "line": line, "character": col })
    );
    let names = labels(&items);
    assert!(names.contains(&"calls".to_string()) && names.contains(&"previous".to_string()));
    assert!(!names.contains(&"wait_seconds".to_string()));

    // After `calls.`: the aggregates; after `agents.` inside an aggregate: the table's fields.
    let typing = format!("{MORE}n = calls.");
    c.change(&more, &typing, 2);
    let items = c.at("textDocument/completion", &more, 5, 10);
    assert!(labels(&items).contains(&"pct".to_string()), "{items}");
    let typing = format!("{MORE}n = count(agents.");
    c.change(&more, &typing, 3);
    assert_eq!(
        labels(&c.at("textDocument/completion", &more, 5, 17)),
        ["agent", "team"]
    );

    // YAML keys of a KPI, documented.
    let typing = KPIS.replace("    unit: percent\n", "    unit: percent\n    ta\n");
    c.change(&kpis, &typing, 2);
    let (line, _) = find(&typing, "    ta\n");
    let items = c.at("textDocument/completion", &kpis, line, 6);
    let target = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "target")
        .unwrap();
    assert!(target["documentation"]["value"]
        .as_str()
        .unwrap()
        .contains("between 80 and 90"));
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn hover_definition_references_and_rename_cross_files() {
    let dir = catalogue("navigate");
    let (kpis, more, tests) = (
        dir.join("kpis.yaml"),
        dir.join("more.kpi"),
        dir.join("more.tests.yaml"),
    );
    let mut c = Client::start();
    c.open(&more, 1);
    let (line, col) = find(MORE, "pickup_rate");

    let hover = c.at("textDocument/hover", &more, line, col + 2);
    let value = hover["contents"]["value"].as_str().unwrap();
    for want in [
        "**pickup_rate** — Pickup rate",
        "Share of calls answered.",
        "unit: percent",
        "target: `>= 90`",
        "pct(answered)",
    ] {
        assert!(value.contains(want), "{want} in {value}");
    }
    let (fl, fc) = find(MORE, "wait_seconds");
    let hover = c.at("textDocument/hover", &more, fl, fc);
    assert_eq!(
        hover["contents"]["value"],
        "**wait_seconds**: number\n\nfield of source `calls`"
    );
    let hover = c.at("textDocument/hover", &more, fl, fc - 3);
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("pct(condition)"),
        "{hover}"
    );

    let def = c.at("textDocument/definition", &more, line, col);
    assert_eq!(def["uri"], uri(&kpis));
    let (dl, dc) = find(KPIS, "pickup_rate");
    assert_eq!(
        def["range"]["start"],
        json!({ "line": dl, "character": dc })
    );
    let def = c.at("textDocument/definition", &more, fl, fc);
    assert_eq!(def["uri"], uri(&dir.join("sources.yaml")));

    let refs = c.at("textDocument/references", &more, line, col);
    let mut files: Vec<&str> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, [uri(&kpis), uri(&more), uri(&tests)]);

    let prepared = c.at("textDocument/prepareRename", &more, line, col);
    assert_eq!(prepared["start"], json!({ "line": line, "character": col }));
    let edit = c.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri(&more) }, "position": { "line": line, "character": col }, "newName": "answer_rate" }),
    );
    let changes = edit["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 3, "{edit}");
    for (file, original) in [(&kpis, KPIS), (&more, MORE), (&tests, TESTS)] {
        let edits = changes[&uri(file)].as_array().unwrap();
        assert_eq!(edits.len(), 1, "{file:?}");
        assert_eq!(edits[0]["newText"], "answer_rate");
        let (l, ch) = find(original, "pickup_rate");
        assert_eq!(
            edits[0]["range"]["start"],
            json!({ "line": l, "character": ch })
        );
        assert_eq!(
            edits[0]["range"]["end"],
            json!({ "line": l, "character": ch + 11 })
        );
    }
    let taken = c.call(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri(&more) }, "position": { "line": line, "character": col }, "newName": "fast" }),
    );
    assert!(taken.unwrap_err()["message"]
        .as_str()
        .unwrap()
        .contains("already a KPI `fast`"));
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn formatting_and_semantic_tokens() {
    let dir = catalogue("format");
    let more = dir.join("more.kpi");
    let kpis = dir.join("kpis.yaml");
    let mut c = Client::start();
    let messy = MORE.replace("pct(wait_seconds < 20)", "pct( wait_seconds<20 )");
    c.open_text(&more, &messy, 1);
    let edits = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(&more) }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(edits[0]["newText"], MORE);

    c.open(&kpis, 1);
    let tokens = c.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri(&kpis) } }),
    );
    let data: Vec<u64> = tokens["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    // Decoded: (line, character, length, type); types as the legend lists them.
    let (mut line, mut col, mut decoded) = (0, 0, Vec::new());
    for t in data.chunks(5) {
        line += t[0];
        col = if t[0] == 0 { col + t[1] } else { t[1] };
        decoded.push((line, col, t[2], t[3]));
    }
    let (pl, pc) = find(KPIS, "pct(answered)");
    assert!(
        decoded.contains(&(pl as u64, pc as u64, 3, 1)),
        "pct is a function: {decoded:?}"
    );
    assert!(
        decoded.contains(&(pl as u64, pc as u64 + 4, 8, 3)),
        "answered is a field: {decoded:?}"
    );
    assert_eq!(c.shutdown(), 0);
}
