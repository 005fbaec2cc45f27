//! What the cursor is in: a formula (and its scope: KPIs, or the fields of a source), a
//! YAML key or value, a `.kpi` attribute. Read from the text around the cursor, since what
//! is being typed rarely parses; formulas the last load found give their exact place.

use super::lex::{lex, Tok};
use super::workspace::Snapshot;
use crate::catalogue::yaml::Style;
use crate::catalogue::{FormulaForm, KpiDef};
use crate::registry;
use crate::span::FileId;

#[derive(Debug, PartialEq)]
pub enum Scope {
    /// KPIs, sources and aggregates.
    Kpi,
    /// The fields of a source (inside an aggregate, a dimension).
    Record(Option<String>),
}

#[derive(Debug, PartialEq)]
pub enum Context {
    Formula {
        scope: Scope,
        /// The name before a `.` just before the cursor (`orders.`, `agents.`).
        after_dot: Option<String>,
    },
    /// A YAML key being written under `path` (`["kpis", "nps"]`).
    YamlKey {
        path: Vec<String>,
    },
    /// The value of `key:` under `path`.
    YamlValue {
        path: Vec<String>,
        key: String,
    },
    /// A `.kpi` attribute's key (after `@`).
    AttrKey,
    /// A `.kpi` attribute's value.
    AttrValue {
        key: String,
    },
    Nothing,
}

/// The start of the word ending at `offset` (letters, digits, `_`).
pub fn word_start(text: &str, offset: usize) -> usize {
    text[..offset]
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

pub fn context(snap: &Snapshot, file: FileId, offset: usize) -> Context {
    let slot = snap.slot(file);
    let text = &*slot.text;
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    if slot.is_kpi() {
        return kpi_file(text, line_start, offset);
    }
    // A formula the last load found, the cursor inside it or at its end.
    for k in snap.cat.kpis.iter().filter(|k| k.formula_span.file == file) {
        let (start, end) = formula_text(text, k);
        if start <= offset && offset <= end {
            let source = k.source.as_ref().map(|n| n.text.clone());
            return formula(&text[start..offset], source, false);
        }
    }
    for s in &snap.cat.sources {
        for (_, e) in s.dimensions.iter().filter(|(n, _)| n.span.file == file) {
            if e.span.start as usize <= offset && offset <= e.span.end as usize {
                let src = Some(s.name.text.clone());
                return formula(&text[e.span.start as usize..offset], src, true);
            }
        }
    }
    yaml_by_lines(text, line_start, before)
}

/// Where a KPI's formula text is in its file: inside the quotes of a quoted YAML scalar,
/// below the `|` or `>` line of a block scalar.
pub fn formula_text(text: &str, k: &KpiDef) -> (usize, usize) {
    let (start, end) = (k.formula_span.start as usize, k.formula_span.end as usize);
    let start = match k.formula_form {
        FormulaForm::Yaml(Style::SingleQuoted | Style::DoubleQuoted) => start + 1,
        FormulaForm::Yaml(Style::Block) => text
            .get(start..end)
            .filter(|s| s.starts_with(['|', '>']))
            .and_then(|s| s.find('\n'))
            .map_or(start, |i| start + i + 1),
        _ => start,
    };
    (start.min(end), end.min(text.len()))
}

/// The context from the YAML lines alone (the file may not parse while it is typed).
fn yaml_by_lines(text: &str, line_start: usize, before: &str) -> Context {
    let parents = parents(text, line_start);
    let path: Vec<String> = parents.iter().map(|p| p.key.clone()).collect();
    let trimmed = before.trim_start();
    let item = trimmed.strip_prefix("- ").unwrap_or(trimmed).trim_start();
    let default_source = || {
        text.lines()
            .find_map(|l| l.strip_prefix("source:"))
            .map(|s| s.split('#').next().unwrap_or("").trim().to_string())
            .filter(|s| !s.is_empty())
    };
    if item.starts_with('#') {
        return Context::Nothing;
    }
    if item.chars().all(|c| c.is_alphanumeric() || c == '_') {
        // Inside a block scalar (`formula: >-`), the lines below are the formula.
        if let Some(p) = parents.last().filter(|p| p.block) {
            let short_form = path.len() == 2 && path[0] == "kpis";
            let long_form = path.len() == 3 && path[0] == "kpis" && path[2] == "formula";
            if short_form || long_form {
                return formula(
                    &text[p.below..line_start + before.len()],
                    default_source(),
                    false,
                );
            }
        }
        return Context::YamlKey { path };
    }
    let Some((key, value)) = item.split_once(':') else {
        return Context::Nothing;
    };
    let value_start = line_start + before.len() - value.len();
    let skip = value.len() - value.trim_start().len();
    let quote = usize::from(value.trim_start().starts_with(['"', '\'']));
    let from = value_start + skip + quote;
    let is_formula = (key == "formula" && path.len() == 2 && path[0] == "kpis")
        || (path.len() == 1 && path[0] == "kpis");
    if is_formula && !value.trim_start().starts_with(['|', '>']) {
        return formula(
            &text[from..line_start + before.len()],
            default_source(),
            false,
        );
    }
    if path.len() == 3 && path[0] == "sources" && path[2] == "dimensions" {
        let src = Some(path[1].clone());
        return formula(&text[from..line_start + before.len()], src, true);
    }
    Context::YamlValue {
        path,
        key: key.trim().to_string(),
    }
}

/// A key above the cursor's line.
struct Parent {
    key: String,
    /// Its value is a block scalar (`|`, `>-`).
    block: bool,
    /// Where the line below it starts.
    below: usize,
}

/// The keys above a YAML line, outermost first: each is the nearest line above that is
/// indented less than the one below it.
fn parents(text: &str, line_start: usize) -> Vec<Parent> {
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '-']).len();
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let current = &text[line_start..line_end];
    let mut width = if current.trim().is_empty() {
        // An empty line: the cursor's column decides, which the caller cut at; take the
        // line as written up to its end.
        current.len()
    } else {
        indent(current)
    };
    let mut out = Vec::new();
    let mut end = line_start;
    while width > 0 && end > 0 {
        let start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[start..end - 1];
        let next = end;
        end = start;
        let t = line.trim_start_matches([' ', '-']).trim_start();
        if t.is_empty() || t.starts_with('#') || indent(line) >= width {
            continue;
        }
        width = indent(line);
        if let Some((k, v)) = t.split_once(':') {
            out.push(Parent {
                key: k.trim().trim_matches(['"', '\'']).to_string(),
                block: v.trim_start().starts_with(['|', '>']),
                below: next,
            });
        }
        if start == 0 {
            break;
        }
    }
    out.reverse();
    out
}

/// The context in a `.kpi` file, from its lines.
fn kpi_file(text: &str, line_start: usize, offset: usize) -> Context {
    let before = &text[line_start..offset];
    let t = before.trim_start();
    if t.starts_with("///") {
        return Context::Nothing;
    }
    if let Some(rest) = t.strip_prefix('@') {
        return match rest.split_once([' ', '\t']) {
            None => Context::AttrKey,
            Some((key, _)) => Context::AttrValue { key: key.into() },
        };
    }
    // The statement holding the cursor starts at the nearest line above (or this one) that
    // starts with `name =`.
    let mut start = line_start;
    loop {
        let line = &text[start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        let l = line.trim_start();
        if l.starts_with('@') || l.starts_with("///") {
            return Context::Nothing;
        }
        if let Some(eq) = definition_eq(l) {
            let formula_start = start + (line.len() - l.len()) + eq + 1;
            if offset < formula_start {
                return Context::Nothing;
            }
            let source = text[..start]
                .lines()
                .filter_map(|l| l.trim_start().strip_prefix("@source"))
                .next_back()
                .map(|s| s.split(" #").next().unwrap_or("").trim().to_string());
            return formula(&text[formula_start..offset], source, false);
        }
        if start == 0 {
            return Context::Nothing;
        }
        start = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
    }
}

/// Where the `=` of `name = formula` is in a line, if the line starts a definition.
fn definition_eq(line: &str) -> Option<usize> {
    let name_end = if let Some(rest) = line.strip_prefix('`') {
        rest.find('`')? + 2
    } else {
        line.find(|c: char| !(c.is_alphanumeric() || c == '_'))?
    };
    let after = &line[name_end..];
    let eq = name_end + (after.len() - after.trim_start().len());
    (name_end > 0 && line[eq..].starts_with('=') && !line[eq..].starts_with("==")).then_some(eq)
}

/// The scope at the end of `prefix`, the formula text up to the cursor: record scope inside
/// an aggregate's brackets (its source named before it, or the default), else KPI scope.
fn formula(prefix: &str, default_source: Option<String>, record: bool) -> Context {
    let toks = lex(prefix);
    if let Some(last) = toks.last().filter(|t| t.end == prefix.len()) {
        let s = &prefix[last.start..last.end];
        let open_string =
            last.kind == Tok::Str && (s.len() < 2 || !s.ends_with(&s[..1]) || s.ends_with("\\\""));
        if last.kind == Tok::Comment || open_string {
            return Context::Nothing;
        }
    }
    let name = |i: usize| {
        toks.get(i)
            .filter(|t| t.kind == Tok::Name)
            .map(|t| prefix[t.start..t.end].trim_matches('`').to_string())
    };
    // One entry per open bracket: the source of an aggregate's records, or `None`.
    let mut stack: Vec<Option<Option<String>>> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Tok::Open => {
                let agg = i
                    .checked_sub(1)
                    .and_then(name)
                    .filter(|n| registry::aggregate(n).is_some());
                let source = (i >= 3 && toks[i - 2].kind == Tok::Dot)
                    .then(|| name(i - 3))
                    .flatten();
                stack.push(agg.map(|_| source));
            }
            Tok::Close => {
                stack.pop();
            }
            _ => {}
        }
    }
    let scope = match stack.iter().rev().find_map(|f| f.as_ref()) {
        Some(src) => Scope::Record(src.clone().or(default_source)),
        None if record => Scope::Record(default_source),
        None => Scope::Kpi,
    };
    // The word being typed, then what stands before it.
    let mut i = toks.len();
    if toks
        .last()
        .is_some_and(|t| t.end == prefix.len() && matches!(t.kind, Tok::Name | Tok::Keyword))
    {
        i -= 1;
    }
    let after_dot = (i >= 2 && toks[i - 1].kind == Tok::Dot)
        .then(|| name(i - 2))
        .flatten();
    Context::Formula { scope, after_dot }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope_of(prefix: &str) -> Context {
        formula(prefix, Some("calls".into()), false)
    }

    #[test]
    fn aggregates_open_record_scope() {
        let record = |s: &str| Context::Formula {
            scope: Scope::Record(Some(s.into())),
            after_dot: None,
        };
        let kpi = Context::Formula {
            scope: Scope::Kpi,
            after_dot: None,
        };
        assert_eq!(scope_of("avg("), record("calls"));
        assert_eq!(
            scope_of("100 * orders.count(x > 1 and ab"),
            record("orders")
        );
        assert_eq!(scope_of("avg(x) / ab"), kpi);
        assert_eq!(scope_of("round(avg(x), 1) + previous("), kpi);
        assert_eq!(scope_of("count(s == \"a("), Context::Nothing);
        assert_eq!(
            scope_of("count(agents."),
            Context::Formula {
                scope: Scope::Record(Some("calls".into())),
                after_dot: Some("agents".into())
            }
        );
        assert_eq!(
            scope_of("1 + orders.su"),
            Context::Formula {
                scope: Scope::Kpi,
                after_dot: Some("orders".into())
            }
        );
    }

    #[test]
    fn kpi_files_find_the_definition_and_its_source() {
        let text = "@source calls\n/// doc\nx = avg(\n  wai";
        let c = kpi_file(text, text.rfind('\n').unwrap() + 1, text.len());
        assert_eq!(
            c,
            Context::Formula {
                scope: Scope::Record(Some("calls".into())),
                after_dot: None
            }
        );
        assert_eq!(kpi_file("@un", 0, 3), Context::AttrKey);
    }

    #[test]
    fn yaml_keys_know_their_parents() {
        let text = "source: calls\nkpis:\n  nps:\n    formula: count()\n    la";
        let ls = text.rfind('\n').unwrap() + 1;
        assert_eq!(
            yaml_by_lines(text, ls, &text[ls..]),
            Context::YamlKey {
                path: vec!["kpis".into(), "nps".into()]
            }
        );
        let text = "source: calls\nkpis:\n  nps:\n    formula: avg(";
        let ls = text.rfind('\n').unwrap() + 1;
        assert_eq!(
            yaml_by_lines(text, ls, &text[ls..]),
            Context::Formula {
                scope: Scope::Record(Some("calls".into())),
                after_dot: None
            }
        );
    }
}
