//! Evaluation: every selected KPI over its sources in one pass per source. Aggregates are
//! updated record by record per group; KPI arithmetic runs afterwards on the aggregated
//! values, in dependency order (`kpis.rs`).

mod compare;
pub mod expr;
mod kpis;
pub mod row;
mod run;
mod state;

use crate::diag::{Code, Diag};
use crate::input;
use crate::ir::{AggId, KLeaf, SourceId};
use crate::plan::Plan;
use crate::results::{Results, SourceReport};
use crate::value::{OpError, Value};
use kpis::op_failure;
use rustc_hash::FxHashMap;
use state::AggState;

/// The aggregate values one source gave: per group, and overall.
pub struct SourceValues {
    id: SourceId,
    aggs: Vec<AggId>,
    /// Encoded group key → group index.
    groups: crate::keytable::KeyTable,
    group_keys: Vec<Vec<Value<'static>>>,
    /// Per group, one value per aggregate of `aggs`.
    values: Vec<Vec<Value<'static>>>,
    total: Option<Vec<Value<'static>>>,
}

/// Where records come from.
pub enum Records<'r> {
    /// The files of the plan (large plain CSV files are read in parallel ranges).
    Files,
    /// Records written in the catalogue, per source (catalogue tests).
    Inline(&'r FxHashMap<SourceId, Vec<&'r crate::catalogue::yaml::Node>>),
}

/// Evaluate a plan: read each source once, then compute the KPIs.
pub fn evaluate(plan: &Plan, records: Records) -> Results {
    let ir = &plan.ir;
    let mut out = Results {
        key_names: plan.key_names.clone(),
        diags: plan.diags.clone(),
        ..Default::default()
    };
    // Read each source once.
    let mut unreadable: Vec<SourceId> = Vec::new();
    let mut read: Vec<SourceValues> = Vec::new();
    for p in &plan.sources {
        let src = &ir.sources[p.id.0 as usize];
        let mut values = SourceValues {
            id: p.id,
            aggs: p.aggs.clone(),
            groups: Default::default(),
            group_keys: vec![],
            values: vec![],
            total: None,
        };
        let Some(file) = &p.file else {
            out.diags.push(
                Diag::error(Code::Io, format!("source `{}` has no data file", src.name)).help(
                    format!(
                        "bind one with --data {}=FILE, or give the source a `path:`",
                        src.name
                    ),
                ),
            );
            read.push(values);
            continue;
        };
        let columns: Vec<(String, crate::analysis::Ty)> =
            src.columns.iter().map(|c| (c.name.clone(), c.ty)).collect();
        let declared: Option<Vec<&str>> = ir
            .source_def(p.id)
            .filter(|d| d.has_schema)
            .map(|d| d.fields.iter().map(|f| f.name.text.as_str()).collect());
        let data = match &records {
            Records::Files => input::Data::File(file),
            Records::Inline(by_source) => {
                input::Data::Inline(by_source.get(&p.id).map_or(&[], Vec::as_slice))
            }
        };
        let options = input::ReadOptions::default();
        let input = input::Input {
            source: &src.name,
            data,
            columns: &columns,
            needed: &p.needed,
            declared: declared.as_deref(),
            options: &options,
        };
        let specs: Vec<&crate::ir::AggSpec> =
            p.aggs.iter().map(|a| &ir.aggs[a.0 as usize]).collect();
        let n = specs.len();
        let with_total = plan.total || !plan.grouped();
        let new_run = || run::SourceRun::new(&specs, &p.keys, &p.filters, with_total);
        let mut data_diags = Vec::new();
        let (stats, run) = input::read_into(&input, &new_run, &mut data_diags);
        out.diags.append(&mut data_diags);
        let stats = match stats {
            Ok(s) => s,
            Err(d) => {
                out.diags.push(d);
                unreadable.push(p.id);
                read.push(values);
                continue;
            }
        };
        out.sources.push(SourceReport {
            name: src.name.clone(),
            file: file.clone(),
            records: stats.records,
            rejected: stats.rejected,
        });
        let run::SourceRun {
            groups,
            group_keys,
            states,
            total,
            failures,
            type_errors,
            div_by_zero,
            ..
        } = run;
        values.groups = groups;
        values.group_keys = group_keys;
        if type_errors > 0 {
            out.diags.push(Diag::warning(
                Code::Type,
                format!("{type_errors} value{} of `{}` could not be computed (a wrong type, or too large): they count as null", if type_errors == 1 { "" } else { "s" },
                    src.name),
            ));
        }
        // Aggregate results; an aggregate that failed is null, with one error naming its KPIs.
        // Divisions by zero in `per` inner expressions count with the source's.
        let mut failed: Vec<Option<OpError>> = failures;
        let dz = div_by_zero;
        let mut finish = |states: &[AggState]| -> Vec<Value<'static>> {
            states
                .iter()
                .zip(&specs)
                .enumerate()
                .map(|(i, (s, spec))| {
                    if failed[i].is_some() {
                        return Value::Null;
                    }
                    s.result(spec, &dz).unwrap_or_else(|e| {
                        failed[i] = Some(e);
                        Value::Null
                    })
                })
                .collect()
        };
        values.values = (0..values.group_keys.len())
            .map(|g| finish(&states[g * n..(g + 1) * n]))
            .collect();
        values.total = total.as_deref().map(&mut finish);
        let dz = dz.get();
        if dz > 0 {
            out.diags.push(Diag::warning(
                Code::DivisionByZero,
                format!(
                    "{dz} divisions by zero while reading `{}` gave null",
                    src.name
                ),
            ));
        }
        for (i, f) in failed.iter().enumerate() {
            if let Some(e) = f {
                let users: Vec<String> = plan
                    .order
                    .iter()
                    .filter(|k| {
                        let mut uses = false;
                        ir.kpis[k.0 as usize]
                            .expr
                            .leaves(&mut |l| uses |= *l == KLeaf::Agg(p.aggs[i]));
                        uses
                    })
                    .map(|k| format!("`{}`", plan.kpi_name(*k)))
                    .collect();
                out.diags.push(op_failure(
                    e,
                    &specs[i].text,
                    &format!(" (used by {})", users.join(", ")),
                ));
            }
        }
        read.push(values);
    }
    // KPIs over a source that could not be read at all are not shown: its error says why.
    let shown: Vec<_> = plan
        .shown
        .iter()
        .copied()
        .filter(|k| {
            !plan.sources_of[k.0 as usize]
                .iter()
                .any(|s| unreadable.contains(s))
        })
        .collect();
    kpis::compute_kpis(plan, &read, &shown, &mut out);
    out
}
