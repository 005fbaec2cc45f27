//! Per-group aggregate state of one source: an accumulator, a `per`'s entities, or (for a
//! run that keeps every group's entities in one table, `shared_per.rs`) a place held for
//! that table, then the value folded out of it.

use super::expr::DivByZero;
use super::parts::PARTS;
use super::per::Entities;
pub use super::per::PerState;
use super::row::Row;
use crate::ir::{AggArg, AggSpec};
use crate::registry::aggregates::Acc;
use crate::registry::Reads;
use crate::value::{OpError, Value};

#[derive(Clone)]
pub enum AggState {
    Simple(Acc),
    Per(PerState),
    /// Updated in the run's shared table, not here (`SharedPer`).
    Shared,
    /// The value folded out of the run's shared table, and over how many entities (a state
    /// over none merges with anything; two states over some cannot: the plan keeps a run
    /// whose states may merge out of the shared table).
    Folded {
        value: Result<Value<'static>, OpError>,
        entities: u64,
    },
}

impl AggState {
    /// `per` and `distinct` aggregates keep entities; the others an accumulator.
    pub fn new(spec: &AggSpec) -> AggState {
        match Entities::of(spec) {
            Some(entities) => AggState::Per(PerState::new(entities, false)),
            None => AggState::Simple((spec.func.new)()),
        }
    }

    /// Take one record whose `where` (if any) the caller found true.
    #[inline]
    pub fn update(
        &mut self,
        spec: &AggSpec,
        row: &Row,
        buf: &mut Vec<u8>,
        dz: &DivByZero,
    ) -> Result<(), OpError> {
        match (self, &spec.arg) {
            (AggState::Simple(acc), None) => acc.push(&Value::Bool(true), buf),
            (AggState::Simple(acc), Some(AggArg::Record(e))) => acc.push(&row.eval(e, dz)?, buf),
            // `open` is counted by the run, which knows the periods (`run.rs`).
            (AggState::Simple(_), Some(AggArg::Pair(..))) if spec.func.reads == Reads::Span => {
                Ok(())
            }
            (AggState::Simple(acc), Some(AggArg::Pair(x, time))) => {
                acc.push_timed(&row.eval(time, dz)?, &row.eval(x, dz)?)
            }
            (AggState::Per(p), Some(AggArg::Per(per))) => {
                p.update((&**per).into(), row, None, buf, dz)
            }
            // `distinct(x)`: the entities of `count(per x)`.
            (AggState::Per(p), Some(AggArg::Record(x))) => {
                let entities = Entities {
                    keys: std::slice::from_ref(x),
                    inner_aggs: &[],
                };
                p.update(entities, row, None, buf, dz)
            }
            _ => unreachable!("state made for its spec"),
        }
    }

    /// Count a record in an `open` aggregate (+1 opened, −1 closed).
    pub fn update_open(&mut self, delta: &Value) -> Result<(), OpError> {
        match self {
            AggState::Simple(acc) => acc.push(delta, &mut Vec::new()),
            _ => unreachable!("open takes no per"),
        }
    }

    /// The aggregate's value; divisions by zero in a `per`'s inner expression are counted
    /// in `dz`.
    pub fn result(&self, spec: &AggSpec, dz: &DivByZero) -> Result<Value<'static>, OpError> {
        match (self, &spec.arg) {
            (AggState::Simple(acc), _) => (spec.func.value)(acc, spec.fraction),
            (AggState::Per(p), _) => {
                // Entity values go into the outer aggregate (`distinct` counts them);
                // partitions are folded on two threads, whose partial aggregates merge.
                let per = Entities::of(spec).expect("per state made for a per or distinct");
                let per_spec = match &spec.arg {
                    Some(AggArg::Per(per)) => Some(&**per),
                    _ => None,
                };
                let fold = |direct: bool,
                            range: std::ops::Range<usize>|
                 -> Result<(Acc, u64, u64), OpError> {
                    let mut outer = (spec.func.new)();
                    let mut buf = Vec::new();
                    let dz = DivByZero::default();
                    let mut entities = 0;
                    match per_spec {
                        Some(per) => p.for_each_value(per, direct, range, &dz, |_, v| {
                            outer.push(v, &mut buf)
                        })?,
                        None => p.for_each_entity(per, direct, range, |_, _| {
                            entities += 1;
                            Ok(())
                        })?,
                    }
                    Ok((outer, entities, dz.get()))
                };
                let (outer, entities) = if p.partitioned() {
                    let (mine, theirs) = std::thread::scope(|s| {
                        let other = s.spawn(|| fold(false, PARTS / 2..PARTS));
                        (
                            fold(true, 0..PARTS / 2),
                            other.join().expect("folding thread"),
                        )
                    });
                    let ((mut outer, e1, d1), (other, e2, d2)) = (mine?, theirs?);
                    outer.merge(other)?;
                    dz.set(dz.get() + d1 + d2);
                    (outer, e1 + e2)
                } else {
                    let (outer, e, d) = fold(true, 0..0)?;
                    dz.set(dz.get() + d);
                    (outer, e)
                };
                match per_spec {
                    Some(_) => (spec.func.value)(&outer, spec.fraction),
                    None => Ok(Value::Num(entities.into())),
                }
            }
            (AggState::Folded { value, .. }, _) => value.clone(),
            _ => unreachable!("state made for its spec"),
        }
    }

    pub fn merge(&mut self, spec: &AggSpec, other: AggState) -> Result<(), OpError> {
        match (self, other) {
            (AggState::Simple(a), AggState::Simple(b)) => a.merge(b),
            (AggState::Per(a), AggState::Per(b)) => {
                let per = Entities::of(spec).expect("per state made for a per or distinct");
                a.merge(per, b, None)
            }
            // Placeholders: the shared tables merge apart.
            (AggState::Shared, AggState::Shared) => Ok(()),
            (
                me @ AggState::Folded { .. },
                other @ AggState::Folded {
                    entities: theirs, ..
                },
            ) => {
                let AggState::Folded { entities: mine, .. } = me else {
                    unreachable!("matched")
                };
                match (*mine, theirs) {
                    (_, 0) => {}
                    (0, _) => *me = other,
                    _ => {
                        // `SourceRun::shares_per` keeps such runs out of the shared table.
                        debug_assert!(false, "folded per states over entities merged");
                        return Err(OpError::Type(
                            "internal error: two folded per states merged".into(),
                        ));
                    }
                }
                Ok(())
            }
            _ => unreachable!("merged states come from the same aggregate"),
        }
    }
}
