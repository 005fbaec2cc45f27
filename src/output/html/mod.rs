//! The HTML report, `kpi report` (and `--format html`): one self-contained HTML page of an evaluation — a tile
//! per KPI (value, target and status, change from the previous period, sparkline), a line
//! chart per KPI over the periods of `--grain`, a sorted bar chart per KPI with `--by`, the
//! catalogue's descriptions, intervals as error bars, low samples marked. Inline CSS and
//! SVG only (`svg.rs`), no script and no address: it opens from an email attachment.
//!
//! It reads only the results and the catalogue: `page.rs` lays the page out, `line.rs` and
//! `bars.rs` draw, `scale.rs` maps values to pixels, `words.rs` speaks English or French.

mod bars;
mod line;
mod page;
mod scale;
mod svg;
mod view;
mod words;

use crate::catalogue::{Catalogue, KpiDef, Unit};
use crate::output::{display_value, status, Lang};
use crate::results::{ResultRow, Results};
use crate::syntax::{BinOp, ExprKind};
use crate::value::Value;
pub use page::{anchor, html};
pub use svg::escape;

/// What the page shows beyond the results.
#[derive(Clone, Debug)]
pub struct Options {
    /// Bars shown per KPI with `--by` (the rest folded into "others" where that sums).
    pub top: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options { top: 10 }
    }
}

/// One value drawn: its label, position, text, status and interval.
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
    /// The value as the table shows it (rounded for display only).
    pub shown: String,
    pub missed: bool,
    pub low_sample: bool,
    pub bounds: Option<(f64, f64)>,
    /// What hovering says: the value, the status, the interval, the sample.
    pub detail: String,
    /// The exact value (for the sum of "others").
    pub value_exact: Option<rust_decimal::Decimal>,
}

impl Point {
    /// The element's classes: `missed` and `low` are styled apart.
    pub fn class(&self, base: &str) -> String {
        let mut c = base.to_string();
        if self.missed {
            c.push_str(" missed");
        }
        if self.low_sample {
            c.push_str(" low");
        }
        c
    }

    pub fn title(&self) -> String {
        format!("{}: {}{}", self.label, self.shown, self.detail)
    }
}

/// A value as the KPI shows it.
pub fn shown(v: &Value, def: &KpiDef, lang: Lang) -> String {
    display_value(v, def.unit, def.currency.as_deref(), def.decimals, lang)
}

/// Durations (and seconds) get axes in minutes, hours, days.
pub fn is_duration(def: &KpiDef) -> bool {
    matches!(def.unit, Some(Unit::Seconds | Unit::Duration))
}

/// The label of a KPI in `lang`, else its name.
pub fn label(def: &KpiDef, lang: Lang) -> String {
    def.label
        .as_ref()
        .map(|l| l.get(lang.code()).to_string())
        .unwrap_or_else(|| def.name.text.clone())
}

/// The point of one result row.
pub fn point(row: &ResultRow, label: String, def: &KpiDef, out: &Results, lang: Lang) -> Point {
    let w = words::words(lang);
    let st = status(def, &row.value);
    let low = row.low_sample(def.min_sample);
    let mut detail = String::new();
    if let (Some(s), Some(t)) = (st, &def.target) {
        let word = if s == "met" { w.met } else { w.missed };
        detail.push_str(&format!(" — {word} ({} {})", w.target, t.text));
    }
    let bounds = row.bounds.as_ref().and_then(|(a, b)| {
        let level = out.ci?;
        detail.push_str(&format!(
            " — {} {}: {} – {}",
            w.interval,
            crate::output::number::number(level, level.scale(), lang)
                + if lang == Lang::Fr { " %" } else { "%" },
            shown(a, def, lang),
            shown(b, def, lang)
        ));
        Some((scale::position(a)?, scale::position(b)?))
    });
    if low {
        detail.push_str(&format!(
            " — {} (n = {})",
            w.low_sample,
            row.sample.unwrap_or(0)
        ));
    }
    Point {
        label,
        value: scale::position(&row.value),
        shown: shown(&row.value, def, lang),
        missed: st == Some("missed"),
        low_sample: low,
        bounds,
        detail,
        value_exact: row.value.decimal(),
    }
}

/// Whether groups' values add up to the whole: a count or currency KPI whose formula is a
/// sum of `count`/`sum` aggregates (no `per`), directly or through such KPIs. An average,
/// a percentage or a distinct count never folds into "others".
pub fn additive(def: &KpiDef, cat: &Catalogue) -> bool {
    fn walk(e: &crate::syntax::Expr, cat: &Catalogue, depth: u32) -> bool {
        match &e.kind {
            ExprKind::Call(c) => {
                matches!(c.func.text.to_lowercase().as_str(), "count" | "sum") && c.per.is_empty()
            }
            ExprKind::Binary(BinOp::Add | BinOp::Sub, a, b) => {
                walk(a, cat, depth) && walk(b, cat, depth)
            }
            ExprKind::Name(n) if depth < 32 => cat
                .kpi(&n.text)
                .is_some_and(|k| walk(&k.formula, cat, depth + 1)),
            _ => false,
        }
    }
    matches!(def.unit, Some(Unit::Count | Unit::Currency)) && walk(&def.formula, cat, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sums_of_counts_and_sums_fold() {
        let mut map = crate::span::SourceMap::default();
        let mut diags = Vec::new();
        let text = "sources:\n  s: { fields: { x: number } }\nsource: s\nkpis:\n  a: { formula: count(), unit: count }\n  b: { formula: sum(x) - a, unit: currency }\n  c: { formula: avg(x), unit: currency }\n  d: { formula: count(), unit: percent }\n  e: { formula: count(per x), unit: count }\n";
        let cat = crate::catalogue::load_text("c.yaml", text, false, &mut map, &mut diags);
        let folds: Vec<bool> = cat.kpis.iter().map(|k| additive(k, &cat)).collect();
        assert_eq!(folds, [true, true, false, false, false]);
    }
}
