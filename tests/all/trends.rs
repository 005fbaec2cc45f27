//! Periods and lookups through the CLI: the run-time diagnostics as a user sees them.

use crate::common::{kpi_in, run_in, temp_files};

/// Issue 11: the run-time diagnostics of periods and lookups, as a user sees them.
#[test]
fn period_and_lookup_diagnostics() {
    let dir = std::env::temp_dir().join(format!("kpi-periods-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("calls.csv"),
        "agent,day\nann,2025-01-05\nzed,2025-01-06\nbob,2025-02-01\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("agents.csv"),
        "agent,team\nann,red\nbob,blue\nann,green\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("cat.yaml"),
        "sources:\n  agents:\n    path: agents.csv\n    key: agent\n    fields: {agent: string, team: string}\n  calls:\n    path: calls.csv\n    time: day\n    fields: {agent: string, day: date}\n    lookups: {agents: agent}\nsource: calls\nkpis:\n  n: count()\n  prev_n: previous(n)\n  ytd: to_date(n, month)\n",
    )
    .unwrap();
    let cat = "cat.yaml";
    let run = |args: &[&str]| run_in(&dir, args);
    // A period function asked for by name without --grain: an error.
    insta::assert_snapshot!(run(&["eval", cat, "--kpi", "prev_n"]));
    // In a whole-catalogue run: left out, with a warning.
    insta::assert_snapshot!(run(&["eval", cat]));
    // to_date's period must hold the grain's periods whole.
    insta::assert_snapshot!(run(&["eval", cat, "--kpi", "ytd", "--grain", "week"]));
    // A key repeated in the lookup table, a key without a match.
    insta::assert_snapshot!(run(&["eval", cat, "--kpi", "n", "--by", "agents.team"]));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A date far from the others (year 0000, found by the robustness property) or a wide
/// `--from`/`--to` under `--grain day` is one error, not hundreds of thousands of rows.
#[test]
fn a_period_range_too_long_to_lay_out_is_an_error() {
    let dir = temp_files(
        "long-range",
        &[
            ("data.csv", "x,d\n1,0000-01-01\n1,2025-01-01\n"),
            (
                "k.yaml",
                "sources: {s: {path: data.csv, time: d}}\nkpis: {k: count()}\n",
            ),
        ],
    );
    let run = |args: &[&str]| run_in(&dir, args);
    insta::assert_snapshot!(run(&["eval", "k.yaml", "--grain", "day"]));
    insta::assert_snapshot!(run(&[
        "eval",
        "k.yaml",
        "--grain",
        "day",
        "--from",
        "1700-01-01",
        "--to",
        "2025-01-02"
    ]));
    // Bounded by --from, the same data lays out.
    let (code, out, _) = kpi_in(
        &dir,
        &["eval", "k.yaml", "--grain", "day", "--from", "2024-12-31"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("2025-01-01      1"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
