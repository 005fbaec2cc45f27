//! `kpi sql`: the selected KPIs as one query for a warehouse.

use super::{kpis_named, load, report, report_errors};
use crate::analysis::Analyzer;
use crate::ir::KpiId;
use crate::sql::dialect::{named, DIALECTS};
use crate::sql::{compile, Dialect, Grouping};

/// `--dialect NAME`: one of the registered dialects (`crate::sql::dialect::DIALECTS`).
#[derive(Clone, Copy)]
pub struct DialectArg(pub &'static dyn Dialect);

impl std::fmt::Debug for DialectArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.key())
    }
}

/// Parses `--dialect`: its help and errors list the registered names.
pub fn dialect_parser() -> impl clap::builder::TypedValueParser<Value = DialectArg> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(DIALECTS.iter().map(|d| d.key()))
        .try_map(|key| named(&key).map(DialectArg).ok_or("no such dialect"))
}

pub fn run(
    paths: &[std::path::PathBuf],
    names: &[String],
    dialect: DialectArg,
    by: &[String],
) -> i32 {
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
        match Grouping::new(&mut an, &ids, by) {
            Ok(g) => Some(g),
            Err(d) => {
                report(&[d], &front.sources);
                return 1;
            }
        }
    };
    crate::outln!(
        "{}",
        compile(&an, &ids, dialect.0, grouping.as_ref()).trim_end()
    );
    0
}
