//! `kpi check`'s diagnostics as the protocol's, per file; and the quick fixes their help
//! names ("did you mean `recommend`?", "to compare, write `==`").

use super::workspace::Snapshot;
use crate::diag::{Diag, Severity};
use crate::span::{FileId, Span};
use lsp_types::{
    CodeAction, CodeActionKind, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    Location, NumberOrString, Range, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;

/// The diagnostics of every file of the snapshot (an empty list clears a file's).
pub fn by_file(snap: &Snapshot) -> Vec<(Uri, Vec<Diagnostic>)> {
    let mut out: Vec<(Uri, Vec<Diagnostic>)> =
        snap.files.iter().map(|f| (f.uri.clone(), vec![])).collect();
    for d in &snap.diags {
        // A diagnostic without a place is shown at the start of the folder's first file.
        let file = d.span().map_or(0, |s| s.file.0 as usize);
        if let Some((_, list)) = out.get_mut(file) {
            list.push(to_lsp(snap, d));
        }
    }
    out
}

fn to_lsp(snap: &Snapshot, d: &Diag) -> Diagnostic {
    let place = d.span().map_or_else(Range::default, |s| range(snap, s));
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|l| {
            let slot = snap.files.get(l.span.file.0 as usize)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(slot.uri.clone(), range(snap, l.span)),
                message: l.text.clone()?,
            })
        })
        .collect();
    let message = match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    Diagnostic {
        range: place,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().into())),
        source: Some("kpi".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}

pub fn range(snap: &Snapshot, s: Span) -> Range {
    let f = snap.slot(s.file);
    f.lines.range(&f.text, s.start as usize, s.end as usize)
}

/// The quick fixes for the diagnostics of `file` that touch `range`.
pub fn quick_fixes(snap: &Snapshot, file: FileId, range: Range) -> Vec<CodeAction> {
    let slot = snap.slot(file);
    let mut out = Vec::new();
    for d in snap
        .diags
        .iter()
        .filter(|d| d.span().map(|s| s.file) == Some(file))
    {
        let lsp = to_lsp(snap, d);
        if lsp.range.end < range.start || range.end < lsp.range.start {
            continue;
        }
        let Some((start, end, new_text)) = fix(&slot.text, d) else {
            continue;
        };
        let old = &slot.text[start..end];
        let edit = TextEdit::new(slot.lines.range(&slot.text, start, end), new_text.clone());
        out.push(CodeAction {
            title: format!("Replace `{old}` with `{}`", new_text.trim_end()),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![lsp]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(slot.uri.clone(), vec![edit])])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(true),
            ..CodeAction::default()
        });
    }
    out
}

/// The replacement a diagnostic's help names, as (start, end, new text) in its file.
pub fn fix(text: &str, d: &Diag) -> Option<(usize, usize, String)> {
    let help = d.help.as_deref()?;
    let span = d.span()?;
    let (mut start, mut end) = (span.start as usize, span.end as usize);
    let written = text.get(start..end)?;
    // A quoted YAML scalar's span starts at its opening quote: replace inside the quotes.
    if let Some(q) = written.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        if text[end..].starts_with(q) && written.len() > 1 {
            start += 1;
        } else if written.ends_with(q) && written.len() > 1 {
            start += 1;
            end -= 1;
        }
    }
    let written = &text[start..end];
    if written.is_empty() || written.contains('\n') {
        return None;
    }
    let quoted = help.split('`').nth(1)?;
    if let Some(name) = help
        .strip_prefix("did you mean `")
        .and_then(|h| h.strip_suffix("`?"))
    {
        // `orders.avrage(...)`: the span is the aggregate's name after `orders.`.
        let name = match name.split_once('.') {
            Some((src, rest)) if text[..start].ends_with(&format!("{src}.")) => rest,
            _ => name,
        };
        return (name != written).then(|| (start, end, name.to_string()));
    }
    let slip = matches!(
        (written, help),
        ("=", "to compare, write `==`")
            | ("&&", "write `and`")
            | ("||", "write `or`")
            | ("!", "to negate, write `not`")
    );
    if !slip {
        return None;
    }
    let mut new_text = quoted.to_string();
    // `!x` becomes `not x`.
    if written == "!" && !text[end..].starts_with(char::is_whitespace) {
        new_text.push(' ');
    }
    Some((start, end, new_text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    fn fixed(text: &str, at: &str, len: usize, help: &str) -> Option<String> {
        let start = text.find(at).unwrap();
        let d = Diag::error(Code::UnknownName, "x")
            .at(Span::new(FileId(0), start, start + len))
            .help(help);
        let (s, e, new) = fix(text, &d)?;
        Some(format!("{}{new}{}", &text[..s], &text[e..]))
    }

    #[test]
    fn fixes_replace_what_the_help_names() {
        let q = "unit: \"precent\"\n";
        // A quoted scalar's span starts at its quote and ends before the closing one.
        assert_eq!(
            fixed(q, "\"precent", 8, "did you mean `percent`?").unwrap(),
            "unit: \"percent\"\n"
        );
        let src = "x = orders.avrage(y)";
        assert_eq!(
            fixed(src, "avrage", 6, "did you mean `orders.avg`?").unwrap(),
            "x = orders.avg(y)"
        );
        assert_eq!(
            fixed("count(!a)", "!", 1, "to negate, write `not`").unwrap(),
            "count(not a)"
        );
        assert_eq!(
            fixed("count(a = 1)", "=", 1, "to compare, write `==`").unwrap(),
            "count(a == 1)"
        );
        // Help that names no replacement, or a span that is not the slip: no fix.
        assert_eq!(
            fixed("count(a = 1)", "a", 1, "to compare, write `==`"),
            None
        );
        assert_eq!(fixed("x = y", "y", 1, "the fields of `s` are: a, b"), None);
    }
}
