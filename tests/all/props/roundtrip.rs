//! Property 3: `kpi fmt` changes how formulas are written, never what they compute. A
//! generated catalogue, written in YAML (plain, quoted, escaped, block and multi-line
//! scalars, short and long forms) or in a `.kpi` file (attributes, doc lines, definitions
//! over several lines, comments), evaluates the same before and after `kpi fmt`; a second
//! `kpi fmt` changes nothing and `kpi fmt --check` then passes.

use super::ast::BREAK;
use super::gen::{Case, Gen};
use super::rng::{case_seed, Rng};
use super::{case_dir, cases, rerun, run_kpi, Run};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Cases in the quick budget (`cargo test`); each runs five commands.
const QUICK: u64 = 40;
const LIMIT: Duration = Duration::from_secs(30);
/// Continuation lines: deeper than any key of the catalogue.
const INDENT: &str = "        ";

#[test]
fn fmt_keeps_every_value_and_is_idempotent() {
    let mut tally = [0u64; 2];
    let range = cases(QUICK);
    let n = range.end - range.start;
    for i in range {
        let seed = case_seed("roundtrip", i);
        let dir = case_dir("roundtrip", i);
        let kpi_file = check(seed, &dir).unwrap_or_else(|why| {
            panic!(
                "roundtrip case {i}: {why}\nfiles: {}\nrerun: {}",
                dir.display(),
                rerun("roundtrip", "fmt_keeps_every_value_and_is_idempotent", i)
            )
        });
        tally[usize::from(kpi_file)] += 1;
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!(
        "props::roundtrip: {n} catalogues ({} in YAML, {} in .kpi files) formatted twice: \
         the same values, the second format a no-op",
        tally[0], tally[1]
    );
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn show(files: &BTreeMap<String, Vec<u8>>) -> String {
    files
        .iter()
        .filter(|(name, _)| !name.ends_with(".csv") && !name.ends_with(".jsonl"))
        .map(|(name, text)| format!("--- {name}\n{}", String::from_utf8_lossy(text)))
        .collect()
}

fn failed(what: &str, run: &Run) -> String {
    format!("{what} exited {:?}\n{}{}", run.code, run.stdout, run.stderr)
}

/// One case; `Ok(true)` when it was a `.kpi` file.
fn check(seed: u64, dir: &Path) -> Result<bool, String> {
    let mut rng = Rng::new(seed);
    let case = Gen::new(rng.next_u64()).case();
    let formulas = case.formulas_with(rng.next_u64(), true);
    let cat = dir.join("cat");
    std::fs::create_dir_all(&cat).unwrap();
    std::fs::write(cat.join(case.data_file()), case.data()).unwrap();
    let kpi_file = rng.pct(35);
    if kpi_file {
        write_kpi_file(&case, &formulas, &mut rng, &cat);
    } else {
        std::fs::write(cat.join("catalogue.yaml"), yaml(&case, &formulas, &mut rng)).unwrap();
    }
    let by = case.by_arg().map(|b| format!("--by={b}"));
    let mut eval = vec!["eval", "cat", "--format", "json"];
    eval.extend(by.as_deref());
    let before_files = files(&cat);
    let before = run_kpi(dir, &eval, None, LIMIT);
    if before.code != Some(0) {
        return Err(format!(
            "{}\n{}",
            failed("eval before fmt", &before),
            show(&before_files)
        ));
    }
    let fmt = run_kpi(dir, &["fmt", "cat"], None, LIMIT);
    let once = files(&cat);
    if fmt.code != Some(0) {
        return Err(format!("{}\n{}", failed("fmt", &fmt), show(&before_files)));
    }
    let after = run_kpi(dir, &eval, None, LIMIT);
    if after.stdout != before.stdout || after.code != Some(0) {
        return Err(format!(
            "fmt changed the values:\n--- before fmt\n{}{}\n--- after fmt (exit {:?})\n{}{}\n=== before\n{}\n=== after\n{}",
            before.stdout,
            before.stderr,
            after.code,
            after.stdout,
            after.stderr,
            show(&before_files),
            show(&once)
        ));
    }
    let fmt_check = run_kpi(dir, &["fmt", "--check", "cat"], None, LIMIT);
    if fmt_check.code != Some(0) {
        return Err(format!(
            "{}\n=== formatted once\n{}",
            failed("fmt --check after fmt", &fmt_check),
            show(&once)
        ));
    }
    let again = run_kpi(dir, &["fmt", "cat"], None, LIMIT);
    let twice = files(&cat);
    if again.code != Some(0) || twice != once {
        return Err(format!(
            "a second fmt changed the files (exit {:?})\n=== once\n{}\n=== twice\n{}",
            again.code,
            show(&once),
            show(&twice)
        ));
    }
    Ok(kpi_file)
}

/// Blanks or line breaks where the printer allows them: now and then `line_break`, else
/// one or two of `blank` (flow scalars fold their line breaks into one blank).
fn lay_out(f: &str, rng: &mut Rng, line_break: &str, breaks: u32, blank: &str) -> String {
    let mut out = String::new();
    for c in f.chars() {
        if c != BREAK {
            out.push(c);
        } else if rng.pct(breaks) {
            out.push_str(line_break);
        } else if rng.pct(10) {
            out.push_str(blank);
            out.push_str(blank);
        } else {
            out.push_str(blank);
        }
    }
    out
}

/// A plain YAML scalar can hold the formula as written.
fn plain_safe(f: &str) -> bool {
    !f.is_empty()
        && !f.contains(": ")
        && !f.contains(" #")
        && !f.ends_with(':')
        && !f.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c.is_whitespace())
}

/// A double-quoted YAML scalar: some letters written as `\u` escapes, and the blanks
/// between tokens (only there: never inside a string literal) as `\t`, `\x20` or `\u0020`.
fn double_quoted(f: &str, rng: &mut Rng) -> String {
    let mut escaped = String::new();
    for c in f.chars() {
        match c {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            c if !c.is_ascii() && rng.pct(30) && (c as u32) < 0x10000 => {
                escaped.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => escaped.push(c),
        }
    }
    let blank = *rng.pick(&["\\t", "\\x20", "\\u0020", " ", " "]);
    format!(
        "\"{}\"",
        lay_out(&escaped, rng, &format!("\n{INDENT}"), 15, blank)
    )
}

/// The formula as a YAML scalar in one of the styles.
fn scalar(f: &str, rng: &mut Rng) -> String {
    let folded_line = format!("\n{INDENT}");
    match rng.below(6) {
        0 if plain_safe(&f.replace(BREAK, " ")) => lay_out(f, rng, &folded_line, 15, " "),
        0 | 1 => format!(
            "'{}'",
            lay_out(f, rng, &folded_line, 15, " ").replace('\'', "''")
        ),
        2 => double_quoted(f, rng),
        3 | 4 => {
            let head = *rng.pick(&["|", "|-", "|+", ">", ">-"]);
            format!("{head}\n{INDENT}{}", lay_out(f, rng, &folded_line, 25, " "))
        }
        _ => format!("'{}'", lay_out(f, rng, " ", 0, " ").replace('\'', "''")),
    }
}

fn yaml(case: &Case, formulas: &[String], rng: &mut Rng) -> String {
    let full = case.yaml(&vec![String::new(); formulas.len()]);
    let mut y = full[..full.find("kpis:\n").unwrap_or(full.len())].to_string();
    y.push_str("kpis:\n");
    for (k, f) in case.kpis.iter().zip(formulas) {
        let name = format!("'{}'", k.name.replace('\'', "''"));
        if rng.pct(50) {
            y.push_str(&format!("  {name}: {}\n", scalar(f, rng)));
        } else {
            y.push_str(&format!("  {name}:\n    formula: {}\n", scalar(f, rng)));
            if rng.pct(40) {
                y.push_str("    label: {en: \"Odd: #1 'label'\", fr: Étiquette}\n");
            }
            if rng.pct(40) {
                y.push_str("    unit: number\n    decimals: 2\n");
            }
            if rng.pct(20) {
                y.push_str("    description: |\n      Two lines,\n      with a # sign.\n");
            }
        }
        if rng.pct(20) {
            y.push_str("# a comment between KPIs\n");
        }
    }
    y
}

fn write_kpi_file(case: &Case, formulas: &[String], rng: &mut Rng, cat: &Path) {
    let full = case.yaml(&vec![String::new(); formulas.len()]);
    let sources = &full[..full.find("kpis:\n").unwrap_or(full.len())];
    std::fs::write(cat.join("sources.yaml"), sources).unwrap();
    let mut k = String::from("# generated\n@source calls\n\n");
    for (kpi, f) in case.kpis.iter().zip(formulas) {
        if rng.pct(30) {
            k.push_str("/// What it counts: \"odd\" # not a comment\n");
        }
        if rng.pct(30) {
            let attribute =
                *rng.pick(&["@unit number\n", "@decimals 1\n", "@label.fr Étiquette\n"]);
            k.push_str(attribute);
        }
        let line_break = *rng.pick(&["\n    ", "\n", "  # a note\n    "]);
        k.push_str(&format!(
            "{} = {}\n",
            super::ast::quote_name(&kpi.name),
            lay_out(f, rng, line_break, 15, " ")
        ));
        if rng.pct(30) {
            k.push('\n');
        }
    }
    std::fs::write(cat.join("kpis.kpi"), k).unwrap();
}
