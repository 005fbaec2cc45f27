//! KPI values from aggregate values: each group's KPIs are computed in dependency order
//! from the aggregate values its sources gave (a group absent from a source takes the
//! aggregates' empty values), then rows are ordered, compared and cut to the top groups.

use super::expr::DivByZero;
use super::SourceValues;
use super::{compare, expr};
use crate::diag::{Code, Diag, KpiContext};
use crate::ir::{AggId, KLeaf, KpiId};
use crate::plan::Plan;
use crate::results::{compare_keys, plain_value, scalar, ResultRow, Results};
use crate::value::{self, OpError, Value};
use rustc_hash::FxHashMap;
use std::cmp::Ordering;

/// The KPIs of every group (and the total) from the aggregate values each source gave.
pub fn compute_kpis(plan: &Plan, read: &[SourceValues], shown: &[KpiId], out: &mut Results) {
    let ir = &plan.ir;
    let grouped = plan.grouped();
    let out_keys = out.key_names.clone();
    let agg_slot: FxHashMap<AggId, (usize, usize)> = read
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| p.aggs.iter().enumerate().map(move |(ai, a)| (*a, (pi, ai))))
        .collect();
    // One cell: the aggregate values of one group in every source (None: group absent).
    let eval_cell = |cell: &[Option<&Vec<Value<'static>>>],
                     key: &[Value<'static>],
                     diags: &mut Vec<Diag>|
     -> Vec<Value<'static>> {
        let label = if key.is_empty() {
            if grouped {
                " (total)".to_string()
            } else {
                String::new()
            }
        } else {
            let parts: Vec<String> = out_keys
                .iter()
                .zip(key)
                .map(|(k, v)| format!("{k} = {}", plain_value(v)))
                .collect();
            format!(" ({})", parts.join(", "))
        };
        let context = |name: &str| {
            Some(KpiContext {
                kpi: name.to_string(),
                by: out_keys
                    .iter()
                    .cloned()
                    .zip(key.iter().map(scalar))
                    .collect(),
            })
        };
        let mut values: Vec<Value<'static>> = vec![Value::Null; ir.kpis.len()];
        for &k in &plan.order {
            let info = &ir.kpis[k.0 as usize];
            let name = plan.kpi_name(k);
            let dz = DivByZero::default();
            let leaf = |l: &KLeaf| {
                Ok(match l {
                    KLeaf::Agg(a) => match agg_slot.get(a) {
                        Some(&(pi, ai)) => match cell[pi] {
                            Some(v) => v[ai].clone(),
                            None => ir.aggs[a.0 as usize].func.empty(),
                        },
                        None => Value::Null,
                    },
                    KLeaf::Kpi(d) => values[d.0 as usize].clone(),
                    KLeaf::Inner(_) => Value::Null,
                })
            };
            let r = expr::eval(&info.expr, &leaf, &dz).map(Value::into_owned);
            if dz.get() > 0 {
                let mut d = Diag::warning(
                    Code::DivisionByZero,
                    format!("division by zero in `{name}`{label}: the value is null"),
                )
                .help(
                    "a denominator was zero (often: no records in the group); the result is null",
                );
                d.kpi = context(name);
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
    };
    let mut rows: Vec<ResultRow> = Vec::new();
    if grouped {
        for (key_bytes, key) in all_groups(read) {
            let cell: Vec<Option<&Vec<Value<'static>>>> = read
                .iter()
                .map(|p| p.groups.get(&key_bytes).map(|g| &p.values[g as usize]))
                .collect();
            let values = eval_cell(&cell, &key, &mut out.diags);
            for &k in shown {
                let sources = &plan.sources_of[k.0 as usize];
                let present = sources.is_empty()
                    || sources.iter().any(|s| {
                        read.iter()
                            .zip(&cell)
                            .any(|(p, c)| p.id == *s && c.is_some())
                    });
                if present {
                    rows.push(ResultRow {
                        kpi: k,
                        key: key.clone(),
                        total: false,
                        value: values[k.0 as usize].clone(),
                        previous: None,
                    });
                }
            }
        }
    }
    if !grouped || plan.total {
        let cell: Vec<Option<&Vec<Value<'static>>>> =
            read.iter().map(|p| p.total.as_ref()).collect();
        let values = eval_cell(&cell, &[], &mut out.diags);
        for &k in shown {
            rows.push(ResultRow {
                kpi: k,
                key: Vec::new(),
                total: grouped,
                value: values[k.0 as usize].clone(),
                previous: None,
            });
        }
    }
    // Order: KPIs as shown, then groups ascending, the total last.
    let pos: FxHashMap<KpiId, usize> = shown.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    rows.sort_by(|a, b| {
        pos[&a.kpi]
            .cmp(&pos[&b.kpi])
            .then(a.total.cmp(&b.total))
            .then_with(|| compare_keys(&a.key, &b.key))
    });
    if let (Some(c), Some(g)) = (plan.compare, plan.grain) {
        let no_records: Vec<Option<&Vec<Value<'static>>>> = vec![None; read.len()];
        let empty_values = eval_cell(&no_records, &[], &mut Vec::new());
        compare::attach_previous(&mut rows, g, c, &empty_values);
    }
    if let Some(n) = plan.top.filter(|_| grouped) {
        rows = top(rows, n, shown);
    }
    out.rows = rows;
}

/// Each KPI's `n` highest groups (nulls last), then its total row.
fn top(rows: Vec<ResultRow>, n: usize, shown: &[KpiId]) -> Vec<ResultRow> {
    let mut kept = Vec::new();
    for &k in shown {
        let mut mine: Vec<ResultRow> = rows
            .iter()
            .filter(|r| r.kpi == k && !r.total)
            .cloned()
            .collect();
        mine.sort_by(|a, b| match (a.value.is_null(), b.value.is_null()) {
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => value::compare(&b.value, &a.value)
                .ok()
                .flatten()
                .unwrap_or(Ordering::Equal),
        });
        mine.truncate(n);
        kept.extend(mine);
        kept.extend(rows.iter().filter(|r| r.kpi == k && r.total).cloned());
    }
    kept
}

/// Every group key seen by any source, sorted (nulls last).
fn all_groups(read: &[SourceValues]) -> Vec<(Box<[u8]>, Vec<Value<'static>>)> {
    let mut seen: FxHashMap<&[u8], usize> = FxHashMap::default();
    let mut list: Vec<(Box<[u8]>, Vec<Value<'static>>)> = Vec::new();
    for p in read {
        for (g, k) in p.groups.entries() {
            if !seen.contains_key(k) {
                seen.insert(k, list.len());
                list.push((k.into(), p.group_keys[g as usize].clone()));
            }
        }
    }
    list.sort_by(|a, b| compare_keys(&a.1, &b.1));
    list
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
