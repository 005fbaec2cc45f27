//! Completion: fields in record scope (with lookup tables' fields), KPIs in KPI scope,
//! functions and aggregates everywhere, aggregates after `source.`; YAML keys of a file, a
//! KPI, a source and a test, with the JSON Schema's documentation; some values.

use super::context::{context, word_start, Context, Scope};
use super::workspace::Snapshot;
use crate::catalogue::{FieldType, SourceDef, Unit};
use crate::registry::{AGGREGATES, FUNCTIONS};
use crate::span::FileId;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, TextEdit,
};
use serde_json::Value;

pub fn complete(snap: &Snapshot, file: FileId, offset: usize) -> Vec<CompletionItem> {
    let slot = snap.slot(file);
    let offset = offset.min(slot.text.len());
    let items = match context(snap, file, offset) {
        Context::Formula { scope, after_dot } => formula(snap, &scope, after_dot.as_deref()),
        Context::YamlKey { path } => yaml_keys(&path),
        Context::YamlValue { path, key } => yaml_value(snap, &path, &key),
        Context::AttrKey => keys(Keys::Kpi)
            .into_iter()
            .filter(|(k, _)| !matches!(k.as_str(), "formula" | "tests"))
            .map(|(k, doc)| item(&k, CompletionItemKind::PROPERTY, None, Some(doc), &k))
            .collect(),
        Context::AttrValue { key } => attr_value(snap, &key),
        Context::Nothing => Vec::new(),
    };
    // Each item replaces the word being typed.
    let range = slot
        .lines
        .range(&slot.text, word_start(&slot.text, offset), offset);
    items
        .into_iter()
        .map(|mut i| {
            let text = i.insert_text.take().unwrap_or_else(|| i.label.clone());
            i.text_edit = Some(CompletionTextEdit::Edit(TextEdit::new(range, text)));
            i
        })
        .collect()
}

fn item(
    label: &str,
    kind: CompletionItemKind,
    detail: Option<String>,
    doc: Option<String>,
    insert: &str,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        documentation: doc.map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d,
            })
        }),
        insert_text: Some(insert.to_string()),
        ..CompletionItem::default()
    }
}

fn formula(snap: &Snapshot, scope: &Scope, after_dot: Option<&str>) -> Vec<CompletionItem> {
    let cat = &snap.cat;
    let record_source = match scope {
        Scope::Record(Some(s)) => cat.source(s),
        _ => None,
    };
    if let Some(name) = after_dot {
        // `agents.` in record scope: the lookup table's fields.
        if let Some(src) = record_source.filter(|s| s.lookups.iter().any(|(t, _)| t.text == name)) {
            let table = cat.source(name);
            return table.map_or_else(Vec::new, |t| fields(t, "", Some(src)));
        }
        // `orders.` in KPI scope: an aggregate over that source.
        if cat.source(name).is_some() {
            return aggregates();
        }
        return Vec::new();
    }
    let mut out = Vec::new();
    match scope {
        Scope::Record(_) => {
            if let Some(s) = record_source {
                out.extend(fields(s, "", None));
                for (d, e) in &s.dimensions {
                    let doc = format!(
                        "dimension of `{}`: `{}`",
                        s.name.text,
                        crate::syntax::expr_to_string(e)
                    );
                    out.push(item(
                        &d.text,
                        CompletionItemKind::VARIABLE,
                        Some("dimension".into()),
                        Some(doc),
                        &d.text,
                    ));
                }
                for (table, _) in &s.lookups {
                    if let Some(t) = cat.source(&table.text) {
                        out.extend(fields(t, &format!("{}.", table.text), Some(s)));
                    }
                }
            }
        }
        Scope::Kpi => {
            for k in &cat.kpis {
                let label = k.label.as_ref().map(|l| l.get("en").to_string());
                let doc = k.description.as_ref().map(|d| d.get("en").to_string());
                out.push(item(
                    &k.name.text,
                    CompletionItemKind::VARIABLE,
                    label,
                    doc,
                    &quote(&k.name.text),
                ));
            }
            for s in &cat.sources {
                let detail = format!("source ({} fields)", s.fields.len());
                out.push(item(
                    &s.name.text,
                    CompletionItemKind::MODULE,
                    Some(detail),
                    None,
                    &quote(&s.name.text),
                ));
            }
        }
    }
    out.extend(aggregates());
    for f in FUNCTIONS.iter() {
        let sig = f.signature.join("  |  ");
        out.push(item(
            f.name,
            CompletionItemKind::FUNCTION,
            Some(sig),
            Some(f.doc.into()),
            f.name,
        ));
    }
    for k in [
        "and",
        "or",
        "not",
        "is null",
        "is not null",
        "in",
        "between",
        "per",
        "where",
    ] {
        out.push(item(k, CompletionItemKind::KEYWORD, None, None, k));
    }
    out
}

/// A name as a formula writes it: back-quoted when it is not a plain name.
fn quote(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !super::lex::is_keyword(name);
    if plain {
        name.to_string()
    } else {
        format!("`{name}`")
    }
}

/// The fields of `s`, each written `prefix` + name (`agents.team`); `via` is the source
/// that reads them through a lookup.
fn fields(s: &SourceDef, prefix: &str, via: Option<&SourceDef>) -> Vec<CompletionItem> {
    s.fields
        .iter()
        .map(|f| {
            let doc = match via {
                Some(v) => {
                    let key = v.lookups.iter().find(|(t, _)| t.text == s.name.text);
                    let key =
                        key.map_or(String::new(), |(_, k)| format!(", matched on `{}`", k.text));
                    format!("field of lookup table `{}`{key}", s.name.text)
                }
                None => format!("field of `{}`", s.name.text),
            };
            let label = format!("{prefix}{}", quote(&f.name.text));
            item(
                &label,
                CompletionItemKind::FIELD,
                Some(f.ty.name().into()),
                Some(doc),
                &label,
            )
        })
        .collect()
}

fn aggregates() -> Vec<CompletionItem> {
    AGGREGATES
        .iter()
        .map(|a| {
            let sig = format!("aggregate: {}", a.signature.join("  |  "));
            item(
                a.name,
                CompletionItemKind::FUNCTION,
                Some(sig),
                Some(a.doc.into()),
                a.name,
            )
        })
        .collect()
}

#[derive(Clone, Copy)]
enum Keys {
    File,
    Kpi,
    Source,
    Test,
}

/// The keys of a part of a YAML catalogue, documented from `kpi schema`.
fn keys(which: Keys) -> Vec<(String, String)> {
    let schema = crate::schema::catalogue_schema();
    let props = match which {
        Keys::File => &schema["properties"],
        Keys::Kpi => {
            &schema["properties"]["kpis"]["additionalProperties"]["oneOf"][1]["properties"]
        }
        Keys::Source => &schema["properties"]["sources"]["additionalProperties"]["properties"],
        Keys::Test => &schema["properties"]["tests"]["additionalProperties"]["items"]["properties"],
    };
    let Value::Object(map) = props else {
        return Vec::new();
    };
    map.iter()
        .map(|(k, v)| (k.clone(), key_doc(k, v)))
        .collect()
}

fn key_doc(key: &str, v: &Value) -> String {
    if let Some(d) = v["description"].as_str() {
        return d.to_string();
    }
    if let Some(e) = v["enum"].as_array() {
        let names: Vec<&str> = e.iter().filter_map(Value::as_str).collect();
        return format!("one of: {}", names.join(", "));
    }
    match key {
        "kpis" => "the KPIs: name → formula, or {formula, label, unit, target, ...}",
        "sources" => "the record streams: name → {path, time, fields, ...}",
        "label" => "the name people read: a text, or one per language ({en: ..., fr: ...})",
        "description" => "what it means and how to read it: a text, or one per language",
        "decimals" => "decimals shown, 0 to 12",
        "tests" => "tests run by `kpi test`: a list of {name, data, expect}",
        "fields" => "the fields and their types: string, number, bool, date, datetime, duration",
        "name" => "the test's name",
        _ => "",
    }
    .to_string()
}

fn yaml_keys(path: &[String]) -> Vec<CompletionItem> {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    let which = match p.as_slice() {
        [] => Keys::File,
        ["kpis", _] => Keys::Kpi,
        ["sources", _] => Keys::Source,
        ["kpis", _, "tests"] | ["tests", _] => Keys::Test,
        _ => return Vec::new(),
    };
    keys(which)
        .into_iter()
        .map(|(k, doc)| {
            item(
                &k,
                CompletionItemKind::PROPERTY,
                None,
                Some(doc),
                &format!("{k}: "),
            )
        })
        .collect()
}

fn values(list: &[&str], kind: CompletionItemKind) -> Vec<CompletionItem> {
    list.iter().map(|v| item(v, kind, None, None, v)).collect()
}

fn source_names(snap: &Snapshot) -> Vec<CompletionItem> {
    let names: Vec<&str> = snap
        .cat
        .sources
        .iter()
        .map(|s| s.name.text.as_str())
        .collect();
    values(&names, CompletionItemKind::MODULE)
}

fn yaml_value(snap: &Snapshot, path: &[String], key: &str) -> Vec<CompletionItem> {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match (p.as_slice(), key) {
        (["kpis", _], "unit") => values(&Unit::NAMES, CompletionItemKind::ENUM_MEMBER),
        ([] | ["kpis", _], "source") => source_names(snap),
        (["sources", _, "fields"], _) => values(&FieldType::NAMES, CompletionItemKind::ENUM_MEMBER),
        (["sources", s], "time" | "key") | (["sources", s, "lookups"], _) => snap
            .cat
            .source(s)
            .map_or_else(Vec::new, |s| fields(s, "", None)),
        (_, "grain") => values(
            &["day", "week", "month", "quarter", "year"],
            CompletionItemKind::ENUM_MEMBER,
        ),
        _ => Vec::new(),
    }
}

fn attr_value(snap: &Snapshot, key: &str) -> Vec<CompletionItem> {
    match key {
        "unit" => values(&Unit::NAMES, CompletionItemKind::ENUM_MEMBER),
        "source" => source_names(snap),
        _ => Vec::new(),
    }
}
