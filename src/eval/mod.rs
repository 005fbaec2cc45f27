//! Evaluation: every selected KPI over its sources in one pass per source. Aggregates are
//! updated record by record per group; KPI arithmetic runs afterwards on the aggregated
//! values, in dependency order (`kpis.rs`).

mod compare;
pub mod expr;
mod kpis;
pub mod read;
pub mod row;
mod run;
mod state;

use crate::diag::{Code, Diag};
use crate::ir::{AggId, KLeaf, SourceId};
use crate::plan::Plan;
use crate::results::{Results, SourceReport};
use crate::value::{OpError, Value};
use kpis::op_failure;
use row::Row;
use state::AggState;
use std::cell::Cell;

thread_local! {
    /// Divisions by zero since the last reset (they give null, and a warning).
    static DIV_BY_ZERO: Cell<u64> = const { Cell::new(0) };
}

pub(crate) fn note_div_by_zero() {
    DIV_BY_ZERO.with(|c| c.set(c.get() + 1));
}

pub(crate) fn add_div_by_zero(n: u64) {
    DIV_BY_ZERO.with(|c| c.set(c.get() + n));
}

pub(crate) fn take_div_by_zero() -> u64 {
    DIV_BY_ZERO.with(|c| c.replace(0))
}

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

/// A custom source of records (catalogue tests use inline records).
pub type Reader<'x> = dyn FnMut(SourceId, &read::Input, &mut Vec<Diag>, &mut dyn FnMut(&Row)) -> Result<read::Stats, Diag>
    + 'x;

/// Where records come from.
pub enum Records<'r, 'x> {
    /// The files of the plan (large plain CSV files are read by two threads).
    Files,
    Custom(&'r mut Reader<'x>),
}

/// Evaluate a plan: read each source once, then compute the KPIs.
pub fn evaluate(plan: &Plan, mut reader: Records) -> Results {
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
        let input = read::Input {
            source: &src.name,
            path: file,
            columns: &columns,
            needed: &p.needed,
            declared: declared.as_deref(),
        };
        let specs: Vec<&crate::ir::AggSpec> =
            p.aggs.iter().map(|a| &ir.aggs[a.0 as usize]).collect();
        let n = specs.len();
        let with_total = plan.total || !plan.grouped();
        let new_run = || run::SourceRun::new(&specs, &p.keys, &p.filters, with_total);
        let mut data_diags = Vec::new();
        take_div_by_zero();
        let (stats, run, dz) = match &mut reader {
            Records::Files => read_file(&input, &new_run, &mut data_diags),
            Records::Custom(r) => {
                let mut run = new_run();
                let stats = r(p.id, &input, &mut data_diags, &mut |row| run.on_row(row));
                (stats, run, take_div_by_zero())
            }
        };
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
        if dz > 0 {
            out.diags.push(Diag::warning(
                Code::DivisionByZero,
                format!(
                    "{dz} divisions by zero while reading `{}` gave null",
                    src.name
                ),
            ));
        }
        // Aggregate results; an aggregate that failed is null, with one error naming its KPIs.
        let mut failed: Vec<Option<OpError>> = failures;
        let mut finish = |states: &[AggState]| -> Vec<Value<'static>> {
            states
                .iter()
                .zip(&specs)
                .enumerate()
                .map(|(i, (s, spec))| {
                    if failed[i].is_some() {
                        return Value::Null;
                    }
                    s.result(spec).unwrap_or_else(|e| {
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

/// Read one file into a run: in two halves on two threads when the file allows it and the
/// halves agree on where records start, else in one pass. Returns the divisions by zero seen.
fn read_file<'p>(
    input: &read::Input,
    new_run: &(dyn Fn() -> run::SourceRun<'p> + Sync),
    diags: &mut Vec<Diag>,
) -> (Result<read::Stats, Diag>, run::SourceRun<'p>, u64) {
    if let Some(at) = read::split_point(input.path) {
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(move || {
                let mut run = new_run();
                let mut d = Vec::new();
                let stats = read::read_half(input, at, read::Half::Second, &mut d, &mut |row| {
                    run.on_row(row)
                })
                .map(|(s, _)| s);
                (stats, run, d, take_div_by_zero())
            });
            let mut run = new_run();
            let mut d = Vec::new();
            let stats = read::read_half(input, at, read::Half::First, &mut d, &mut |row| {
                run.on_row(row)
            });
            ((stats, run, d, take_div_by_zero()), second.join())
        });
        if let ((Ok((s1, true)), mut run, mut d1, dz1), Ok((Ok(s2), run2, d2, dz2))) =
            (first, second)
        {
            // The second half's line numbers are relative: any rejection there means a
            // sequential re-read, so that every diagnostic names its true line.
            if s2.rejected == 0 && d2.is_empty() {
                run.merge(run2);
                diags.append(&mut d1);
                let stats = read::Stats {
                    records: s1.records + s2.records,
                    rejected: s1.rejected,
                };
                return (Ok(stats), run, dz1 + dz2);
            }
        }
    }
    let mut run = new_run();
    let stats = read::read(input, diags, &mut |row| run.on_row(row));
    (stats, run, take_div_by_zero())
}
