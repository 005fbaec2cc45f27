//! The real `kpi` binary: exit codes, output formats, data diagnostics, catalogue tests.
//! Snapshots hold stdout and stderr exactly as a user sees them (no colour).

use crate::common::{kpi, run, run_in, temp_files};
use std::process::Command;

/// Stdout of `kpi` with `file` on standard input.
fn kpi_stdin(args: &[&str], file: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(args)
        .stdin(std::fs::File::open(file).unwrap())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn reference_catalogue_checks_clean() {
    let (code, out, err) = kpi(&["check", "kpis"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "checked 64 KPIs and 14 sources: ok");
}

#[test]
fn reference_catalogue_tests_pass() {
    let (code, out, err) = kpi(&["test", "kpis"]);
    assert_eq!(code, 0, "{out}{err}");
    let last = out.lines().last().unwrap_or("");
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    assert!(
        !out.contains("have no test"),
        "every KPI has a test:\n{out}"
    );
}

#[test]
fn example_catalogues_check_clean() {
    for dir in ["examples/catalogues", "tests/fixtures/check/ok/mixed"] {
        let (code, _, err) = kpi(&["check", dir]);
        assert_eq!(code, 0, "{dir}: {err}");
    }
}

#[test]
fn failing_tests_point_at_the_test() {
    insta::assert_snapshot!(run(&["test", "tests/fixtures/test/failing.yaml"]));
}

#[test]
fn output_formats() {
    let base = [
        "eval",
        "kpis",
        "--kpi",
        "nps",
        "--kpi",
        "first_response_time",
        "--by",
        "channel",
        "--total",
    ];
    for format in ["table", "csv", "json", "jsonl", "markdown"] {
        let mut args = base.to_vec();
        args.extend(["--format", format]);
        insta::assert_snapshot!(format!("format_{format}"), run(&args));
    }
    insta::assert_snapshot!(
        "format_table_fr",
        run(&["eval", "kpis", "--kpi", "csat", "--kpi", "cltv", "--kpi", "aht", "--lang", "fr"])
    );
}

#[test]
fn grain_compare_and_top() {
    insta::assert_snapshot!(run(&[
        "eval",
        "kpis",
        "--kpi",
        "orders_received",
        "--kpi",
        "dispute_rate",
        "--grain",
        "quarter",
        "--compare",
        "previous"
    ]));
    insta::assert_snapshot!(run(&[
        "eval",
        "kpis",
        "--kpi",
        "units_sold",
        "--by",
        "product",
        "--top",
        "3",
        "--format",
        "csv"
    ]));
}

#[test]
fn data_files_of_every_shape() {
    let f = "-e=w = avg(wait_seconds)";
    for file in ["calls_ok.csv", "calls_ok.csv.gz", "calls_semicolon.csv"] {
        let path = format!("tests/fixtures/data/{file}");
        insta::assert_snapshot!(
            format!("data_{}", file.replace('.', "_")),
            run(&[
                "eval",
                f,
                "-e",
                "n = count()",
                "-e",
                "ok = pct(answered)",
                "--data",
                &path,
                "--format",
                "csv"
            ])
        );
    }
}

#[test]
fn data_errors_are_located_and_counted() {
    for file in [
        "calls_ragged.csv",
        "calls_bad_number.csv",
        "calls_missing_column.csv",
        "empty.csv",
        "no_such_file.csv",
    ] {
        let path = format!("tests/fixtures/data/{file}");
        insta::assert_snapshot!(
            format!("data_error_{}", file.replace('.', "_")),
            run(&[
                "eval",
                "-e",
                "w = avg(wait_seconds)",
                "-e",
                "ok = pct(answered)",
                "--data",
                &path,
                "--format",
                "json"
            ])
        );
    }
    insta::assert_snapshot!(
        "data_error_jsonl",
        run(&[
            "eval",
            "-e",
            "r = avg(recommend)",
            "-e",
            "n = count()",
            "--data",
            "tests/fixtures/data/surveys_bad.jsonl",
            "--by",
            "channel",
            "--format",
            "csv"
        ])
    );
}

#[test]
fn division_by_zero_is_null_with_a_warning() {
    insta::assert_snapshot!(run(&[
        "eval",
        "-e",
        "ratio = count(answered) / count(not answered)",
        "--data",
        "tests/fixtures/data/calls_ok.csv",
        "--by",
        "agent",
        "--format",
        "json"
    ]));
}

#[test]
fn exit_codes() {
    assert_eq!(kpi(&["eval", "--no-such-flag"]).0, 2);
    assert_eq!(kpi(&["frobnicate"]).0, 2);
    assert_eq!(kpi(&["check", "tests/fixtures/check/err/cycle.yaml"]).0, 1);
    assert_eq!(kpi(&["eval", "kpis", "--kpi", "nps"]).0, 0);
    // CSAT misses its target on the example data.
    assert_eq!(
        kpi(&["eval", "kpis", "--kpi", "csat", "--fail-on-miss"]).0,
        1
    );
    assert_eq!(
        kpi(&["eval", "kpis", "--kpi", "nps", "--fail-on-miss"]).0,
        0
    );
}

#[test]
fn check_machine_formats() {
    insta::assert_snapshot!(run(&[
        "check",
        "tests/fixtures/check/err/unknown_names.yaml",
        "--format",
        "json"
    ]));
    insta::assert_snapshot!(run(&[
        "check",
        "tests/fixtures/check/err/unknown_names.yaml",
        "--format",
        "github"
    ]));
}

#[test]
fn stdin_and_where() {
    let args = [
        "eval",
        "-e",
        "n = count()",
        "--data",
        "-",
        "--where",
        "answered",
        "--format",
        "csv",
    ];
    assert_eq!(
        kpi_stdin(&args, "tests/fixtures/data/calls_ok.csv"),
        "kpi,value,unit,status\nn,3,,\n"
    );
}

#[test]
fn overflow_names_the_kpi_and_spares_the_others() {
    insta::assert_snapshot!(run(&[
        "eval",
        "-e",
        "s = sum(x)",
        "-e",
        "m = max(x) * 2",
        "-e",
        "ok = count()",
        "--data",
        "tests/fixtures/data/overflow.csv",
        "--format",
        "csv"
    ]));
}

#[test]
fn doc_in_both_languages() {
    let (code, en, err) = kpi(&["doc"]);
    assert_eq!(code, 0, "{err}");
    // docs/catalogue.md is this output, so that it cannot drift from the catalogue.
    let committed = std::fs::read_to_string("docs/catalogue.md").unwrap();
    let first_difference = committed.lines().zip(en.lines()).position(|(a, b)| a != b);
    assert!(
        first_difference.is_none() && committed.lines().count() == en.lines().count(),
        "docs/catalogue.md differs from `kpi doc` (first at line {:?}): regenerate it with `kpi doc > docs/catalogue.md`",
        first_difference.map(|i| i + 1)
    );
    assert_eq!(
        en.matches("\n## ").count(),
        65,
        "an index and one section per KPI"
    );
    let (code, fr, _) = kpi(&["doc", "--lang", "fr"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(fr
        .split("\n## ")
        .find(|s| s.starts_with("nps"))
        .unwrap_or(""));
}

#[test]
fn explain_shows_tree_dependencies_and_plan() {
    insta::assert_snapshot!(run(&["explain", "processed_records"]));
    insta::assert_snapshot!(run(&["explain", "dispute_rate"]));
    insta::assert_snapshot!(run(&["explain", "nsp"]));
}

#[test]
fn fmt_rewrites_only_formulas_and_is_idempotent() {
    let dir = std::env::temp_dir().join(format!("kpi-fmt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["messy.yaml", "messy.kpi", "comments.kpi"] {
        std::fs::copy(format!("tests/fixtures/fmt/{f}"), dir.join(f)).unwrap();
    }
    let d = dir.to_str().unwrap();
    let (code, out, _) = kpi(&["fmt", "--check", d]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 2, "{out}");
    // A formula with a comment inside is left as written.
    let with_comment = std::fs::read_to_string("tests/fixtures/fmt/comments.kpi").unwrap();
    let (code, _, err) = kpi(&["fmt", d]);
    assert_eq!(code, 0, "{err}");
    let yaml = std::fs::read_to_string(dir.join("messy.yaml")).unwrap();
    let kpi_file = std::fs::read_to_string(dir.join("messy.kpi")).unwrap();
    insta::assert_snapshot!(format!("{yaml}\n--- messy.kpi\n{kpi_file}"));
    assert_eq!(
        std::fs::read_to_string(dir.join("comments.kpi")).unwrap(),
        with_comment
    );
    assert_eq!(
        kpi(&["fmt", "--check", d]).0,
        0,
        "formatting twice changes nothing"
    );
    assert_eq!(
        kpi(&["check", d]).0,
        0,
        "the formatted catalogue still checks"
    );
    // The reference catalogue is kept formatted.
    assert_eq!(kpi(&["fmt", "--check", "kpis", "examples/catalogues"]).0, 0);
}

#[test]
fn fmt_refuses_a_catalogue_with_errors() {
    insta::assert_snapshot!(run(&[
        "fmt",
        "--check",
        "tests/fixtures/check/err/cut_in_half.kpi"
    ]));
}

#[test]
fn diff_against_a_git_revision() {
    let dir = std::env::temp_dir().join(format!("kpi-diff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("kpis")).unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(["-c", "user.email=t@t", "-c", "user.name=t"])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
    };
    let write = |text: &str| std::fs::write(dir.join("kpis/c.yaml"), text).unwrap();
    write("sources:\n  calls: {fields: {answered: bool}}\nsource: calls\nkpis:\n  a: pct(answered)\n  b: count()\n  c:\n    formula: count(answered)\n    target: \">= 10\"\n");
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "v1"]);
    // a: reformatted only (no change); b: removed; c: new formula and target; d: added.
    write("sources:\n  calls: {fields: {answered: bool}}\nsource: calls\nkpis:\n  a: PCT( answered )\n  c:\n    formula: count(not answered)\n    target: \">= 20\"\n  d: count()\n");
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(["diff", "HEAD"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "~ c: formula: count(answered) → count(not answered)\n~ c: target: >= 10 → >= 20\n+ d: count()\n- b\n"
    );
}

#[test]
fn review_regressions() {
    // --where that a KPI's other source cannot apply: the KPI is left out, not mixed.
    insta::assert_snapshot!(
        "where_unfit",
        run(&[
            "eval",
            "--kpi",
            "dispute_rate",
            "--kpi",
            "orders_received",
            "--where",
            "channel == \"email\"",
            "--format",
            "csv"
        ])
    );
    // A group key that cannot be computed puts the record in the blank group (not dropped).
    insta::assert_snapshot!(
        "key_overflow",
        run(&[
            "eval",
            "-e",
            "n = count()",
            "--data",
            "tests/fixtures/data/key_overflow.csv",
            "--by",
            "n * n",
            "--total",
            "--format",
            "csv"
        ])
    );
    // A month with no record inside the data compares with an empty group (0 records).
    let gap = "-e=n = count()";
    let (code, out, _) = kpi(&[
        "eval",
        gap,
        "--data",
        "tests/fixtures/data/gap_month.csv",
        "--by",
        "month(t)",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("n,2025-03,1,,"), "{out}");
    // A KPI that reads no source is shown in every group.
    let (_, out, _) = kpi(&[
        "eval",
        "-e",
        "c = 5",
        "-e",
        "n = count()",
        "--data",
        "tests/fixtures/data/calls_ok.csv",
        "--by",
        "agent",
        "--format",
        "csv",
    ]);
    assert!(
        out.contains("c,ann,5,,") && out.contains("c,bob,5,,"),
        "{out}"
    );
    // Command-line mistakes exit 2.
    assert_eq!(kpi(&["eval", "kpis", "--from", "2025-02-30"]).0, 2);
    assert_eq!(
        kpi(&[
            "eval",
            "-e",
            "n = count()",
            "--data",
            "tests/fixtures/data/calls_ok.csv",
            "--data",
            "tests/fixtures/data/calls_ragged.csv"
        ])
        .0,
        2
    );
    // A needed column named twice in the header.
    insta::assert_snapshot!(
        "duplicate_header",
        run(&[
            "eval",
            "-e",
            "s = sum(a)",
            "--data",
            "tests/fixtures/data/duplicate_header.csv"
        ])
    );
}

#[test]
fn gzip_on_standard_input() {
    let args = [
        "eval",
        "-e",
        "n = count()",
        "--data",
        "-",
        "--format",
        "csv",
    ];
    assert_eq!(
        kpi_stdin(&args, "tests/fixtures/data/calls_ok.csv.gz"),
        "kpi,value,unit,status\nn,4,,\n"
    );
}

/// Issue 9 #12: `+-5` and `1_000` are data errors (exit 1), never −5 and 1000.
#[test]
fn malformed_numbers_are_data_errors() {
    let data = "tests/fixtures/data/malformed_numbers.csv";
    let (code, out, err) = kpi(&[
        "eval",
        "-e",
        "s = sum(x)",
        "--data",
        data,
        "--format",
        "csv",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("s,1001.5,"), "2 + 1e3 - .5 only:\n{out}");
    assert!(
        err.contains("`+-5` is not a number") && err.contains("`1_000` is not a number"),
        "{err}"
    );
}

/// Issue 9 #3 and #5: `kpi fmt` writes YAML that reads back, with the back-quotes it needs.
#[test]
fn fmt_escapes_and_backquotes_read_back() {
    let dir = std::env::temp_dir().join(format!("kpi-fmt-escapes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("escapes.yaml");
    std::fs::copy("tests/fixtures/fmt/escapes.yaml", &file).unwrap();
    let f = file.to_str().unwrap();
    assert_eq!(kpi(&["fmt", f]).0, 0);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("  tab: \"sum(x) + 1\"\n") && text.contains("  sup: sum(`x²`)\n"),
        "{text}"
    );
    assert_eq!(
        kpi(&["check", f]).0,
        0,
        "the formatted file still checks:\n{text}"
    );
    assert_eq!(
        kpi(&["fmt", "--check", f]).0,
        0,
        "formatting twice changes nothing"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 9 #2: a date compared with undeclared datetimes reads them whole, in `--where` too.
#[test]
fn a_date_where_reads_datetimes_whole() {
    let dir = std::env::temp_dir().join(format!("kpi-where-dates-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a.csv");
    std::fs::write(
        &file,
        "a\n2025-03-01T08:00:00\n2025-03-01T23:59:59\n2025-02-28T12:00:00\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let args = [
        "eval",
        "-e",
        "n = count()",
        "--data",
        f,
        "--where",
        "a > 2025-03-01",
        "--format",
        "csv",
    ];
    let (code, out, err) = kpi(&args);
    assert_eq!(
        (code, out.as_str()),
        (0, "kpi,value,unit,status\nn,2,,\n"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 9 #7: a median that runs out of memory is a diagnostic naming it, not an abort.
#[test]
fn a_median_out_of_memory_is_a_diagnostic() {
    let dir = std::env::temp_dir().join(format!("kpi-median-oom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("many.csv");
    let mut text = String::from("x\n");
    text.push_str(&"7\n".repeat(6_000_000));
    std::fs::write(&file, text).unwrap();
    // The address space is capped (the binary's own 256 MiB stack included), so that keeping
    // 6 million values cannot fit.
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -v 450000; exec {} eval -e 'm = median(x)' -e 'n = count()' --data {}",
            env!("CARGO_BIN_EXE_kpi"),
            file.display()
        ))
        .env("NO_COLOR", "1")
        .output()
        .expect("run kpi");
    let (out_text, err) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{out_text}{err}");
    assert!(
        err.contains("memory ran out while keeping its values"),
        "{err}"
    );
    assert!(
        out_text.contains("6,000,000"),
        "the other KPI is computed:\n{out_text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 9 #1 and issue 8 #6: quotes that never close or close early, and CRLF lines, are
/// located at the file's own lines.
#[test]
fn csv_quotes_and_crlf_lines_are_located() {
    for file in ["unclosed_quote.csv", "early_quote.csv", "crlf_lines.csv"] {
        let path = format!("tests/fixtures/data/{file}");
        insta::assert_snapshot!(
            format!("data_error_{}", file.replace('.', "_")),
            run(&[
                "eval",
                "-e",
                "n = count()",
                "-e",
                "t = sum(x)",
                "--data",
                &path,
                "--format",
                "json"
            ])
        );
    }
}

/// A data file given where a catalogue goes is named as such, not read as one long YAML
/// value (which drew the whole file, millions of lines, as the excerpt).
#[test]
fn a_data_file_given_as_a_catalogue() {
    insta::assert_snapshot!(run(&[
        "eval",
        "-e",
        "n = count()",
        "tests/fixtures/data/calls_ok.csv"
    ]));
}

/// A span over many lines is drawn over its first eight.
#[test]
fn a_long_span_is_drawn_over_its_first_lines() {
    let text: String = (0..40).map(|i| format!("word{i} and more\n")).collect();
    let dir = temp_files("long-span", &[("scalar.yaml", &text)]);
    insta::assert_snapshot!(run_in(&dir, &["check", "scalar.yaml"]));
}
