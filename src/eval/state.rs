//! Per-group aggregate state of one source, including two-level `per` state.

use super::acc::Acc;
use super::expr::eval;
use super::keytable::KeyTable;
use super::row::{encode_key, Row};
use crate::ir::AggFunc;
use crate::ir::{AggArg, AggSpec, KLeaf, PerSpec};
use crate::value::{OpError, Value};

pub enum AggState {
    Simple(Acc),
    Per(PerState),
}

/// The entities of a `per` (dense ids from a [`KeyTable`]) and each one's inner state.
pub struct PerState {
    keys: KeyTable,
    inner: Inner,
    /// Reused by inner `distinct`s.
    scratch: Vec<u8>,
}

/// Inner states, entity-major. When every inner aggregate is a count or a ratio (the usual
/// `count() > 1 per ticket_id`), they are packed `u64` words: 8 or 16 bytes per entity.
enum Inner {
    Packed {
        words: Vec<u64>,
        offsets: Vec<usize>,
        stride: usize,
    },
    General(Vec<Acc>),
}

impl PerState {
    fn new(per: &PerSpec) -> PerState {
        let packable = per
            .inner_aggs
            .iter()
            .all(|a| matches!(a.func, AggFunc::Count | AggFunc::Pct | AggFunc::Share));
        let inner = if packable {
            let mut offsets = Vec::new();
            let mut stride = 0;
            for a in &per.inner_aggs {
                offsets.push(stride);
                stride += if a.func == AggFunc::Count { 1 } else { 2 };
            }
            Inner::Packed {
                words: Vec::new(),
                offsets,
                stride,
            }
        } else {
            Inner::General(Vec::new())
        };
        PerState {
            keys: KeyTable::default(),
            inner,
            scratch: Vec::new(),
        }
    }

    /// Make room for a new entity's state.
    fn add_entity(&mut self, per: &PerSpec) {
        match &mut self.inner {
            Inner::Packed { words, stride, .. } => words.resize(words.len() + *stride, 0),
            Inner::General(accs) => accs.extend(per.inner_aggs.iter().map(|a| Acc::new(a.func))),
        }
    }

    /// The value of inner aggregate `i` of entity `e`.
    fn inner_result(&self, per: &PerSpec, e: usize, i: usize) -> Result<Value<'static>, OpError> {
        let a = &per.inner_aggs[i];
        match &self.inner {
            Inner::Packed {
                words,
                offsets,
                stride,
            } => {
                let w = &words[e * stride + offsets[i]..];
                let acc = if a.func == AggFunc::Count {
                    Acc::Count(w[0])
                } else {
                    Acc::Ratio { yes: w[0], n: w[1] }
                };
                acc.result(a.func, a.fraction)
            }
            Inner::General(accs) => accs[e * per.inner_aggs.len() + i].result(a.func, a.fraction),
        }
    }

    #[inline]
    fn update(&mut self, per: &PerSpec, row: &Row, buf: &mut Vec<u8>) -> Result<(), OpError> {
        buf.clear();
        for k in &per.keys {
            // Records whose key is null belong to no entity.
            if !encode_key(&row.eval(k)?, buf) {
                return Ok(());
            }
        }
        let (e, new) = self.keys.insert(buf);
        if new {
            self.add_entity(per);
        }
        let e = e as usize;
        for (i, a) in per.inner_aggs.iter().enumerate() {
            if let Some(f) = &a.filter {
                if row.eval(f)?.truth() != Some(true) {
                    continue;
                }
            }
            let v = match &a.arg {
                None => Value::Bool(true),
                Some(AggArg::Record(x)) => row.eval(x)?,
                Some(AggArg::Per(_)) => unreachable!("analysis forbids per inside per"),
            };
            match &mut self.inner {
                Inner::Packed {
                    words,
                    offsets,
                    stride,
                } => {
                    let w = &mut words[e * *stride + offsets[i]..];
                    match (a.func, v) {
                        (AggFunc::Count, Value::Bool(true)) => w[0] += 1,
                        (AggFunc::Count, _) => {}
                        (_, Value::Bool(b)) => {
                            w[0] += u64::from(b);
                            w[1] += 1;
                        }
                        _ => {}
                    }
                }
                Inner::General(accs) => {
                    accs[e * per.inner_aggs.len() + i].push(a.func, &v, &mut self.scratch)?
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, per: &PerSpec, other: PerState) -> Result<(), OpError> {
        let n = per.inner_aggs.len();
        let (other_keys, other_inner) = (other.keys, other.inner);
        let (mut other_accs, other_words): (Vec<Option<Acc>>, Vec<u64>) = match other_inner {
            Inner::General(accs) => (accs.into_iter().map(Some).collect(), Vec::new()),
            Inner::Packed { words, .. } => (Vec::new(), words),
        };
        for (id, key) in other_keys.entries() {
            let (e, new) = self.keys.insert(key);
            if new {
                self.add_entity(per);
            }
            let (e, id) = (e as usize, id as usize);
            match &mut self.inner {
                Inner::Packed { words, stride, .. } => {
                    for k in 0..*stride {
                        words[e * *stride + k] += other_words[id * *stride + k];
                    }
                }
                Inner::General(accs) => {
                    for i in 0..n {
                        let acc = other_accs[id * n + i].take().expect("each entity once");
                        accs[e * n + i].merge(per.inner_aggs[i].func, acc)?;
                    }
                }
            }
        }
        Ok(())
    }
}

impl AggState {
    pub fn new(spec: &AggSpec) -> AggState {
        match &spec.arg {
            Some(AggArg::Per(per)) => AggState::Per(PerState::new(per)),
            _ => AggState::Simple(Acc::new(spec.func)),
        }
    }

    /// Take one record.
    #[inline]
    pub fn update(&mut self, spec: &AggSpec, row: &Row, buf: &mut Vec<u8>) -> Result<(), OpError> {
        if let Some(f) = &spec.filter {
            if row.eval(f)?.truth() != Some(true) {
                return Ok(());
            }
        }
        match (self, &spec.arg) {
            (AggState::Simple(acc), None) => acc.push(spec.func, &Value::Bool(true), buf),
            (AggState::Simple(acc), Some(AggArg::Record(e))) => {
                acc.push(spec.func, &row.eval(e)?, buf)
            }
            (AggState::Per(p), Some(AggArg::Per(per))) => p.update(per, row, buf),
            _ => unreachable!("state made for its spec"),
        }
    }

    pub fn result(&self, spec: &AggSpec) -> Result<Value<'static>, OpError> {
        match (self, &spec.arg) {
            (AggState::Simple(acc), _) => acc.result(spec.func, spec.fraction),
            (AggState::Per(p), Some(AggArg::Per(per))) => {
                let mut outer = Acc::new(spec.func);
                let mut buf = Vec::new();
                let mut inner = Vec::with_capacity(per.inner_aggs.len());
                for e in 0..p.keys.len() {
                    inner.clear();
                    for i in 0..per.inner_aggs.len() {
                        inner.push(p.inner_result(per, e, i)?);
                    }
                    let v = eval(&per.inner, &|l: &KLeaf| match l {
                        KLeaf::Inner(i) => Ok(inner[*i as usize].clone()),
                        _ => unreachable!("inner expressions only refer to inner aggregates"),
                    })?;
                    outer.push(spec.func, &v, &mut buf)?;
                }
                outer.result(spec.func, spec.fraction)
            }
            _ => unreachable!("state made for its spec"),
        }
    }

    pub fn merge(&mut self, spec: &AggSpec, other: AggState) -> Result<(), OpError> {
        match (self, other) {
            (AggState::Simple(a), AggState::Simple(b)) => a.merge(spec.func, b),
            (AggState::Per(a), AggState::Per(b)) => {
                let Some(AggArg::Per(per)) = &spec.arg else {
                    unreachable!("per state made for a per spec")
                };
                a.merge(per, b)
            }
            _ => unreachable!("merged states come from the same aggregate"),
        }
    }
}
