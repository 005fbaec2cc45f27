//! After each edit the server loads again only the KPIs the edit touched: its diagnostics
//! must be, edit after edit, those `kpi check` gives for the same text.

use super::client::{folder, uri, Client};
use super::robust::big_catalogue;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// A diagnostic as both sides can write it: file name, line and column (1-based), code,
/// severity and message (with its help, as the server writes it).
type Written = (String, u64, u64, String, String, String);

fn kpi_check(dir: &Path) -> Vec<Written> {
    let bin = std::env::var("KPI_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_kpi").into());
    let out = Command::new(bin)
        .args(["check", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut list: Vec<Written> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or("");
            let name = Path::new(file)
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            let mut message = d["message"].as_str().unwrap().to_string();
            if let Some(h) = d["help"].as_str() {
                message = format!("{message}\nhelp: {h}");
            }
            (
                name,
                d["line"].as_u64().unwrap_or(1),
                d["column"].as_u64().unwrap_or(1),
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                message,
            )
        })
        .collect();
    list.sort();
    list
}

fn server_diags(name: &str, list: &[Value], into: &mut Vec<Written>) {
    for d in list {
        let start = &d["range"]["start"];
        let severity = if d["severity"] == 1 {
            "error"
        } else {
            "warning"
        };
        into.push((
            name.to_string(),
            start["line"].as_u64().unwrap() + 1,
            start["character"].as_u64().unwrap() + 1,
            d["code"].as_str().unwrap().to_string(),
            severity.to_string(),
            d["message"].as_str().unwrap().to_string(),
        ));
    }
}

/// The diagnostics of every file of the folder published after one check, once that of
/// `edited` (open at `version`) has come.
fn published(
    c: &mut Client,
    dir: &Path,
    files: &[String],
    edited: &Path,
    version: i32,
) -> Vec<Written> {
    let mut seen: Vec<(String, Vec<Value>)> = Vec::new();
    while seen.len() < files.len() {
        let mut got = None;
        for name in files {
            if seen.iter().any(|(n, _)| n == name) {
                continue;
            }
            let path = dir.join(name);
            let i = c.notifications.iter().position(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri(&path)
            });
            if let Some(i) = i {
                got = Some((name.clone(), c.notifications.remove(i)));
                break;
            }
        }
        match got {
            Some((name, m)) => {
                if dir.join(&name) == edited {
                    assert_eq!(m["params"]["version"], json!(version), "{m}");
                }
                seen.push((name, m["params"]["diagnostics"].as_array().unwrap().clone()));
            }
            // Wait for the next message (a publication).
            None => {
                let _ = c.call("kpi/nothing", Value::Null);
            }
        }
    }
    let mut out = Vec::new();
    for (name, list) in &seen {
        server_diags(name, list, &mut out);
    }
    out.sort();
    out
}

/// `line` and `col` (in characters) → byte offset in `text`.
fn offset(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    start
        + text[start..]
            .chars()
            .take_while(|&c| c != '\n')
            .take(col)
            .map(char::len_utf8)
            .sum::<usize>()
}

/// After an edit that made the file's text `text` (at `version`): its diagnostics compared with
/// `kpi check`'s on the mirror folder. Gives whether the file was loaded whole (not KPI by
/// KPI), and `by_kpi` counted up when it was not.
#[allow(clippy::too_many_arguments)]
fn compare(
    name: &str,
    c: &mut Client,
    mirror: &Path,
    files: &[String],
    path: &Path,
    version: i32,
    text: &str,
    by_kpi: usize,
) -> (bool, usize) {
    let dir = path.parent().unwrap();
    let server = published(c, dir, files, path, version);
    std::fs::write(mirror.join(path.file_name().unwrap()), text).unwrap();
    let check = kpi_check(mirror);
    assert_eq!(
        server,
        check,
        "{name}: edit {version} (text in {})",
        mirror.display()
    );
    // The server logs each check (one on opening, then one per edit) before it publishes.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let log = c.log.lock().unwrap();
        let checks: Vec<&String> = log.iter().filter(|l| l.contains(" checked ")).collect();
        if checks.len() >= version as usize || std::time::Instant::now() > deadline {
            let again = checks
                .last()
                .is_some_and(|l| l.contains("(1 only where edited)"));
            return (!again, by_kpi + usize::from(again));
        }
        drop(log);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

fn random_edits(name: &str, dir: &Path, edited: &str, edits: usize, seed: u64) {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".kpi"))
        .collect();
    files.sort();
    let mirror = folder(&format!("{name}-mirror"), &[]);
    for f in &files {
        std::fs::copy(dir.join(f), mirror.join(f)).unwrap();
    }
    let path = dir.join(edited);
    let mut text = std::fs::read_to_string(&path).unwrap();
    let mut c = Client::start();
    c.open(&path, 1);
    let first = published(&mut c, dir, &files, &path, 1);
    assert_eq!(first, kpi_check(&mirror), "{name}: on opening");
    let mut seed = seed;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n.max(1)
    };
    let chars = [
        "a", "7", " ", " ", "x", "(", ")", ":", "\"", "#", "\n", "-", "=", "`", ".", "é", ",",
    ];
    // The last text checked KPI by KPI, and whether the last check was not.
    let (mut good, mut whole) = (text.clone(), false);
    let mut by_kpi = 0;
    for version in 2..2 + edits as i32 {
        if whole && next(2) == 0 {
            // Undone, as a user would undo an edit that broke the file: the whole text sent.
            text.clone_from(&good);
            let doc = json!({ "uri": uri(&path), "version": version });
            c.notify(
                "textDocument/didChange",
                json!({ "textDocument": doc, "contentChanges": [{ "text": text }] }),
            );
            (whole, by_kpi) = compare(name, &mut c, &mirror, &files, &path, version, &text, by_kpi);
            continue;
        }
        let lines = text.lines().count();
        let line = next(lines);
        let len = text.lines().nth(line).map_or(0, |l| l.chars().count());
        let col = next(len + 1);
        // What the edit replaces: nothing, the next character, or up to a place on the next
        // line (a line break removed, so the lines after it move up).
        let (end_line, end_col) = match next(6) {
            0 | 1 if col < len => (line, col + 1),
            2 if line + 1 < lines => {
                let next_len = text.lines().nth(line + 1).map_or(0, |l| l.chars().count());
                (line + 1, next(next_len.min(4) + 1))
            }
            _ => (line, col),
        };
        // What it writes: often nothing when it removes, sometimes lines pasted.
        let pasted = ["\n    unit: percent", "\n  pasted: count()\n", "x\n"];
        let ch = match next(4) {
            0 | 1 if (end_line, end_col) != (line, col) => "",
            2 => pasted[next(pasted.len())],
            _ => chars[next(chars.len())],
        };
        let at = json!({ "line": line, "character": col });
        let end = json!({ "line": end_line, "character": end_col });
        let doc = json!({ "uri": uri(&path), "version": version });
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": doc, "contentChanges": [{ "range": { "start": at, "end": end }, "text": ch }] }),
        );
        let start = offset(&text, line, col);
        let stop = offset(&text, end_line, end_col);
        text.replace_range(start..stop, ch);
        (whole, by_kpi) = compare(name, &mut c, &mirror, &files, &path, version, &text, by_kpi);
        if !whole {
            good.clone_from(&text);
        }
    }
    // Most edits were checked KPI by KPI (not those that broke the file, nor their undoing).
    assert!(
        by_kpi * 4 > edits,
        "{name}: {by_kpi} of {edits} edits checked KPI by KPI: {:?}",
        c.log.lock().unwrap()
    );
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn random_edits_of_the_repository_catalogue_are_checked_as_kpi_check_does() {
    let repo = Path::new("kpis");
    let mut files = Vec::new();
    for e in std::fs::read_dir(repo).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".yaml") || name.ends_with(".kpi") {
            files.push((name, std::fs::read_to_string(&p).unwrap()));
        }
    }
    let list: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = folder("same-as-check", &list);
    random_edits("repo", &dir, "contact_centre.yaml", 40, 0xfeed);
    random_edits("repo", &dir, "order_management.yaml", 20, 0xbeef);
}

#[test]
fn random_edits_of_2000_kpis_in_one_file_are_checked_as_kpi_check_does() {
    let dir = big_catalogue("same-as-check-big", 1, 2000);
    random_edits("big", &dir, "kpis00.yaml", 24, 7);
}

/// Edits found by review, each checked as `kpi check` checks its text: a stray `}` that
/// yaml-rust2 takes for valid in the lines read alone (not after the flow mapping above);
/// an empty value (or block scalar) ending the last KPI before a top-level key.
#[test]
fn edits_found_by_review_are_checked_as_kpi_check_does() {
    let cases = [
        (
            "kpis:\n  c: {a: 1}\n  d: [{x: [{y: 1}], z: 1}]\n",
            (2, 6, 2, 7, ""),
        ),
        (
            "kpis:\n  a:\n    label: x\n    formula:\ntests:\n  a: []\n",
            (2, 12, 2, 12, "y"),
        ),
        (
            "kpis:\n  a:\n    label: x\n    block: |\ntests:\n  a: []\n",
            (2, 12, 2, 12, "y"),
        ),
    ];
    for (n, (old, (line, col, end_line, end_col, ch))) in cases.into_iter().enumerate() {
        let name = format!("review{n}");
        let dir = folder(&name, &[("cat.yaml", old)]);
        let mirror = folder(&format!("{name}-mirror"), &[("cat.yaml", old)]);
        let files = vec!["cat.yaml".to_string()];
        let path = dir.join("cat.yaml");
        let mut c = Client::start();
        c.open(&path, 1);
        assert_eq!(
            published(&mut c, &dir, &files, &path, 1),
            kpi_check(&mirror)
        );
        let at = json!({ "line": line, "character": col });
        let end = json!({ "line": end_line, "character": end_col });
        let doc = json!({ "uri": uri(&path), "version": 2 });
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": doc, "contentChanges": [{ "range": { "start": at, "end": end }, "text": ch }] }),
        );
        let mut text = old.to_string();
        text.replace_range(offset(old, line, col)..offset(old, end_line, end_col), ch);
        compare(&name, &mut c, &mirror, &files, &path, 2, &text, 0);
        assert_eq!(c.shutdown(), 0);
    }
}

/// An open file that starts with a byte order mark is read without it, as `kpi check`
/// reads it (positions counted after it).
#[test]
fn an_open_file_with_a_byte_order_mark_is_checked_as_kpi_check_does() {
    let text = "\u{feff}oops: 1\nkpis:\n  a:\n    formula: count(\n";
    let dir = folder("bom", &[("bom.yaml", text)]);
    let files = vec!["bom.yaml".to_string()];
    let path = dir.join("bom.yaml");
    let mut c = Client::start();
    c.open(&path, 1);
    let server = published(&mut c, &dir, &files, &path, 1);
    let check = kpi_check(&dir);
    assert!(check.iter().any(|d| d.5.contains("`oops`")), "{check:?}");
    assert_eq!(server, check);
    assert_eq!(c.shutdown(), 0);
}
