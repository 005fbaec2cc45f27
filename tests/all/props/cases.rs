//! Defects the properties found, each kept as a plain test of the real binary.

use super::{case_dir, run_kpi};
use std::time::Duration;

/// `kpi eval --format json` of `formulas` over a CSV file: the exit code and the values.
fn eval(name: &str, csv: &str, fields: &str, formulas: &[&str]) -> (Option<i32>, Vec<String>) {
    let dir = case_dir("cases", 0).with_file_name(format!("cases-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("data.csv"), csv).unwrap();
    let mut yaml = format!("sources:\n  s:\n    path: data.csv\n    fields: {{{fields}}}\nkpis:\n");
    for (i, f) in formulas.iter().enumerate() {
        yaml.push_str(&format!("  k{i}: '{f}'\n"));
    }
    std::fs::write(dir.join("c.yaml"), yaml).unwrap();
    let run = run_kpi(
        &dir,
        &["eval", "c.yaml", "--format", "json"],
        None,
        Duration::from_secs(30),
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    let values = json["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["value"].to_string())
        .collect();
    (run.code, values)
}

/// A sum of divisions has 28 decimals in every term; its exact total needs more digits
/// than a decimal holds. It was a `kpi::overflow` ("too large"), exit 1; it is rounded
/// once, as the division's own result is.
#[test]
fn a_sum_of_thirds_is_no_overflow() {
    let (code, values) = eval(
        "thirds",
        "x\n1\n32\n",
        "x: number",
        &["sum(x / 3)", "avg(x / 3)", "sum(x / 3) - 11"],
    );
    assert_eq!(code, Some(0));
    assert_eq!(values, ["11", "5.5", "0"]);
}

/// A number cell whose fraction ends in zeros past the 28th digit is still the number it
/// writes; it was rejected as "not a number".
#[test]
fn zeros_ending_a_long_fraction_are_read() {
    let (code, values) = eval(
        "zeros",
        "x\n12345678901234567890.1234567890\n1.0000000000000000000000000000000\n",
        "x: number",
        &["sum(x)", "count(x is null)"],
    );
    assert_eq!(code, Some(0));
    assert_eq!(values, ["12345678901234567891.123456789", "0"]);
}
