//! `kpi diff REV [PATH...]`: what changed in the catalogue since git revision REV — KPIs and
//! sources added, removed, or changed (formula compared in canonical form, so reformatting
//! is not a change).

use super::{default_paths, load, report};
use crate::catalogue::{self, Catalogue, KpiDef, SourceDef};
use crate::diag::{Code, Diag};
use crate::span::SourceMap;
use crate::syntax::expr_to_string;
use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The catalogue files under `paths` as they were at `rev`.
fn files_at(rev: &str, paths: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    for p in paths {
        let p = p.to_string_lossy();
        for name in git(&["ls-tree", "-r", "--name-only", rev, "--", &p])?.lines() {
            if [".yaml", ".yml", ".kpi"].iter().any(|e| name.ends_with(e)) {
                let text = git(&["show", &format!("{rev}:./{name}")])?;
                files.push((format!("{rev}:{name}"), text));
            }
        }
    }
    Ok(files)
}

fn describe(k: &KpiDef) -> Vec<(&'static str, String)> {
    let text = |t: &Option<catalogue::Text>| match t {
        None => String::new(),
        Some(catalogue::Text::Plain(s)) => s.clone(),
        Some(catalogue::Text::Langs(l)) => l
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; "),
    };
    vec![
        ("formula", expr_to_string(&k.formula)),
        (
            "source",
            k.source
                .as_ref()
                .map(|s| s.text.clone())
                .unwrap_or_default(),
        ),
        (
            "unit",
            k.unit.map(|u| u.as_str().to_string()).unwrap_or_default(),
        ),
        ("currency", k.currency.clone().unwrap_or_default()),
        (
            "decimals",
            k.decimals.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "target",
            k.target
                .as_ref()
                .map(|t| t.text.clone())
                .unwrap_or_default(),
        ),
        ("label", text(&k.label)),
        ("description", text(&k.description)),
        ("tests", k.tests.len().to_string()),
    ]
}

fn source_fields(s: &SourceDef) -> Vec<(&'static str, String)> {
    vec![
        (
            "time",
            s.time.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
        ),
        (
            "fields",
            s.fields
                .iter()
                .map(|f| format!("{}: {:?}", f.name.text, f.ty).to_lowercase())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "dimensions",
            s.dimensions
                .iter()
                .map(|(n, e)| format!("{} = {}", n.text, expr_to_string(e)))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]
}

/// One line per change: `+ name`, `- name`, `~ name: what: old → new`.
pub fn changes(old: &Catalogue, new: &Catalogue) -> Vec<String> {
    let mut out = Vec::new();
    let short = |s: &str| {
        let s = s.replace('\n', " ");
        if s.chars().count() > 70 {
            format!("{}…", s.chars().take(70).collect::<String>())
        } else {
            s
        }
    };
    for s in &new.sources {
        match old.source(&s.name.text) {
            None => out.push(format!("+ source {}", s.name.text)),
            Some(o) => {
                for ((what, a), (_, b)) in source_fields(o).into_iter().zip(source_fields(s)) {
                    if a != b {
                        out.push(format!(
                            "~ source {}: {what}: {} → {}",
                            s.name.text,
                            short(&a),
                            short(&b)
                        ));
                    }
                }
            }
        }
    }
    for s in &old.sources {
        if new.source(&s.name.text).is_none() {
            out.push(format!("- source {}", s.name.text));
        }
    }
    for k in &new.kpis {
        match old.kpi(&k.name.text) {
            None => out.push(format!("+ {}: {}", k.name.text, expr_to_string(&k.formula))),
            Some(o) => {
                for ((what, a), (_, b)) in describe(o).into_iter().zip(describe(k)) {
                    if a != b {
                        let show = |v: &str| {
                            if v.is_empty() {
                                "(none)".to_string()
                            } else {
                                short(v)
                            }
                        };
                        out.push(format!(
                            "~ {}: {what}: {} → {}",
                            k.name.text,
                            show(&a),
                            show(&b)
                        ));
                    }
                }
            }
        }
    }
    for k in &old.kpis {
        if new.kpi(&k.name.text).is_none() {
            out.push(format!("- {}", k.name.text));
        }
    }
    out
}

pub fn run(rev: &str, paths: &[PathBuf]) -> i32 {
    let paths = default_paths(paths);
    let old_files = match files_at(rev, &paths) {
        Ok(f) => f,
        Err(e) => {
            report(
                &[Diag::error(
                    Code::Io,
                    format!("cannot read the catalogue at `{rev}`: {e}"),
                )
                .help(
                    "give a git revision, e.g. HEAD~1, main or a tag, from inside the repository",
                )],
                &SourceMap::default(),
            );
            return 1;
        }
    };
    let mut old_map = SourceMap::default();
    let mut old_diags = Vec::new();
    let old = catalogue::load_texts(&old_files, &mut old_map, &mut old_diags);
    let front = load(&paths);
    if super::report_errors(&front.diags.list, &front.sources) {
        return 1;
    }
    let lines = changes(&old, &front.cat);
    if lines.is_empty() {
        crate::outln!("no change since {rev}");
    }
    for l in lines {
        crate::outln!("{l}");
    }
    0
}
