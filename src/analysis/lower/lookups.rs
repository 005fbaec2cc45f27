//! Fields of lookup tables in record scope (`agents.team`, periods-lookups brief §14): the
//! source names the table under `lookups:`, with the field that holds the table's key; the
//! value is the matched row's field, read through that key as text.

use super::column;
use crate::analysis::{Analyzer, Column, LookupCol, Ty};
use crate::diag::{Code, Diag};
use crate::ir::{Col, Node, RExpr, SourceId};
use crate::syntax::Name;

pub(super) fn lookup(
    an: &mut Analyzer,
    source: SourceId,
    t: &Name,
    f: &Name,
) -> Option<(RExpr, Ty)> {
    let src_name = an.sources[source.0 as usize].name.clone();
    let def = an.source_def(source);
    let Some((_, key_field)) = def.and_then(|d| d.lookups.iter().find(|(l, _)| l.text == t.text))
    else {
        let declared: Vec<&str> = def
            .map(|d| d.lookups.iter().map(|(l, _)| l.text.as_str()).collect())
            .unwrap_or_default();
        let d = Diag::error(
            Code::UnknownName,
            format!("`{}` is not a lookup of source `{src_name}`", t.text),
        )
        .at(t.span);
        an.diags.push(d.suggest(
            &t.text,
            declared,
            Some(format!(
                "declare it on source `{src_name}`: `lookups: {{{}: FIELD}}`, FIELD holding its key",
                t.text
            )),
        ));
        return None;
    };
    // The table is checked with the sources (`check_lookups`); here only its field.
    let table = an.source_id(&t.text)?;
    let table_def = an.source_def(table)?;
    let declared = table_def.field(&f.text).map(|fd| Ty::from(fd.ty));
    if table_def.has_schema && declared.is_none() {
        let names: Vec<&str> = table_def
            .fields
            .iter()
            .map(|x| x.name.text.as_str())
            .collect();
        let all = format!("the fields of `{}` are: {}", t.text, names.join(", "));
        an.diags.push(
            Diag::error(
                Code::UnknownName,
                format!("`{}` is not a field of lookup table `{}`", f.text, t.text),
            )
            .at(f.span)
            .suggest(&f.text, names, Some(all)),
        );
        return None;
    }
    let key = column(an, source, &key_field.text.clone(), Ty::Str);
    let name = format!("{}.{}", t.text, f.text);
    let ty = declared.unwrap_or(Ty::Any);
    let lookup = Some(LookupCol {
        table,
        key,
        field: f.text.clone(),
    });
    let cols = &mut an.sources[source.0 as usize].columns;
    let at = match cols
        .iter()
        .position(|c| c.name == name && c.lookup == lookup)
    {
        Some(i) => i,
        None => {
            cols.push(Column { name, ty, lookup });
            cols.len() - 1
        }
    };
    Some((Node::Leaf(Col(at as u32)), ty))
}

/// A source's `key:` and `lookups:`: the key is one of its fields, each lookup table is a
/// source with a `key:` and no lookups of its own (one level is enough).
pub(crate) fn check_lookups(an: &mut Analyzer, s: &crate::catalogue::SourceDef) {
    if let (Some(k), true) = (&s.key, s.has_schema) {
        if s.field(&k.text).is_none() {
            let names = s.fields.iter().map(|f| f.name.text.as_str());
            let d = Diag::error(
                Code::UnknownName,
                format!("the key `{}` is not a field of `{}`", k.text, s.name.text),
            )
            .at(k.span);
            an.diags.push(d.suggest(&k.text, names, None));
        }
    }
    for (t, field) in &s.lookups {
        if s.has_schema && s.field(&field.text).is_none() {
            let names = s.fields.iter().map(|f| f.name.text.as_str());
            let d = Diag::error(
                Code::UnknownName,
                format!("`{}` is not a field of `{}`", field.text, s.name.text),
            )
            .at(field.span)
            .help(format!(
                "it should hold the key of lookup table `{}`",
                t.text
            ));
            an.diags.push(d.suggest(&field.text, names, None));
        }
        let Some(table) = an.cat.sources.iter().find(|x| x.name.text == t.text) else {
            let names = an.cat.sources.iter().map(|x| x.name.text.as_str());
            let d = Diag::error(
                Code::UnknownName,
                format!("lookup table `{}` is not a source", t.text),
            )
            .at(t.span);
            an.diags.push(d.suggest(
                &t.text,
                names,
                Some("declare it under `sources:`, with `key:` naming its unique field".into()),
            ));
            continue;
        };
        if table.key.is_none() {
            an.diags.push(
                Diag::error(
                    Code::Lookup,
                    format!(
                        "source `{}` is used as a lookup table but has no `key:`",
                        t.text
                    ),
                )
                .at(t.span)
                .label(table.name.span, "declared here")
                .help("add `key: FIELD` to it, FIELD unique in its file"),
            );
        }
        if !table.lookups.is_empty() {
            an.diags.push(
                Diag::error(
                    Code::Lookup,
                    format!(
                        "`{}` is a lookup table with lookups of its own: one level of lookup is enough",
                        t.text
                    ),
                )
                .at(t.span)
                .label(table.lookups[0].0.span, "its own lookup")
                .help("bring the fields you need into the lookup table's file, or look them up from the source directly"),
            );
        }
    }
}
