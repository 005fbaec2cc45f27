//! The plan: what one request needs from each source, worked out once from the analysed
//! catalogue (`ir_to_plan`). Evaluation, SQL, `kpi explain` and the catalogue tests all read
//! it; nothing after planning works out again which aggregates a source feeds, which columns
//! it reads, or which KPIs a grouping leaves out.

mod leave_out;
mod request;
mod show;

use crate::analysis::{Analyzer, Ir};
use crate::diag::{Code, Diag};
use crate::ir::{AggId, FrameOp, KLeaf, KpiId, Node, RExpr, SourceId};
use crate::op::BinOp;
use crate::registry::{self, FuncDef};
use crate::time::Grain;
pub use request::{Compare, Request};
pub use show::plan_to_text;

/// One request over one catalogue, ready to run.
pub struct Plan<'c> {
    /// The analysed catalogue, with the columns this request's keys and filters add.
    pub ir: Ir<'c>,
    /// The group key names: the grain first, then each `--by` as written.
    pub key_names: Vec<String>,
    pub grain: Option<Grain>,
    pub compare: Option<Compare>,
    /// `--from` and `--to` as datetimes (microseconds), for the period grid.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub total: bool,
    pub top: Option<usize>,
    /// The KPIs shown, in order (those a grouping or filter cannot apply to are left out).
    pub shown: Vec<KpiId>,
    /// The KPIs computed: the shown ones and all they depend on, in dependency order.
    pub order: Vec<KpiId>,
    /// For each KPI of the catalogue (by id): the sources it reads, itself or through others.
    pub sources_of: Vec<Vec<SourceId>>,
    /// The sources to read, in source order.
    pub sources: Vec<SourcePlan>,
    /// The lookup tables the sources use.
    pub lookups: Vec<LookupPlan>,
    /// Warnings found while planning (KPIs left out, bounds that filter nothing).
    pub diags: Vec<Diag>,
    /// `--ci`'s confidence level, in percent.
    pub ci: Option<rust_decimal::Decimal>,
    /// By KPI id: how its sample and interval are computed (with `--ci`, or `min_sample`).
    pub measures: Vec<Option<crate::stats::Measure>>,
}

/// What one source is read for.
pub struct SourcePlan {
    pub id: SourceId,
    /// The file it reads (none: the run has no data for it).
    pub file: Option<String>,
    /// The aggregates it feeds, each once, in id order.
    pub aggs: Vec<AggId>,
    /// Group keys, one per key name.
    pub keys: Vec<RExpr>,
    /// Record filters: `--where`, `--from`, `--to`.
    pub filters: Vec<RExpr>,
    /// Which filter is `--from`. `kpi eval` reads the records it rejects all the same,
    /// apart, for offsets, windows and `open` (`previous`, `rolling`, the first period of
    /// `--compare`), never for the rows of the range; SQL applies it as a filter.
    pub from: Option<usize>,
    /// Each filter as the command line wrote it (for `kpi explain`).
    pub filter_texts: Vec<String>,
    /// Which of the source's columns are read (aggregates, keys and filters).
    pub needed: Vec<bool>,
    /// The columns filled from lookup tables (not read from the source's file).
    pub fills: Vec<Fill>,
}

/// A column of a source filled from a lookup table, through the source's key column.
#[derive(Clone, Debug)]
pub struct Fill {
    pub col: crate::ir::Col,
    pub key: crate::ir::Col,
    /// Index in `Plan::lookups`, and of the field among that table's fields.
    pub lookup: usize,
    pub field: usize,
}

/// A lookup table to read before the sources that use it.
pub struct LookupPlan {
    pub table: SourceId,
    pub file: Option<String>,
    /// The table's key field (read as text), then the fields the sources use, with their
    /// types.
    pub columns: Vec<(String, crate::types::Ty)>,
}

impl Plan<'_> {
    pub fn grouped(&self) -> bool {
        !self.key_names.is_empty()
    }

    /// The name of a KPI.
    pub fn kpi_name(&self, k: KpiId) -> &str {
        &self.ir.cat.kpis[k.0 as usize].name.text
    }

    /// Whether a `total(x)` among the KPIs computed reads source `s`: its groups' states are
    /// then merged into one (the evaluator keeps such groups' `per` states apart).
    pub fn total_reads(&self, s: SourceId) -> bool {
        let ir = &self.ir;
        let reads = |e: &crate::ir::KExpr| {
            let mut found = false;
            ir.kpi_leaves(e, &mut |l| match l {
                KLeaf::Agg(a) => found |= ir.aggs[a.0 as usize].source == s,
                KLeaf::Kpi(k) => found |= self.sources_of[k.0 as usize].contains(&s),
                KLeaf::Frame(_) | KLeaf::Inner(_) => {}
            });
            found
        };
        self.order.iter().any(|k| {
            let mut found = false;
            ir.kpi_leaves(&ir.kpis[k.0 as usize].expr, &mut |l| {
                if let KLeaf::Frame(i) = l {
                    let f = &ir.frames[*i as usize];
                    found |= matches!(f.op, FrameOp::Total) && reads(&f.expr);
                }
            });
            found
        })
    }

    /// The plan of a source, when it is read.
    pub fn source(&self, id: SourceId) -> Option<&SourcePlan> {
        self.sources.iter().find(|p| p.id == id)
    }
}

/// Plan a request: lower its keys and filters in every source the KPIs read, leave out the
/// KPIs they cannot apply to (with a warning), and list what each source must give.
/// Errors (a `--by` that does not check, no KPI left) come back with the warnings.
pub fn ir_to_plan<'c>(ir: &Ir<'c>, req: &Request) -> Result<Plan<'c>, Vec<Diag>> {
    let mut an = Analyzer::resume(ir.clone());
    let mut diags = Vec::new();
    let mut sources: Vec<SourcePlan> = Vec::new();
    for a in an.aggregates_of(&an.closure(&req.kpis)) {
        let s = an.aggs[a.0 as usize].source;
        match sources.iter_mut().find(|p| p.id == s) {
            Some(p) => p.aggs.push(a),
            None => sources.push(SourcePlan {
                id: s,
                file: req.files.get(&s).cloned(),
                aggs: vec![a],
                keys: vec![],
                filters: vec![],
                from: None,
                filter_texts: vec![],
                needed: vec![],
                fills: vec![],
            }),
        }
    }
    sources.sort_by_key(|p| p.id);
    let mut key_names = Vec::new();
    if let Some(g) = req.grain {
        key_names.push(g.name().to_string());
    }
    key_names.extend(req.by.iter().map(|(t, _)| t.clone()));
    // Sources a grouping key or `--where` cannot apply to: their KPIs are left out.
    let mut unfit: Vec<(SourceId, String)> = Vec::new();
    for p in &mut sources {
        if let Some(g) = req.grain {
            match an.time_column(p.id) {
                Ok(col) => p
                    .keys
                    .push(Node::Func(grain_func(g), vec![Node::Leaf(col)])),
                Err(_) => unfit.push((p.id, "has no `time` field for --grain".into())),
            }
        }
        for (text, e) in &req.by {
            if !an.fits_source(p.id, e) {
                unfit.push((p.id, format!("has no field for --by `{text}`")));
                continue;
            }
            if let Some((mut r, _)) = an.record_expr(p.id, e) {
                an.key_column(p.id, &mut r);
                p.keys.push(r);
            }
        }
        if let Some(f) = &req.filter {
            if !an.fits_source(p.id, f) {
                let text = crate::syntax::expr_to_string(f);
                unfit.push((p.id, format!("has no field for --where `{text}`")));
            } else if let Some(r) = an.record_condition(p.id, f, "--where") {
                p.filters.push(r);
                p.filter_texts
                    .push(format!("--where {}", crate::syntax::expr_to_string(f)));
            }
        }
        for (bound, op, flag) in [
            (&req.from, BinOp::Ge, "--from"),
            (&req.to, BinOp::Lt, "--to"),
        ] {
            let Some(b) = bound else { continue };
            match an.time_column(p.id) {
                Ok(col) => {
                    let cond = Node::Binary(
                        op,
                        Box::new(Node::Leaf(col)),
                        Box::new(Node::Lit(b.clone())),
                    );
                    let bound = crate::results::plain_value(b);
                    if op == BinOp::Ge {
                        p.from = Some(p.filters.len());
                        p.filter_texts.push(format!(
                            "{flag} {bound} (earlier records apart, for offsets and windows)"
                        ));
                    } else {
                        p.filter_texts.push(format!("{flag} {bound}"));
                    }
                    p.filters.push(cond);
                }
                Err(_) => diags.push(Diag::warning(
                    Code::Catalogue,
                    format!(
                        "source `{}` has no `time` field: --from and --to do not filter it",
                        an.sources[p.id.0 as usize].name
                    ),
                )),
            }
        }
    }
    let (mut ir, mut lowering) = an.finish();
    diags.append(&mut lowering);
    if diags.iter().any(Diag::is_error) {
        return Err(diags);
    }
    let sources_of = leave_out::sources_of(&ir);
    let asked = leave_out::needing_grain(&ir, &req.kpis, req.grain, req.named, &mut diags);
    if diags.iter().any(Diag::is_error) {
        return Err(diags);
    }
    let shown = leave_out::fitting(&ir, &asked, &sources_of, &unfit, &mut diags)?;
    // Only what the shown KPIs need is read.
    let order = ir.closure(&shown);
    let needed_aggs = ir.aggregates_of(&order);
    sources.retain_mut(|p| {
        p.aggs.retain(|a| needed_aggs.contains(a));
        !p.aggs.is_empty() && !unfit.iter().any(|u| u.0 == p.id)
    });
    // Samples and intervals: companion aggregates, read with the others (`stats/`).
    let measures = crate::stats::plan_measures(&mut ir, &shown, &sources_of, req.ci.is_some());
    for m in measures.iter().flatten() {
        for a in crate::stats::companions(m) {
            let s = ir.aggs[a.0 as usize].source;
            if let Some(p) = sources.iter_mut().find(|p| p.id == s) {
                if !p.aggs.contains(&a) {
                    p.aggs.push(a);
                }
            }
        }
    }
    for p in &mut sources {
        let mut needed = vec![false; ir.sources[p.id.0 as usize].columns.len()];
        for a in &p.aggs {
            ir.aggs[a.0 as usize].columns(&mut |c| needed[c.0 as usize] = true);
        }
        for e in p.keys.iter().chain(&p.filters) {
            e.leaves(&mut |c| needed[c.0 as usize] = true);
        }
        p.needed = needed;
    }
    let lookups = lookup_fills(&ir, &mut sources, &req.files);
    Ok(Plan {
        order,
        ir,
        key_names,
        grain: req.grain,
        compare: req.compare,
        from: req.from.as_ref().and_then(as_micros),
        to: req.to.as_ref().and_then(as_micros),
        total: req.total,
        top: req.top,
        shown,
        sources_of,
        sources,
        lookups,
        diags,
        ci: req.ci,
        measures,
    })
}

/// The lookup tables the sources' needed columns come from, and each source's fills (its key
/// columns are then read too).
fn lookup_fills(
    ir: &Ir,
    sources: &mut [SourcePlan],
    files: &rustc_hash::FxHashMap<SourceId, String>,
) -> Vec<LookupPlan> {
    let mut lookups: Vec<LookupPlan> = Vec::new();
    for p in sources.iter_mut() {
        for (i, c) in ir.sources[p.id.0 as usize].columns.iter().enumerate() {
            let Some(l) = c.lookup.as_ref().filter(|_| p.needed[i]) else {
                continue;
            };
            let lookup = match lookups.iter().position(|x| x.table == l.table) {
                Some(at) => at,
                None => {
                    let key = ir
                        .source_def(l.table)
                        .and_then(|d| d.key.as_ref())
                        .map_or_else(String::new, |k| k.text.clone());
                    lookups.push(LookupPlan {
                        table: l.table,
                        file: files.get(&l.table).cloned(),
                        columns: vec![(key, crate::types::Ty::Str)],
                    });
                    lookups.len() - 1
                }
            };
            let columns = &mut lookups[lookup].columns;
            let field = match columns[1..]
                .iter()
                .position(|(n, t)| *n == l.field && *t == c.ty)
            {
                Some(f) => f,
                None => {
                    columns.push((l.field.clone(), c.ty));
                    columns.len() - 2
                }
            };
            p.fills.push(Fill {
                col: crate::ir::Col(i as u32),
                key: l.key,
                lookup,
                field,
            });
        }
        for f in &p.fills {
            p.needed[f.key.0 as usize] = true;
        }
    }
    lookups
}

fn as_micros(v: &crate::value::Value) -> Option<i64> {
    match v {
        crate::value::Value::DateTime(t) => Some(*t),
        crate::value::Value::Date(d) => Some(d * crate::time::MICROS_PER_DAY),
        _ => None,
    }
}

/// The function that gives a datetime's period at grain `g`.
fn grain_func(g: Grain) -> &'static FuncDef {
    let name = match g {
        Grain::Day => "date",
        other => other.name(),
    };
    registry::function(name).expect("every grain has its period function")
}
