//! `kpi sql`: the selected KPIs as one query for a warehouse.

use super::{cli_expr, kpis_named, load, report, report_errors};
use crate::analysis::catalogue_to_ir;
use crate::diag::Diag;
use crate::ir::KpiId;
use crate::plan::{ir_to_plan, Request};
use crate::sql::dialect::{named, DIALECTS};
use crate::sql::{plan_to_sql, Dialect};

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
    let mut front = load(paths);
    let (an, diags) = catalogue_to_ir(&front.cat, &[]);
    if report_errors(front.diags.list.iter().chain(&diags), &front.sources) {
        return 1;
    }
    let mut errors = Vec::new();
    let mut ids = kpis_named(&an, names, &mut errors);
    let named = !names.is_empty();
    if ids.is_empty() {
        ids = (0..front.cat.kpis.len()).map(|i| KpiId(i as u32)).collect();
    }
    let mut req = Request {
        named,
        kpis: ids,
        ..Default::default()
    };
    for (i, text) in by.iter().enumerate() {
        let name = format!("--by {}", i + 1);
        if let Some(e) = cli_expr(&name, text, &mut front.sources, &mut errors) {
            req.by.push((text.clone(), e));
        }
    }
    if report_errors(&errors, &front.sources) {
        return 1;
    }
    // Period functions, `total` and `rank` have no SQL yet: refused by name, not guessed.
    // Period functions, `total`, `rank`, `first`, `last` and `open` have no SQL yet: a KPI
    // that uses one (itself or through others) is refused when named, left out otherwise.
    let unwritable = |k: KpiId| {
        an.closure(&[k]).into_iter().any(|d| {
            let mut uses = false;
            an.kpi_leaves(&an.kpis[d.0 as usize].expr, &mut |l| {
                uses |= match l {
                    crate::ir::KLeaf::Frame(_) => true,
                    crate::ir::KLeaf::Agg(a) => {
                        an.aggs[a.0 as usize].func.sql == crate::registry::AggSql::None
                    }
                    _ => false,
                }
            });
            uses
        })
    };
    let (left_out, kept): (Vec<KpiId>, Vec<KpiId>) = req.kpis.iter().partition(|k| unwritable(**k));
    let names: Vec<&str> = left_out
        .iter()
        .map(|k| front.cat.kpis[k.0 as usize].name.text.as_str())
        .collect();
    let mut warnings = Vec::new();
    if !names.is_empty() {
        let what = "period functions, `total`, `rank`, `first`, `last` or `open`";
        if req.named || kept.is_empty() {
            let d = Diag::error(
                crate::diag::Code::Grain,
                format!("kpi sql cannot write {what} yet: {}", names.join(", ")),
            )
            .help("evaluate these KPIs with `kpi eval`, or leave them out with --kpi");
            report(&[d], &front.sources);
            return 1;
        }
        warnings.push(
            Diag::warning(
                crate::diag::Code::Grain,
                format!(
                    "left out, because kpi sql cannot write {what} yet: {}",
                    names.join(", ")
                ),
            )
            .help("evaluate these KPIs with `kpi eval`"),
        );
        req.kpis = kept;
    }
    let plan = match ir_to_plan(&an, &req) {
        Ok(p) => p,
        Err(diags) => {
            report_errors(&diags, &front.sources);
            return 1;
        }
    };
    crate::outln!("{}", plan_to_sql(&plan, dialect.0).trim_end());
    warnings.extend(plan.diags.iter().filter(|d| !d.is_error()).cloned());
    report(&warnings, &front.sources);
    0
}
