//! From values to pixels: a linear scale over a domain with round ticks, and tick labels in
//! the KPI's unit. Positions are floating point; every number printed comes from an exact
//! decimal (the results, the targets, round ticks) through `output::display_value`.

use crate::catalogue::{KpiDef, TargetOp, Unit};
use crate::output::{display_value, Lang};
use crate::value::Value;
use rust_decimal::prelude::*;

/// A value's position on an axis (durations in seconds); none for null or a non-number.
pub fn position(v: &Value) -> Option<f64> {
    v.decimal()?.to_f64()
}

/// The numbers a target draws: a line, or a band's two ends.
pub fn target_lines(def: &KpiDef) -> Vec<Decimal> {
    match def.target.as_ref().map(|t| &t.op) {
        Some(TargetOp::Between(a, b)) => vec![*a, *b],
        Some(
            TargetOp::Ge(t) | TargetOp::Gt(t) | TargetOp::Le(t) | TargetOp::Lt(t) | TargetOp::Eq(t),
        ) => vec![*t],
        None => vec![],
    }
}

/// A linear map from a domain onto a pixel range, with round ticks.
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    from: f64,
    to: f64,
    pub ticks: Vec<Decimal>,
    /// Decimal places that show the ticks' step.
    pub places: u32,
}

impl Scale {
    /// A scale covering `values` (and zero when `zero`), onto `from..to`, with about
    /// `count` round ticks (steps of 1, 2 or 5 × 10ⁿ, or whole minutes, hours, days for
    /// durations).
    pub fn new(values: &[f64], zero: bool, from: f64, to: f64, count: usize, dur: bool) -> Scale {
        let mut lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let mut hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() || !hi.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if zero {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
        }
        if hi - lo < 1e-12 {
            let pad = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
            lo -= pad;
            hi += pad;
            if zero && lo < 0.0 && values.iter().all(|v| *v >= 0.0) {
                lo = 0.0;
            }
        }
        let (step, places) = nice_step((hi - lo) / count.max(1) as f64, dur);
        let first = (lo / step).floor();
        let last = (hi / step).ceil();
        let mut ticks = Vec::new();
        let mut i = first;
        while i <= last + 1e-9 && ticks.len() < 50 {
            ticks.push(
                Decimal::from_f64(i * step)
                    .unwrap_or_default()
                    .round_dp(places)
                    .normalize(),
            );
            i += 1.0;
        }
        Scale {
            lo: first * step,
            hi: last * step,
            from,
            to,
            ticks,
            places,
        }
    }

    /// The pixel of a value.
    pub fn at(&self, v: f64) -> f64 {
        if self.hi - self.lo == 0.0 {
            return self.from;
        }
        self.from + (v - self.lo) / (self.hi - self.lo) * (self.to - self.from)
    }

    /// A tick's label in the KPI's unit, with as many decimals as the step needs.
    pub fn label(&self, tick: Decimal, def: &KpiDef, lang: Lang) -> String {
        let unit = def.unit.or(Some(Unit::Number));
        display_value(
            &Value::Num(tick),
            unit,
            def.currency.as_deref(),
            Some(self.places),
            lang,
        )
    }
}

/// A round step near `raw`, and the decimal places that write it.
fn nice_step(raw: f64, dur: bool) -> (f64, u32) {
    let raw = if raw.is_finite() && raw > 0.0 {
        raw
    } else {
        1.0
    };
    if dur && raw >= 30.0 {
        for s in [60.0, 120.0, 300.0, 600.0, 900.0, 1_800.0, 3_600.0, 7_200.0] {
            if raw <= s {
                return (s, 0);
            }
        }
        let hours = [6.0, 12.0, 24.0, 48.0, 168.0];
        for h in hours {
            if raw <= h * 3_600.0 {
                return (h * 3_600.0, 0);
            }
        }
    }
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let m = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    let step = m * mag;
    let places = (-step.log10().floor()).max(0.0) as u32;
    (step, places.min(9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_values() {
        let s = Scale::new(&[62.0, 87.5], false, 0.0, 100.0, 5, false);
        assert_eq!(s.ticks.first(), Some(&Decimal::from(60)));
        assert_eq!(s.ticks.last(), Some(&Decimal::from(90)));
        assert_eq!(s.places, 0);
        assert!((s.at(60.0) - 0.0).abs() < 1e-9 && (s.at(90.0) - 100.0).abs() < 1e-9);
        let s = Scale::new(&[0.12, 0.31], true, 0.0, 1.0, 4, false);
        assert_eq!(s.lo, 0.0);
        assert_eq!(s.places, 1);
        let s = Scale::new(&[5.0, 5.0], false, 0.0, 1.0, 4, false);
        assert!(s.lo < 5.0 && s.hi > 5.0);
        let s = Scale::new(&[100.0, 20_000.0], true, 0.0, 1.0, 4, true);
        assert_eq!(s.ticks[1], Decimal::from(7_200));
    }
}
