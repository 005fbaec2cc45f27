//! `kpi fmt`: canonical formulas, written back into the files they came from. Only the
//! formula text changes; comments, keys, order and layout stay as they are.

use crate::catalogue::yaml::Style;
use crate::catalogue::{Catalogue, FormulaForm};
use crate::span::{FileId, SourceMap};
use crate::syntax::expr_to_string;

/// Each file whose formulas are not canonical, with its new text.
pub fn format(cat: &Catalogue, sources: &SourceMap) -> Vec<(FileId, String)> {
    let mut edits: Vec<(FileId, usize, usize, String)> = Vec::new();
    for k in &cat.kpis {
        let span = k.formula_span;
        let text = &sources.get(span.file).text;
        let canonical = expr_to_string(&k.formula);
        let (start, end) = (span.start as usize, span.end as usize);
        let replacement = match k.formula_form {
            FormulaForm::Bare => canonical,
            // Block scalars are laid out by hand on purpose: left as they are.
            FormulaForm::Yaml(Style::Block) => continue,
            FormulaForm::Yaml(Style::Plain) if plain_safe(&canonical) => canonical,
            FormulaForm::Yaml(Style::Plain) | FormulaForm::Yaml(Style::DoubleQuoted) => {
                double_quoted(&canonical)
            }
            FormulaForm::Yaml(Style::SingleQuoted) => {
                format!("'{}'", canonical.replace('\'', "''"))
            }
        };
        // A quoted scalar's span starts at its opening quote and ends before the closing one.
        let end = match k.formula_form {
            FormulaForm::Yaml(Style::DoubleQuoted | Style::SingleQuoted) => end + 1,
            _ => end,
        };
        // A formula with a `#` comment inside is left as written: the canonical form has no
        // place for the comment, and a comment must never be lost silently.
        if text
            .get(start..end)
            .is_some_and(|old| old != replacement && !old.contains('#'))
        {
            edits.push((span.file, start, end, replacement));
        }
    }
    edits.sort_by_key(|e| (e.0, std::cmp::Reverse(e.1)));
    let mut out: Vec<(FileId, String)> = Vec::new();
    for (file, start, end, new) in edits {
        if out.last().is_none_or(|(f, _)| *f != file) {
            out.push((file, sources.get(file).text.to_string()));
        }
        out.last_mut()
            .expect("pushed above")
            .1
            .replace_range(start..end, &new);
    }
    out
}

/// Whether a formula can stand as a plain YAML scalar after `key: ` on one line.
fn plain_safe(s: &str) -> bool {
    let first = s.chars().next();
    !s.is_empty()
        && !first.is_some_and(|c| "-?:,[]{}#&*!|>'\"%@`".contains(c))
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
}

fn double_quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
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
        assert_eq!(double_quoted("a == \"b\""), "\"a == \\\"b\\\"\"");
    }
}
