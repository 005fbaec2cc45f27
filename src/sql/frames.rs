//! Period functions, `total` and `rank` in SQL, as `kpi eval` evaluates them
//! (`eval/frames.rs`): an expression is written in a context — which group (the cell's, or
//! all together for `total`) and which records (the cell's period inside the range; every
//! record of another period, for `previous`, `year_ago` and `--compare`; every record of a
//! window of periods, for `rolling`, `to_date` and `cumulative`). Each aggregate read in a
//! context is a column `x{context}_{aggregate}` of the grouped relation (`cells.rs`); a
//! KPI read in another context than the cell's own is written again there. `rank` is a
//! window function over the groups of the cell's period, a column of a later layer.
//!
//! Without `--by` or `--grain` (and in the `--total` row), `total(x)` is `x`, `rank(x)` is
//! 1 and period functions are null, as in eval.

use super::expr::Typed;
use super::periods::{Shift, Window};
use super::Compiler;
use crate::analysis::Ty;
use crate::ir::{FrameOp, KExpr, KLeaf, KpiId};
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// The records an expression is evaluated over, relative to the cell's period.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Span {
    /// The cell's period, records inside `--from`/`--to` only.
    Row,
    /// Every record of the period the shifts lead to (`--from` does not cut it).
    Point(Vec<Shift>),
    /// Every record of the window ending with the period the shifts lead to.
    Window(Window, Vec<Shift>),
}

/// A context: a group (the cell's, or all groups together) and a span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Ctx {
    pub all: bool,
    pub span: Span,
}

impl Ctx {
    /// The cell's own group and period.
    pub const ROW: Ctx = Ctx {
        all: false,
        span: Span::Row,
    };

    /// The shifts leading from the cell's period to this context's (last) period.
    pub fn shifts(&self) -> &[Shift] {
        match &self.span {
            Span::Row => &[],
            Span::Point(s) | Span::Window(_, s) => s,
        }
    }
}

/// A column of a later layer: `rank` of an expression, with the layer it lies in.
pub(super) struct RankColumn {
    pub sql: String,
    pub layer: usize,
}

/// What the KPIs of a grouped relation read: its contexts (0 is the cell's own), the
/// aggregates read in each, and the rank columns.
#[derive(Default)]
pub(super) struct Written {
    pub ctxs: RefCell<Vec<Ctx>>,
    pub aggs: RefCell<Vec<(usize, usize)>>,
    pub ranks: RefCell<Vec<RankColumn>>,
    kpis: RefCell<FxHashMap<(KpiId, usize), (Typed, usize)>>,
}

impl Written {
    pub fn new() -> Written {
        let w = Written::default();
        w.ctxs.borrow_mut().push(Ctx::ROW);
        w
    }

    /// The id of a context, added when new.
    pub fn ctx_id(&self, c: Ctx) -> usize {
        let mut ctxs = self.ctxs.borrow_mut();
        match ctxs.iter().position(|x| *x == c) {
            Some(i) => i,
            None => {
                ctxs.push(c);
                ctxs.len() - 1
            }
        }
    }

    /// The column of aggregate `a` read in context `c`.
    pub fn agg(&self, c: usize, a: usize) -> String {
        let mut aggs = self.aggs.borrow_mut();
        if !aggs.contains(&(c, a)) {
            aggs.push((c, a));
        }
        agg_column(c, a)
    }
}

/// The column of aggregate `a` in context `c`.
pub(super) fn agg_column(c: usize, a: usize) -> String {
    format!("x{c}_{a}")
}

impl Compiler<'_, '_> {
    /// A period function, `total` or `rank` where the KPIs are written: in the cell's own
    /// context of a grouped relation, or trivially (ungrouped). With the deepest layer read.
    pub(super) fn frame_leaf(&self, i: u32) -> (Typed, usize) {
        match self.written {
            Some(w) => self.frame_in(i, 0, w),
            None => (self.trivial_frame(i), 0),
        }
    }

    /// Ungrouped: `total(x)` is `x`, `rank(x)` is 1, period functions are null.
    fn trivial_frame(&self, i: u32) -> Typed {
        let spec = &self.an.frames[i as usize];
        match spec.op {
            FrameOp::Total => self.expr(&spec.expr, &|l: &KLeaf| self.trivial_leaf(l)),
            FrameOp::Rank => ("1".into(), Ty::Num),
            _ => {
                // A null of the argument's type, so that a `UNION` with the group rows types.
                let (x, t) = self.expr(&spec.expr, &|l: &KLeaf| self.trivial_leaf(l));
                (
                    format!("CASE WHEN {} THEN {x} END", self.dialect.boolean(false)),
                    t,
                )
            }
        }
    }

    fn trivial_leaf(&self, l: &KLeaf) -> Typed {
        match l {
            KLeaf::Agg(a) => self.agg_leaf(a.0 as usize),
            KLeaf::Kpi(k) => self.expr(&self.an.kpis[k.0 as usize].expr, &|l: &KLeaf| {
                self.trivial_leaf(l)
            }),
            KLeaf::Frame(i) => self.trivial_frame(*i),
            KLeaf::Inner(_) => unreachable!("KPI expressions refer to plan aggregates"),
        }
    }

    /// Frame `i` in context `c`.
    fn frame_in(&self, i: u32, c: usize, w: &Written) -> (Typed, usize) {
        let spec = &self.an.frames[i as usize];
        let ctx = w.ctxs.borrow()[c].clone();
        let grain = self.plan.grain.is_some();
        let moved = |span: Span| {
            let to = w.ctx_id(Ctx {
                span,
                ..ctx.clone()
            });
            self.write_in(&spec.expr, to, w)
        };
        let mut shifts = ctx.shifts().to_vec();
        match spec.op {
            FrameOp::Total => {
                let to = w.ctx_id(Ctx {
                    all: true,
                    ..ctx.clone()
                });
                self.write_in(&spec.expr, to, w)
            }
            FrameOp::Rank if ctx.all => (("1".into(), Ty::Num), 0),
            FrameOp::Rank => {
                let ((arg, _), layer) = self.write_in(&spec.expr, c, w);
                let d = self.dialect;
                let order = d.nulls_last(&format!("{arg} DESC"));
                let over = if grain {
                    format!("PARTITION BY k0 ORDER BY {order}")
                } else {
                    format!("ORDER BY {order}")
                };
                let mut ranks = w.ranks.borrow_mut();
                ranks.push(RankColumn {
                    sql: format!("RANK() OVER ({over})"),
                    layer: layer + 1,
                });
                ((rank_column(ranks.len() - 1), Ty::Num), layer + 1)
            }
            _ if !grain => (self.trivial_frame(i), 0),
            FrameOp::Previous(n) => {
                shifts.push(Shift::Back(n));
                moved(Span::Point(shifts))
            }
            FrameOp::YearAgo => {
                shifts.push(Shift::YearAgo);
                moved(Span::Point(shifts))
            }
            FrameOp::Rolling(n) => moved(Span::Window(Window::Rolling(n), shifts)),
            FrameOp::ToDate(g) => moved(Span::Window(Window::ToDate(g), shifts)),
            FrameOp::Cumulative => moved(Span::Window(Window::Cumulative, shifts)),
        }
    }

    /// An expression in context `c`: aggregates as their columns there, KPIs written
    /// again there; with the deepest layer it reads.
    pub(super) fn write_in(&self, e: &KExpr, c: usize, w: &Written) -> (Typed, usize) {
        let layer = std::cell::Cell::new(0);
        let t = self.expr(e, &|l: &KLeaf| {
            let (t, l) = match l {
                KLeaf::Agg(a) => {
                    let ty = self.agg_spec(&self.an.aggs[a.0 as usize]).1;
                    ((w.agg(c, a.0 as usize), ty), 0)
                }
                KLeaf::Kpi(k) => self.kpi_in(*k, c, w),
                KLeaf::Frame(i) => self.frame_in(*i, c, w),
                KLeaf::Inner(_) => unreachable!("KPI expressions refer to plan aggregates"),
            };
            layer.set(layer.get().max(l));
            t
        });
        (t, layer.get())
    }

    /// KPI `k` in context `c`, written once per context.
    pub(super) fn kpi_in(&self, k: KpiId, c: usize, w: &Written) -> (Typed, usize) {
        if let Some(t) = w.kpis.borrow().get(&(k, c)) {
            return t.clone();
        }
        let t = self.write_in(&self.an.kpis[k.0 as usize].expr, c, w);
        w.kpis.borrow_mut().insert((k, c), t.clone());
        t
    }
}

/// The column of rank `i`.
pub(super) fn rank_column(i: usize) -> String {
    format!("r{i}")
}
