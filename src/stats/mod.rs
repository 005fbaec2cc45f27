//! Confidence intervals and sample sizes (`--ci`, `min_sample`): which KPIs have an interval
//! and the companion aggregates the plan adds for it (`measure.rs`), the intervals from
//! exact counts and sums (`interval.rs`), and the critical values (`quantile.rs`, the only
//! floating-point code of an evaluation). The formulas and their references are in
//! `interval.rs` and `docs/language.md` ("Confidence intervals").

mod interval;
mod measure;
mod quantile;

pub use interval::{mean_t, wilson, Bounds};
pub use measure::{companions, plan_measures, Measure, Outcome};
pub use quantile::{normal_critical, t_critical};
use rust_decimal::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;

/// The critical values of one run at one confidence level: the normal one, and Student's t
/// per number of degrees of freedom (computed once each).
pub struct Critical {
    pub confidence: f64,
    pub z: f64,
    t: RefCell<HashMap<u64, f64>>,
}

impl Critical {
    /// `level` in percent, from 0 to 100 excluded (`--ci 95`).
    pub fn new(level: Decimal) -> Option<Critical> {
        let confidence = (level / Decimal::ONE_HUNDRED).to_f64()?;
        if !(confidence > 0.0 && confidence < 1.0) {
            return None;
        }
        Some(Critical {
            confidence,
            z: normal_critical(confidence),
            t: RefCell::default(),
        })
    }

    pub fn t(&self, df: u64) -> f64 {
        *self
            .t
            .borrow_mut()
            .entry(df)
            .or_insert_with(|| t_critical(self.confidence, df))
    }
}

/// `--ci LEVEL`: a confidence level in percent, above 0 and below 100 (`95`, `99.5`).
pub fn parse_level(s: &str) -> Result<Decimal, String> {
    let bad =
        || format!("`{s}` is not a confidence level: write a percentage such as 90, 95 or 99");
    let d = Decimal::from_str_exact(s.trim().trim_end_matches('%').trim()).map_err(|_| bad())?;
    if d <= Decimal::ZERO || d >= Decimal::ONE_HUNDRED {
        return Err(bad());
    }
    Ok(d)
}
