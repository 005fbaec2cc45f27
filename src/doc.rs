//! `kpi doc`: the catalogue as Markdown, one section per KPI: labels, description, formula,
//! unit, target, the sources and fields it reads, the KPIs it depends on, where it is defined.

use crate::analysis::Ir;
use crate::ir::{KLeaf, KpiId};
use crate::output::Lang;
use crate::span::SourceMap;
use crate::syntax::expr_to_string;
use std::collections::BTreeMap;
use std::fmt::Write;

struct Words {
    title: &'static str,
    index: &'static str,
    formula: &'static str,
    unit: &'static str,
    decimals: &'static str,
    target: &'static str,
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
    let mut s = format!(
        "# {}\n\n## {}\n\n| KPI | | {} | {} |\n|---|---|---|---|\n",
        w.title, w.index, w.unit, w.target
    );
    for (i, k) in cat.kpis.iter().enumerate() {
        let _ = writeln!(
            s,
            "| [`{}`](#{}) | {} | {} | {} |",
            k.name.text,
            k.name.text.to_lowercase(),
            label(i).replace('|', "\\|"),
            k.unit.map_or("", |u| u.as_str()),
            k.target
                .as_ref()
                .map_or(String::new(), |t| format!("`{}`", t.text))
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
        let _ = writeln!(s, "- **{}**: `{}`", w.formula, expr_to_string(&k.formula));
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
            let _ = writeln!(s, "- **{}**: `{}`", w.target, t.text);
        }
        let info = &an.kpis[i];
        let mut reads: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        info.expr.leaves(&mut |l| {
            if let KLeaf::Agg(a) = l {
                let spec = &an.aggs[a.0 as usize];
                let src = &an.sources[spec.source.0 as usize];
                let entry = reads.entry(src.name.as_str()).or_default();
                spec.columns(&mut |c| entry.push(&src.columns[c.0 as usize].name));
            }
        });
        if !reads.is_empty() {
            let list: Vec<String> = reads
                .into_iter()
                .map(|(src, mut cols)| {
                    cols.sort_unstable();
                    cols.dedup();
                    if cols.is_empty() {
                        format!("`{src}`")
                    } else {
                        format!(
                            "`{src}` ({} {})",
                            w.fields,
                            cols.iter()
                                .map(|c| format!("`{c}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
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
                    "[`{0}`](#{1})",
                    cat.kpis[d.0 as usize].name.text,
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
                users
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let f = sources.get(k.name.span.file);
        let (line, _) = f.line_col(k.name.span.start as usize);
        let _ = writeln!(s, "- **{}**: `{}:{line}`", w.defined, f.name);
        let _ = writeln!(s, "- **{}**: {}", w.tests, k.tests.len());
    }
    s
}
