//! Go to definition, find references, and rename a KPI across the catalogue folder (its
//! definition, the formulas that use it, and the `tests:` written for it).

use super::diagnostics::range;
use super::symbols::{self, Occurrence, Target};
use super::workspace::Snapshot;
use crate::span::{FileId, Span};
use lsp_types::{Location, Range, TextEdit, Uri, WorkspaceEdit};
use std::collections::HashMap;

fn location(snap: &Snapshot, span: Span) -> Location {
    Location::new(snap.slot(span.file).uri.clone(), range(snap, span))
}

pub fn definition(snap: &Snapshot, file: FileId, offset: usize) -> Option<Location> {
    let occ = symbols::at(snap, file, offset)?;
    let def = symbols::definition(snap, &occ.target)?;
    Some(location(snap, def.span))
}

pub fn references(
    snap: &Snapshot,
    file: FileId,
    offset: usize,
    with_declaration: bool,
) -> Vec<Location> {
    let Some(occ) = symbols::at(snap, file, offset) else {
        return Vec::new();
    };
    symbols::uses(snap, &occ.target)
        .filter(|o| with_declaration || !o.def)
        .map(|o| location(snap, o.span))
        .collect()
}

/// The KPI name at the cursor, which a rename would change.
fn renamable(snap: &Snapshot, file: FileId, offset: usize) -> Option<&Occurrence> {
    symbols::at(snap, file, offset).filter(|o| matches!(o.target, Target::Kpi(_)))
}

pub fn prepare_rename(snap: &Snapshot, file: FileId, offset: usize) -> Option<Range> {
    renamable(snap, file, offset).map(|o| range(snap, name_span(snap, o.span)))
}

/// A name's span without the quotes around it (a back-quoted name in a formula, a quoted
/// YAML key).
fn name_span(snap: &Snapshot, span: Span) -> Span {
    let text = &snap.slot(span.file).text;
    let written = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    let quoted = ['`', '"', '\'']
        .iter()
        .any(|&q| written.len() >= 2 && written.starts_with(q) && written.ends_with(q));
    if quoted {
        Span {
            start: span.start + 1,
            end: span.end - 1,
            ..span
        }
    } else {
        span
    }
}

/// The edits that rename the KPI at the cursor to `new_name` everywhere in the folder.
// `Uri` holds a cell (fluent-uri keeps an offset there); its hash reads only its text.
#[allow(clippy::mutable_key_type)]
pub fn rename(
    snap: &Snapshot,
    file: FileId,
    offset: usize,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let occ = renamable(snap, file, offset).ok_or("only a KPI can be renamed")?;
    let plain = new_name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && new_name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !plain || super::lex::is_keyword(new_name) {
        return Err(format!(
            "`{new_name}` is not a plain name: letters, digits and `_`, not a keyword"
        ));
    }
    if snap.cat.kpi(new_name).is_some() {
        return Err(format!("there is already a KPI `{new_name}`"));
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for o in symbols::uses(snap, &occ.target) {
        let written = &snap.slot(o.span.file).text[o.span.start as usize..o.span.end as usize];
        // In a formula, a back-quoted name loses its quotes; a quoted YAML key keeps them.
        let span = if written.starts_with('`') {
            o.span
        } else {
            name_span(snap, o.span)
        };
        changes
            .entry(snap.slot(span.file).uri.clone())
            .or_default()
            .push(TextEdit::new(range(snap, span), new_name.to_string()));
    }
    Ok(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}
