//! Analysis: names and scopes (§2), types (§3), aggregates and `per` (§6), the KPI
//! dependency graph and its cycles. It turns the catalogue's syntax trees into the checked
//! IR of [`crate::ir`] and reports every error it finds.

mod ir;
mod lower;
mod suspicious;

pub use ir::{Column, Ir, KpiInfo, LookupCol, SourceInfo};

use crate::catalogue::{Catalogue, FieldType, SourceDef};
use crate::diag::{Code, Diag};
use crate::ir::{Col, KExpr, KpiId, RExpr, SourceId};
use crate::syntax::{Expr, ExprKind, Name};
pub use crate::types::Ty;
pub use lower::literal_value;
use std::collections::HashMap;

/// Longest chain of KPIs that use one another (each link is a level of recursion).
const MAX_KPI_DEPTH: usize = 2_000;

#[derive(Clone, Copy, PartialEq)]
enum State {
    Todo,
    Busy,
    Done,
}

/// Builds the [`Ir`]: lowers formulas, collects diagnostics.
pub struct Analyzer<'c> {
    ir: Ir<'c>,
    agg_index: HashMap<String, usize>,
    state: Vec<State>,
    stack: Vec<KpiId>,
    /// Dimensions being expanded, innermost last (a dimension may not refer to itself).
    dimensions: Vec<(SourceId, String)>,
    pub diags: Vec<Diag>,
}

impl<'c> std::ops::Deref for Analyzer<'c> {
    type Target = Ir<'c>;
    fn deref(&self) -> &Ir<'c> {
        &self.ir
    }
}

impl std::ops::DerefMut for Analyzer<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.ir
    }
}

/// Analyse a whole catalogue (plus sources only `--data` declares): the IR and every
/// diagnostic found.
pub fn catalogue_to_ir<'c>(cat: &'c Catalogue, extra_sources: &[String]) -> (Ir<'c>, Vec<Diag>) {
    let mut an = Analyzer::new(cat);
    for s in extra_sources {
        an.add_source(s);
    }
    an.analyze_all();
    let (ir, mut diags) = an.finish();
    diags.extend(suspicious::suspicious(&ir));
    (ir, diags)
}

/// What `kpi check` reports of a loaded catalogue: the loader's diagnostics (`loaded`),
/// the analysis', and the unused sources when there is no error; sorted by place. (`kpi lsp`
/// reports the same list for the buffers an editor holds.)
pub fn check_catalogue(cat: &Catalogue, loaded: Vec<Diag>) -> Vec<Diag> {
    let mut diags = crate::diag::Diags { list: loaded };
    let (ir, found) = catalogue_to_ir(cat, &[]);
    let unused = ir.unused_sources();
    diags.extend(found);
    // With errors, some KPIs were not analysed: "unused" would be noise.
    if !diags.has_errors() {
        diags.extend(unused);
    }
    diags.sort();
    diags.list
}

impl<'c> Analyzer<'c> {
    pub fn new(cat: &'c Catalogue) -> Analyzer<'c> {
        let mut a = Analyzer {
            ir: Ir {
                cat,
                sources: Vec::new(),
                kpis: Vec::new(),
                aggs: Vec::new(),
                frames: Vec::new(),
                order: Vec::new(),
                kpi_index: HashMap::new(),
            },
            agg_index: HashMap::new(),
            state: vec![State::Todo; cat.kpis.len()],
            stack: Vec::new(),
            dimensions: Vec::new(),
            diags: Vec::new(),
        };
        let mut seen: HashMap<&str, &Name> = HashMap::new();
        for (i, s) in cat.sources.iter().enumerate() {
            if let Some(first) = seen.insert(&s.name.text, &s.name) {
                a.diags.push(duplicate("source", &s.name, first));
                continue;
            }
            a.sources.push(SourceInfo {
                name: s.name.text.clone(),
                def: Some(i),
                columns: Vec::new(),
            });
            a.check_source(s);
        }
        for (i, k) in cat.kpis.iter().enumerate() {
            if let Some(first) = a.kpi_index.get(k.name.text.as_str()) {
                let first = &cat.kpis[first.0 as usize].name;
                a.diags.push(duplicate("KPI", &k.name, first));
            } else {
                a.ir.kpi_index.insert(&k.name.text, KpiId(i as u32));
            }
        }
        a.ir.kpis = cat
            .kpis
            .iter()
            .map(|_| KpiInfo {
                expr: KExpr::Lit(crate::value::Value::Null),
                ty: Ty::Any,
                deps: vec![],
                ok: false,
                needs_grain: false,
                framed: false,
            })
            .collect();
        a
    }

    /// The IR and the diagnostics, sorted, once analysis is done.
    pub fn finish(self) -> (Ir<'c>, Vec<Diag>) {
        (self.ir, self.diags)
    }

    /// Go on lowering expressions over an analysed catalogue (a request's `--by` and
    /// `--where`), on a copy of its IR.
    pub fn resume(ir: Ir<'c>) -> Analyzer<'c> {
        let agg_index = ir
            .aggs
            .iter()
            .enumerate()
            .map(|(i, a)| (a.text.clone(), i))
            .collect();
        Analyzer {
            state: vec![State::Done; ir.kpis.len()],
            ir,
            agg_index,
            stack: Vec::new(),
            dimensions: Vec::new(),
            diags: Vec::new(),
        }
    }

    /// A source that no catalogue declares, bound by `--data` (ad-hoc formulas).
    pub fn add_source(&mut self, name: &str) -> SourceId {
        if let Some(id) = self.source_id(name) {
            return id;
        }
        self.sources.push(SourceInfo {
            name: name.to_string(),
            def: None,
            columns: Vec::new(),
        });
        SourceId(self.sources.len() as u32 - 1)
    }

    fn check_source(&mut self, s: &SourceDef) {
        lower::lookups::check_lookups(self, s);
        if let (Some(t), true) = (&s.time, s.has_schema) {
            if let Some(f) = s
                .field(&t.text)
                .filter(|f| !matches!(f.ty, FieldType::Date | FieldType::DateTime))
            {
                self.diags.push(
                    Diag::error(
                        Code::Type,
                        format!(
                            "the time field `{}` is a {}, not a date or a datetime",
                            t.text,
                            f.ty.name()
                        ),
                    )
                    .at(t.span)
                    .label(f.name.span, "declared here")
                    .help("declare it `date` or `datetime`, or choose another time field"),
                );
            }
            if s.field(&t.text).is_none() {
                let d = Diag::error(
                    Code::UnknownName,
                    format!(
                        "the time field `{}` is not a field of `{}`",
                        t.text, s.name.text
                    ),
                )
                .at(t.span);
                let names = s.fields.iter().map(|f| f.name.text.as_str());
                self.diags.push(d.suggest(&t.text, names, None));
            }
        }
    }

    /// Analyse every KPI of the catalogue, and every dimension of every source.
    pub fn analyze_all(&mut self) {
        for i in 0..self.cat.kpis.len() {
            self.kpi(KpiId(i as u32));
        }
        for (si, s) in self.cat.sources.iter().enumerate() {
            let Some(id) = self.sources.iter().position(|x| x.def == Some(si)) else {
                continue;
            };
            for (_, e) in &s.dimensions {
                self.record_expr(SourceId(id as u32), e);
            }
        }
    }

    /// Analyse one KPI (and, first, the KPIs it depends on). Returns its type.
    pub fn kpi(&mut self, id: KpiId) -> Ty {
        let i = id.0 as usize;
        match self.state[i] {
            State::Done => return self.kpis[i].ty,
            State::Busy => {
                self.report_cycle(id);
                return Ty::Any;
            }
            State::Todo => {}
        }
        if self.stack.len() >= MAX_KPI_DEPTH {
            // Analysis recurses along the chain: bound it, as formulas' depth is bounded.
            let def = &self.cat.kpis[i];
            self.diags.push(
                Diag::error(
                    Code::Cycle,
                    format!(
                        "`{}` ends a chain of KPIs that depend on each other more than {MAX_KPI_DEPTH} deep",
                        def.name.text
                    ),
                )
                .at(def.name.span)
                .help("compute the middle of the chain in fewer steps"),
            );
            return Ty::Any;
        }
        self.state[i] = State::Busy;
        self.stack.push(id);
        let errors_before = self.error_count();
        let def = &self.cat.kpis[i];
        let lowered = lower::kpi_formula(self, def);
        let ok = self.error_count() == errors_before && !contains_error(&def.formula);
        let ty = lowered.ty;
        self.kpis[i] = KpiInfo {
            expr: lowered.expr,
            ty,
            deps: lowered.deps,
            ok,
            needs_grain: lowered.needs_grain,
            framed: lowered.framed,
        };
        self.stack.pop();
        self.state[i] = State::Done;
        self.order.push(id);
        ty
    }

    fn error_count(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    fn report_cycle(&mut self, id: KpiId) {
        let start = self.stack.iter().position(|k| *k == id).unwrap_or(0);
        let cycle: Vec<KpiId> = self.stack[start..].to_vec();
        let names: Vec<&str> = cycle
            .iter()
            .map(|k| self.cat.kpis[k.0 as usize].name.text.as_str())
            .collect();
        // A long cycle is shown by its ends: its first names, how many more, its last.
        const SHOWN: usize = 8;
        let quoted = |ns: &[&str]| ns.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>();
        let mut parts = if names.len() > 2 * SHOWN {
            let mut p = quoted(&names[..SHOWN]);
            p.push(format!("… {} more …", names.len() - 2 * SHOWN));
            p.extend(quoted(&names[names.len() - SHOWN..]));
            p
        } else {
            quoted(&names)
        };
        parts.push(format!("`{}`", names[0]));
        let path = parts.join(" → ");
        let first = &self.cat.kpis[cycle[0].0 as usize];
        let mut d = Diag::error(
            Code::Cycle,
            format!("KPIs refer to each other in a cycle: {path}"),
        )
        .at(first.name.span);
        for k in cycle.iter().skip(1).take(SHOWN) {
            let def = &self.cat.kpis[k.0 as usize];
            d = d.label(
                def.name.span,
                format!("`{}` is part of the cycle", def.name.text),
            );
        }
        self.diags
            .push(d.help("a KPI cannot depend on itself, directly or through others"));
    }

    /// Analyse a record-scope expression of `source` (a `--by`, `--where` or dimension).
    /// A bare name that is a dimension of the source stands for the dimension's formula.
    pub fn record_expr(&mut self, source: SourceId, e: &Expr) -> Option<(RExpr, Ty)> {
        if let (ExprKind::Name(n), Some(def)) = (&e.kind, self.source_def(source)) {
            if def.field(&n.text).is_none() && def.dimensions.iter().any(|(d, _)| d.text == n.text)
            {
                return self
                    .in_dimension(source, n, |an, dim| an.record_expr(source, dim))
                    .flatten();
            }
        }
        let before = self.error_count();
        let r = lower::record(self, source, e);
        (self.error_count() == before && !contains_error(e)).then_some(r)
    }

    /// Run `f` on the formula of dimension `n` of `source`; `None`, with an error, when the
    /// dimension refers to itself (directly or through other dimensions).
    pub(crate) fn in_dimension<T>(
        &mut self,
        source: SourceId,
        n: &Name,
        f: impl FnOnce(&mut Self, &'c Expr) -> T,
    ) -> Option<T> {
        let def = self.source_def(source)?;
        let (dim_name, dim) = def.dimensions.iter().find(|(d, _)| d.text == n.text)?;
        if let Some(i) = self
            .dimensions
            .iter()
            .position(|(s, d)| *s == source && *d == n.text)
        {
            let mut path: Vec<String> = self.dimensions[i..]
                .iter()
                .map(|(_, d)| format!("`{d}`"))
                .collect();
            path.push(format!("`{}`", n.text));
            self.diags.push(
                Diag::error(
                    Code::Cycle,
                    format!(
                        "the dimension `{}` refers to itself: {}",
                        n.text,
                        path.join(" → ")
                    ),
                )
                .at(dim_name.span)
                .label(n.span, "used here")
                .help("a dimension is a formula over fields; name a field of the source"),
            );
            return None;
        }
        self.dimensions.push((source, n.text.clone()));
        let r = f(self, dim);
        self.dimensions.pop();
        Some(r)
    }

    /// Analyse a record-scope condition (`--where`): a bare field in it is a bool.
    pub fn record_condition(&mut self, source: SourceId, e: &Expr, what: &str) -> Option<RExpr> {
        let before = self.error_count();
        let r = lower::record_condition(self, source, e, what);
        (self.error_count() == before && !contains_error(e)).then_some(r)
    }

    /// A bare untyped field used as a group or entity key is read as text (`00123` keeps
    /// its zeros).
    pub fn key_column(&mut self, source: SourceId, key: &mut RExpr) {
        self.refine_column(source, key, Ty::Str);
    }

    /// Make a bare untyped field read as `ty` where this use needs it (the other uses keep
    /// their own reading). A date is read as a datetime, so that a datetime cell is never
    /// cut to its day: `a > 2025-03-01` compares `2025-03-01T08:00` exactly.
    pub fn refine_column(&mut self, source: SourceId, node: &mut RExpr, ty: Ty) {
        let crate::ir::Node::Leaf(c) = node else {
            return;
        };
        let col = &self.sources[source.0 as usize].columns[c.0 as usize];
        if col.ty != Ty::Any || !ty.known() {
            return;
        }
        let ty = if ty == Ty::Date { Ty::DateTime } else { ty };
        let name = col.name.clone();
        let Some(lookup) = col.lookup.clone() else {
            *c = lower::column(self, source, &name, ty);
            return;
        };
        // A lookup table's field, read as `ty`: its own column, through the same key.
        let cols = &mut self.ir.sources[source.0 as usize].columns;
        let at = cols
            .iter()
            .position(|k| k.name == name && k.ty == ty && k.lookup.as_ref() == Some(&lookup))
            .unwrap_or_else(|| {
                cols.push(Column {
                    name,
                    ty,
                    lookup: Some(lookup),
                });
                cols.len() - 1
            });
        *c = Col(at as u32);
    }

    /// The column of a source's `time` field.
    pub fn time_column(&mut self, source: SourceId) -> Result<Col, Diag> {
        let s = &self.sources[source.0 as usize];
        let Some(t) = self.source_def(source).and_then(|d| d.time.as_ref()) else {
            let span = self.source_def(source).map(|d| d.name.span);
            let d = Diag::error(
                Code::Catalogue,
                format!("source `{}` has no `time` field", s.name),
            )
            .help("add `time: FIELD` to the source, for --grain, --from and --to");
            return Err(match span {
                Some(sp) => d.at(sp),
                None => d,
            });
        };
        Ok(lower::column(self, source, &t.text, Ty::DateTime))
    }
}

fn duplicate(what: &str, again: &Name, first: &Name) -> Diag {
    Diag::error(
        Code::Duplicate,
        format!("the {what} `{}` is defined twice", again.text),
    )
    .label(again.span, "defined again here")
    .label(first.span, "first defined here")
    .help(format!(
        "rename one of them; {what} names are unique across the catalogue"
    ))
}

pub fn contains_error(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Error) || e.children().into_iter().any(contains_error)
}

/// Every name an expression reads (fields of lookup tables as `table.field`).
pub fn walk_names(e: &Expr, f: &mut impl FnMut(&Name)) {
    match &e.kind {
        ExprKind::Name(n) => f(n),
        ExprKind::Lookup(t, field) => f(&Name {
            text: format!("{}.{}", t.text, field.text),
            span: t.span,
        }),
        ExprKind::Call(c) => {
            c.args
                .iter()
                .chain(&c.per)
                .chain(&c.filter)
                .for_each(|x| walk_names(x, f));
        }
        _ => e.children().into_iter().for_each(|x| walk_names(x, f)),
    }
}

#[cfg(test)]
mod tests;
