//! The line chart of a KPI over periods, and the tile's sparkline: a null period is a gap in
//! the line (never a zero), the target a line or a band, missed periods marked, intervals
//! as error bars, low samples as hollow points.

use super::scale::{target_lines, Scale};
use super::svg::Svg;
use super::Point;
use crate::catalogue::{KpiDef, TargetOp};
use crate::output::Lang;
use rust_decimal::prelude::*;

const LEFT: f64 = 70.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;

/// Runs of consecutive non-null points, as (index, value).
fn runs(points: &[Point]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = vec![Vec::new()];
    for (i, p) in points.iter().enumerate() {
        match p.value {
            Some(v) => out.last_mut().expect("one run at least").push((i, v)),
            None => out.push(Vec::new()),
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// The target drawn across a chart whose value axis is vertical.
fn target_across(svg: &mut Svg, def: &KpiDef, y: &Scale, x0: f64, x1: f64, label: &str) {
    let lines = target_lines(def);
    let at = |d: &Decimal| y.at(d.to_f64().unwrap_or(0.0));
    match (def.target.as_ref().map(|t| &t.op), lines.as_slice()) {
        (Some(TargetOp::Between(..)), [a, b]) => {
            let (ya, yb) = (at(a), at(b));
            svg.rect(
                x0,
                ya.min(yb),
                x1 - x0,
                (ya - yb).abs(),
                "target-band",
                label,
            );
            svg.line(x0, ya, x1, ya, "target");
            svg.line(x0, yb, x1, yb, "target");
        }
        (_, [t]) => {
            let yt = at(t);
            svg.line(x0, yt, x1, yt, "target");
            svg.text(x1 - 2.0, yt - 4.0, "end", "target-label", label);
        }
        _ => {}
    }
}

/// The values the value axis must show: points, bounds, targets.
fn extent(points: &[Point], def: &KpiDef) -> Vec<f64> {
    let mut v: Vec<f64> = points.iter().filter_map(|p| p.value).collect();
    for p in points {
        if let Some((a, b)) = p.bounds {
            v.extend([a, b]);
        }
    }
    v.extend(target_lines(def).iter().filter_map(|d| d.to_f64()));
    v
}

/// The values several charts share an axis over (small multiples compare at a glance).
pub fn shared_extent(series: &[&[Point]], def: &KpiDef) -> Vec<f64> {
    series.iter().flat_map(|p| extent(p, def)).collect()
}

/// A line chart of `points` (one per period, in order), `size` wide and high, its value
/// axis over `extra` too (the other charts of a row of small multiples).
pub fn chart(
    points: &[Point],
    def: &KpiDef,
    lang: Lang,
    size: (f64, f64),
    extra: &[f64],
    label: &str,
) -> String {
    let w = super::words::words(lang);
    let dur = super::is_duration(def);
    let (width, height) = size;
    let (x0, x1, y0, y1) = (LEFT, width - RIGHT, height - BOTTOM, TOP);
    let mut values = extent(points, def);
    values.extend_from_slice(extra);
    let y = Scale::new(&values, false, y0, y1, 5, dur);
    let mut svg = Svg::new(width, height, "chart line-chart", label);
    for t in &y.ticks {
        let py = y.at(t.to_f64().unwrap_or(0.0));
        svg.line(x0, py, x1, py, "grid");
        svg.text(x0 - 6.0, py + 4.0, "end", "tick", &y.label(*t, def, lang));
    }
    let n = points.len().max(1);
    let step = (x1 - x0) / n as f64;
    let x = |i: usize| x0 + step * (i as f64 + 0.5);
    let target_text = def
        .target
        .as_ref()
        .map(|t| format!("{} {}", w.target, t.text))
        .unwrap_or_default();
    target_across(&mut svg, def, &y, x0, x1, &target_text);
    // At most about one period label per 80 pixels.
    let most = ((x1 - x0) / 80.0).max(2.0) as usize;
    let every = n.div_ceil(most).max(1);
    for (i, p) in points.iter().enumerate() {
        if i % every == 0 {
            svg.text(x(i), height - 10.0, "middle", "tick", &p.label);
        }
        if let Some((a, b)) = p.bounds {
            let (ya, yb) = (y.at(a), y.at(b));
            svg.line(x(i), ya, x(i), yb, "err");
            svg.line(x(i) - 3.0, ya, x(i) + 3.0, ya, "err");
            svg.line(x(i) - 3.0, yb, x(i) + 3.0, yb, "err");
        }
    }
    let lines: Vec<Vec<(f64, f64)>> = runs(points)
        .into_iter()
        .map(|r| r.into_iter().map(|(i, v)| (x(i), y.at(v))).collect())
        .collect();
    svg.runs(&lines, "series");
    for (i, p) in points.iter().enumerate() {
        if let Some(v) = p.value {
            svg.circle(x(i), y.at(v), 3.5, &p.class("pt"), &p.title());
        } else {
            // No value: nothing drawn but a mark on the axis, and the period's hover text.
            svg.text(x(i), y0 - 4.0, "middle", "gap", "·");
            svg.rect(x(i) - step / 2.0, y1, step, y0 - y1, "gap-hit", &p.title());
        }
    }
    svg.line(x0, y0, x1, y0, "axis");
    svg.finish()
}

/// A small line of the periods, with the last point marked, for a tile.
pub fn sparkline(points: &[Point], def: &KpiDef, label: &str) -> String {
    let (w, h) = (120.0, 34.0);
    let y = Scale::new(&extent(points, def), false, h - 3.0, 3.0, 2, false);
    let mut svg = Svg::new(w, h, "spark", label);
    let n = points.len().max(1);
    let step = (w - 6.0) / n as f64;
    let x = |i: usize| 3.0 + step * (i as f64 + 0.5);
    for t in target_lines(def) {
        let yt = y.at(t.to_f64().unwrap_or(0.0));
        svg.line(3.0, yt, w - 3.0, yt, "target");
    }
    let lines: Vec<Vec<(f64, f64)>> = runs(points)
        .into_iter()
        .map(|r| r.into_iter().map(|(i, v)| (x(i), y.at(v))).collect())
        .collect();
    svg.runs(&lines, "series");
    if let Some((i, p)) = points
        .iter()
        .enumerate()
        .rev()
        .find(|(_, p)| p.value.is_some())
    {
        let v = p.value.unwrap_or_default();
        svg.circle(x(i), y.at(v), 2.5, &p.class("pt"), &p.title());
    }
    svg.finish()
}
