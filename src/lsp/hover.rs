//! Hover: a KPI's label, description, unit, target and formula; a source's fields; a
//! field's source and type; a function's or aggregate's signature and doc.

use super::symbols::{self, Target};
use super::workspace::Snapshot;
use crate::catalogue::{KpiDef, SourceDef};
use crate::registry;
use crate::span::FileId;
use crate::syntax::expr_to_string;
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

pub fn hover(snap: &Snapshot, file: FileId, offset: usize) -> Option<Hover> {
    let occ = symbols::at(snap, file, offset)?;
    let cat = &snap.cat;
    let text = match &occ.target {
        Target::Kpi(name) => kpi(cat.kpi(name)?),
        Target::Source(name) => source(cat.source(name)?),
        Target::Field { source, field } => {
            let ty = cat
                .source(source)
                .and_then(|s| s.field(field))
                .map_or("type not declared", |f| f.ty.name());
            format!("**{field}**: {ty}\n\nfield of source `{source}`")
        }
        Target::Dimension { source, name } => {
            let s = cat.source(source)?;
            let (_, e) = s.dimensions.iter().find(|(d, _)| d.text == *name)?;
            format!(
                "**{name}**: dimension of source `{source}`\n\n```kpi\n{}\n```",
                expr_to_string(e)
            )
        }
        Target::Function(name) => {
            let f = registry::function(name)?;
            call_doc(f.signature, f.doc, "function")
        }
        Target::Aggregate(name) => {
            let a = registry::aggregate(name)?;
            call_doc(a.signature, a.doc, "aggregate")
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(super::diagnostics::range(snap, occ.span)),
    })
}

fn call_doc(signature: &[&str], doc: &str, what: &str) -> String {
    format!("```kpi\n{}\n```\n{what}: {doc}", signature.join("\n"))
}

fn kpi(k: &KpiDef) -> String {
    let mut out = format!("**{}**", k.name.text);
    if let Some(l) = &k.label {
        out.push_str(&format!(" — {}", l.get("en")));
    }
    out.push_str("\n\n");
    if let Some(d) = &k.description {
        out.push_str(d.get("en"));
        out.push_str("\n\n");
    }
    let mut facts = Vec::new();
    if let Some(u) = k.unit {
        facts.push(match &k.currency {
            Some(c) => format!("unit: {} ({c})", u.as_str()),
            None => format!("unit: {}", u.as_str()),
        });
    }
    if let Some(t) = &k.target {
        facts.push(format!("target: `{}`", t.text));
    }
    if let Some(s) = &k.source {
        facts.push(format!("source: `{}`", s.text));
    }
    if !facts.is_empty() {
        out.push_str(&facts.join(" · "));
        out.push_str("\n\n");
    }
    out.push_str(&format!("```kpi\n{}\n```", expr_to_string(&k.formula)));
    out
}

fn source(s: &SourceDef) -> String {
    let mut out = format!("**{}**: source", s.name.text);
    if let Some((p, _)) = &s.path {
        out.push_str(&format!(" reading `{}`", p.display()));
    }
    out.push_str("\n\n");
    if let Some(t) = &s.time {
        out.push_str(&format!("time: `{}`\n\n", t.text));
    }
    if let Some(k) = &s.key {
        out.push_str(&format!("lookup table keyed by `{}`\n\n", k.text));
    }
    for f in &s.fields {
        out.push_str(&format!("* `{}`: {}\n", f.name.text, f.ty.name()));
    }
    if !s.lookups.is_empty() {
        let l: Vec<String> = s
            .lookups
            .iter()
            .map(|(t, k)| format!("`{}` on `{}`", t.text, k.text))
            .collect();
        out.push_str(&format!("\nlookups: {}\n", l.join(", ")));
    }
    out
}
