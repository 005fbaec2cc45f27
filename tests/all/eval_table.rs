//! The evaluation test table: `tests/fixtures/eval/*.yaml` holds small KPIs, each with
//! inline records and an expected value worked out by hand (aggregates, operators, null
//! handling, `where`, `per`, durations, dates, grouping, multi-source KPIs, division by
//! zero, functions). This runs them through the real binary, as a user would.

use crate::common::kpi;
use std::path::Path;

const TABLE: &str = "tests/fixtures/eval";
/// The table must not shrink unnoticed.
const MIN_TESTS: usize = 100;

/// `N passed, M failed` → (N, M).
fn summary(line: &str) -> Option<(usize, usize)> {
    let (passed, failed) = line.trim().split_once(", ")?;
    let passed = passed.strip_suffix(" passed")?.parse().ok()?;
    let failed = failed.strip_suffix(" failed")?.parse().ok()?;
    Some((passed, failed))
}

#[test]
fn eval_table_exists() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(TABLE);
    let files = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        })
        .count();
    assert!(
        files >= 5,
        "expected the evaluation table's YAML files in {TABLE}"
    );
}

#[test]
fn eval_table_checks_clean() {
    let (code, out, err) = kpi(&["check", TABLE]);
    assert_eq!(code, 0, "kpi check {TABLE} failed:\n{out}{err}");
    // The table tests odd formulas on purpose (comparisons with null, strings named like
    // fields): `kpi::suspicious` warnings are expected there, nothing else.
    assert!(
        out.trim_end().ends_with(": ok") || out.contains(": ok, "),
        "unexpected `kpi check` output:\n{out}{err}"
    );
    let codes = err.lines().filter(|l| l.starts_with("kpi::"));
    assert!(
        codes.clone().all(|c| c == "kpi::suspicious"),
        "only kpi::suspicious warnings are expected:\n{err}"
    );
}

#[test]
fn eval_table_passes() {
    let (code, out, err) = kpi(&["test", TABLE]);
    assert_eq!(code, 0, "kpi test {TABLE} failed:\n{out}{err}");
    let last = out.lines().last().unwrap_or("");
    let (passed, failed) =
        summary(last).unwrap_or_else(|| panic!("no `N passed, N failed` line:\n{out}{err}"));
    assert_eq!(failed, 0, "failing evaluation tests:\n{out}{err}");
    assert!(
        passed >= MIN_TESTS,
        "only {passed} evaluation tests ran (at least {MIN_TESTS} expected):\n{out}"
    );
    // One `ok` line per test, then the summary. Nothing else: `kpi test` would also print
    // `N KPIs have no test`, and every KPI of the table must have a test.
    let results: Vec<&str> = out.lines().filter(|l| *l != last).collect();
    assert_eq!(
        results.len(),
        passed,
        "one line per test, and every KPI of the table tested:\n{out}"
    );
    assert!(
        results.iter().all(|l| l.starts_with("ok ")),
        "a test did not pass:\n{out}{err}"
    );
}
