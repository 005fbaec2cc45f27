//! The bar chart of a KPI by group: horizontal bars sorted highest first, the target as a
//! vertical line (or band), missed groups marked, intervals as error bars.

use super::scale::{target_lines, Scale};
use super::svg::Svg;
use super::Point;
use crate::catalogue::{KpiDef, TargetOp};
use crate::output::Lang;
use rust_decimal::prelude::*;

const W: f64 = 640.0;
const LABELS: f64 = 170.0;
const RIGHT: f64 = 90.0;
const ROW: f64 = 24.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 26.0;

/// A bar chart of `bars` (already sorted and cut).
pub fn chart(bars: &[Point], def: &KpiDef, lang: Lang, label: &str) -> String {
    let w = super::words::words(lang);
    let height = TOP + ROW * bars.len().max(1) as f64 + BOTTOM;
    let (x0, x1) = (LABELS, W - RIGHT);
    let mut values: Vec<f64> = bars.iter().filter_map(|b| b.value).collect();
    for b in bars {
        if let Some((lo, hi)) = b.bounds {
            values.extend([lo, hi]);
        }
    }
    let targets = target_lines(def);
    values.extend(targets.iter().filter_map(|d| d.to_f64()));
    let x = Scale::new(&values, true, x0, x1, 4, super::is_duration(def));
    let mut svg = Svg::new(W, height, "chart bar-chart", label);
    let bottom = height - BOTTOM;
    for t in &x.ticks {
        let px = x.at(t.to_f64().unwrap_or(0.0));
        svg.line(px, TOP, px, bottom, "grid");
        svg.text(px, bottom + 16.0, "middle", "tick", &x.label(*t, def, lang));
    }
    let zero = x.at(0.0);
    for (i, b) in bars.iter().enumerate() {
        let top = TOP + ROW * i as f64;
        let mid = top + ROW / 2.0;
        svg.text(
            x0 - 8.0,
            mid + 4.0,
            "end",
            "bar-label",
            &shorten(&b.label, 26),
        );
        let Some(v) = b.value else {
            svg.text(zero + 4.0, mid + 4.0, "start", "value-label", &b.shown);
            continue;
        };
        let px = x.at(v);
        svg.rect(
            px.min(zero),
            top + 4.0,
            (px - zero).abs(),
            ROW - 8.0,
            &b.class("bar"),
            &b.title(),
        );
        if let Some((lo, hi)) = b.bounds {
            let (a, c) = (x.at(lo), x.at(hi));
            svg.line(a, mid, c, mid, "err");
            svg.line(a, mid - 4.0, a, mid + 4.0, "err");
            svg.line(c, mid - 4.0, c, mid + 4.0, "err");
        }
        let end = b.bounds.map_or(px, |(_, hi)| x.at(hi).max(px));
        svg.text(
            end.max(zero) + 6.0,
            mid + 4.0,
            "start",
            "value-label",
            &b.shown,
        );
    }
    let target_text = def
        .target
        .as_ref()
        .map(|t| format!("{} {}", w.target, t.text))
        .unwrap_or_default();
    match (def.target.as_ref().map(|t| &t.op), targets.as_slice()) {
        (Some(TargetOp::Between(..)), [a, b]) => {
            let (xa, xb) = (
                x.at(a.to_f64().unwrap_or(0.0)),
                x.at(b.to_f64().unwrap_or(0.0)),
            );
            svg.rect(
                xa.min(xb),
                TOP,
                (xb - xa).abs(),
                bottom - TOP,
                "target-band",
                &target_text,
            );
            svg.line(xa, TOP, xa, bottom, "target");
            svg.line(xb, TOP, xb, bottom, "target");
        }
        (_, [t]) => {
            let xt = x.at(t.to_f64().unwrap_or(0.0));
            svg.line(xt, TOP, xt, bottom, "target");
            svg.rect(xt - 1.5, TOP, 3.0, bottom - TOP, "target-hit", &target_text);
        }
        _ => {}
    }
    svg.line(zero, TOP, zero, bottom, "axis");
    svg.finish()
}

/// A label cut to `n` characters, with an ellipsis.
fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n - 1).collect();
    out.push('…');
    out
}
