//! The `per` and `distinct` aggregates of a grouped run, every group's entities in one
//! state keyed by (group, entity), instead of one state per group.
//!
//! With `--by agent`, a `count() > 1 per ticket_id` kept per group is 50 tables probed at
//! random, each big before any partitions; shared, it is one table of at most 32K entities,
//! then one set of radix partitions (`parts.rs`), folded once at the end into each group's
//! value. `distinct(x)` is the number of entities of `count(per x)`, and is kept the same way.
//!
//! The value of a group then is final: two groups' (or periods') shared entities cannot be
//! merged, since an entity seen in both is one entity. So only runs whose states never merge
//! share (see [`shares_per`]); the others keep a `PerState` per group (`state.rs`).

use super::drop_later::drop_later;
use super::expr::DivByZero;
use super::parts::PARTS;
use super::per::{Entities, PerState};
use super::row::Row;
use super::state::AggState;
use crate::ir::{AggArg, AggSpec, PerSpec};
use crate::registry::aggregates::Acc;
use crate::value::{OpError, Value};
use rust_decimal::Decimal;

/// Whether a run keeps its `per` and `distinct` states in one shared state: a run with
/// groups (`--by`), whose group states are never merged after reading. Without `--grain`,
/// each group has one cell (and one of records before `--from`, where only `open` counts:
/// its shared states are empty, and merge); only `total(x)` merges groups then. With
/// `--grain`, windows, offsets, `--compare`, `--top` and `open` merge periods.
pub fn shares_per(grouped: bool, grain: bool, total_reads_source: bool) -> bool {
    grouped && !grain && !total_reads_source
}

/// The shared states of a run, by aggregate (`None`: kept per group): the aggregate's
/// entities, its `per` (`None` for `distinct`), and its state.
pub struct SharedPer<'p> {
    aggs: Vec<Option<Shared<'p>>>,
}

struct Shared<'p> {
    entities: Entities<'p>,
    per: Option<&'p PerSpec>,
    state: PerState,
}

impl<'p> SharedPer<'p> {
    pub fn new(specs: &[&'p AggSpec]) -> SharedPer<'p> {
        let aggs = specs
            .iter()
            .map(|s| {
                let entities = Entities::of(s)?;
                Some(Shared {
                    entities,
                    per: match &s.arg {
                        Some(AggArg::Per(per)) => Some(&**per),
                        _ => None,
                    },
                    state: PerState::new(entities, true),
                })
            })
            .collect();
        SharedPer { aggs }
    }

    /// Whether aggregate `i` is kept here.
    pub fn has(&self, i: usize) -> bool {
        self.aggs[i].is_some()
    }

    /// Take one record in group `g` of aggregate `i` (whose `where` the caller found true).
    #[inline]
    pub fn update(
        &mut self,
        i: usize,
        g: usize,
        row: &Row,
        buf: &mut Vec<u8>,
        dz: &DivByZero,
    ) -> Result<(), OpError> {
        let shared = self.aggs[i].as_mut().expect("a shared aggregate");
        shared.state.update(shared.entities, row, Some(g), buf, dz)
    }

    /// Fold in another run's shared states, whose group `g` is this run's `remap[g]`; an
    /// aggregate that fails is reported in `failed`.
    pub fn merge(&mut self, other: SharedPer, remap: &[u32], failed: &mut [Option<OpError>]) {
        for (i, (mine, theirs)) in self.aggs.iter_mut().zip(other.aggs).enumerate() {
            if let (Some(m), Some(t)) = (mine, theirs) {
                if failed[i].is_none() {
                    if let Err(e) = m.state.merge(m.entities, t.state, Some(remap)) {
                        failed[i] = Some(e);
                    }
                }
            }
        }
    }

    /// Each shared aggregate's value in each of `groups` groups, as states (or the error
    /// that stops it); `specs` are the run's aggregates. Partitions are folded on every core.
    pub fn fold(
        self,
        specs: &[&AggSpec],
        groups: usize,
        dz: &DivByZero,
    ) -> Vec<Option<Result<Vec<AggState>, OpError>>> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        self.aggs
            .into_iter()
            .zip(specs)
            .map(|(agg, spec)| {
                let shared = agg?;
                let folds: Vec<Result<Folds, OpError>> =
                    if shared.state.partitioned() && threads > 1 {
                        std::thread::scope(|s| {
                            let handles: Vec<_> = (0..threads)
                                .map(|t| {
                                    let shared = &shared;
                                    let range = PARTS * t / threads..PARTS * (t + 1) / threads;
                                    s.spawn(move || fold_range(shared, spec, groups, t == 0, range))
                                })
                                .collect();
                            handles
                                .into_iter()
                                .map(|h| h.join().expect("folding thread"))
                                .collect()
                        })
                    } else {
                        vec![fold_range(&shared, spec, groups, true, 0..PARTS)]
                    };
                let done = finish(&shared, spec, folds, groups, dz);
                drop_later(shared.state);
                Some(done)
            })
            .collect()
    }
}

/// Per group, the outer accumulator and its number of entities; divisions by zero.
struct Folds {
    outer: Vec<Acc>,
    entities: Vec<u64>,
    div_by_zero: u64,
}

/// Fold the direct table (`direct`) and partitions `range` into each group's accumulator.
fn fold_range(
    shared: &Shared,
    spec: &AggSpec,
    groups: usize,
    direct: bool,
    range: std::ops::Range<usize>,
) -> Result<Folds, OpError> {
    let mut f = Folds {
        outer: match shared.per {
            Some(_) => (0..groups).map(|_| (spec.func.new)()).collect(),
            None => Vec::new(),
        },
        entities: vec![0; groups],
        div_by_zero: 0,
    };
    let dz = DivByZero::default();
    let mut buf = Vec::new();
    let state = &shared.state;
    match shared.per {
        Some(per) => state.for_each_value(per, direct, range, &dz, |g, v| {
            f.entities[g] += 1;
            f.outer[g].push(v, &mut buf)
        })?,
        None => state.for_each_entity(shared.entities, direct, range, |g, _| {
            f.entities[g] += 1;
            Ok(())
        })?,
    }
    f.div_by_zero = dz.get();
    Ok(f)
}

/// Merge the folds of each range, then each group's state.
fn finish(
    shared: &Shared,
    spec: &AggSpec,
    folds: Vec<Result<Folds, OpError>>,
    groups: usize,
    dz: &DivByZero,
) -> Result<Vec<AggState>, OpError> {
    let mut folds = folds.into_iter();
    let mut all = folds.next().expect("at least one fold")?;
    for f in folds {
        let f = f?;
        for (x, y) in all.entities.iter_mut().zip(&f.entities) {
            *x += y;
        }
        for (a, o) in all.outer.iter_mut().zip(f.outer) {
            a.merge(o)?;
        }
        all.div_by_zero += f.div_by_zero;
    }
    dz.set(dz.get() + all.div_by_zero);
    Ok((0..groups)
        .map(|g| {
            let value = match shared.per {
                Some(_) => (spec.func.value)(&all.outer[g], spec.fraction),
                None => Ok(Value::Num(Decimal::from(all.entities[g]))),
            };
            AggState::Folded {
                value,
                entities: all.entities[g],
            }
        })
        .collect())
}
