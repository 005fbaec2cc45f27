//! Result rows from frames: one per KPI and cell, a cell being a group and, with `--grain`,
//! each period of the grid (also periods without records, §11); then the total row,
//! `--compare`'s previous values, `--top`, and the order of rows.

use super::expr::DivByZero;
use super::frames::{Frame, Frames};
use super::grid::{Span, NO_PERIOD};
use crate::diag::{Code, Diag, KpiContext};
use crate::ir::KpiId;
use crate::period;
use crate::plan::Compare;
use crate::results::{compare_keys, descending, plain_value, scalar, ResultRow, Results};
use crate::value::{OpError, Value};
use rustc_hash::FxHashMap;

/// One cell of the output: its frame and the key values shown for it.
struct CellKey {
    frame: Frame,
    key: Vec<Value<'static>>,
    total: bool,
}

/// The most periods `--grain` lays out: every period of the range is a row for every group
/// (§11), so a date far from the others (a year 0000 typed by mistake) or a wide
/// `--from`/`--to` would write millions of rows. 100,000 is 270 years of days.
const MAX_PERIODS: i64 = 100_000;

fn too_many_periods(g: crate::time::Grain, a: i64, b: i64) -> Diag {
    let show = |p| plain_value(&period::label(g, p));
    Diag::error(
        Code::Grain,
        format!(
            "--grain {} from {} to {} is {} periods, more than the {MAX_PERIODS} a run lays out",
            g.name(),
            show(a),
            show(b),
            b - a + 1
        ),
    )
    .help("a date far from the others is often a typing mistake: look for it with --where, or bound the range with --from and --to")
}

pub fn compute_rows(frames: &Frames, shown: &[KpiId], out: &mut Results) {
    let plan = frames.plan;
    let mut cells: Vec<CellKey> = Vec::new();
    if plan.grouped() {
        let periods: Vec<i64> = match (plan.grain, frames.range) {
            (Some(g), Some((a, b))) if b - a >= MAX_PERIODS => {
                out.diags.push(too_many_periods(g, a, b));
                return;
            }
            (Some(_), Some((a, b))) => (a..=b).collect(),
            (Some(_), None) => Vec::new(),
            (None, _) => vec![NO_PERIOD],
        };
        for g in 0..frames.groups.len() {
            let by = &frames.groups[g].1;
            for &p in periods.iter().chain(plan.grain.map(|_| &NO_PERIOD)) {
                let mut key = Vec::with_capacity(by.len() + 1);
                if let Some(gr) = plan.grain {
                    key.push(if p == NO_PERIOD {
                        Value::Null
                    } else {
                        period::label(gr, p)
                    });
                }
                key.extend(by.iter().cloned());
                cells.push(CellKey {
                    frame: Frame {
                        group: Some(g),
                        span: Span::Row(p),
                    },
                    key,
                    total: false,
                });
            }
        }
    }
    if !plan.grouped() || plan.total {
        cells.push(CellKey {
            frame: Frame {
                group: None,
                span: Span::Overall,
            },
            key: Vec::new(),
            total: plan.grouped(),
        });
    }
    let critical = plan.ci.and_then(crate::stats::Critical::new);
    let mut rows: Vec<ResultRow> = Vec::new();
    for cell in &cells {
        let values = evaluate_cell(frames, cell, &out.key_names, &mut out.diags);
        for &k in shown {
            if !shows(frames, k, cell) {
                continue;
            }
            let previous = match (plan.compare, plan.grain, cell.frame) {
                (
                    Some(c),
                    Some(g),
                    Frame {
                        group,
                        span: Span::Row(p),
                    },
                ) if p != NO_PERIOD => {
                    let q = match c {
                        Compare::Previous => Some(p - 1),
                        Compare::Year => period::year_ago(g, p),
                    };
                    Some(q.map_or(Value::Null, |q| {
                        let f = Frame {
                            group,
                            span: Span::Periods(q, q),
                        };
                        frames
                            .kpi(k, f, &DivByZero::default())
                            .unwrap_or(Value::Null)
                    }))
                }
                _ => None,
            };
            let measured = plan.measures[k.0 as usize]
                .as_ref()
                .map(|m| m.outcome(|a| frames.aggregate(a, cell.frame), critical.as_ref()));
            let measured = measured.unwrap_or_default();
            rows.push(ResultRow {
                kpi: k,
                key: cell.key.clone(),
                total: cell.total,
                value: values[k.0 as usize].clone(),
                previous,
                bounds: measured.bounds,
                sample: measured.sample,
            });
        }
    }
    // Order: KPIs as shown, then groups ascending, the total last; `--top` then keeps the
    // highest groups, highest first.
    let pos: FxHashMap<KpiId, usize> = shown.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    rows.sort_by(|a, b| {
        pos[&a.kpi]
            .cmp(&pos[&b.kpi])
            .then(a.total.cmp(&b.total))
            .then_with(|| compare_keys(&a.key, &b.key))
    });
    if let Some(n) = plan.top.filter(|_| plan.grouped()) {
        rows = top(frames, rows, n, shown);
    }
    out.rows = rows;
}

/// Whether KPI `k` has a row in `cell`: the total row always; a group the KPI's sources
/// have (a KPI of no source, every group), at every period of the grid; the period of
/// records without a time only when it has some.
fn shows(frames: &Frames, k: KpiId, cell: &CellKey) -> bool {
    let Some(g) = cell.frame.group else {
        return true;
    };
    if frames.plan.sources_of[k.0 as usize].is_empty() {
        return true;
    }
    match cell.frame.span {
        Span::Row(NO_PERIOD) => frames.has_row(k, g, NO_PERIOD),
        _ => frames.has_group(k, g),
    }
}

/// Every KPI the plan computes, in one cell, in dependency order; warnings name the KPI and
/// the cell. A period the grid adds (no record of the KPI's sources) warns of nothing: its
/// ratios are null by §11.
fn evaluate_cell(
    frames: &Frames,
    cell: &CellKey,
    key_names: &[String],
    diags: &mut Vec<Diag>,
) -> Vec<Value<'static>> {
    let plan = frames.plan;
    let label = if cell.key.is_empty() {
        if cell.total {
            " (total)".to_string()
        } else {
            String::new()
        }
    } else {
        let parts: Vec<String> = key_names
            .iter()
            .zip(&cell.key)
            .map(|(k, v)| format!("{k} = {}", plain_value(v)))
            .collect();
        format!(" ({})", parts.join(", "))
    };
    let mut values: Vec<Value<'static>> = vec![Value::Null; plan.ir.kpis.len()];
    for &k in &plan.order {
        let name = plan.kpi_name(k);
        let dz = DivByZero::default();
        let r = frames.kpi(k, cell.frame, &dz);
        let has_records = match cell.frame {
            Frame {
                group: Some(g),
                span: Span::Row(p),
            } => frames.has_row(k, g, p),
            _ => true,
        };
        if dz.get() > 0 && has_records {
            let mut d = Diag::warning(
                Code::DivisionByZero,
                format!("division by zero in `{name}`{label}: the value is null"),
            )
            .help("a denominator was zero (often: no records in the group); the result is null");
            d.kpi = Some(KpiContext {
                kpi: name.to_string(),
                by: key_names
                    .iter()
                    .cloned()
                    .zip(cell.key.iter().map(scalar))
                    .collect(),
            });
            diags.push(d);
        }
        values[k.0 as usize] = match r {
            Ok(v) => v,
            Err(e) => {
                diags.push(op_failure(&e, name, &label));
                Value::Null
            }
        };
    }
    values
}

/// Each KPI's `n` highest groups, then its total row. With `--grain`, the groups highest
/// over the whole range, in every period.
fn top(frames: &Frames, rows: Vec<ResultRow>, n: usize, shown: &[KpiId]) -> Vec<ResultRow> {
    let mut kept = Vec::new();
    for &k in shown {
        let mine = rows.iter().filter(|r| r.kpi == k && !r.total);
        if frames.plan.grain.is_some() {
            let mut groups: Vec<(usize, Value<'static>)> = (0..frames.groups.len())
                .filter(|g| frames.has_group(k, *g))
                .map(|g| {
                    let f = Frame {
                        group: Some(g),
                        span: Span::Overall,
                    };
                    (
                        g,
                        frames
                            .kpi(k, f, &DivByZero::default())
                            .unwrap_or(Value::Null),
                    )
                })
                .collect();
            groups.sort_by(|a, b| descending(&a.1, &b.1));
            groups.truncate(n);
            let best: Vec<&[Value]> = groups
                .iter()
                .map(|(g, _)| &frames.groups[*g].1[..])
                .collect();
            kept.extend(mine.filter(|r| best.contains(&&r.key[1..])).cloned());
        } else {
            let mut mine: Vec<ResultRow> = mine.cloned().collect();
            mine.sort_by(|a, b| descending(&a.value, &b.value));
            mine.truncate(n);
            kept.extend(mine);
        }
        kept.extend(rows.iter().filter(|r| r.kpi == k && r.total).cloned());
    }
    kept
}

/// An aggregate or KPI that has no value, as a diagnostic naming it and its group.
pub fn op_failure(e: &OpError, what: &str, group: &str) -> Diag {
    match e {
        OpError::Overflow => Diag::error(
            Code::Overflow,
            format!("`{what}`{group}: the result is too large for exact decimals"),
        )
        .help("check the data for absurd values; exact decimals hold 28 significant digits"),
        OpError::DivByZero => Diag::warning(
            Code::DivisionByZero,
            format!("division by zero in `{what}`{group}: the value is null"),
        ),
        OpError::Type(m) => Diag::error(Code::Type, format!("`{what}`{group}: {m}")),
        OpError::OutOfMemory { kept } => Diag::error(
            Code::Overflow,
            format!(
                "`{what}`{group}: memory ran out while keeping its values ({kept} kept): it has no value"
            ),
        )
        .help("a median or percentile keeps every value; filter the records (--where, --from) or group less finely"),
    }
}
