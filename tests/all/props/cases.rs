//! Defects the properties found, each kept as a plain test of the real binary.

use super::{case_dir, run_kpi};
use std::time::Duration;

/// `kpi eval --format json` of `formulas` over a CSV file: the exit code and the values.
fn eval(name: &str, csv: &str, fields: &str, formulas: &[&str]) -> (Option<i32>, Vec<String>) {
    let (code, values, _) = eval_stderr(name, csv, fields, formulas);
    (code, values)
}

/// The same, with standard error.
fn eval_stderr(
    name: &str,
    csv: &str,
    fields: &str,
    formulas: &[&str],
) -> (Option<i32>, Vec<String>, String) {
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
    (run.code, values, run.stderr)
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

/// A `where` whose arithmetic overflows stops its aggregate with an error naming the KPI,
/// as an overflow in the aggregate's argument does. It was taken as false: the median of
/// the other records (here none: null) with exit 0 and a vague kpi::type warning.
#[test]
fn an_overflow_in_where_is_an_error_naming_the_kpi() {
    let (code, values, stderr) = eval_stderr(
        "where_overflow",
        "x\n1000000000000000000000000000\n2\n",
        "x: number",
        &["median(x where 10.75 < x * x)", "count(x > 1)"],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(values, ["null", "2"]);
    assert!(stderr.contains("kpi::overflow"), "{stderr}");
    assert!(stderr.contains("(used by `k0`)"), "{stderr}");
}

/// A median between two values near 28 digits is interpolated exactly and rounded once:
/// the median of -1e27 and 999999999999999999999999999.5 was -0.2 (the step and its half
/// rounded apart), not -0.25.
#[test]
fn a_median_near_28_digits_rounds_once() {
    let (code, values) = eval(
        "median",
        "x\n-1000000000000000000000000000\n999999999999999999999999999.50\n",
        "x: number",
        &["median(x)", "percentile(x, 0.5)"],
    );
    assert_eq!(code, Some(0));
    assert_eq!(values, ["-0.25", "-0.25"]);
}

/// A formula ending with `between` took in the line break after it: `kpi fmt` joined the
/// next line to it (`... and -3@decimals 1`), and a second `fmt` changed the file again.
#[test]
fn fmt_keeps_the_line_after_a_between() {
    let dir = case_dir("cases", 0).with_file_name("cases-between");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("s.yaml"), "sources:\n  s:\n    path: d.csv\n").unwrap();
    let kpi = "@source s\nk = count() between 1 and -3\n@decimals 1\nj = 2\n";
    std::fs::write(dir.join("k.kpi"), kpi).unwrap();
    let run = run_kpi(
        &dir,
        &["fmt", "--check", "."],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let run = run_kpi(&dir, &["fmt", "."], None, Duration::from_secs(30));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(dir.join("k.kpi")).unwrap(), kpi);
}
