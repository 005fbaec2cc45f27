//! Formatting: the document with its formulas in `kpi fmt`'s canonical form.

use super::workspace::Snapshot;
use crate::span::FileId;
use lsp_types::TextEdit;

/// The file with its formulas in `kpi fmt`'s canonical form, as one edit; none while the
/// file has errors that `kpi fmt` would refuse.
pub fn format(snap: &Snapshot, file: FileId) -> Vec<TextEdit> {
    let slot = snap.slot(file);
    let broken = slot.frag.diags.iter().any(crate::diag::Diag::is_error)
        || snap
            .kpis_of(file)
            .any(|k| crate::analysis::contains_error(&k.formula));
    if broken {
        return Vec::new();
    }
    let cat = crate::catalogue::Catalogue {
        kpis: snap.kpis_of(file).cloned().collect(),
        ..crate::catalogue::Catalogue::default()
    };
    crate::fmt::format(&cat, &snap.sources)
        .into_iter()
        .find(|(f, _)| *f == file)
        .map(|(_, new)| {
            let all = slot.lines.range(&slot.text, 0, slot.text.len());
            vec![TextEdit::new(all, new)]
        })
        .unwrap_or_default()
}
