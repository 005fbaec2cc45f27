//! Evaluation: every selected KPI over its sources in one pass per source. Aggregates are
//! updated record by record per group; KPI arithmetic runs afterwards on the aggregated
//! values, in dependency order (`kpis.rs`).

mod drop_later;
pub mod expr;
mod frames;
mod grid;
mod group_cache;
mod lookup;
mod parts;
mod per;
mod record_key;
pub mod row;
mod rows;
mod run;
mod shared_per;
mod slot_expr;
mod state;

use crate::diag::{Code, Diag};
use crate::input;
use crate::ir::{KLeaf, SourceId};
use crate::plan::Plan;
use crate::results::{Results, SourceReport};
use rustc_hash::FxHashMap;

/// Where records come from, and how each source is read (its read options).
pub enum Records<'r> {
    /// The files of the plan (large plain CSV files are read in parallel ranges).
    Files(&'r input::Reading),
    /// Records written in the catalogue, per source (catalogue tests).
    Inline(
        &'r FxHashMap<SourceId, Vec<&'r crate::catalogue::yaml::Node>>,
        &'r input::Reading,
    ),
}

/// Read the plan's lookup tables; a key found twice is an error naming both records.
fn read_lookups(plan: &Plan, records: &Records, out: &mut Results) -> Vec<lookup::LookupTable> {
    let ir = &plan.ir;
    let mut tables = Vec::new();
    for l in &plan.lookups {
        let name = &ir.sources[l.table.0 as usize].name;
        let width = l.columns.len() - 1;
        let Some(file) = &l.file else {
            out.diags.push(
                Diag::error(Code::Io, format!("lookup table `{name}` has no data file")).help(
                    format!("bind one with --data {name}=FILE, or give the source a `path:`"),
                ),
            );
            tables.push(lookup::LookupTable::new(width));
            continue;
        };
        let (data, reading) = match records {
            Records::Files(reading) => (input::Data::File(file), reading),
            Records::Inline(by_source, reading) => (
                input::Data::Inline(by_source.get(&l.table).map_or(&[], Vec::as_slice)),
                reading,
            ),
        };
        let needed = vec![true; l.columns.len()];
        let input = input::Input {
            source: name,
            data,
            columns: &l.columns,
            needed: &needed,
            declared: None,
            options: reading.options(name),
        };
        let mut diags = Vec::new();
        let (stats, table) =
            input::read_into(&input, &|| lookup::LookupTable::new(width), &mut diags);
        out.diags.append(&mut diags);
        match stats {
            Ok(s) => out.sources.push(SourceReport {
                name: name.clone(),
                file: file.clone(),
                records: s.records,
                rejected: s.rejected,
            }),
            Err(d) => out.diags.push(d),
        }
        for (key, a, b) in table.repeated.iter().take(10) {
            out.diags.push(
                Diag::error(
                    Code::Lookup,
                    format!(
                        "{file}: the key `{key}` is on rows {a} and {b} (after the header) of lookup table `{name}`, whose `{}` must be unique",
                        l.columns[0].0
                    ),
                )
                .help("remove or merge one of the rows; the first one is used meanwhile"),
            );
        }
        tables.push(table);
    }
    tables
}

/// Evaluate a plan: read each source once, then compute the KPIs.
pub fn evaluate(plan: &Plan, records: Records) -> Results {
    let ir = &plan.ir;
    let mut out = Results {
        key_names: plan.key_names.clone(),
        diags: plan.diags.clone(),
        grain: plan.grain,
        ci: plan.ci,
        ..Default::default()
    };
    // Lookup tables first, each once.
    let tables = read_lookups(plan, &records, &mut out);
    // Read each source once.
    let mut unreadable: Vec<SourceId> = Vec::new();
    let mut grids: Vec<grid::SourceGrid> = Vec::new();
    for p in &plan.sources {
        let src = &ir.sources[p.id.0 as usize];
        let specs: Vec<&crate::ir::AggSpec> =
            p.aggs.iter().map(|a| &ir.aggs[a.0 as usize]).collect();
        let Some(file) = &p.file else {
            out.diags.push(
                Diag::error(Code::Io, format!("source `{}` has no data file", src.name)).help(
                    format!(
                        "bind one with --data {}=FILE, or give the source a `path:`",
                        src.name
                    ),
                ),
            );
            continue;
        };
        let columns: Vec<(String, crate::analysis::Ty)> =
            src.columns.iter().map(|c| (c.name.clone(), c.ty)).collect();
        let declared: Option<Vec<&str>> = ir
            .source_def(p.id)
            .filter(|d| d.has_schema)
            .map(|d| d.fields.iter().map(|f| f.name.text.as_str()).collect());
        let (data, reading) = match &records {
            Records::Files(reading) => (input::Data::File(file), reading),
            Records::Inline(by_source, reading) => (
                input::Data::Inline(by_source.get(&p.id).map_or(&[], Vec::as_slice)),
                reading,
            ),
        };
        // Lookup fields are filled from their tables, not read from the file.
        let mut needed = p.needed.clone();
        for f in &p.fills {
            needed[f.col.0 as usize] = false;
        }
        let input = input::Input {
            source: &src.name,
            data,
            columns: &columns,
            needed: &needed,
            declared: declared.as_deref(),
            options: reading.options(&src.name),
        };
        let with_total = plan.total || !plan.grouped();
        // KPI_SHARED_PER=0 keeps every group's `per` states apart (tests compare both ways).
        let share_per =
            shared_per::shares_per(plan.grouped(), plan.grain.is_some(), plan.total_reads(p.id))
                && std::env::var_os("KPI_SHARED_PER").is_none_or(|v| v != "0");
        let new_run = || {
            run::SourceRun::new(
                &specs, p, with_total, share_per, plan.grain, plan.to, &tables,
            )
        };
        let mut data_diags = Vec::new();
        let (stats, run) = input::read_into(&input, &new_run, &mut data_diags);
        out.diags.append(&mut data_diags);
        let stats = match stats {
            Ok(s) => s,
            Err(d) => {
                out.diags.push(d);
                unreadable.push(p.id);
                continue;
            }
        };
        out.sources.push(SourceReport {
            name: src.name.clone(),
            file: file.clone(),
            records: stats.records,
            rejected: stats.rejected,
        });
        for (l, (n, examples)) in run.unmatched.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let table = &ir.sources[plan.lookups[l].table.0 as usize].name;
            let shown: Vec<String> = examples.iter().map(|e| format!("`{e}`")).collect();
            out.diags.push(
                Diag::warning(
                    Code::Lookup,
                    format!(
                        "{n} record{} of `{}` ha{} a key with no match in lookup table `{table}` (e.g. {}): its fields are null there",
                        if *n == 1 { "" } else { "s" },
                        src.name,
                        if *n == 1 { "s" } else { "ve" },
                        shown.join(", ")
                    ),
                )
                .help(format!("add the missing keys to `{table}`'s file, or check the key field's values")),
            );
        }
        if run.type_errors > 0 {
            let n = run.type_errors;
            out.diags.push(Diag::warning(
                Code::Type,
                format!("{n} value{} of `{}` could not be computed (a wrong type, or too large): they count as null", if n == 1 { "" } else { "s" },
                    src.name),
            ));
        }
        grids.push(grid::SourceGrid::from_run(
            p.id,
            p.aggs.clone(),
            specs.clone(),
            run,
            p.from.is_some(),
            plan.grain,
        ));
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
    let frames = frames::Frames::new(plan, &grids);
    let before_rows = out.diags.len();
    rows::compute_rows(&frames, &shown, &mut out);
    let row_diags = out.diags.split_off(before_rows);
    // Aggregates that failed (an overflow) are null, with one error naming their KPIs;
    // divisions by zero inside `per` count with their source.
    for grid in &grids {
        let name = &ir.sources[grid.id.0 as usize].name;
        let dz = grid.div_by_zero.get();
        if dz > 0 {
            out.diags.push(Diag::warning(
                Code::DivisionByZero,
                format!("{dz} divisions by zero while reading `{name}` gave null"),
            ));
        }
        for (i, f) in grid.failed.borrow().iter().enumerate() {
            let Some(e) = f else { continue };
            let a = grid.aggs[i];
            let users: Vec<String> = plan
                .order
                .iter()
                .filter(|k| {
                    let mut uses = false;
                    ir.kpi_leaves(&ir.kpis[k.0 as usize].expr, &mut |l| {
                        uses |= *l == KLeaf::Agg(a)
                    });
                    uses
                })
                .map(|k| format!("`{}`", plan.kpi_name(*k)))
                .collect();
            out.diags.push(rows::op_failure(
                e,
                &ir.aggs[a.0 as usize].text,
                &format!(" (used by {})", users.join(", ")),
            ));
        }
    }
    // An aggregate's failure first, then what the KPIs over it met.
    out.diags.extend(row_diags);
    for grid in &mut grids {
        grid.release();
    }
    out
}
