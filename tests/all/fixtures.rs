//! Fixture-driven tests: every file under `tests/fixtures/check/err` must fail `kpi check`
//! and has a snapshot of its rendered diagnostics (the text a user sees); every file under
//! `check/ok` must pass; every line of `parse/*.txt` is a formula whose tree is snapshotted.

use kpi::render::{human, Style};
use kpi::span::{SourceMap, Span};
use kpi::syntax::{expr_to_string, parse_formula, Locator};
use std::path::PathBuf;

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn stem(p: &std::path::Path) -> String {
    p.file_name().unwrap().to_string_lossy().replace('.', "_")
}

/// Every label must lie inside its file.
fn assert_spans_inside(map: &SourceMap, spans: impl Iterator<Item = Span>) {
    for s in spans {
        let len = map.get(s.file).text.len() as u32;
        assert!(
            s.start <= s.end && s.end <= len,
            "span {s:?} outside {} ({len} bytes)",
            map.get(s.file).name
        );
    }
}

#[test]
fn check_err_fixtures_fail_with_reviewed_diagnostics() {
    let fixtures = files("tests/fixtures/check/err");
    assert!(fixtures.len() >= 10, "fixtures missing");
    for f in fixtures {
        let (map, diags, _, _) = kpi::cli::diagnose(std::slice::from_ref(&f));
        assert!(
            diags.iter().any(|d| d.is_error()),
            "{} should not check clean",
            f.display()
        );
        assert_spans_inside(
            &map,
            diags.iter().flat_map(|d| d.labels.iter().map(|l| l.span)),
        );
        let text: Vec<String> = diags.iter().map(|d| human(d, &map, Style::PLAIN)).collect();
        insta::assert_snapshot!(format!("check_err__{}", stem(&f)), text.join("\n"));
    }
}

#[test]
fn check_ok_fixtures_pass() {
    for f in files("tests/fixtures/check/ok") {
        let (map, diags, _, _) = kpi::cli::diagnose(std::slice::from_ref(&f));
        let errors: Vec<String> = diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| human(d, &map, Style::PLAIN))
            .collect();
        assert!(errors.is_empty(), "{}:\n{}", f.display(), errors.join("\n"));
    }
}

#[test]
fn check_warn_fixtures_warn_without_errors() {
    for f in files("tests/fixtures/check/warn") {
        let (map, diags, _, _) = kpi::cli::diagnose(std::slice::from_ref(&f));
        assert!(
            !diags.is_empty() && diags.iter().all(|d| !d.is_error()),
            "{} should warn, and only warn",
            f.display()
        );
        let text: Vec<String> = diags.iter().map(|d| human(d, &map, Style::PLAIN)).collect();
        insta::assert_snapshot!(format!("check_warn__{}", stem(&f)), text.join("\n"));
    }
}

#[test]
fn parse_fixtures_snapshot_the_tree() {
    for f in files("tests/fixtures/parse") {
        let text = std::fs::read_to_string(&f).unwrap();
        let mut out = String::new();
        for line in text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("##"))
        {
            let mut map = SourceMap::default();
            let id = map.add("formula", line);
            let mut diags = Vec::new();
            let e = parse_formula(line, &Locator::shifted(id, 0), &mut diags);
            let canonical = expr_to_string(&e);
            out.push_str(&format!("── {line}\n   canonical: {canonical}\n"));
            if diags.is_empty() {
                // Formatting is stable: the canonical text parses back to itself.
                let mut again = Vec::new();
                let e2 = parse_formula(&canonical, &Locator::shifted(id, 0), &mut again);
                assert!(
                    again.is_empty(),
                    "canonical form of `{line}` does not parse: {canonical}"
                );
                assert_eq!(
                    expr_to_string(&e2),
                    canonical,
                    "formatting `{line}` is not stable"
                );
                let mut tree = String::new();
                kpi::cli::explain_tree(&mut tree, &e, 2);
                out.push_str(&tree);
            } else {
                assert_spans_inside(
                    &map,
                    diags.iter().flat_map(|d| d.labels.iter().map(|l| l.span)),
                );
                for d in &diags {
                    out.push_str(&human(d, &map, Style::PLAIN));
                }
            }
        }
        insta::assert_snapshot!(format!("parse__{}", stem(&f)), out);
    }
}

/// Every stable code of the language brief has a fixture whose snapshot shows it.
#[test]
fn every_check_code_has_a_fixture() {
    let snaps: String = files("tests/all/snapshots")
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for code in [
        "kpi::syntax",
        "kpi::unknown_name",
        "kpi::type",
        "kpi::arity",
        "kpi::scope",
        "kpi::nested_aggregate",
        "kpi::cycle",
        "kpi::duplicate",
        "kpi::catalogue",
        "kpi::unused",
        "kpi::data",
        "kpi::io",
        "kpi::test_failed",
        "kpi::division_by_zero",
    ] {
        assert!(snaps.contains(code), "no snapshot shows {code}");
    }
}

/// Every formula of the reference catalogue sits exactly at its span: the text there parses
/// back to the same formula (what `kpi fmt` and every diagnostic rely on).
#[test]
fn reference_formula_spans_are_exact() {
    use kpi::catalogue::{yaml::Style, FormulaForm};
    let mut map = SourceMap::default();
    let mut diags = Vec::new();
    let cat = kpi::catalogue::load(&[PathBuf::from("kpis")], &mut map, &mut diags);
    let mut checked = 0;
    for k in &cat.kpis {
        if !matches!(
            k.formula_form,
            FormulaForm::Bare | FormulaForm::Yaml(Style::Plain)
        ) {
            continue;
        }
        let text = map.text(k.formula_span).to_string();
        let mut d = Vec::new();
        let e = parse_formula(&text, &Locator::shifted(k.formula_span.file, 0), &mut d);
        assert!(
            d.is_empty(),
            "{}: span text `{text}` does not parse",
            k.name.text
        );
        assert_eq!(
            expr_to_string(&e),
            expr_to_string(&k.formula),
            "{}",
            k.name.text
        );
        checked += 1;
    }
    assert!(checked >= 40, "{checked}");
}
