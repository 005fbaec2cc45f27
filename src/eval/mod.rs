//! Evaluation: every selected KPI over its sources in one pass per source. Aggregates are
//! updated record by record per group; KPI arithmetic runs afterwards on the aggregated
//! values, in dependency order.

pub mod acc;
pub mod expr;
pub mod keytable;
pub mod row;
mod run;
mod state;

use crate::analysis::Analyzer;
use crate::diag::{Code, Diag};
use crate::input;
use crate::ir::{AggId, Func, KLeaf, KpiId, Node, RExpr, SourceId};
use crate::syntax::{BinOp, Expr};
use crate::value::{self, OpError, Value};
use acc::Acc;
use row::{encode_key, Row};
use rustc_hash::FxHashMap;
use state::AggState;
use std::cell::Cell;
use std::cmp::Ordering;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Grain {
    pub fn name(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }
    fn func(self) -> Func {
        match self {
            Grain::Day => Func::Date,
            Grain::Week => Func::Week,
            Grain::Month => Func::Month,
            Grain::Quarter => Func::Quarter,
            Grain::Year => Func::Year,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Compare {
    Previous,
    Year,
}

/// What to evaluate, and how to group it.
#[derive(Default)]
pub struct Request {
    /// KPIs to show, in order.
    pub kpis: Vec<KpiId>,
    /// `--by` expressions with their text as written.
    pub by: Vec<(String, Expr)>,
    pub grain: Option<Grain>,
    pub compare: Option<Compare>,
    pub from: Option<Value<'static>>,
    pub to: Option<Value<'static>>,
    pub filter: Option<Expr>,
    pub total: bool,
    pub top: Option<usize>,
    /// The file each source reads.
    pub files: FxHashMap<SourceId, String>,
}

#[derive(Clone, Debug)]
pub struct ResultRow {
    pub kpi: KpiId,
    /// One value per key name; empty for an ungrouped result.
    pub key: Vec<Value<'static>>,
    /// The overall row of a grouped run.
    pub total: bool,
    pub value: Value<'static>,
    pub previous: Option<Value<'static>>,
}

#[derive(Clone, Debug)]
pub struct SourceReport {
    pub name: String,
    pub file: String,
    pub records: u64,
    pub rejected: u64,
}

#[derive(Default)]
pub struct Output {
    pub key_names: Vec<String>,
    pub rows: Vec<ResultRow>,
    pub sources: Vec<SourceReport>,
    /// Warnings and errors found while evaluating (data errors included).
    pub diags: Vec<Diag>,
}

/// One source's part of the run.
struct SourcePlan {
    id: SourceId,
    aggs: Vec<AggId>,
    keys: Vec<RExpr>,
    filters: Vec<RExpr>,
    /// Agg values per group, filled after reading; the last entry is the total when asked.
    groups: keytable::KeyTable,
    group_keys: Vec<Vec<Value<'static>>>,
    values: Vec<Vec<Value<'static>>>,
    total: Option<Vec<Value<'static>>>,
}

/// Where records come from.
pub enum Records<'r> {
    /// The files of `Request::files` (large plain CSV files are read in parallel ranges).
    Files,
    /// Records written in the catalogue, per source (catalogue tests).
    Inline(&'r FxHashMap<SourceId, Vec<&'r crate::catalogue::yaml::Node>>),
}

/// Evaluate over the files of `req.files`.
pub fn evaluate(an: &mut Analyzer, req: &Request) -> Output {
    evaluate_with(an, req, Records::Files)
}

/// A source's run as records arrive, with the divisions by zero seen on its thread.
struct Reading<'p> {
    run: run::SourceRun<'p>,
    div_by_zero: u64,
}

impl input::Sink for Reading<'_> {
    fn on_row(&mut self, row: &Row) {
        self.run.on_row(row);
    }
    fn finish(&mut self) {
        self.div_by_zero += take_div_by_zero();
    }
    fn merge(&mut self, next: Self) {
        self.run.merge(next.run);
        self.div_by_zero += next.div_by_zero;
    }
}

pub fn evaluate_with(an: &mut Analyzer, req: &Request, records: Records) -> Output {
    let mut out = Output::default();
    // KPIs to compute: the shown ones and everything they depend on, in dependency order.
    let order = an.closure(&req.kpis);
    // Aggregates by source.
    let mut plans: Vec<SourcePlan> = Vec::new();
    for a in an.aggregates_of(&order) {
        let s = an.aggs[a.0 as usize].source;
        let p = match plans.iter().position(|p| p.id == s) {
            Some(p) => p,
            None => {
                plans.push(SourcePlan {
                    id: s,
                    aggs: vec![],
                    keys: vec![],
                    filters: vec![],
                    groups: Default::default(),
                    group_keys: vec![],
                    values: vec![],
                    total: None,
                });
                plans.len() - 1
            }
        };
        plans[p].aggs.push(a);
    }
    plans.sort_by_key(|p| p.id);
    // Grouping keys, per source; a source that lacks a key's fields cannot be grouped.
    if let Some(g) = req.grain {
        out.key_names.push(g.name().to_string());
    }
    out.key_names.extend(req.by.iter().map(|(t, _)| t.clone()));
    // Sources a grouping key or `--where` cannot apply to: their KPIs are left out.
    let mut unfit: Vec<(SourceId, String)> = Vec::new();
    for p in &mut plans {
        if let Some(g) = req.grain {
            match an.time_column(p.id) {
                Ok(col) => p.keys.push(Node::Func(g.func(), vec![Node::Leaf(col)])),
                Err(_) => unfit.push((p.id, "has no `time` field for --grain".into())),
            }
        }
        for (text, e) in &req.by {
            if !an.fits_source(p.id, e) {
                unfit.push((p.id, format!("has no field for --by `{text}`")));
                continue;
            }
            if let Some((r, _)) = an.record_expr(p.id, e) {
                an.key_column(p.id, &r);
                p.keys.push(r);
            }
        }
        if let Some(f) = &req.filter {
            if !an.fits_source(p.id, f) {
                unfit.push((
                    p.id,
                    format!(
                        "has no field for --where `{}`",
                        crate::syntax::expr_to_string(f)
                    ),
                ));
            } else if let Some(r) = an.record_condition(p.id, f, "--where") {
                p.filters.push(r);
            }
        }
        for (bound, op) in [(&req.from, BinOp::Ge), (&req.to, BinOp::Lt)] {
            let Some(b) = bound else { continue };
            match an.time_column(p.id) {
                Ok(col) => p.filters.push(Node::Binary(
                    op,
                    Box::new(Node::Leaf(col)),
                    Box::new(Node::Lit(b.clone())),
                )),
                Err(_) => out.diags.push(Diag::warning(
                    Code::Catalogue,
                    format!(
                        "source `{}` has no `time` field: --from and --to do not filter it",
                        an.sources[p.id.0 as usize].name
                    ),
                )),
            }
        }
    }
    out.diags.append(&mut an.diags);
    if out.diags.iter().any(Diag::is_error) {
        return out;
    }
    // KPIs over a source that cannot be grouped or filtered as asked are left out, with a
    // warning that names them: a KPI must never silently mix filtered and unfiltered data.
    let mut sources_of = vec![Vec::<SourceId>::new(); an.kpis.len()];
    for &k in &order {
        let mut s = Vec::new();
        an.kpis[k.0 as usize].expr.leaves(&mut |l| match l {
            KLeaf::Agg(a) => s.push(an.aggs[a.0 as usize].source),
            KLeaf::Kpi(d) => s.extend(sources_of[d.0 as usize].iter().copied()),
            KLeaf::Inner(_) => {}
        });
        s.sort();
        s.dedup();
        sources_of[k.0 as usize] = s;
    }
    let mut shown: Vec<KpiId> = req.kpis.clone();
    if !unfit.is_empty() {
        let bad: Vec<KpiId> = shown
            .iter()
            .copied()
            .filter(|k| {
                sources_of[k.0 as usize]
                    .iter()
                    .any(|s| unfit.iter().any(|u| u.0 == *s))
            })
            .collect();
        for (s, why) in &unfit {
            let names: Vec<&str> = bad
                .iter()
                .filter(|k| sources_of[k.0 as usize].contains(s))
                .map(|k| an.cat.kpis[k.0 as usize].name.text.as_str())
                .collect();
            if !names.is_empty() {
                out.diags.push(
                    Diag::warning(
                        Code::Scope,
                        format!(
                            "left out, because source `{}` {why}: {}",
                            an.sources[s.0 as usize].name,
                            names.join(", ")
                        ),
                    )
                    .help(
                        "choose KPIs with --kpi, or group and filter by fields their sources have",
                    ),
                );
            }
        }
        shown.retain(|k| !bad.contains(k));
        if shown.is_empty() {
            out.diags.push(
                Diag::error(
                    Code::Scope,
                    "no selected KPI can be grouped or filtered that way",
                )
                .help("use fields of the sources the KPIs read"),
            );
            return out;
        }
        plans.retain(|p| !unfit.iter().any(|u| u.0 == p.id));
    }
    // Read each source once.
    let mut unreadable: Vec<SourceId> = Vec::new();
    let grouped = !out.key_names.is_empty();
    for p in &mut plans {
        let src = &an.sources[p.id.0 as usize];
        let Some(file) = req.files.get(&p.id) else {
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
        let mut needed_cols = vec![false; src.columns.len()];
        for a in &p.aggs {
            an.aggs[a.0 as usize].columns(&mut |c| needed_cols[c.0 as usize] = true);
        }
        for e in p.keys.iter().chain(&p.filters) {
            e.leaves(&mut |c| needed_cols[c.0 as usize] = true);
        }
        let columns: Vec<(String, crate::analysis::Ty)> =
            src.columns.iter().map(|c| (c.name.clone(), c.ty)).collect();
        let declared: Option<Vec<&str>> = an
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
            needed: &needed_cols,
            declared: declared.as_deref(),
            options: &options,
        };
        let specs: Vec<&crate::ir::AggSpec> =
            p.aggs.iter().map(|a| &an.aggs[a.0 as usize]).collect();
        let n = specs.len();
        let with_total = req.total || !grouped;
        let new_sink = || Reading {
            run: run::SourceRun::new(&specs, &p.keys, &p.filters, with_total),
            div_by_zero: 0,
        };
        let mut data_diags = Vec::new();
        take_div_by_zero();
        let (
            stats,
            Reading {
                run,
                div_by_zero: dz,
            },
        ) = input::read_into(&input, &new_sink, &mut data_diags);
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
        let run::SourceRun {
            groups,
            group_keys,
            states,
            total,
            failures,
            type_errors,
            ..
        } = run;
        p.groups = groups;
        p.group_keys = group_keys;
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
        p.values = (0..p.group_keys.len())
            .map(|g| finish(&states[g * n..(g + 1) * n]))
            .collect();
        p.total = total.as_deref().map(&mut finish);
        for (i, f) in failed.iter().enumerate() {
            if let Some(e) = f {
                let users: Vec<String> = order
                    .iter()
                    .filter(|k| {
                        let mut uses = false;
                        an.kpis[k.0 as usize]
                            .expr
                            .leaves(&mut |l| uses |= *l == KLeaf::Agg(p.aggs[i]));
                        uses
                    })
                    .map(|k| format!("`{}`", an.cat.kpis[k.0 as usize].name.text))
                    .collect();
                out.diags.push(op_failure(
                    e,
                    &specs[i].text,
                    &format!(" (used by {})", users.join(", ")),
                ));
            }
        }
    }
    // KPIs over a source that could not be read at all are not shown: its error says why.
    shown.retain(|k| {
        !sources_of[k.0 as usize]
            .iter()
            .any(|s| unreadable.contains(s))
    });
    compute_kpis(
        an,
        req,
        &order,
        &shown,
        &sources_of,
        &plans,
        grouped,
        &mut out,
    );
    out
}

fn empty_value(spec: &crate::ir::AggSpec) -> Value<'static> {
    Acc::new(spec.func)
        .result(spec.func, spec.fraction)
        .unwrap_or(Value::Null)
}

fn op_failure(e: &OpError, what: &str, group: &str) -> Diag {
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
    }
}

/// Every group key seen by any source, sorted (nulls last).
fn all_groups(plans: &[SourcePlan]) -> Vec<(Box<[u8]>, Vec<Value<'static>>)> {
    let mut seen: FxHashMap<&[u8], usize> = FxHashMap::default();
    let mut list: Vec<(Box<[u8]>, Vec<Value<'static>>)> = Vec::new();
    for p in plans {
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

pub fn compare_keys(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => value::compare(x, y)
                .ok()
                .flatten()
                .unwrap_or_else(|| x.type_name().cmp(y.type_name())),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

#[allow(clippy::too_many_arguments)]
fn compute_kpis(
    an: &Analyzer,
    req: &Request,
    order: &[KpiId],
    shown: &[KpiId],
    sources_of: &[Vec<SourceId>],
    plans: &[SourcePlan],
    grouped: bool,
    out: &mut Output,
) {
    let out_keys = out.key_names.clone();
    let agg_slot: FxHashMap<AggId, (usize, usize)> = plans
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
                .map(|(k, v)| format!("{k} = {}", display_key(v)))
                .collect();
            format!(" ({})", parts.join(", "))
        };
        let context = |name: &str| {
            Some((
                name.to_string(),
                out_keys
                    .iter()
                    .cloned()
                    .zip(key.iter().cloned())
                    .collect::<Vec<_>>(),
            ))
        };
        let mut values: Vec<Value<'static>> = vec![Value::Null; an.kpis.len()];
        for &k in order {
            let info = &an.kpis[k.0 as usize];
            let name = &an.cat.kpis[k.0 as usize].name.text;
            let r = expr::eval(&info.expr, &|l: &KLeaf| {
                Ok(match l {
                    KLeaf::Agg(a) => match agg_slot.get(a) {
                        Some(&(pi, ai)) => match cell[pi] {
                            Some(v) => v[ai].clone(),
                            None => empty_value(&an.aggs[a.0 as usize]),
                        },
                        None => Value::Null,
                    },
                    KLeaf::Kpi(d) => values[d.0 as usize].clone(),
                    KLeaf::Inner(_) => Value::Null,
                })
            })
            .map(Value::into_owned);
            if take_div_by_zero() > 0 {
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
        for (key_bytes, key) in all_groups(plans) {
            let cell: Vec<Option<&Vec<Value<'static>>>> = plans
                .iter()
                .map(|p| p.groups.get(&key_bytes).map(|g| &p.values[g as usize]))
                .collect();
            let values = eval_cell(&cell, &key, &mut out.diags);
            for &k in shown {
                let present = sources_of[k.0 as usize].is_empty()
                    || sources_of[k.0 as usize].iter().any(|s| {
                        plans
                            .iter()
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
    if !grouped || req.total {
        let cell: Vec<Option<&Vec<Value<'static>>>> =
            plans.iter().map(|p| p.total.as_ref()).collect();
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
    if let (Some(c), Some(g)) = (req.compare, req.grain) {
        let no_records: Vec<Option<&Vec<Value<'static>>>> = vec![None; plans.len()];
        let empty_values = eval_cell(&no_records, &[], &mut Vec::new());
        let first_period = rows
            .iter()
            .filter(|r| !r.total)
            .map(|r| r.key[0].clone())
            .min_by(|a, b| compare_keys(std::slice::from_ref(a), std::slice::from_ref(b)));
        let index: FxHashMap<(KpiId, Vec<u8>), usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.total)
            .map(|(i, r)| ((r.kpi, key_bytes(&r.key)), i))
            .collect();
        for i in 0..rows.len() {
            if rows[i].total {
                continue;
            }
            let mut key = rows[i].key.clone();
            let Some(prev) = previous_period(&key[0], g, c) else {
                continue;
            };
            key[0] = prev;
            let found = index
                .get(&(rows[i].kpi, key_bytes(&key)))
                .map(|&j| rows[j].value.clone());
            // A period inside the data with no record is an empty group (a count of 0);
            // before the first period read, there is nothing to compare with.
            let inside = first_period.as_ref().is_some_and(|f| {
                compare_keys(&key[..1], std::slice::from_ref(f)) != Ordering::Less
            });
            let empty = || {
                if inside {
                    empty_values[rows[i].kpi.0 as usize].clone()
                } else {
                    Value::Null
                }
            };
            rows[i].previous = Some(found.unwrap_or_else(empty));
        }
    }
    if let Some(n) = req.top.filter(|_| grouped) {
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
        rows = kept;
    }
    out.rows = rows;
}

fn key_bytes(key: &[Value]) -> Vec<u8> {
    let mut b = Vec::new();
    for v in key {
        encode_key(v, &mut b);
    }
    b
}

pub fn display_key(v: &Value) -> String {
    crate::output::plain_value(v)
}

/// The period before `p` (a key made by the grain's function), or the same period a year before.
fn previous_period(p: &Value, g: Grain, c: Compare) -> Option<Value<'static>> {
    use crate::time;
    let s = match p {
        Value::Str(s) => s.to_string(),
        Value::Date(d) => {
            let (y, m, day) = time::civil_from_days(*d);
            return Some(Value::Date(match c {
                Compare::Previous => d - 1,
                Compare::Year => {
                    let day = day.min(if m == 2 { 28 } else { day });
                    time::days_from_civil(y - 1, m, day)
                }
            }));
        }
        _ => return None,
    };
    let year: i64 = s.get(..4)?.parse().ok()?;
    let out = match (g, c) {
        (_, Compare::Year) => format!("{:04}{}", year - 1, &s[4..]),
        (Grain::Year, _) => format!("{:04}", year - 1),
        (Grain::Quarter, _) => {
            let q: u32 = s.get(6..)?.parse().ok()?;
            if q == 1 {
                format!("{:04}-Q4", year - 1)
            } else {
                format!("{year:04}-Q{}", q - 1)
            }
        }
        (Grain::Month, _) => {
            let m: u32 = s.get(5..)?.parse().ok()?;
            if m == 1 {
                format!("{:04}-12", year - 1)
            } else {
                format!("{year:04}-{:02}", m - 1)
            }
        }
        (Grain::Week, _) => {
            let w: i64 = s.get(6..)?.parse().ok()?;
            // The Monday of that ISO week, minus seven days.
            let jan4 = time::days_from_civil(year, 1, 4);
            let monday = jan4 - (time::weekday(jan4) as i64 - 1) + (w - 1) * 7;
            time::iso_week(monday - 7)
        }
        (Grain::Day, _) => return None,
    };
    Some(Value::Str(out.into()))
}

/// The change from the previous value: a difference (in points for percentages).
pub fn change(v: &Value, prev: &Value) -> Value<'static> {
    value::binary(BinOp::Sub, v.clone(), prev.clone())
        .map(Value::into_owned)
        .unwrap_or(Value::Null)
}
