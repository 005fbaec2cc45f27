//! What a command asks of the catalogue: which KPIs, grouped and filtered how, over which
//! files. `kpi eval`, `kpi sql`, `kpi explain` and the catalogue tests each fill one.

use crate::ir::{KpiId, SourceId};
use crate::syntax::Expr;
use crate::time::Grain;
use crate::value::Value;
use rustc_hash::FxHashMap;

/// `--compare`: beside each period, the period before or the same period a year before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    Previous,
    Year,
}

impl Compare {
    pub const ALL: [Compare; 2] = [Compare::Previous, Compare::Year];
    pub fn name(self) -> &'static str {
        match self {
            Compare::Previous => "previous",
            Compare::Year => "year",
        }
    }
}

/// What to evaluate, and how to group it.
#[derive(Default)]
pub struct Request {
    /// KPIs to show, in order.
    pub kpis: Vec<KpiId>,
    /// The KPIs were asked for by name (`--kpi`, `-e`), not a whole catalogue: one that
    /// cannot be computed as asked is an error, not left out.
    pub named: bool,
    /// `--by` expressions with their text as written.
    pub by: Vec<(String, Expr)>,
    pub grain: Option<Grain>,
    pub compare: Option<Compare>,
    pub from: Option<Value<'static>>,
    pub to: Option<Value<'static>>,
    pub filter: Option<Expr>,
    pub total: bool,
    pub top: Option<usize>,
    /// `--ci LEVEL`: a confidence level in percent; intervals for the KPIs that have one.
    pub ci: Option<rust_decimal::Decimal>,
    /// The file each source reads.
    pub files: FxHashMap<SourceId, String>,
}
