//! Paths that only large inputs take: a CSV file read as two halves in parallel (forced on
//! small files with KPI_SPLIT_MIN), and `per` state that outgrows its direct table.

use std::fmt::Write;
use std::process::Command;

fn temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kpi-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn eval(file: &std::path::Path, split: bool, formulas: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpi"));
    cmd.arg("eval")
        .arg("--data")
        .arg(file)
        .args(["--format", "csv"])
        .env("NO_COLOR", "1");
    for f in formulas {
        cmd.args(["-e", f]);
    }
    cmd.env("KPI_SPLIT_MIN", if split { "1" } else { "999999999999" });
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

const FORMULAS: &[&str] = &[
    "n = count()",
    "s = sum(x)",
    "k = distinct(k)",
    "rep = count(count() > 1 per k)",
    "avg_per = avg(count() per k)",
];

#[test]
fn split_reading_matches_one_pass() {
    let mut text = String::from("id,k,x,note\n");
    for i in 0..20_000 {
        let _ = writeln!(text, "{i},{},{},plain", i % 7_000, i % 13);
    }
    let f = temp("plain.csv", &text);
    let one = eval(&f, false, FORMULAS);
    let two = eval(&f, true, FORMULAS);
    assert_eq!(one.0, 0, "{}", one.2);
    assert_eq!(one, two);
    // 20,000 records over 7,000 keys: keys 0..5999 appear 3 times, 6000..6999 twice.
    assert!(one.1.contains("rep,7000,"), "{}", one.1);
    assert!(one.1.contains("n,20000,"), "{}", one.1);
}

#[test]
fn a_quoted_line_break_across_the_middle_is_read_right() {
    // One quoted field spans the middle of the file: a reader starting there would misparse.
    let mut text = String::from("id,k,x,note\n");
    for i in 0..1_000 {
        let _ = writeln!(text, "{i},{},1,plain", i % 10);
    }
    let mut long = String::new();
    for _ in 0..2_000 {
        long.push_str("9,9,9,fake\n");
    }
    let _ = writeln!(text, "1000,5,1,\"{long}\"");
    for i in 1_001..2_000 {
        let _ = writeln!(text, "{i},{},1,plain", i % 10);
    }
    let f = temp("quoted.csv", &text);
    let (code, out, err) = eval(&f, true, &["n = count()", "s = sum(x)"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "kpi,value,unit,status\nn,2000,,\ns,2000,,\n");
}

#[test]
fn errors_in_the_second_half_name_their_true_line() {
    let mut text = String::from("id,k,x\n");
    for i in 0..2_000 {
        let x = if i == 1_500 {
            "oops".to_string()
        } else {
            "1".to_string()
        };
        let _ = writeln!(text, "{i},{},{x}", i % 10);
    }
    let f = temp("bad.csv", &text);
    let (code, out, err) = eval(&f, true, &["s = sum(x)"]);
    assert_eq!(code, 1);
    assert_eq!(out, "kpi,value,unit,status\ns,1999,,\n");
    // Record 1,500 is on line 1,502 (after the header).
    assert!(
        err.contains("bad.csv:1502: field `x`: `oops` is not a number"),
        "{err}"
    );
}

#[test]
fn per_state_past_the_direct_table_is_exact() {
    // 100,000 records over 70,000 keys: keys 0..29999 twice, the others once.
    let mut text = String::from("k,flag\n");
    for i in 0..100_000u32 {
        let _ = writeln!(
            text,
            "K{},{}",
            i % 70_000,
            if i % 4 == 0 { "true" } else { "false" }
        );
    }
    let f = temp("many_keys.csv", &text);
    let (code, out, err) = eval(
        &f,
        false,
        &[
            "entities = count(per k)",
            "repeated = count(count() > 1 per k)",
            "share_rep = pct(count() > 1 per k)",
            "flagged = count(pct(flag) > 0 per k)",
        ],
    );
    assert_eq!(code, 0, "{err}");
    // pct: 30000 / 70000 = 42.857142857142857142857142857 (28 significant digits).
    // flagged: keys with a record i where i % 4 == 0: key j (< 30000) has i = j and j + 70000,
    // and j + 70000 ≡ j + 0 (mod 4), so flagged iff j % 4 == 0: 7500 keys; keys 30000..69999
    // have only i = j: 10000 keys with j % 4 == 0. Total 17500.
    assert_eq!(out, "kpi,value,unit,status\nentities,70000,,\nrepeated,30000,,\nshare_rep,42.857142857142857142857142857,,\nflagged,17500,,\n");
}
