//! The page: head (inline stylesheet, a content security policy that forbids every load),
//! the tiles, one section per KPI with its chart and description, the sources read.

use super::svg::escape;
use super::view::{by_kpi, view, KpiView};
use super::words::{self, Words};
use super::{additive, bars, label, line, shown, Options, Point};
use crate::catalogue::{Catalogue, Unit};
use crate::diag::Severity;
use crate::output::{margin, status, Lang};
use crate::results::{plain_value, Results};
use crate::value::Value;
use rust_decimal::Decimal;
use std::fmt::Write;

const STYLE: &str = include_str!("style.css");

/// An element id for a KPI: its name with anything but ASCII letters, digits, `_` and `-`
/// written as `.XX` hex bytes.
pub fn anchor(name: &str) -> String {
    let mut id = String::from("kpi-");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            id.push(b as char);
        } else {
            let _ = write!(id, ".{b:02x}");
        }
    }
    id
}

/// The whole page.
pub fn html(out: &Results, cat: &Catalogue, lang: Lang, opts: &Options) -> String {
    let w = words::words(lang);
    let views: Vec<KpiView> = by_kpi(out)
        .into_iter()
        .map(|rows| {
            let def = &cat.kpis[rows[0].kpi.0 as usize];
            view(rows, def, out, lang)
        })
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>\n",
        w.lang,
        escape(w.title),
        escape(w.title),
        escape(&describe(out, w, lang))
    );
    s.push_str("<nav class=\"tiles\" aria-label=\"");
    s.push_str(w.contents);
    s.push_str("\">\n");
    for v in &views {
        s.push_str(&tile(v, w, lang));
    }
    s.push_str("</nav>\n<main>\n");
    for v in &views {
        s.push_str(&section(v, cat, out, w, lang, opts));
    }
    s.push_str("</main>\n");
    s.push_str(&footer(out, w, lang));
    s.push_str("</body>\n</html>\n");
    s
}

/// What was evaluated: the grouping, the interval level.
fn describe(out: &Results, w: &Words, lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !out.key_names.is_empty() {
        parts.push(out.key_names.join(" · "));
    }
    if let Some(level) = out.ci {
        let n = crate::output::number::number(level, level.scale(), lang);
        parts.push(format!(
            "{} {n}{}",
            w.interval,
            if lang == Lang::Fr { " %" } else { "%" }
        ));
    }
    let records: u64 = out.sources.iter().map(|s| s.records).sum();
    parts.push(format!(
        "{} {}",
        crate::output::number::number(Decimal::from(records), 0, lang),
        w.records
    ));
    parts.join(" — ")
}

fn tile(v: &KpiView, w: &Words, lang: Lang) -> String {
    let def = v.def;
    let name = label(def, lang);
    let desc = def
        .description
        .as_ref()
        .map(|d| d.get(lang.code()).trim().to_string())
        .unwrap_or_default();
    let (row, period) = match &v.headline {
        Some((r, p)) => (Some(*r), p.clone()),
        None => (None, None),
    };
    let value = row.map_or(Value::Null, |r| r.value.clone());
    let st = status(def, &value);
    let low = row.is_some_and(|r| r.low_sample(def.min_sample));
    let mut class = String::from("tile");
    match st {
        Some("met") => class.push_str(" met"),
        Some(_) => class.push_str(" missed"),
        None => {}
    }
    let mut s = format!(
        "<a class=\"{class}\" href=\"#{}\" title=\"{}\">\n<span class=\"tile-label\">{}</span>\n",
        anchor(&def.name.text),
        escape(&desc),
        escape(&name)
    );
    let _ = write!(
        s,
        "<span class=\"tile-value\">{}</span>",
        escape(&shown(&value, def, lang))
    );
    if let Some(m) = row.and_then(margin) {
        let _ = write!(
            s,
            " <span class=\"tile-margin\">± {}</span>",
            escape(&shown(&m, def, lang))
        );
    }
    s.push('\n');
    if let Some(p) = period {
        let _ = writeln!(s, "<span class=\"tile-period\">{}</span>", escape(&p));
    }
    let target = match (&def.target, st) {
        (Some(t), Some(x)) => format!(
            "{} {} · <strong>{}</strong>",
            w.target,
            escape(&t.text),
            if x == "met" { w.met } else { w.missed }
        ),
        (Some(t), None) => format!("{} {}", w.target, escape(&t.text)),
        (None, _) => w.no_target.to_string(),
    };
    let _ = writeln!(s, "<span class=\"tile-target\">{target}</span>");
    if let Some((ch, from)) = &v.change {
        let unit = def
            .unit
            .map(|u| if u == Unit::Percent { Unit::Points } else { u });
        let mut text =
            crate::output::display_value(ch, unit, def.currency.as_deref(), def.decimals, lang);
        let up = ch
            .decimal()
            .is_some_and(|d| d.is_sign_positive() && !d.is_zero());
        if up {
            text.insert(0, '+');
        }
        let arrow = match ch.decimal() {
            Some(d) if d.is_zero() => "=",
            Some(_) if up => "▲",
            Some(_) => "▼",
            None => "",
        };
        let _ = writeln!(
            s,
            "<span class=\"tile-change\">{arrow} {} {} {}</span>",
            escape(&text),
            w.change,
            escape(from)
        );
    }
    if low {
        let _ = writeln!(
            s,
            "<span class=\"tile-low\">{} (n = {})</span>",
            w.low_sample,
            row.and_then(|r| r.sample).unwrap_or(0)
        );
    }
    if !v.periods.is_empty() {
        s.push_str(&line::sparkline(&v.periods, def, &name));
        s.push('\n');
    }
    s.push_str("</a>\n");
    s
}

fn section(
    v: &KpiView,
    cat: &Catalogue,
    out: &Results,
    w: &Words,
    lang: Lang,
    opts: &Options,
) -> String {
    let def = v.def;
    let name = label(def, lang);
    let mut s = format!(
        "<section class=\"kpi\" id=\"{}\">\n<h2>{}</h2>\n",
        anchor(&def.name.text),
        escape(&name)
    );
    if let Some(d) = &def.description {
        let _ = writeln!(
            s,
            "<p class=\"desc\">{}</p>",
            escape(d.get(lang.code()).trim())
        );
    }
    if !v.periods.is_empty() {
        let _ = writeln!(
            s,
            "<figure class=\"chart\">{}</figure>",
            line::chart(&v.periods, def, lang, (640.0, 250.0), &[], &name)
        );
    }
    if !v.groups.is_empty() {
        let (shown_bars, note) = fold(&v.groups, def, cat, w, lang, opts.top);
        let _ = writeln!(
            s,
            "<figure class=\"chart\">{}</figure>",
            bars::chart(&shown_bars, def, lang, &name)
        );
        if let Some(n) = note {
            let _ = writeln!(s, "<p class=\"note\">{}</p>", escape(&n));
        }
    }
    if !v.multiples.is_empty() {
        s.push_str("<div class=\"multiples\">\n");
        let all: Vec<&[Point]> = v.multiples.iter().map(|(_, p)| p.as_slice()).collect();
        let shared = line::shared_extent(&all, def);
        for (group, points) in &v.multiples {
            let title = format!("{name} — {group}");
            let _ = writeln!(
                s,
                "<figure class=\"chart small\"><figcaption>{}</figcaption>{}</figure>",
                escape(group),
                line::chart(points, def, lang, (420.0, 220.0), &shared, &title)
            );
        }
        s.push_str("</div>\n");
    }
    s.push_str(&values_table(v, out, w, lang));
    s.push_str("</section>\n");
    s
}

/// The `top` highest groups; the rest summed into "others" when the KPI adds up, else a note.
fn fold(
    groups: &[Point],
    def: &crate::catalogue::KpiDef,
    cat: &Catalogue,
    w: &Words,
    lang: Lang,
    top: usize,
) -> (Vec<Point>, Option<String>) {
    let top = top.max(1);
    if groups.len() <= top + 1 {
        return (groups.iter().map(copy).collect(), None);
    }
    let mut kept: Vec<Point> = groups[..top].iter().map(copy).collect();
    let rest = &groups[top..];
    if additive(def, cat) {
        // Exact: the displayed texts come from the sum of the exact values, not of floats.
        let sum: Option<Decimal> = rest.iter().try_fold(Decimal::ZERO, |acc, p| {
            let v = p.value_exact.as_ref()?;
            acc.checked_add(*v)
        });
        let value = sum.map_or(Value::Null, Value::Num);
        kept.push(Point {
            label: format!("{} ({})", w.others, rest.len()),
            value: super::scale::position(&value),
            shown: shown(&value, def, lang),
            missed: false,
            low_sample: false,
            bounds: None,
            detail: String::new(),
            value_exact: sum,
        });
        (kept, None)
    } else {
        (kept, Some(format!("+ {} {}", rest.len(), w.more_groups)))
    }
}

fn copy(p: &Point) -> Point {
    Point {
        label: p.label.clone(),
        value: p.value,
        shown: p.shown.clone(),
        missed: p.missed,
        low_sample: p.low_sample,
        bounds: p.bounds,
        detail: p.detail.clone(),
        value_exact: p.value_exact,
    }
}

/// Every row of the KPI as text, under the chart (folded away on screen).
fn values_table(v: &KpiView, out: &Results, w: &Words, lang: Lang) -> String {
    let def = v.def;
    let mut s = String::from("<details><summary>");
    s.push_str(if lang == Lang::Fr {
        "Valeurs"
    } else {
        "Values"
    });
    s.push_str("</summary>\n<table>\n<tr>");
    for k in &out.key_names {
        let _ = write!(s, "<th>{}</th>", escape(k));
    }
    let _ = write!(
        s,
        "<th class=\"num\">{}</th>",
        if lang == Lang::Fr { "valeur" } else { "value" }
    );
    if out.ci.is_some() {
        s.push_str("<th class=\"num\">±</th>");
    }
    s.push_str("<th></th></tr>\n");
    for r in &v.rows {
        s.push_str("<tr>");
        if r.total {
            let _ = write!(s, "<td>{}</td>", escape(w.total));
            for _ in 1..out.key_names.len() {
                s.push_str("<td></td>");
            }
        } else {
            for k in &r.key {
                let text = if k.is_null() {
                    w.blank.to_string()
                } else {
                    plain_value(k)
                };
                let _ = write!(s, "<td>{}</td>", escape(&text));
            }
        }
        let _ = write!(
            s,
            "<td class=\"num\">{}</td>",
            escape(&shown(&r.value, def, lang))
        );
        if out.ci.is_some() {
            let m = margin(r).map_or(String::new(), |m| format!("± {}", shown(&m, def, lang)));
            let _ = write!(s, "<td class=\"num\">{}</td>", escape(&m));
        }
        let mut note: Vec<String> = Vec::new();
        match status(def, &r.value) {
            Some("met") => note.push(w.met.into()),
            Some(_) => note.push(format!("<strong class=\"missed\">{}</strong>", w.missed)),
            None => {}
        }
        if r.low_sample(def.min_sample) {
            note.push(format!("{} (n = {})", w.low_sample, r.sample.unwrap_or(0)));
        }
        let _ = writeln!(s, "<td>{}</td></tr>", note.join(" · "));
    }
    s.push_str("</table>\n</details>\n");
    s
}

fn footer(out: &Results, w: &Words, lang: Lang) -> String {
    let mut s = String::from("<footer>\n");
    if !out.sources.is_empty() {
        let list: Vec<String> = out
            .sources
            .iter()
            .map(|src| {
                format!(
                    "{} ({}, {} {})",
                    escape(&src.name),
                    escape(&src.file),
                    crate::output::number::number(Decimal::from(src.records), 0, lang),
                    w.records
                )
            })
            .collect();
        let _ = writeln!(s, "<p>{}: {}</p>", w.sources, list.join("; "));
    }
    let warnings = out
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    if warnings > 0 {
        let _ = writeln!(s, "<p>{}: {warnings}</p>", w.warnings);
    }
    let _ = writeln!(s, "<p>{}</p>\n</footer>", w.made_by);
    s
}
