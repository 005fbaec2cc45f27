//! KPI values in frames. A frame is a group (or all groups together) and a span of records
//! (one period's row, a run of periods, everything); a KPI's value in a frame comes from the
//! values its aggregates take over the frame's records. Period functions, `total` and `rank`
//! evaluate their argument in another frame (see `frame_value`).

use super::expr::{self, DivByZero};
use super::grid::{SourceGrid, Span, NO_PERIOD};
use crate::ir::{AggId, FrameOp, KLeaf, KpiId};
use crate::period;
use crate::plan::Plan;
use crate::registry::Reads;
use crate::results::{compare_keys, descending};
use crate::value::{OpError, Value};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::rc::Rc;

/// A group (by index in `Frames::groups`, `None`: all groups together) and a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    pub group: Option<usize>,
    pub span: Span,
}

type Values = Option<Rc<Vec<Value<'static>>>>;
/// An aggregate's values, by source, group and span (computed once per run).
type ValueCache = FxHashMap<(usize, Option<usize>, Span), Values>;
/// Each group's rank, by `rank` use and span.
type RankCache = FxHashMap<(u32, Span), Rc<FxHashMap<usize, Value<'static>>>>;

pub struct Frames<'g, 'c> {
    pub plan: &'g Plan<'c>,
    pub grids: &'g [SourceGrid<'g>],
    /// Every group any source has, sorted: encoded by-keys and their values.
    pub groups: Vec<(Box<[u8]>, Vec<Value<'static>>)>,
    /// `local[grid][group]`: the group's index in that source.
    local: Vec<Vec<Option<usize>>>,
    agg_slot: FxHashMap<AggId, (usize, usize)>,
    /// The periods of the range (with `--grain`): first and last.
    pub range: Option<(i64, i64)>,
    values: RefCell<ValueCache>,
    kpis: RefCell<FxHashMap<(KpiId, Frame), Result<Value<'static>, OpError>>>,
    ranks: RefCell<RankCache>,
}

impl<'g, 'c> Frames<'g, 'c> {
    pub fn new(plan: &'g Plan<'c>, grids: &'g [SourceGrid<'g>]) -> Frames<'g, 'c> {
        let mut seen: FxHashMap<&[u8], ()> = FxHashMap::default();
        let mut groups: Vec<(Box<[u8]>, Vec<Value<'static>>)> = Vec::new();
        for grid in grids {
            for (k, v) in grid.groups() {
                if seen.insert(k, ()).is_none() {
                    groups.push((k.into(), v.to_vec()));
                }
            }
        }
        groups.sort_by(|a, b| compare_keys(&a.1, &b.1));
        let local = grids
            .iter()
            .map(|grid| groups.iter().map(|(k, _)| grid.group(k)).collect())
            .collect();
        let agg_slot = grids
            .iter()
            .enumerate()
            .flat_map(|(gi, g)| g.aggs.iter().enumerate().map(move |(ai, a)| (*a, (gi, ai))))
            .collect();
        let range = plan.grain.and_then(|g| {
            let from = plan
                .from
                .map(|t| period::of_day(g, t.div_euclid(crate::time::MICROS_PER_DAY)));
            let to = plan
                .to
                .map(|t| period::of_day(g, (t - 1).div_euclid(crate::time::MICROS_PER_DAY)));
            // Without bounds, the span of the shown KPIs' sources.
            let mut span: Option<(i64, i64)> = None;
            for grid in grids.iter().filter(|gr| {
                plan.shown
                    .iter()
                    .any(|k| plan.sources_of[k.0 as usize].contains(&gr.id))
            }) {
                if let Some((a, b)) = grid.span {
                    span = Some(span.map_or((a, b), |(x, y)| (x.min(a), y.max(b))));
                }
            }
            let first = from.or(span.map(|s| s.0))?;
            let last = to.or(span.map(|s| s.1))?;
            Some((first, last))
        });
        Frames {
            plan,
            grids,
            groups,
            local,
            agg_slot,
            range,
            values: RefCell::default(),
            kpis: RefCell::default(),
            ranks: RefCell::default(),
        }
    }

    /// Whether a source of `k` has records of group `g` in period `p` (inside the range).
    pub fn has_row(&self, k: KpiId, g: usize, p: i64) -> bool {
        self.grids.iter().enumerate().any(|(gi, grid)| {
            self.plan.sources_of[k.0 as usize].contains(&grid.id)
                && self.local[gi][g].is_some_and(|l| grid.has_row(l, p))
        })
    }

    /// Whether a source of `k` has group `g` at all.
    pub fn has_group(&self, k: KpiId, g: usize) -> bool {
        self.grids.iter().enumerate().any(|(gi, grid)| {
            self.plan.sources_of[k.0 as usize].contains(&grid.id) && self.local[gi][g].is_some()
        })
    }

    /// The value of KPI `k` in frame `f`; divisions by zero are counted in `dz` the first
    /// time it is computed.
    pub fn kpi(&self, k: KpiId, f: Frame, dz: &DivByZero) -> Result<Value<'static>, OpError> {
        if let Some(v) = self.kpis.borrow().get(&(k, f)) {
            return v.clone();
        }
        let v = self.expr(&self.plan.ir.kpis[k.0 as usize].expr, f, dz);
        self.kpis.borrow_mut().insert((k, f), v.clone());
        v
    }

    fn expr(
        &self,
        e: &crate::ir::KExpr,
        f: Frame,
        dz: &DivByZero,
    ) -> Result<Value<'static>, OpError> {
        let leaf = |l: &KLeaf| -> expr::Res<'_> {
            match l {
                KLeaf::Agg(a) => Ok(self.aggregate(*a, f)),
                KLeaf::Kpi(k) => self.kpi(*k, f, dz),
                KLeaf::Frame(i) => self.frame_value(*i, f, dz),
                KLeaf::Inner(_) => Ok(Value::Null),
            }
        };
        expr::eval(e, &leaf, dz).map(Value::into_owned)
    }

    /// The value of an aggregate in a frame: null where its source has no data yet (or no
    /// more), the empty value of §5 where it has data but not for this group and span.
    pub(super) fn aggregate(&self, a: AggId, f: Frame) -> Value<'static> {
        let Some(&(gi, ai)) = self.agg_slot.get(&a) else {
            return Value::Null;
        };
        let grid = &self.grids[gi];
        let spec = &self.plan.ir.aggs[a.0 as usize];
        // `open` is a stock: its value at a period is the sum of its counts up to it.
        let f = match (spec.func.reads, f.span) {
            (Reads::Span, Span::Row(p) | Span::Periods(_, p)) => Frame {
                span: Span::Periods(i64::MIN, p),
                ..f
            },
            (Reads::Span, Span::Overall) if f.group.is_some() => Frame {
                span: Span::Periods(i64::MIN, self.range.map_or(NO_PERIOD, |r| r.1)),
                ..f
            },
            _ => f,
        };
        let span = match f.span {
            Span::Row(NO_PERIOD) | Span::Overall => f.span,
            Span::Row(p) => match grid.span {
                Some((a, b)) if a <= p && p <= b => f.span,
                _ => return Value::Null,
            },
            Span::Periods(i64::MIN, NO_PERIOD) => f.span,
            Span::Periods(p, q) => match grid.span {
                Some((a, b)) if p.max(a) <= q.min(b) => Span::Periods(p.max(a), q.min(b)),
                _ => return Value::Null,
            },
        };
        let local = match f.group {
            None => None,
            Some(g) => match self.local[gi][g] {
                Some(l) => Some(l),
                None => return self.plan.ir.aggs[a.0 as usize].func.empty(),
            },
        };
        let key = (gi, local, span);
        let cached = self.values.borrow().get(&key).cloned();
        let values = match cached {
            Some(v) => v,
            None => {
                let v = grid.values(local, span).map(Rc::new);
                self.values.borrow_mut().insert(key, v.clone());
                v
            }
        };
        match values {
            Some(v) => v[ai].clone(),
            None => self.plan.ir.aggs[a.0 as usize].func.empty(),
        }
    }

    /// A period function, `total` or `rank` in frame `f`.
    fn frame_value(&self, i: u32, f: Frame, dz: &DivByZero) -> expr::Res<'static> {
        let spec = &self.plan.ir.frames[i as usize];
        let at = |span: Span| self.expr(&spec.expr, Frame { span, ..f }, dz);
        let period = match f.span {
            Span::Row(p) | Span::Periods(p, _) if p != NO_PERIOD && self.plan.grain.is_some() => {
                Some(p)
            }
            _ => None,
        };
        let last = match f.span {
            Span::Periods(_, q) => q,
            Span::Row(p) => p,
            Span::Overall => NO_PERIOD,
        };
        match spec.op {
            FrameOp::Total => self.expr(&spec.expr, Frame { group: None, ..f }, dz),
            FrameOp::Rank => Ok(self.rank(i, f, dz)),
            _ if period.is_none() => Ok(Value::Null),
            FrameOp::Previous(n) => {
                let p = period.expect("checked") - i64::from(n);
                at(Span::Periods(p, p))
            }
            FrameOp::YearAgo => {
                let g = self.plan.grain.expect("period functions need a grain");
                match period::year_ago(g, period.expect("checked")) {
                    Some(p) => at(Span::Periods(p, p)),
                    None => Ok(Value::Null),
                }
            }
            FrameOp::Rolling(n) => at(Span::Periods(last - i64::from(n) + 1, last)),
            FrameOp::ToDate(coarse) => {
                let g = self.plan.grain.expect("period functions need a grain");
                at(Span::Periods(
                    period::start_of_enclosing(g, last, coarse),
                    last,
                ))
            }
            FrameOp::Cumulative => match self.range {
                Some((first, _)) => at(Span::Periods(first, last)),
                None => Ok(Value::Null),
            },
        }
    }

    /// `rank(x)`: 1 for the group with the highest `x` among the groups of the same span,
    /// ties sharing a rank, nulls after the last non-null; 1 for all groups together.
    fn rank(&self, i: u32, f: Frame, dz: &DivByZero) -> Value<'static> {
        let Some(g) = f.group else {
            return Value::Num(1.into());
        };
        let cached = self.ranks.borrow().get(&(i, f.span)).cloned();
        let ranks = match cached {
            Some(r) => r,
            None => {
                let spec = &self.plan.ir.frames[i as usize];
                let mut vals: Vec<(usize, Value<'static>)> = (0..self.groups.len())
                    .map(|g| {
                        let frame = Frame {
                            group: Some(g),
                            span: f.span,
                        };
                        (g, self.expr(&spec.expr, frame, dz).unwrap_or(Value::Null))
                    })
                    .collect();
                vals.sort_by(|a, b| descending(&a.1, &b.1));
                let mut ranks = FxHashMap::default();
                let mut rank = 0usize;
                for (pos, (g, v)) in vals.iter().enumerate() {
                    let tie = pos > 0 && descending(&vals[pos - 1].1, v) == Ordering::Equal;
                    if !tie {
                        rank = pos + 1;
                    }
                    ranks.insert(*g, Value::Num(rank.into()));
                }
                let r = Rc::new(ranks);
                self.ranks.borrow_mut().insert((i, f.span), r.clone());
                r
            }
        };
        ranks.get(&g).cloned().unwrap_or(Value::Null)
    }
}
