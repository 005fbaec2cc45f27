//! `kpi lsp` under stress: malformed documents and random edits never take it down; and
//! how long a 2,000-KPI catalogue takes to check again after a one-character edit.

use super::client::{folder, uri, Client};
use serde_json::json;
use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

/// Every request the server answers, at a few places of the document (some outside it).
fn ask_everything(c: &mut Client, path: &Path) {
    let doc = json!({ "uri": uri(path) });
    for (line, character) in [(0, 0), (1, 3), (2, 12), (3, 100), (9999, 9999)] {
        for method in [
            "textDocument/completion",
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/references",
            "textDocument/prepareRename",
        ] {
            c.at(method, path, line, character);
        }
        let at = json!({ "line": line, "character": character });
        let _ = c.call(
            "textDocument/rename",
            json!({ "textDocument": doc, "position": at, "newName": "renamed" }),
        );
        c.request(
            "textDocument/codeAction",
            json!({ "textDocument": doc, "range": { "start": at, "end": at }, "context": { "diagnostics": [] } }),
        );
    }
    c.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": doc }),
    );
    c.request(
        "textDocument/formatting",
        json!({ "textDocument": doc, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
}

/// The server caught no panic (its last resort): every answer came from working code.
fn no_panic(c: &Client) {
    let log = c.log.lock().unwrap();
    let bad: Vec<&String> = log
        .iter()
        .filter(|l| l.contains("panicked") || l.contains("failed"))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn malformed_documents_never_crash_the_server() {
    let dir = folder(
        "malformed",
        &[
            ("a.yaml", "kpis:\n  n: count()\n"),
            ("b.kpi", "m = n + 1\n"),
        ],
    );
    let (yaml, kpi) = (dir.join("a.yaml"), dir.join("b.kpi"));
    let deep = format!("kpis:\n  x: {}\n", "(".repeat(20_000));
    let nested = format!("kpis: {}\n", "[".repeat(5_000));
    let long = format!("kpis:\n  x: {}\n", "count() + ".repeat(3_000) + "1");
    let yamls = [
        "kpis:\n  a: [\n",
        "\t\tkpis: : :\n",
        "{{{{",
        "kpis:\n  x:\n    formula: \"unterminated\n",
        "\u{0}\u{1}\u{7f}\u{feff}",
        "a: &a [x, *a]\n",
        "---\n---\n",
        "kpis: 5\nsources: [1]\ntests: x\n",
        "kpis:\n  é𝄞: \"`𝄞` + é\"\n  x: |\n    avg(\n",
        "source: calls\nkpis:\n  x:\n    formula: >-\n      avg(wait\n    unit: ",
        "kpis:\n  x: avg(x) = 1 && !y || z\n",
        "",
        deep.as_str(),
        nested.as_str(),
        long.as_str(),
    ];
    let kpis = [
        "= = =\n",
        "@\n@source\n@unit\n",
        "x = avg(((((((\n",
        "x = `\n",
        "///\n",
        "x = count() per\n",
        "\u{feff}x = 1\r\ny = x\r\n",
        "x = agents.\ny = calls.count(agents.",
        "x = \"\\",
        deep.as_str(),
    ];
    let mut c = Client::start();
    c.open(&yaml, 1);
    c.open(&kpi, 1);
    let mut version = 1;
    for text in yamls {
        version += 1;
        c.change(&yaml, text, version);
        ask_everything(&mut c, &yaml);
    }
    for text in kpis {
        version += 1;
        c.change(&kpi, text, version);
        ask_everything(&mut c, &kpi);
    }
    no_panic(&c);
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn random_edits_of_a_real_catalogue_never_crash_the_server() {
    let original = std::fs::read_to_string("kpis/contact_centre.yaml").unwrap();
    let sources = std::fs::read_to_string("kpis/sources.yaml").unwrap();
    let dir = folder(
        "random",
        &[
            ("contact_centre.yaml", &original),
            ("sources.yaml", &sources),
        ],
    );
    let path = dir.join("contact_centre.yaml");
    let mut c = Client::start();
    c.open(&path, 1);
    let mut text = original.clone();
    let mut seed: u64 = 0x5eed;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    let chars = [
        '(', ')', '{', '}', '[', ']', ':', '"', '\'', '#', '\n', ' ', '-', '@', '=', '`', '.', 'é',
    ];
    for version in 2..80 {
        let lines = text.lines().count() as u32;
        let line = next(lines as usize) as u32;
        let line_len = text
            .lines()
            .nth(line as usize)
            .map_or(0, |l| l.chars().count()) as u32;
        let col = next(line_len as usize + 1) as u32;
        let ch = chars[next(chars.len())].to_string();
        c.insert(&path, line, col, &ch, version);
        // The client's copy of the text, for the next positions.
        let at = text
            .split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum::<usize>()
            + text
                .lines()
                .nth(line as usize)
                .unwrap_or("")
                .chars()
                .take(col as usize)
                .map(char::len_utf8)
                .sum::<usize>();
        text.insert_str(at, &ch);
        c.at("textDocument/completion", &path, line, col + 1);
        c.at("textDocument/hover", &path, line, col);
        if version % 10 == 0 {
            c.request(
                "textDocument/semanticTokens/full",
                json!({ "textDocument": { "uri": uri(&path) } }),
            );
        }
    }
    no_panic(&c);
    assert_eq!(c.shutdown(), 0);
}

/// A catalogue of `files` × `per_file` KPIs over the `calls` source, each with a label,
/// a description, a unit, a target and a test; some use KPIs of other files.
pub fn big_catalogue(name: &str, files: usize, per_file: usize) -> std::path::PathBuf {
    let sources = "sources:\n  agents:\n    key: agent\n    fields: {agent: string, team: string}\n  calls:\n    time: started_at\n    fields: {started_at: datetime, answered: bool, wait_seconds: number, agent: string}\n    lookups: {agents: agent}\n";
    let mut list = vec![("sources.yaml".to_string(), sources.to_string())];
    for f in 0..files {
        let mut t = String::from("source: calls\nkpis:\n");
        for i in 0..per_file {
            let n = f * per_file + i;
            let formula = match n % 4 {
                0 => format!("pct(answered and wait_seconds < {})", 10 + n % 50),
                1 => format!(
                    "avg(wait_seconds where answered and agents.team == \"t{}\")",
                    n % 7
                ),
                2 => format!("count(wait_seconds > {}) / count()", n % 90),
                _ => format!("k{} - k{}", n - 1, (n * 7) % (n - 1)),
            };
            let _ = write!(
                t,
                "  k{n}:\n    label: KPI number {n}\n    description: >-\n      What KPI {n} measures, over the calls of the period,\n      and how to read it.\n    formula: {formula}\n    unit: number\n    target: \">= {n}\"\n    tests:\n      - name: two calls\n        data: [{{answered: true, wait_seconds: 5}}, {{answered: false, wait_seconds: 50}}]\n        expect: 1\n"
            );
        }
        list.push((format!("kpis{f:02}.yaml"), t));
    }
    let files: Vec<(&str, &str)> = list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    folder(name, &files)
}

/// Issue 14: a 2,000-KPI catalogue checks again in under 100 ms after a one-character edit.
/// Measured on the release binary:
/// `cargo build --release && KPI_BIN=target/release/kpi cargo test --test all recheck -- --ignored --nocapture`
#[test]
#[ignore]
fn recheck_time_of_2000_kpis() {
    for (files, per_file) in [(20, 100), (1, 2000)] {
        let dir = big_catalogue(&format!("big{files}"), files, per_file);
        let path = dir.join("kpis00.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut c = Client::start();
        c.open(&path, 1);
        c.diagnostics(&path);
        // `< 10` becomes `< 109`, then `< 10` again, and so on.
        let (line, col) = super::client::find(&text, "< 10)");
        let mut times = Vec::new();
        let cpu_before = c.cpu_seconds();
        for version in 2..42 {
            let started = Instant::now();
            if version % 2 == 0 {
                c.insert(&path, line, col + 4, "9", version);
            } else {
                let at = json!({ "line": line, "character": col + 4 });
                let end = json!({ "line": line, "character": col + 5 });
                c.notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": uri(&path), "version": version },
                            "contentChanges": [{ "range": { "start": at, "end": end }, "text": "" }] }),
                );
            }
            let d = c.diagnostics(&path);
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(d.is_empty(), "{d:?}");
            c.notifications.clear();
        }
        let cpu = c
            .cpu_seconds()
            .zip(cpu_before)
            .map(|(a, b)| (a - b) * 1000.0 / 40.0);
        times.sort_by(f64::total_cmp);
        let log = c.log.lock().unwrap().clone();
        let checks: Vec<&String> = log.iter().filter(|l| l.contains("checked")).collect();
        println!(
            "{files} file(s) of {per_file} KPIs: edit → diagnostics median {:.1} ms, max {:.1} ms; \
             server processor time per edit {:.1} ms; last check: {}",
            times[times.len() / 2],
            times[times.len() - 1],
            cpu.unwrap_or(f64::NAN),
            checks.last().map_or("", |l| l.as_str())
        );
        assert_eq!(c.shutdown(), 0);
    }
}
