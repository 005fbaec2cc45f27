//! `kpi doc`: the catalogue as Markdown, one section per KPI: labels, description, formula,
//! unit, target, the sources and fields it reads, the KPIs it depends on, where it is defined;
//! `html.rs` writes the same as one HTML page, formulas highlighted.

use crate::analysis::Ir;
use crate::ir::{KLeaf, KpiId};
use crate::output::Lang;
use crate::span::{FileId, SourceMap};
use crate::syntax::expr_to_string;
use std::collections::BTreeMap;
use std::fmt::Write;

pub mod html;

struct Words {
    title: &'static str,
    index: &'static str,
    formula: &'static str,
    unit: &'static str,
    decimals: &'static str,
    target: &'static str,
    min_sample: &'static str,
    records: &'static str,
    reads: &'static str,
    depends: &'static str,
    used_by: &'static str,
    defined: &'static str,
    tests: &'static str,
    none: &'static str,
    fields: &'static str,
}

const EN: Words = Words {
    title: "KPI catalogue",
    index: "Indicators",
    formula: "Formula",
    unit: "Unit",
    decimals: "decimals",
    target: "Target",
    min_sample: "Minimum sample",
    records: "records",
    reads: "Reads",
    depends: "Depends on",
    used_by: "Used by",
    defined: "Defined in",
    tests: "Tests",
    none: "none",
    fields: "fields",
};

const FR: Words = Words {
    title: "Catalogue d'indicateurs",
    index: "Indicateurs",
    formula: "Formule",
    unit: "Unité",
    decimals: "décimales",
    target: "Objectif",
    min_sample: "Échantillon minimal",
    records: "enregistrements",
    reads: "Lit",
    depends: "Dépend de",
    used_by: "Utilisé par",
    defined: "Défini dans",
    tests: "Tests",
    none: "aucun",
    fields: "champs",
};

pub fn markdown(an: &Ir, sources: &SourceMap, lang: Lang) -> String {
    let w = if lang == Lang::Fr { &FR } else { &EN };
    let cat = an.cat;
    let label = |k: usize| {
        cat.kpis[k]
            .label
            .as_ref()
            .map(|l| l.get(lang.code()).to_string())
            .unwrap_or_else(|| cat.kpis[k].name.text.clone())
    };
    let mut used_by: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (i, info) in an.kpis.iter().enumerate() {
        for d in &info.deps {
            used_by
                .entry(d.0 as usize)
                .or_default()
                .push(&cat.kpis[i].name.text);
        }
    }
    let mut lines = LineIndex::default();
    let mut s = format!(
        "# {}\n\n## {}\n\n| KPI | | {} | {} |\n|---|---|---|---|\n",
        w.title, w.index, w.unit, w.target
    );
    for (i, k) in cat.kpis.iter().enumerate() {
        let _ = writeln!(
            s,
            "| [{}](#{}) | {} | {} | {} |",
            code(&k.name.text).replace('|', "\\|"),
            k.name.text.to_lowercase(),
            label(i).replace('|', "\\|"),
            k.unit.map_or("", |u| u.as_str()),
            k.target
                .as_ref()
                .map_or(String::new(), |t| code(&t.text).replace('|', "\\|"))
        );
    }
    for (i, k) in cat.kpis.iter().enumerate() {
        let _ = write!(s, "\n## {}\n\n**{}**", k.name.text, label(i));
        if let Some(crate::catalogue::Text::Langs(ls)) = &k.label {
            let others: Vec<String> = ls
                .iter()
                .filter(|(l, _)| l != lang.code())
                .map(|(l, t)| format!("{l}: {t}"))
                .collect();
            if !others.is_empty() {
                let _ = write!(s, " ({})", others.join("; "));
            }
        }
        s.push_str("\n\n");
        if let Some(d) = &k.description {
            let _ = writeln!(s, "{}\n", d.get(lang.code()).trim());
        }
        let _ = writeln!(
            s,
            "- **{}**: {}",
            w.formula,
            code(&expr_to_string(&k.formula))
        );
        if let Some(u) = k.unit {
            let cur = k
                .currency
                .as_ref()
                .map_or(String::new(), |c| format!(" ({c})"));
            let dec = k
                .decimals
                .map_or(String::new(), |d| format!(", {d} {}", w.decimals));
            let _ = writeln!(s, "- **{}**: {}{cur}{dec}", w.unit, u.as_str());
        }
        if let Some(t) = &k.target {
            let _ = writeln!(s, "- **{}**: {}", w.target, code(&t.text));
        }
        if let Some(n) = k.min_sample {
            let _ = writeln!(s, "- **{}**: {n} {}", w.min_sample, w.records);
        }
        let info = &an.kpis[i];
        let reads = reads_of(an, i);
        if !reads.is_empty() {
            let list: Vec<String> = reads
                .into_iter()
                .map(|(src, cols)| {
                    if cols.is_empty() {
                        code(src)
                    } else {
                        format!(
                            "{} ({} {})",
                            code(src),
                            w.fields,
                            cols.iter().map(|c| code(c)).collect::<Vec<_>>().join(", ")
                        )
                    }
                })
                .collect();
            let _ = writeln!(s, "- **{}**: {}", w.reads, list.join("; "));
        }
        let deps: Vec<String> = info
            .deps
            .iter()
            .map(|d: &KpiId| {
                format!(
                    "[{0}](#{1})",
                    code(&cat.kpis[d.0 as usize].name.text),
                    cat.kpis[d.0 as usize].name.text.to_lowercase()
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "- **{}**: {}",
            w.depends,
            if deps.is_empty() {
                w.none.to_string()
            } else {
                deps.join(", ")
            }
        );
        if let Some(users) = used_by.get(&i) {
            let _ = writeln!(
                s,
                "- **{}**: {}",
                w.used_by,
                users.iter().map(|u| code(u)).collect::<Vec<_>>().join(", ")
            );
        }
        let f = sources.get(k.name.span.file);
        let line = lines.line_of(sources, k.name.span.file, k.name.span.start as usize);
        let _ = writeln!(
            s,
            "- **{}**: {}",
            w.defined,
            code(&format!("{}:{line}", f.name))
        );
        let _ = writeln!(s, "- **{}**: {}", w.tests, k.tests.len());
    }
    s
}

/// The sources KPI `i` reads itself, each with the fields it reads there (sorted, once).
fn reads_of<'a>(an: &'a Ir, i: usize) -> BTreeMap<&'a str, Vec<&'a str>> {
    let mut reads: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    an.kpi_leaves(&an.kpis[i].expr, &mut |l| {
        if let KLeaf::Agg(a) = l {
            let spec = &an.aggs[a.0 as usize];
            let src = &an.sources[spec.source.0 as usize];
            let entry = reads.entry(src.name.as_str()).or_default();
            spec.columns(&mut |c| entry.push(&src.columns[c.0 as usize].name));
        }
    });
    for cols in reads.values_mut() {
        cols.sort_unstable();
        cols.dedup();
    }
    reads
}

/// The line starts of each file, found once: `SourceFile::line_col` counts from the start of
/// the file, which made `kpi doc` quadratic in the number of KPIs of a file.
#[derive(Default)]
struct LineIndex {
    starts: std::collections::HashMap<FileId, Vec<usize>>,
}

impl LineIndex {
    /// The 1-based line of a byte offset.
    fn line_of(&mut self, sources: &SourceMap, file: FileId, offset: usize) -> usize {
        let starts = self.starts.entry(file).or_insert_with(|| {
            let text = &sources.get(file).text;
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        starts.partition_point(|&s| s <= offset)
    }
}

/// `text` as a Markdown inline code span: fenced by one more backtick than its longest run
/// of backticks, and padded with a space where it starts or ends with one (CommonMark),
/// so `` sum(`x²`) `` stays one span.
fn code(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::code;

    /// The text a CommonMark reader takes from an inline code span (one span, whole).
    fn read_span(md: &str) -> Option<&str> {
        let fence = md.len() - md.trim_start_matches('`').len();
        let inner = md.get(fence..md.len().checked_sub(fence)?)?;
        if !md.ends_with(&md[..fence]) || inner.contains(&md[..fence]) {
            return None;
        }
        let trimmed = inner
            .strip_prefix(' ')
            .and_then(|i| i.strip_suffix(' '))
            .filter(|i| !i.trim().is_empty());
        Some(trimmed.unwrap_or(inner))
    }

    /// Issue 9: `kpi doc` of a KPI over back-quoted names writes each formula as one span.
    #[test]
    fn formulas_with_backquoted_names_stay_one_code_span() {
        let mut map = crate::span::SourceMap::default();
        let mut diags = Vec::new();
        let text = "sources:\n  s: { fields: { \"x²\": number, \"a b\": number } }\nsource: s\nkpis:\n  k: sum(`x²`) + sum(`a b`)\n  j: k * 2\n";
        let cat = crate::catalogue::load_text("c.yaml", text, false, &mut map, &mut diags);
        let (ir, _) = crate::analysis::catalogue_to_ir(&cat, &[]);
        let md = super::markdown(&ir, &map, crate::output::Lang::En);
        assert!(
            md.contains("- **Formula**: ``sum(`x²`) + sum(`a b`)``\n"),
            "{md}"
        );
        assert!(md.contains("(fields `a b`, `x²`)"), "{md}");
    }

    /// Lines found through the index are the ones `line_col` counts.
    #[test]
    fn line_index_agrees_with_line_col() {
        let mut map = crate::span::SourceMap::default();
        let text = "a: 1\n\nbé: 2\r\nc: 3\n";
        let id = map.add("t.yaml", text);
        let mut lines = super::LineIndex::default();
        for offset in 0..=text.len() + 2 {
            let want = map.get(id).line_col(offset).0;
            assert_eq!(lines.line_of(&map, id, offset), want, "{offset}");
        }
    }

    /// A code span is read back whole, whatever backquotes it holds.
    #[test]
    fn code_spans_hold_backquotes() {
        assert_eq!(code("sum(x)"), "`sum(x)`");
        assert_eq!(code("sum(`x²`)"), "``sum(`x²`)``");
        assert_eq!(code("`a b` + 1"), "`` `a b` + 1 ``");
        assert_eq!(code("`a``b`"), "``` `a``b` ```");
        for t in ["sum(`x²`)", "`a`", "`a` + `b`", "x", "``", "a``b"] {
            let md = code(t);
            assert_eq!(read_span(&md), Some(t), "{md}");
        }
    }
}
