//! `kpi fmt`: canonical formulas, written back into the files they came from. Only the
//! formula text changes; comments, keys, order and layout stay as they are.
//!
//! A rewritten file is loaded again before it is returned: a formula whose new text does not
//! read back as its canonical form (a quoting case this module did not foresee) is left as
//! written, so `kpi fmt` never changes what a catalogue means.

use crate::catalogue::yaml::Style;
use crate::catalogue::{Catalogue, FormulaForm, KpiDef};
use crate::span::{FileId, SourceMap};
use crate::syntax::expr_to_string;

/// One formula to rewrite: its file, byte range there, new text, and the KPI's index.
struct Edit {
    file: FileId,
    start: usize,
    end: usize,
    text: String,
    kpi: usize,
}

/// Each file whose formulas are not canonical, with its new text.
pub fn format(cat: &Catalogue, sources: &SourceMap) -> Vec<(FileId, String)> {
    let mut edits: Vec<Edit> = cat
        .kpis
        .iter()
        .enumerate()
        .filter_map(|(i, k)| edit_of(k, i, sources))
        .collect();
    edits.sort_by_key(|e| (e.file, std::cmp::Reverse(e.start)));
    let mut out = Vec::new();
    for file_edits in edits.chunk_by_mut(|a, b| a.file == b.file) {
        let file = file_edits[0].file;
        let mut kept: Vec<&Edit> = file_edits.iter().collect();
        // Drop the edits that do not read back, then try again without them (at most once
        // per edit; in practice never).
        loop {
            let text = apply(sources.get(file).text.as_ref(), &kept);
            let wrong = misread(cat, sources, file, &text, &kept);
            if wrong.is_empty() {
                if !kept.is_empty() {
                    out.push((file, text));
                }
                break;
            }
            kept.retain(|e| !wrong.contains(&e.kpi));
        }
    }
    out
}

/// The edit that makes one KPI's formula canonical, if it is not already.
fn edit_of(k: &KpiDef, index: usize, sources: &SourceMap) -> Option<Edit> {
    let span = k.formula_span;
    let text = &sources.get(span.file).text;
    let canonical = expr_to_string(&k.formula);
    let (start, end) = (span.start as usize, span.end as usize);
    let replacement = match k.formula_form {
        FormulaForm::Bare => canonical,
        // Block scalars are laid out by hand on purpose: left as they are.
        FormulaForm::Yaml(Style::Block) => return None,
        FormulaForm::Yaml(Style::Plain) if plain_safe(&canonical) => canonical,
        FormulaForm::Yaml(Style::SingleQuoted) if !canonical.chars().any(needs_escape) => {
            format!("'{}'", canonical.replace('\'', "''"))
        }
        FormulaForm::Yaml(_) => double_quoted(&canonical),
    };
    // A quoted scalar's span starts at its opening quote and ends before the closing one.
    let end = match k.formula_form {
        FormulaForm::Yaml(Style::DoubleQuoted | Style::SingleQuoted) => end + 1,
        _ => end,
    };
    // A formula with a `#` comment inside is left as written: the canonical form has no
    // place for the comment, and a comment must never be lost silently.
    let old = text.get(start..end)?;
    (old != replacement && !old.contains('#')).then_some(Edit {
        file: span.file,
        start,
        end,
        text: replacement,
        kpi: index,
    })
}

/// `text` with the edits applied (they are sorted from the end of the file to its start),
/// in one pass: replacing in place would move the rest of the file once per edit.
fn apply(text: &str, edits: &[&Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for e in edits.iter().rev() {
        out.push_str(&text[pos..e.start]);
        out.push_str(&e.text);
        pos = e.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// The KPIs of the edits whose formula, read back from the new text, is not canonical.
fn misread(
    cat: &Catalogue,
    sources: &SourceMap,
    file: FileId,
    text: &str,
    edits: &[&Edit],
) -> Vec<usize> {
    let name = &sources.get(file).name;
    let mut map = SourceMap::default();
    let mut diags = Vec::new();
    let again =
        crate::catalogue::load_text(name, text, name.ends_with(".kpi"), &mut map, &mut diags);
    let before: Vec<usize> = (0..cat.kpis.len())
        .filter(|&i| cat.kpis[i].formula_span.file == file)
        .collect();
    let edited = |i: usize| edits.iter().any(|e| e.kpi == i);
    let reads_back = before.len() == again.kpis.len()
        && before.iter().zip(&again.kpis).all(|(&i, k)| {
            k.name.text == cat.kpis[i].name.text
                && expr_to_string(&k.formula) == expr_to_string(&cat.kpis[i].formula)
        });
    // Read alone, a file's top-level `tests:` may name KPIs of other files: not a misreading.
    let broken = diags
        .iter()
        .any(|d| d.is_error() && d.code != crate::diag::Code::UnknownName);
    if reads_back && !broken {
        return Vec::new();
    }
    // Name the culprits when the KPIs still line up; otherwise every edit is suspect.
    let culprits: Vec<usize> = if before.len() == again.kpis.len() {
        before
            .iter()
            .zip(&again.kpis)
            .filter(|(&i, k)| {
                edited(i) && expr_to_string(&k.formula) != expr_to_string(&cat.kpis[i].formula)
            })
            .map(|(&i, _)| i)
            .collect()
    } else {
        Vec::new()
    };
    if culprits.is_empty() {
        edits.iter().map(|e| e.kpi).collect()
    } else {
        culprits
    }
}

/// Characters a YAML scalar cannot hold as they are: outside YAML's printable set, line
/// breaks and tabs, and the byte order mark.
fn needs_escape(c: char) -> bool {
    !matches!(c, ' '..='~' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// Whether a formula can stand as a plain YAML scalar after `key: ` on one line.
fn plain_safe(s: &str) -> bool {
    let first = s.chars().next();
    !s.is_empty()
        && !first.is_some_and(|c| "-?:,[]{}#&*!|>'\"%@`".contains(c))
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.chars().any(needs_escape)
        // Plain `null` and `~` are YAML's nothing, not a formula.
        && !matches!(s, "~" | "null" | "Null" | "NULL")
}

/// A double-quoted YAML scalar whose value is `s`.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02X}", c as u32))
            }
            c if needs_escape(c) && (c as u32) < 0x1_0000 => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c if needs_escape(c) => out.push_str(&format!("\\U{:08X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_when_yaml_reads_it_back() {
        assert!(plain_safe("pct(recommend >= 9)"));
        assert!(!plain_safe("-avg(x)"));
        assert!(!plain_safe("count(channel == \"a: b\")"));
        assert!(!plain_safe("\"x\" == channel"));
        assert!(!plain_safe("null"));
        assert!(!plain_safe("count(`a\tb`)"));
        assert_eq!(double_quoted("a == \"b\""), "\"a == \\\"b\\\"\"");
        assert_eq!(double_quoted("`a\u{1}\u{FEFF}`"), "\"`a\\x01\\uFEFF`\"");
    }

    /// Format a one-file catalogue and return the new text (or the old one if unchanged).
    fn formatted(name: &str, text: &str) -> String {
        let mut map = SourceMap::default();
        let mut diags = Vec::new();
        let cat =
            crate::catalogue::load_text(name, text, name.ends_with(".kpi"), &mut map, &mut diags);
        let unexpected =
            |d: &crate::diag::Diag| d.is_error() && d.code != crate::diag::Code::UnknownName;
        assert!(!diags.iter().any(unexpected), "{name}: {diags:?}");
        format(&cat, &map)
            .pop()
            .map_or_else(|| text.to_string(), |(_, t)| t)
    }

    /// The KPIs whose formula is still not written canonically (an edit dropped as unsafe).
    fn left_to_rewrite(name: &str, text: &str) -> Vec<String> {
        let mut map = SourceMap::default();
        let mut diags = Vec::new();
        let cat =
            crate::catalogue::load_text(name, text, name.ends_with(".kpi"), &mut map, &mut diags);
        let edits = cat
            .kpis
            .iter()
            .enumerate()
            .filter_map(|(i, k)| edit_of(k, i, &map));
        edits.map(|e| e.text).collect()
    }

    /// The canonical formulas of a one-file catalogue, in order.
    fn canonical(name: &str, text: &str) -> Option<Vec<String>> {
        let mut map = SourceMap::default();
        let mut diags = Vec::new();
        let cat =
            crate::catalogue::load_text(name, text, name.ends_with(".kpi"), &mut map, &mut diags);
        (!diags.iter().any(|d| d.is_error())).then(|| {
            cat.kpis
                .iter()
                .map(|k| expr_to_string(&k.formula))
                .collect()
        })
    }

    /// Issue 9 #3: every scalar style and escape, formatted, reads back to the same
    /// canonical formulas, and formatting again changes nothing.
    #[test]
    fn formatted_yaml_reads_back_to_the_canonical_formulas() {
        let formulas = [
            r#""sum(x)\t+  1""#,
            r#""sum(x)\u0020+  1""#,
            r#""sum(x)\x20+  1""#,
            r#""sum(x)\U00000020+  1""#,
            r#""sum(x)\
                +  1""#,
            r#""count(s==\"a\\tb\")""#,
            r#""count(`a\tb` == 1)""#,
            r#""count(`a\u00A0b`==1)""#,
            r#""count(`\u2028`==1)""#,
            r#""count(s=='#')""#,
            r#""  sum(x)  ""#,
            r#""count(s==\"\\\\\")""#,
            r#"'count(s==''x'')'"#,
            r#"'count(s=="a\tb")  '"#,
            r#"'count(`a	b`==1)'"#,
            "sum(x)+1",
            "count(s=='a: b')",
            "-sum(x)",
            "nULL",
            "'null'",
            "\"TRUE\"",
            "count(s  ==  \"é\")",
        ];
        let mut checked = 0;
        for f in formulas {
            for text in [
                format!("source: s\nkpis:\n  k: {f}\n"),
                format!("source: s\nkpis:\n  k: {{ formula: {f}, unit: number }}\n"),
                format!("source: s\nkpis:\n  k:\n    formula: {f}\n    unit: number\n"),
            ] {
                let Some(want) = canonical("a.yaml", &text) else {
                    continue; // not valid in this place (a plain scalar in a flow mapping)
                };
                let once = formatted("a.yaml", &text);
                assert_eq!(canonical("a.yaml", &once), Some(want), "{f}\n{once}");
                assert_eq!(formatted("a.yaml", &once), once, "not stable: {f}");
                assert!(
                    left_to_rewrite("a.yaml", &once).is_empty(),
                    "{f}: not rewritten\n{once}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 2 * formulas.len(), "{checked}");
    }

    /// A file whose top-level `tests:` name a KPI of another file is still formatted.
    #[test]
    fn tests_for_other_files_do_not_stop_formatting() {
        let text = "source: s\nkpis:\n  k: sum(x)+1\ntests:\n  elsewhere: [{ expect: 1 }]\n";
        assert!(formatted("a.yaml", text).contains("  k: sum(x) + 1\n"));
    }

    #[test]
    fn kpi_files_read_back_too() {
        let text = "@source s\nk = sum( `x²` )+1\nj = count(`a½`==\"b\\tc\")\n";
        let once = formatted("a.kpi", text);
        assert_eq!(
            once,
            "@source s\nk = sum(`x²`) + 1\nj = count(`a½` == \"b\\tc\")\n"
        );
        assert_eq!(
            canonical("a.kpi", &once).unwrap(),
            canonical("a.kpi", text).unwrap()
        );
    }
}
