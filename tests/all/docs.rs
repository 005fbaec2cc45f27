//! The documentation runs: every README block that starts with `$ kpi` must print exactly
//! what the README shows, and every formula in `docs/language.md` must parse.

use kpi::span::SourceMap;
use kpi::syntax::{parse_formula, Locator};
use std::process::Command;

/// Fenced blocks of a Markdown text with their info string.
fn blocks(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(String, String)> = None;
    for line in md.lines() {
        match (&mut cur, line.strip_prefix("```")) {
            (None, Some(info)) => cur = Some((info.trim().to_string(), String::new())),
            (Some(_), Some(_)) => out.push(cur.take().unwrap()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// Split a command line the simple way the README writes them (single quotes group words).
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in cmd.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn readme_outputs_are_real() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let mut ran = 0;
    for (_, body) in blocks(&readme) {
        let Some(rest) = body.strip_prefix("$ kpi ") else {
            continue;
        };
        let (cmd, shown) = rest.split_once('\n').unwrap_or((rest, ""));
        let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
            .args(words(cmd))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let actual = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            actual.trim_end(),
            shown.trim_end(),
            "README block `kpi {cmd}` differs from the real output"
        );
        ran += 1;
    }
    assert!(ran >= 5, "README blocks not found");
}

#[test]
fn language_doc_formulas_parse() {
    let doc = std::fs::read_to_string("docs/language.md").unwrap();
    let mut checked = 0;
    for (info, body) in blocks(&doc) {
        match info.as_str() {
            "kpi" => {
                for line in body.lines().map(str::trim) {
                    if line.is_empty()
                        || line.starts_with('#')
                        || line.starts_with('@')
                        || line.starts_with("///")
                    {
                        continue;
                    }
                    let formula = match line.split_once(" = ") {
                        Some((name, f)) if kpi::syntax::print::is_plain_name(name) => f,
                        _ => line,
                    };
                    let mut map = SourceMap::default();
                    let id = map.add("doc", formula);
                    let mut diags = Vec::new();
                    parse_formula(formula, &Locator::shifted(id, 0), &mut diags);
                    assert!(
                        diags.is_empty(),
                        "docs/language.md: `{formula}` does not parse: {diags:?}"
                    );
                    checked += 1;
                }
            }
            "yaml" => {
                let mut map = SourceMap::default();
                let mut diags = Vec::new();
                kpi::catalogue::load_text("doc.yaml", &body, false, &mut map, &mut diags);
                assert!(
                    diags.is_empty(),
                    "docs/language.md YAML block does not load: {diags:?}\n{body}"
                );
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(checked >= 10);
}
