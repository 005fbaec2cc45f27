//! KPIs as SQL expressions over the aggregates' columns. A KPI used by others is written
//! into them, unless its text is long and used more than once: then it is computed once,
//! as a column `mN` of a CTE of its dependency layer (`kpis_1`, `kpis_2`…), and the KPIs
//! over it read that column. A catalogue of plain KPIs keeps one readable `SELECT`; a
//! "diamond" of KPIs each using the one below twice stays linear in size instead of
//! doubling per level.

use super::expr::Typed;
use super::Compiler;
use crate::analysis::Ty;
use crate::ir::{KLeaf, KpiId};
use std::cell::Cell;

/// A KPI's text once written longer than this, and used twice or more, is shared.
const SHARE_ABOVE: usize = 240;

/// One KPI in SQL.
#[derive(Clone, Debug)]
pub(super) struct KpiText {
    /// Its expression.
    pub sql: String,
    pub ty: Ty,
    /// Shared: computed as column `mN` in CTE layer `layer`; else written where used, and
    /// `layer` is the deepest layer its expression reads.
    pub column: bool,
    pub layer: usize,
}

/// Every computed KPI of the plan, and the shared ones by layer (layer 1 first).
pub(super) struct KpiTexts {
    pub by_id: Vec<Option<KpiText>>,
    pub layers: Vec<Vec<KpiId>>,
}

impl KpiTexts {
    /// How a KPI is read where it is used.
    pub fn read(&self, k: KpiId) -> Typed {
        let t = self.by_id[k.0 as usize]
            .as_ref()
            .expect("KPIs are written in dependency order");
        if t.column {
            (shared_column(k), t.ty)
        } else {
            (t.sql.clone(), t.ty)
        }
    }
}

/// The column of a shared KPI.
pub(super) fn shared_column(k: KpiId) -> String {
    format!("m{}", k.0)
}

impl Compiler<'_, '_> {
    /// The plan's KPIs in SQL, in dependency order. Which KPIs are shared is decided on
    /// the first writing (`decided`: none yet), and kept when they are written again over
    /// the layers.
    pub(super) fn kpi_texts(&self, decided: Option<&KpiTexts>) -> KpiTexts {
        let ir = self.an;
        let mut uses = vec![0usize; ir.kpis.len()];
        for &k in &self.plan.order {
            ir.kpis[k.0 as usize].expr.leaves(&mut |l| {
                if let KLeaf::Kpi(d) = l {
                    uses[d.0 as usize] += 1;
                }
            });
        }
        let mut texts = KpiTexts {
            by_id: vec![None; ir.kpis.len()],
            layers: Vec::new(),
        };
        for &k in &self.plan.order {
            let need = Cell::new(0usize);
            let (sql, ty) = self.expr(&ir.kpis[k.0 as usize].expr, &|l: &KLeaf| match l {
                KLeaf::Agg(a) => self.agg_leaf(a.0 as usize),
                KLeaf::Kpi(d) => {
                    let layer = texts.by_id[d.0 as usize].as_ref().map_or(0, |t| t.layer);
                    need.set(need.get().max(layer));
                    texts.read(*d)
                }
                KLeaf::Inner(_) => unreachable!("KPI expressions refer to plan aggregates"),
                KLeaf::Frame(i) => {
                    let (t, layer) = self.frame_leaf(*i);
                    need.set(need.get().max(layer));
                    t
                }
            });
            let shared = match decided {
                Some(d) => d.by_id[k.0 as usize].as_ref().is_some_and(|t| t.column),
                None => sql.len() > SHARE_ABOVE && uses[k.0 as usize] >= 2,
            };
            let layer = need.get() + usize::from(shared);
            if shared {
                if texts.layers.len() < layer {
                    texts.layers.resize(layer, Vec::new());
                }
                texts.layers[layer - 1].push(k);
            }
            texts.by_id[k.0 as usize] = Some(KpiText {
                sql,
                ty,
                column: shared,
                layer,
            });
        }
        texts
    }

    /// An aggregate's value where KPIs read it: a column of its CTE (of the first layer
    /// when KPIs are layered). A group absent from a source reads the aggregate's value over
    /// no records: count, sum and distinct of nothing are 0.
    pub(super) fn agg_leaf(&self, a: usize) -> Typed {
        let spec = &self.an.aggs[a];
        let ty = self.agg_spec(spec).1;
        if let Some(w) = self.written {
            return (w.agg(0, a), ty);
        }
        if self.layered {
            return (format!("a{a}"), ty);
        }
        (self.agg_column(a), ty)
    }

    /// The value of aggregate `a` read from its CTE, with its empty value in a group the
    /// source does not have.
    pub(super) fn agg_column(&self, a: usize) -> String {
        let spec = &self.an.aggs[a];
        let cte = if self.own_relation(a) {
            self.cte(&self.own_name(a))
        } else {
            self.cte(&format!(
                "agg_{}",
                self.an.sources[spec.source.0 as usize].name
            ))
        };
        let value = format!("{cte}.a{a}");
        if self.grouped && !spec.func.empty().is_null() {
            format!("COALESCE({value}, 0)")
        } else {
            value
        }
    }

    /// With `--by` over several sources: the condition that one of the sources KPI `k`
    /// reads has the group (else eval shows no row for it, and the SQL gives null). `None`
    /// when every group has it.
    pub(super) fn presence(&self, k: KpiId) -> Option<String> {
        let reads = &self.plan.sources_of[k.0 as usize];
        if self.framed {
            let any: Vec<String> = self
                .plan
                .sources
                .iter()
                .filter(|p| reads.contains(&p.id))
                .map(|p| format!("e{}", p.id.0))
                .collect();
            return match any.len() {
                0 => None,
                1 => Some(any[0].clone()),
                _ => Some(format!("({})", any.join(" OR "))),
            };
        }
        if !self.grouped
            || reads.is_empty()
            || self.plan.sources.iter().all(|p| reads.contains(&p.id))
        {
            return None;
        }
        let any: Vec<String> = self
            .plan
            .sources
            .iter()
            .filter(|p| reads.contains(&p.id))
            .map(|p| {
                if self.layered {
                    format!("s{}", p.id.0)
                } else {
                    self.present(p.id.0 as usize)
                }
            })
            .collect();
        Some(if any.len() == 1 {
            any[0].clone()
        } else {
            format!("({})", any.join(" OR "))
        })
    }

    /// Whether source `s` has the group: its row of aggregates was joined.
    pub(super) fn present(&self, s: usize) -> String {
        format!(
            "({}.records IS NOT NULL)",
            self.cte(&format!("agg_{}", self.an.sources[s].name))
        )
    }
}
