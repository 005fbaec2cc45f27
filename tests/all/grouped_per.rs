//! `per` and `distinct` under `--by`: a grouped run keeps every group's entities in one
//! table keyed by (group, entity) when no group state is merged with another
//! (`eval/shared_per.rs`), else one state per group. Both ways, and a file read whole or in
//! ranges (whose group ids differ), must give the same values, past the direct table too.

use std::collections::HashMap;
use std::fmt::Write;
use std::process::Command;

const GROUPS: [&str; 5] = ["a", "b", "c", "d", ""];

/// Records in the file (two ranges of 40,000 when read in ranges on two cores).
const RECORDS: usize = 80_000;

/// Group, entity and flag of record `i`: the second half of the file meets the groups in
/// another order, so that its range's group ids differ from the first's; each half has more
/// than 32K (group, entity) pairs.
fn record(i: usize) -> (&'static str, String, bool) {
    let shift = if i >= 30_000 { 2 } else { 0 };
    (
        GROUPS[(i + shift) % 5],
        format!("K{}", i % 40_000),
        i % 3 == 0,
    )
}

/// The catalogue (a source with a time field, for --grain and --from) and the data file.
fn files() -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("kpi-grouped-per-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let catalogue = dir.join("data.yaml");
    std::fs::write(
        &catalogue,
        "sources:\n  data:\n    time: t\n    fields: {t: date, g: string, k: string, flag: bool, x: number}\n",
    )
    .unwrap();
    let path = dir.join("data.csv");
    let mut text = String::from("t,g,k,flag,x\n");
    for i in 0..RECORDS {
        let (g, k, flag) = record(i);
        let day = 1 + (i / 1_000) % 28;
        let month = 1 + i / 20_000;
        let _ = writeln!(text, "2025-{month:02}-{day:02},{g},{k},{flag},{}", i % 7);
    }
    std::fs::write(&path, text).unwrap();
    (catalogue, path)
}

type Files = (std::path::PathBuf, std::path::PathBuf);

const FORMULAS: &[&str] = &[
    "rep = count(count() > 1 per k)",
    "share = pct(count() > 1 per k)",
    "flagged = count(pct(flag) > 0 per k)",
    "entities = distinct(k)",
    "avg_n = avg(count() per k)",
    "avg_x = avg(sum(x) per k)",
];

/// `kpi eval` of FORMULAS and `extra` over the file with `args`, read whole or in ranges,
/// with the groups' entities shared or apart.
fn eval(files: &Files, args: &[&str], extra: &[&str], split: bool, shared: bool) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpi"));
    cmd.arg("eval")
        .arg(&files.0)
        .arg("--data")
        .arg(format!("data={}", files.1.display()))
        .args(["--format", "csv"])
        .args(args)
        .env("NO_COLOR", "1")
        .env("KPI_SPLIT_MIN", if split { "1" } else { "999999999999" })
        .env("KPI_SHARED_PER", if shared { "1" } else { "0" });
    for f in FORMULAS.iter().chain(extra) {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    assert!(!stderr.contains("kpi::"), "{args:?}: {stderr}");
    stdout
}

/// The same output all four ways.
fn same_every_way(file: &Files, args: &[&str], extra: &[&str]) -> String {
    let one = eval(file, args, extra, false, true);
    for (split, shared) in [(true, true), (false, false), (true, false)] {
        let other = eval(file, args, extra, split, shared);
        assert_eq!(
            one, other,
            "{args:?} {extra:?}, split {split}, shared {shared}"
        );
    }
    one
}

#[test]
fn grouped_per_state_is_the_same_every_way() {
    let file = files();
    let out = same_every_way(&file, &["--by", "g"], &[]);
    // Repeated entities and distinct values of each group, counted here.
    let mut calls: HashMap<(&str, String), u32> = HashMap::new();
    for i in 0..RECORDS {
        let (g, k, _) = record(i);
        *calls.entry((g, k)).or_default() += 1;
    }
    for g in GROUPS {
        let rep = calls
            .iter()
            .filter(|((h, _), n)| *h == g && **n > 1)
            .count();
        let entities = calls.keys().filter(|(h, _)| *h == g).count();
        assert!(
            out.contains(&format!("\nrep,{g},{rep},")),
            "rep of {g}: {out}"
        );
        assert!(
            out.contains(&format!("\nentities,{g},{entities},")),
            "entities of {g}: {out}"
        );
    }
    // Past the direct table (32K entities) in one range at least.
    assert!(calls.len() > 64_000, "{}", calls.len());
    assert!(calls.values().filter(|n| **n > 1).count() > 5_000);
}

#[test]
fn grouped_per_with_total_top_from_and_windows() {
    let file = files();
    same_every_way(&file, &["--by", "g", "--total"], &[]);
    same_every_way(&file, &["--by", "g", "--top", "2"], &[]);
    // Records before --from: apart, for `open` only, without a grain.
    same_every_way(
        &file,
        &["--by", "g", "--from", "2025-02-01"],
        &["backlog = open(t, t)"],
    );
    // `total(x)` merges the groups: their states are kept apart.
    same_every_way(
        &file,
        &["--by", "g"],
        &["of_all = 100 * count(count() > 1 per k) / total(count(count() > 1 per k))"],
    );
    // Periods and a window merge periods: kept apart too.
    same_every_way(
        &file,
        &["--by", "g", "--grain", "month", "--from", "2025-02-01"],
        &["rep_2m = rolling(count(count() > 1 per k), 2)"],
    );
}

#[test]
fn the_evaluation_table_passes_with_per_state_apart() {
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["test", "tests/fixtures/eval"])
        .env("NO_COLOR", "1")
        .env("KPI_SHARED_PER", "0")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
