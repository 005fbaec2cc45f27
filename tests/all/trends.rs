//! Periods and lookups through the CLI: the run-time diagnostics as a user sees them.

use crate::common::kpi_in;

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
    let run = |args: &[&str]| {
        let (code, out, err) = kpi_in(&dir, args);
        format!(
            "$ kpi {}\nexit: {code}\n--- stdout\n{out}--- stderr\n{err}",
            args.join(" ")
        )
    };
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
