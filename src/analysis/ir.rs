//! The checked catalogue analysis gives the later stages, and what they ask of it.

use super::walk_names;
use super::Ty;
use crate::catalogue::{Catalogue, SourceDef};
use crate::diag::{Code, Diag};
use crate::ir::{AggSpec, Col, KExpr, KpiId, SourceId};
use crate::syntax::Expr;
use std::collections::HashMap;

/// A field that some formula reads.
#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub ty: Ty,
    /// A field of a lookup table (`agents.team`), read through the source's key field.
    pub lookup: Option<LookupCol>,
}

/// Where a lookup column's value comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct LookupCol {
    /// The lookup table (a source with `key:`).
    pub table: SourceId,
    /// This source's field holding the table's key, read as text.
    pub key: Col,
    /// The table's field.
    pub field: String,
}

#[derive(Clone, Debug)]
pub struct SourceInfo {
    pub name: String,
    /// Index in `Catalogue::sources` (`None` for a source only `--data` declared).
    pub def: Option<usize>,
    /// The fields read, in the order formulas first use them; `Col` indexes this list.
    pub columns: Vec<Column>,
}

#[derive(Clone, Debug)]
pub struct KpiInfo {
    pub expr: KExpr,
    pub ty: Ty,
    /// KPIs it refers to directly.
    pub deps: Vec<KpiId>,
    /// Analysed without error.
    pub ok: bool,
    /// It uses a period function (itself or through other KPIs): it needs `--grain`.
    pub needs_grain: bool,
    /// It uses a period function, `total` or `rank` (itself or through other KPIs): it may
    /// not be used inside a window.
    pub framed: bool,
}

/// The checked catalogue that analysis gives the later stages (planning, evaluation, SQL,
/// documentation): sources with the columns formulas read, KPIs as IR, interned aggregates,
/// and an order where each KPI comes after those it depends on. Nothing changes it after
/// analysis; a plan that lowers more expressions works on its own copy.
#[derive(Clone)]
pub struct Ir<'c> {
    pub cat: &'c Catalogue,
    pub sources: Vec<SourceInfo>,
    pub kpis: Vec<KpiInfo>,
    pub aggs: Vec<AggSpec>,
    /// The uses of period functions, `total` and `rank` (`KLeaf::Frame`).
    pub frames: Vec<crate::ir::FrameSpec>,
    /// KPIs in an order where each comes after those it depends on.
    pub order: Vec<KpiId>,
    pub(super) kpi_index: HashMap<&'c str, KpiId>,
}

impl<'c> Ir<'c> {
    pub fn source_id(&self, name: &str) -> Option<SourceId> {
        self.sources
            .iter()
            .position(|s| s.name == name)
            .map(|i| SourceId(i as u32))
    }

    pub fn source_def(&self, id: SourceId) -> Option<&'c SourceDef> {
        self.sources[id.0 as usize]
            .def
            .map(|i| &self.cat.sources[i])
    }

    pub fn kpi_id(&self, name: &str) -> Option<KpiId> {
        self.kpi_index.get(name).copied()
    }

    /// Whether `e` names only fields that `source` has (for `--where` across sources).
    pub fn fits_source(&self, source: SourceId, e: &Expr) -> bool {
        let Some(def) = self.source_def(source) else {
            return true;
        };
        if !def.has_schema {
            return true;
        }
        let mut ok = true;
        walk_names(e, &mut |n| {
            let lookup = n
                .text
                .split_once('.')
                .is_some_and(|(t, _)| def.lookups.iter().any(|(l, _)| l.text == t));
            ok &= lookup
                || def.field(&n.text).is_some()
                || def.dimensions.iter().any(|(d, _)| d.text == n.text)
        });
        ok
    }

    /// `kpis` and every KPI they depend on, in dependency order.
    pub fn closure(&self, kpis: &[KpiId]) -> Vec<KpiId> {
        let mut needed = vec![false; self.kpis.len()];
        let mut stack = kpis.to_vec();
        while let Some(k) = stack.pop() {
            if !std::mem::replace(&mut needed[k.0 as usize], true) {
                stack.extend(self.kpis[k.0 as usize].deps.iter().copied());
            }
        }
        self.order
            .iter()
            .copied()
            .filter(|k| needed[k.0 as usize])
            .collect()
    }

    /// Every leaf of a KPI-scope expression, those inside period functions, `total` and
    /// `rank` included (not those of the KPIs it refers to).
    pub fn kpi_leaves<'e>(&'e self, e: &'e KExpr, f: &mut impl FnMut(&'e crate::ir::KLeaf)) {
        e.leaves(&mut |l| {
            if let crate::ir::KLeaf::Frame(i) = l {
                self.kpi_leaves(&self.frames[*i as usize].expr, f);
            }
            f(l);
        });
    }

    /// The aggregates these KPIs read themselves (not through other KPIs), each once.
    pub fn aggregates_of(&self, kpis: &[KpiId]) -> Vec<crate::ir::AggId> {
        let mut aggs = Vec::new();
        for k in kpis {
            self.kpi_leaves(&self.kpis[k.0 as usize].expr, &mut |l| {
                if let crate::ir::KLeaf::Agg(a) = l {
                    aggs.push(*a);
                }
            });
        }
        aggs.sort_unstable();
        aggs.dedup();
        aggs
    }

    /// Sources declared but read by no KPI.
    pub fn unused_sources(&self) -> Vec<Diag> {
        let mut used = vec![false; self.sources.len()];
        for a in &self.aggs {
            used[a.source.0 as usize] = true;
        }
        // A lookup table is read for the sources that look fields up in it.
        for d in &self.cat.sources {
            for (t, _) in &d.lookups {
                if let Some(id) = self.source_id(&t.text) {
                    used[id.0 as usize] = true;
                }
            }
        }
        self.sources
            .iter()
            .zip(used)
            .filter(|(_, u)| !u)
            .filter_map(|(s, _)| s.def.map(|d| &self.cat.sources[d]))
            .map(|d| {
                Diag::warning(
                    Code::Unused,
                    format!("no KPI reads the source `{}`", d.name.text),
                )
                .at(d.name.span)
                .help("remove it, or write KPIs over it")
            })
            .collect()
    }
}
