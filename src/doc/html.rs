//! `kpi doc --format html`: the catalogue as one self-contained page — a table of contents,
//! then a section per KPI whose formula is highlighted from the grammar's own tokens (the
//! pest pairs of `grammar/kpi.pest`, not patterns over the text), with the KPIs it names
//! and depends on linked to their sections.

use super::{reads_of, LineIndex, Words, EN, FR};
use crate::analysis::Ir;
use crate::catalogue::Catalogue;
use crate::output::html::{anchor, escape};
use crate::output::Lang;
use crate::span::SourceMap;
use crate::syntax::expr_to_string;
use crate::syntax::parse::{KpiParser, Rule};
use pest::iterators::Pair;
use pest::Parser;
use std::collections::BTreeMap;
use std::fmt::Write;

const STYLE: &str = "body{margin:0 auto;padding:16px;max-width:60em;font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif;color:#1d2430}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin:0 0 4px}\
nav ol{columns:2 18em;padding-left:1.4em}\
section{border-top:1px solid #e3e7ee;padding:14px 0}\
pre.formula{background:#f4f6f9;padding:8px 10px;border-radius:6px;white-space:pre-wrap;font-size:.95rem}\
.kw{color:#7b2cbf;font-weight:600}.op{color:#7b2cbf}.fn{color:#1f5fa8;font-weight:600}.src{color:#8a5a00}\
.field{color:#1d2430}.kpi{color:#2e7d32;font-weight:600}.num{color:#b23a48}.str{color:#0b7a75}.lit{color:#b23a48;font-style:italic}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}dt{font-weight:600}dd{margin:0}\
.other{color:#5b6575}\
@media print{section{break-inside:avoid}}";

/// The formula's text with each token in a class: keywords, operators, functions and
/// aggregates, sources, fields, KPIs (linked), numbers, strings. A text that does not parse
/// (it always does for a loaded catalogue) is written plain.
pub fn highlight(text: &str, cat: &Catalogue) -> String {
    let Ok(mut pairs) = KpiParser::parse(Rule::formula, text) else {
        return escape(text);
    };
    let mut tokens: Vec<(usize, usize, String)> = Vec::new();
    if let Some(formula) = pairs.next() {
        walk(formula, false, cat, &mut tokens);
    }
    tokens.sort_by_key(|t| t.0);
    let mut out = String::new();
    let mut at = 0;
    for (start, end, html) in tokens {
        if start < at {
            continue;
        }
        out.push_str(&escape(&text[at..start]));
        out.push_str(&html);
        at = end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

fn span(p: &Pair<Rule>, class: &str) -> (usize, usize, String) {
    let s = p.as_span();
    (
        s.start(),
        s.end(),
        format!("<span class=\"{class}\">{}</span>", escape(s.as_str())),
    )
}

/// The tokens of a pair; `inside`: within an aggregate's brackets (names are fields).
fn walk(p: Pair<Rule>, inside: bool, cat: &Catalogue, out: &mut Vec<(usize, usize, String)>) {
    let rule = p.as_rule();
    match rule {
        Rule::call => {
            let inner: Vec<Pair<Rule>> = p.into_inner().collect();
            let names = inner.iter().filter(|x| x.as_rule() == Rule::name).count();
            for (i, x) in inner.into_iter().enumerate() {
                match x.as_rule() {
                    Rule::name if names == 2 && i == 0 => out.push(span(&x, "src")),
                    Rule::name => out.push(span(&x, "fn")),
                    _ => walk(x, true, cat, out),
                }
            }
        }
        Rule::name => {
            let s = p.as_span();
            let raw = s.as_str();
            let bare = raw.trim_matches('`');
            match cat.kpi(bare).filter(|_| !inside) {
                Some(k) => out.push((
                    s.start(),
                    s.end(),
                    format!(
                        "<a class=\"kpi\" href=\"#{}\">{}</a>",
                        anchor(&k.name.text),
                        escape(raw)
                    ),
                )),
                None => out.push(span(&p, "field")),
            }
        }
        Rule::lookup => out.push(span(&p, "field")),
        Rule::number | Rule::duration | Rule::date | Rule::datetime => out.push(span(&p, "num")),
        Rule::string => out.push(span(&p, "str")),
        Rule::boolean | Rule::null => out.push(span(&p, "lit")),
        Rule::kw_and
        | Rule::kw_or
        | Rule::kw_not
        | Rule::kw_in
        | Rule::kw_between
        | Rule::kw_is
        | Rule::kw_null
        | Rule::kw_per
        | Rule::kw_where => out.push(span(&p, "kw")),
        Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_neg => out.push(span(&p, "op")),
        _ => {
            for x in p.into_inner() {
                walk(x, inside, cat, out);
            }
        }
    }
}

/// The whole page.
pub fn html(an: &Ir, sources: &SourceMap, lang: Lang) -> String {
    let w: &Words = if lang == Lang::Fr { &FR } else { &EN };
    let cat = an.cat;
    let label = |k: usize| {
        cat.kpis[k]
            .label
            .as_ref()
            .map(|l| l.get(lang.code()).to_string())
            .unwrap_or_else(|| cat.kpis[k].name.text.clone())
    };
    let link = |k: usize| {
        let name = &cat.kpis[k].name.text;
        format!(
            "<a href=\"#{}\"><code>{}</code></a>",
            anchor(name),
            escape(name)
        )
    };
    let mut used_by: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, info) in an.kpis.iter().enumerate() {
        for d in &info.deps {
            used_by.entry(d.0 as usize).or_default().push(i);
        }
    }
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"{0}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{1}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{1}</h1>\n<nav>\n<h2>{2}</h2>\n<ol>\n",
        lang.code(),
        escape(w.title),
        escape(w.index)
    );
    for i in 0..cat.kpis.len() {
        let _ = writeln!(
            s,
            "<li>{} <span class=\"other\">{}</span></li>",
            link(i),
            escape(&label(i))
        );
    }
    s.push_str("</ol>\n</nav>\n<main>\n");
    let mut lines = LineIndex::default();
    for (i, k) in cat.kpis.iter().enumerate() {
        let _ = write!(
            s,
            "<section id=\"{}\">\n<h2>{}</h2>\n<p><code>{}</code>",
            anchor(&k.name.text),
            escape(&label(i)),
            escape(&k.name.text)
        );
        if let Some(crate::catalogue::Text::Langs(ls)) = &k.label {
            for (l, t) in ls.iter().filter(|(l, _)| l != lang.code()) {
                let _ = write!(
                    s,
                    " <span class=\"other\">{}: {}</span>",
                    escape(l),
                    escape(t)
                );
            }
        }
        s.push_str("</p>\n");
        if let Some(d) = &k.description {
            let _ = writeln!(s, "<p>{}</p>", escape(d.get(lang.code()).trim()));
        }
        let _ = writeln!(
            s,
            "<pre class=\"formula\"><code>{}</code></pre>\n<dl>",
            highlight(&expr_to_string(&k.formula), cat)
        );
        let mut item = |term: &str, def: String| {
            let _ = writeln!(s, "<dt>{}</dt><dd>{def}</dd>", escape(term));
        };
        if let Some(u) = k.unit {
            let cur = k
                .currency
                .as_ref()
                .map_or(String::new(), |c| format!(" ({})", escape(c)));
            let dec = k
                .decimals
                .map_or(String::new(), |d| format!(", {d} {}", w.decimals));
            item(w.unit, format!("{}{cur}{dec}", u.as_str()));
        }
        if let Some(t) = &k.target {
            item(w.target, format!("<code>{}</code>", escape(&t.text)));
        }
        if let Some(n) = k.min_sample {
            item(w.min_sample, format!("{n} {}", w.records));
        }
        let reads: Vec<String> = reads_of(an, i)
            .into_iter()
            .map(|(src, cols)| {
                let cols: Vec<String> = cols
                    .iter()
                    .map(|c| format!("<code>{}</code>", escape(c)))
                    .collect();
                if cols.is_empty() {
                    format!("<code>{}</code>", escape(src))
                } else {
                    format!(
                        "<code>{}</code> ({} {})",
                        escape(src),
                        w.fields,
                        cols.join(", ")
                    )
                }
            })
            .collect();
        if !reads.is_empty() {
            item(w.reads, reads.join("; "));
        }
        let deps: Vec<String> = an.kpis[i].deps.iter().map(|d| link(d.0 as usize)).collect();
        item(
            w.depends,
            if deps.is_empty() {
                w.none.to_string()
            } else {
                deps.join(", ")
            },
        );
        if let Some(users) = used_by.get(&i) {
            let users: Vec<String> = users.iter().map(|u| link(*u)).collect();
            item(w.used_by, users.join(", "));
        }
        let f = sources.get(k.name.span.file);
        let line = lines.line_of(sources, k.name.span.file, k.name.span.start as usize);
        item(
            w.defined,
            format!("<code>{}:{line}</code>", escape(&f.name)),
        );
        item(w.tests, k.tests.len().to_string());
        s.push_str("</dl>\n</section>\n");
    }
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_highlighted_from_the_grammar() {
        let mut map = SourceMap::default();
        let mut diags = Vec::new();
        let text = "sources:\n  s: { fields: { x: number, y: string } }\nsource: s\nkpis:\n  a: s.count()\n  b: 100 * pct(x >= 9 and y in (\"p\", 'q') where x is not null) - a\n";
        let cat = crate::catalogue::load_text("c.yaml", text, false, &mut map, &mut diags);
        let h = highlight(
            "100 * s.pct(x >= 9 and y in (\"p\") where x is not null) - a",
            &cat,
        );
        assert_eq!(
            h,
            "<span class=\"num\">100</span> <span class=\"op\">*</span> \
             <span class=\"src\">s</span>.<span class=\"fn\">pct</span>(\
             <span class=\"field\">x</span> <span class=\"op\">&gt;=</span> <span class=\"num\">9</span> \
             <span class=\"kw\">and</span> <span class=\"field\">y</span> <span class=\"kw\">in</span> \
             (<span class=\"str\">&quot;p&quot;</span>) <span class=\"kw\">where</span> \
             <span class=\"field\">x</span> <span class=\"kw\">is</span> <span class=\"kw\">not</span> \
             <span class=\"kw\">null</span>) <span class=\"op\">-</span> \
             <a class=\"kpi\" href=\"#kpi-a\">a</a>"
        );
    }
}
