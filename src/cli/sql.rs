//! `kpi sql`: the selected KPIs as one query for a warehouse.

use super::{kpis_named, load, report, report_errors};
use crate::analysis::Analyzer;
use crate::diag::Diag;
use crate::ir::{KpiId, SourceId};
use crate::sql::{compile, Dialect, Grouping};

pub fn run(paths: &[std::path::PathBuf], names: &[String], dialect: Dialect, by: &[String]) -> i32 {
    let front = load(paths);
    let mut an = Analyzer::new(&front.cat);
    an.analyze_all();
    if report_errors(front.diags.list.iter().chain(&an.diags), &front.sources) {
        return 1;
    }
    let mut errors = Vec::new();
    let mut ids = kpis_named(&an, names, &mut errors);
    if report_errors(&errors, &front.sources) {
        return 1;
    }
    if ids.is_empty() {
        ids = (0..front.cat.kpis.len()).map(|i| KpiId(i as u32)).collect();
    }
    let grouping = if by.is_empty() {
        None
    } else {
        match sql_grouping(&mut an, &ids, by) {
            Ok(g) => Some(g),
            Err(d) => {
                report(&[d], &front.sources);
                return 1;
            }
        }
    };
    crate::outln!(
        "{}",
        compile(&an, &ids, dialect, grouping.as_ref()).trim_end()
    );
    0
}

/// `kpi sql --by`: each key lowered in every source the KPIs read (all must have its fields).
fn sql_grouping(an: &mut Analyzer, kpis: &[KpiId], by: &[String]) -> Result<Grouping, Diag> {
    let mut sources: Vec<SourceId> = an
        .aggregates_of(&an.closure(kpis))
        .iter()
        .map(|a| an.aggs[a.0 as usize].source)
        .collect();
    sources.sort();
    sources.dedup();
    let mut grouping = Grouping {
        labels: by.to_vec(),
        keys: Default::default(),
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
                crate::diag::Code::Syntax,
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
                    crate::diag::Code::Scope,
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
