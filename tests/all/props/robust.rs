//! Property 2: whatever the input (random bytes, nasty catalogues and data), `kpi check`,
//! `kpi fmt --check`, `kpi eval` (and in turn `test`, `doc`, `sql`, `explain`) end by
//! themselves with exit 0, 1 or 2: never a panic (101), a signal (an abort, a stack
//! overflow) or a hang.

use super::gen::Gen;
use super::nasty;
use super::rng::{case_seed, Rng};
use super::{case_dir, cases, rerun, run_kpi};
use std::path::Path;
use std::time::Duration;

/// Cases in the quick budget (`cargo test`); each runs four commands.
const QUICK: u64 = 50;
/// Time-out of one command: far above what any of them needs here.
const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn no_input_makes_kpi_panic_hang_or_crash() {
    let mut runs = 0u64;
    let mut slow: Vec<String> = Vec::new();
    let mut times: Vec<(Duration, String)> = Vec::new();
    let mut by_code = [0u64; 3];
    let range = cases(QUICK);
    let n = range.end - range.start;
    for i in range {
        let mut rng = Rng::new(case_seed("robust", i));
        let dir = case_dir("robust", i);
        let commands = write_case(&mut rng, &dir, i);
        for args in &commands {
            // An argument cannot hold a NUL byte (files can, and do).
            let args: Vec<String> = args.iter().map(|a| a.replace('\0', "\u{1}")).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut run = run_kpi(&dir, &args, None, LIMIT);
            if run.timed_out {
                // A debug build on a busy machine can be slow: once more, alone and with
                // more time, before calling it a hang.
                let _lock = ALONE.lock();
                run = run_kpi(&dir, &args, None, LIMIT * 6);
                if !run.timed_out {
                    slow.push(format!("case {i}: kpi {}", args.join(" ")));
                }
            }
            runs += 1;
            times.push((
                run.elapsed,
                format!(
                    "case {i}: kpi {}",
                    args.join(" ").chars().take(80).collect::<String>()
                ),
            ));
            if let Some(why) = run.misbehaved() {
                panic!(
                    "robust case {i}: `kpi {}`: {why}\n--- stderr (first 3000 bytes)\n{}\nfiles: {}\nrerun: {}",
                    args.join(" "),
                    run.stderr.chars().take(3000).collect::<String>(),
                    dir.display(),
                    rerun("robust", "no_input_makes_kpi_panic_hang_or_crash", i)
                );
            }
            by_code[run.code.unwrap_or(0) as usize] += 1;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!(
        "props::robust: {n} cases, {runs} runs of kpi, none misbehaved (exit 0: {}, 1: {}, 2: {})",
        by_code[0], by_code[1], by_code[2]
    );
    times.sort();
    for (t, what) in times.iter().rev().take(5) {
        println!("  {t:?} {what}");
    }
    if !slow.is_empty() {
        println!(
            "props::robust: {} runs took more than {LIMIT:?} under load but ended alone: {}",
            slow.len(),
            slow.join("; ")
        );
    }
}

/// Held while a timed-out run is tried again, so that two retries do not share the cores.
static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Writes one case's files into `dir` and returns the commands to run there.
fn write_case(rng: &mut Rng, dir: &Path, i: u64) -> Vec<Vec<String>> {
    let cat = dir.join("cat");
    std::fs::create_dir_all(&cat).unwrap();
    let jsonl = rng.pct(20);
    let data_file = if jsonl { "data.jsonl" } else { "data.csv" };
    let data = if jsonl {
        nasty::jsonl(rng)
    } else {
        nasty::csv(rng)
    };
    std::fs::write(cat.join(data_file), &data).unwrap();
    match rng.below(10) {
        // random bytes as the catalogue
        0 => std::fs::write(cat.join("k.yaml"), nasty::bytes(rng, 4000)).unwrap(),
        1 => {
            std::fs::write(
                cat.join("s.yaml"),
                format!("sources:\n  s:\n    path: {data_file}\n"),
            )
            .unwrap();
            std::fs::write(cat.join("k.kpi"), nasty::bytes(rng, 4000)).unwrap();
        }
        2 | 3 => {
            std::fs::write(
                cat.join("s.yaml"),
                format!("sources:\n  s:\n    path: {data_file}\n    time: d\n"),
            )
            .unwrap();
            std::fs::write(cat.join("k.kpi"), nasty::kpi_file(rng)).unwrap();
        }
        4 => {
            // a fair generated catalogue over nasty data
            let case = Gen::new(rng.next_u64()).case();
            let formulas = case.formulas(rng.next_u64());
            let yaml = case.yaml(&formulas).replace(case.data_file(), data_file);
            std::fs::write(cat.join("k.yaml"), yaml).unwrap();
        }
        5 => {
            // a fair catalogue, mutated: bytes flipped, cut, or spliced
            let case = Gen::new(rng.next_u64()).case();
            let formulas = case.formulas(rng.next_u64());
            let mut y = case
                .yaml(&formulas)
                .replace(case.data_file(), data_file)
                .into_bytes();
            for _ in 0..rng.range(1, 5) {
                if y.is_empty() {
                    break;
                }
                let at = rng.below(y.len());
                match rng.below(3) {
                    0 => y[at] = *rng.pick(b"[]{}:'\"|>-\t\n#&*!%@`\\"),
                    1 => y.truncate(at),
                    _ => {
                        let piece = nasty::formula(rng).into_bytes();
                        y.splice(at..at, piece);
                    }
                }
            }
            std::fs::write(cat.join("k.yaml"), y).unwrap();
        }
        _ => std::fs::write(cat.join("k.yaml"), nasty::yaml(rng, data_file)).unwrap(),
    }
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    let mut eval = s(&["eval", "cat", "--format", "json"]);
    for _ in 0..rng.below(3) {
        let extra: Vec<String> = match rng.below(9) {
            0 => vec![
                "--by".into(),
                rng.pick(&["x", "s", "d", "nosuch", "count()", "upper(s)"])
                    .to_string(),
            ],
            1 => vec![
                "--grain".into(),
                rng.pick(&["day", "week", "month", "year"]).to_string(),
            ],
            2 => vec![
                "--from".into(),
                "2025-01-03".into(),
                "--to".into(),
                "2025-01-06".into(),
            ],
            3 => vec![format!("--where={}", nasty::formula(rng))],
            4 => vec![
                "--top".into(),
                rng.pick(&["0", "1", "3"]).to_string(),
                "--total".into(),
            ],
            5 => vec![
                "--grain".into(),
                "day".into(),
                "--compare".into(),
                "previous".into(),
            ],
            6 => vec!["-e".into(), format!("extra = {}", nasty::formula(rng))],
            7 => vec![
                "--format".into(),
                rng.pick(&["table", "csv", "jsonl", "markdown"]).to_string(),
            ],
            _ => vec!["--data".into(), format!("s=cat/{data_file}")],
        };
        eval.extend(extra);
    }
    let fourth = match i % 4 {
        0 => s(&["test", "cat"]),
        1 => s(&["doc", "cat"]),
        2 => s(&["sql", "cat"]),
        _ => s(&["explain", "k", "cat"]),
    };
    vec![
        s(&["check", "cat"]),
        s(&["fmt", "--check", "cat"]),
        eval,
        fourth,
    ]
}
