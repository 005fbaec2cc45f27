//! Property tests (issue 9): generated cases checked against the real `kpi` binary.
//!
//! * `reference`: random catalogues, formulas and records, evaluated by `kpi eval --format
//!   json` and by a small exact reference model kept here (`model.rs`, fractions over 256-bit
//!   integers in `frac.rs`);
//! * `robust`: random bytes and grammar-built nasty catalogues and data through `kpi check`,
//!   `kpi fmt --check` and `kpi eval`: never a panic, a signal or a hang, exit 0, 1 or 2;
//! * `roundtrip`: `kpi fmt` keeps every value of a generated catalogue, and a second `fmt`
//!   changes nothing.
//!
//! A fourth property, a CSV file read whole and read in ranges, is a unit test of the
//! library (`src/input/csv/property.rs`, `cargo test --lib reading_in_ranges`).
//!
//! Budgets: each property runs a quick number of cases in `cargo test` (reference 120,
//! robust 50, roundtrip 40; the split reading 300 files): about 15 to 20 s of wall time for
//! this module and 5 s for the split reading in a debug build on the loaded 2-core machine.
//! With `KPI_PROPTEST_CASES=N` each runs N cases, and nasty inputs grow larger.
//! `KPI_PROPTEST_START=S` starts at case S, so several runs cover disjoint ranges;
//! `KPI_PROPTEST_CASE=I` runs case I alone. A failure names its property and case, and
//! leaves the case's files in `target/tmp/props/` with the command that reproduces it.
//!
//! The long run of issue 9 (2026-11-30, release build, the four properties side by side
//! under `nice -n 10`, about 45 minutes of wall time), each property in chunks of disjoint
//! cases: S = 0, 10000, ..., 190000 for the reference model (200,000 cases); S = 0, 2000,
//! ..., 36000 for robust (38,000 cases, 152,000 runs of kpi); S = 0, 3000, ..., 42000 for
//! roundtrip (45,000 catalogues); 100,000 files for the split reading:
//!
//! ```text
//! KPI_PROPTEST_START=S KPI_PROPTEST_CASES=10000 cargo test --release --test all props::reference -- --nocapture
//! KPI_PROPTEST_START=S KPI_PROPTEST_CASES=2000 cargo test --release --test all props::robust -- --nocapture
//! KPI_PROPTEST_START=S KPI_PROPTEST_CASES=3000 cargo test --release --test all props::roundtrip -- --nocapture
//! KPI_PROPTEST_CASES=100000 cargo test --release --lib reading_in_ranges -- --nocapture
//! ```
//!
//! It found a fault of the model (a `--where` it cannot decide, with `--by`: cases 62918
//! and 158508, now left out; test `a_filter_the_model_cannot_decide_leaves_a_grouped_case_out`)
//! and one of kpi, left open: robust case 31388, `kpi eval --grain day` on a source whose
//! time field holds `0000-01-01` writes every day since year 0 for every KPI (740,000 rows
//! per KPI; 128 KPIs take minutes and gigabytes). A chunk stopped by a failure was resumed
//! after the failing case with `KPI_PROPTEST_START`.

mod aggregate;
mod ast;
mod cases;
mod files;
mod formula;
mod frac;
mod gen;
mod model;
mod nasty;
mod reference;
mod rng;
mod robust;
mod roundtrip;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The cases to run: the quick budget, or `KPI_PROPTEST_CASES` from `KPI_PROPTEST_START`.
pub fn cases(quick: u64) -> std::ops::Range<u64> {
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    if let Some(i) = var("KPI_PROPTEST_CASE") {
        return i..i + 1;
    }
    let start = var("KPI_PROPTEST_START").unwrap_or(0);
    start..start + var("KPI_PROPTEST_CASES").unwrap_or(quick)
}

/// Whether this is a long run (`KPI_PROPTEST_CASES` set): nasty inputs then grow to sizes
/// that take a debug build seconds.
pub fn long_run() -> bool {
    std::env::var_os("KPI_PROPTEST_CASES").is_some()
}

/// A fresh folder for one case of a property, under cargo's temporary folder for tests.
pub fn case_dir(property: &str, i: u64) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("props")
        .join(format!("{property}-{i}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("case folder");
    dir
}

/// How one run of `kpi` ended.
pub struct Run {
    /// The exit code; `None` when a signal ended it or it timed out.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub elapsed: Duration,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// What went wrong for the robustness property: a panic, a signal, a hang or an exit
    /// code other than 0, 1 and 2.
    pub fn misbehaved(&self) -> Option<String> {
        if self.timed_out {
            return Some("no answer before the time-out (a hang)".into());
        }
        if let Some(s) = self.signal {
            return Some(format!("ended by signal {s}"));
        }
        match self.code {
            Some(0..=2) if !self.stderr.contains("panicked") => None,
            Some(101) => Some("a panic (exit 101)".into()),
            Some(c) => Some(format!("exit {c}")),
            None => Some("no exit code".into()),
        }
    }
}

/// Runs the built `kpi` in `dir` with `args`, standard input from `stdin` (else none), and
/// kills it after `limit`. Output goes through files, so a large one cannot block it.
pub fn run_kpi(dir: &Path, args: &[&str], stdin: Option<&Path>, limit: Duration) -> Run {
    let out_path = dir.join(".stdout");
    let err_path = dir.join(".stderr");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpi"));
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .stdin(match stdin {
            Some(p) => Stdio::from(std::fs::File::open(p).expect("stdin file")),
            None => Stdio::null(),
        });
    let mut child = cmd.spawn().expect("run kpi");
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    let (status, timed_out) = loop {
        if let Some(s) = child.try_wait().expect("wait for kpi") {
            break (Some(s), false);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    #[cfg(unix)]
    let signal = status.and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s));
    #[cfg(not(unix))]
    let signal = None;
    Run {
        code: status.and_then(|s| s.code()),
        signal,
        timed_out,
        elapsed: start.elapsed(),
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// The command that reruns one case of a property.
pub fn rerun(property: &str, test: &str, i: u64) -> String {
    format!("KPI_PROPTEST_CASE={i} cargo test --test all props::{property}::{test} -- --nocapture")
}
