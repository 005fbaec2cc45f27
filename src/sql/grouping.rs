//! `kpi sql --by`: each group key lowered in every source the selected KPIs read.

use crate::analysis::Analyzer;
use crate::diag::{Code, Diag};
use crate::ir::{KpiId, RExpr, SourceId};
use std::collections::HashMap;

/// Group-by keys for `kpi sql --by`: their labels, and their record expressions per source.
pub struct Grouping {
    pub labels: Vec<String>,
    pub keys: HashMap<SourceId, Vec<RExpr>>,
}

impl Grouping {
    /// The keys `by` (formula texts) in every source `kpis` read; all must have their fields.
    pub fn new(an: &mut Analyzer, kpis: &[KpiId], by: &[String]) -> Result<Grouping, Diag> {
        let mut sources: Vec<SourceId> = an
            .aggregates_of(&an.closure(kpis))
            .iter()
            .map(|a| an.aggs[a.0 as usize].source)
            .collect();
        sources.sort();
        sources.dedup();
        let mut grouping = Grouping {
            labels: by.to_vec(),
            keys: HashMap::new(),
        };
        for text in by {
            let mut diags = Vec::new();
            let e = crate::syntax::parse_formula(
                text,
                &crate::syntax::Locator::shifted(crate::span::FileId(u32::MAX), 0),
                &mut diags,
            );
            if let Some(d) = diags.into_iter().next() {
                return Err(Diag::error(
                    Code::Syntax,
                    format!("--by {text}: {}", d.message),
                ));
            }
            for &s in &sources {
                let lowered = if an.fits_source(s, &e) {
                    an.record_expr(s, &e)
                } else {
                    None
                };
                let Some((r, _)) = lowered else {
                    return Err(Diag::error(
                        Code::Scope,
                        format!(
                            "--by {text}: source `{}` has no such field, and a selected KPI reads it",
                            an.sources[s.0 as usize].name
                        ),
                    )
                    .help("choose KPIs with --kpi whose sources all have the grouping fields"));
                };
                an.key_column(s, &r);
                grouping.keys.entry(s).or_default().push(r);
            }
        }
        Ok(grouping)
    }
}
