//! `kpi sql` and `kpi eval --db` through the CLI: dialects, what the SQL cannot write yet,
//! the flags a database run refuses.

use crate::common::{kpi, run};

#[test]
fn sql_for_both_dialects() {
    // The generated SQL is checked against `kpi eval` by benches/sql_check.py (DuckDB);
    // here its text is reviewed, for a KPI of each kind.
    let kpis = [
        "--kpi",
        "nps",
        "--kpi",
        "repeat_contact_rate",
        "--kpi",
        "first_response_time",
        "--kpi",
        "cac",
        "--kpi",
        "processed_records",
    ];
    for dialect in ["duckdb", "postgres"] {
        let mut args = vec!["sql", "kpis", "--dialect", dialect];
        args.extend(kpis);
        insta::assert_snapshot!(format!("sql_{dialect}"), run(&args));
    }
    assert_eq!(kpi(&["sql", "--kpi", "nsp"]).0, 1);
    // Grouped: one row per key of any source; a KPI is null in a group its sources have
    // no record in (`kpi eval` has no row for it there).
    insta::assert_snapshot!(
        "sql_grouped",
        run(&[
            "sql",
            "kpis",
            "--kpi",
            "csat",
            "--kpi",
            "open_tickets",
            "--by",
            "channel"
        ])
    );
    // A KPI whose sources lack a key is left out with a warning, as in `kpi eval`: never
    // a silent ungrouped value.
    let (code, out, err) = kpi(&[
        "sql", "kpis", "--kpi", "nps", "--kpi", "aht", "--by", "channel",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("-- kpi sql (DuckDB): nps\n"), "{out}");
    assert!(
        err.contains("left out, because source `calls` has no field for --by `channel`: aht"),
        "{err}"
    );
}

/// A run in a database has no files: the flags about files are refused before connecting.
#[test]
fn file_flags_are_refused_with_db() {
    insta::assert_snapshot!(run(&[
        "eval",
        "--kpi",
        "csat",
        "--ci",
        "95",
        "--db",
        "postgres://kpi@localhost:1/none",
    ]));
}

/// What the SQL cannot write yet is left out with a warning in a whole-catalogue run, and
/// refused when asked for; period functions, lookups and --compare with --from are written.
#[test]
fn sql_leaves_out_or_refuses_what_it_cannot_write() {
    let (code, _, err) = kpi(&["sql"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(err);
    insta::assert_snapshot!(run(&["sql", "--kpi", "orders_ytd", "--grain", "month"]));
    for args in [
        &["sql", "--kpi", "csat", "--by", "agents.team"][..],
        &[
            "sql",
            "-e",
            "front = calls.count(agents.team == \"front\")",
            "kpis",
        ],
        &[
            "sql",
            "--kpi",
            "csat",
            "--grain",
            "day",
            "--compare",
            "previous",
            "--from",
            "2025-03-01",
        ],
    ] {
        let (code, out, err) = kpi(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("SELECT"), "{args:?}: {out}");
    }
}
