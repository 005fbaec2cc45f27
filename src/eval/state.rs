//! Per-group aggregate state of one source, including two-level `per` state.

use super::acc::Acc;
use super::expr::eval;
use super::row::{encode_key, Row};
use crate::ir::{AggArg, AggSpec, KLeaf, PerSpec};
use crate::value::{OpError, Value};
use rustc_hash::FxHashMap;

pub enum AggState {
    Simple(Acc),
    Per(PerState),
}

/// The entities of a `per` (by encoded key) and each one's inner accumulators.
pub struct PerState {
    index: FxHashMap<Box<[u8]>, u32>,
    /// `entity * inner_aggs.len() + i`.
    accs: Vec<Acc>,
    /// Reused by inner `distinct`s.
    scratch: Vec<u8>,
}

impl AggState {
    pub fn new(spec: &AggSpec) -> AggState {
        match &spec.arg {
            Some(AggArg::Per(_)) => AggState::Per(PerState {
                index: FxHashMap::default(),
                accs: Vec::new(),
                scratch: Vec::new(),
            }),
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
                let stride = per.inner_aggs.len();
                let mut buf = Vec::new();
                let mut inner = Vec::with_capacity(stride);
                for e in 0..p.index.len() {
                    inner.clear();
                    for (i, a) in per.inner_aggs.iter().enumerate() {
                        inner.push(p.accs[e * stride + i].result(a.func, a.fraction)?);
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
                    unreachable!()
                };
                let stride = per.inner_aggs.len();
                let mut b_accs: Vec<Option<Acc>> = b.accs.into_iter().map(Some).collect();
                for (key, e) in b.index {
                    let target = a.entity(per, key);
                    for i in 0..stride {
                        let acc = b_accs[e as usize * stride + i]
                            .take()
                            .expect("each entity once");
                        a.accs[target * stride + i].merge(per.inner_aggs[i].func, acc)?;
                    }
                }
                Ok(())
            }
            _ => unreachable!("merged states come from the same aggregate"),
        }
    }
}

impl PerState {
    fn entity(&mut self, per: &PerSpec, key: Box<[u8]>) -> usize {
        let next = self.index.len() as u32;
        let e = *self.index.entry(key).or_insert(next);
        if e == next {
            self.accs
                .extend(per.inner_aggs.iter().map(|a| Acc::new(a.func)));
        }
        e as usize
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
        let e = match self.index.get(buf.as_slice()) {
            Some(&e) => e as usize,
            None => self.entity(per, buf.as_slice().into()),
        };
        let stride = per.inner_aggs.len();
        let scratch = &mut self.scratch;
        for (i, a) in per.inner_aggs.iter().enumerate() {
            if let Some(f) = &a.filter {
                if row.eval(f)?.truth() != Some(true) {
                    continue;
                }
            }
            let acc = &mut self.accs[e * stride + i];
            match &a.arg {
                None => acc.push(a.func, &Value::Bool(true), scratch)?,
                Some(AggArg::Record(x)) => acc.push(a.func, &row.eval(x)?, scratch)?,
                Some(AggArg::Per(_)) => unreachable!("analysis forbids per inside per"),
            }
        }
        Ok(())
    }
}
