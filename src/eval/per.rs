//! The state of one `per`: its entities (dense ids from a [`KeyTable`]) and each one's
//! inner state. With packed inner state and many entities, it switches to radix partitions
//! (`parts.rs`). A run with groups may keep all its groups' entities in one such state, each
//! key prefixed with its group (`shared_per.rs`). A key that is a bare field or the `date` of
//! one is encoded straight from the record's slot (`record_key.rs`), without building a value.

use super::expr::{eval, DivByZero};
use super::parts::{
    self, get_varint, part_of, part_of_grouped, put_varint, regroup_key, Part, PARTS,
};
use super::record_key::KeyPart;
use super::row::Row;
use crate::ir::{AggArg, AggSpec, KLeaf, PerSpec, RExpr};
use crate::keytable::KeyTable;
use crate::registry::aggregates::Acc;
use crate::registry::AggKind;
use crate::value::{OpError, Value};
use rustc_hash::FxHashMap;

/// What a `per` state is keyed by and keeps per entity: a `per`'s keys and inner
/// aggregates, or for `distinct(x)` (the entities of `count(per x)`) `x` and nothing.
#[derive(Clone, Copy)]
pub struct Entities<'a> {
    pub keys: &'a [RExpr],
    pub inner_aggs: &'a [AggSpec],
}

impl<'a> Entities<'a> {
    /// The entities of a `per` or `distinct` aggregate.
    pub fn of(spec: &'a AggSpec) -> Option<Entities<'a>> {
        match &spec.arg {
            Some(AggArg::Per(per)) => Some(Entities::from(&**per)),
            Some(AggArg::Record(x)) if is_distinct(spec) => Some(Entities {
                keys: std::slice::from_ref(x),
                inner_aggs: &[],
            }),
            _ => None,
        }
    }
}

impl<'a> From<&'a PerSpec> for Entities<'a> {
    fn from(per: &'a PerSpec) -> Self {
        Entities {
            keys: &per.keys,
            inner_aggs: &per.inner_aggs,
        }
    }
}

/// Whether an aggregate is `distinct(x)`, kept as the entities of `count(per x)`.
pub fn is_distinct(spec: &AggSpec) -> bool {
    spec.func.name == "distinct" && matches!(spec.arg, Some(AggArg::Record(_)))
}

/// Distinct packed words whose value `for_each_value` remembers.
const MEMO_MAX: usize = 4096;

/// Single words below this are remembered by index in `for_each_value`.
const SMALL_MEMO: usize = 64;

/// Entities a direct table holds before partitioning (its slots then fill about 2 MB).
const DIRECT_MAX: usize = 32 * 1024;

#[derive(Clone)]
pub struct PerState {
    keys: KeyTable,
    /// How each key of the `per` is encoded from a record.
    plan: Vec<KeyPart>,
    inner: Inner,
    /// Reused by inner `distinct`s.
    scratch: Vec<u8>,
    /// Partition buffers, once the entities outgrow the direct table.
    parts: Option<Vec<Part>>,
    /// Whether each key starts with the group of a run's shared state (`shared_per.rs`).
    grouped: bool,
}

/// Inner states, entity-major. When every inner aggregate is a count or a ratio (the usual
/// `count() > 1 per ticket_id`), they are packed `u64` words: 8 or 16 bytes per entity.
#[derive(Clone)]
enum Inner {
    Packed {
        words: Vec<u64>,
        /// Per inner aggregate: its first word, and whether it is a count (one word) or a
        /// ratio (two).
        layout: Vec<(usize, bool)>,
        stride: usize,
    },
    General(Vec<Acc>),
}

/// The partition of an entity key (`grouped`: led by its group).
#[inline]
fn part(grouped: bool, key: &[u8]) -> usize {
    if grouped {
        part_of_grouped(key)
    } else {
        part_of(key)
    }
}

/// A record's contribution to the packed state of an inner aggregate ([`packed_increment`]),
/// `None` when its `where` rejects the record. A plain `count()` (the usual inner aggregate)
/// or `pct()` takes `true`: [1, 1], known without evaluating anything.
#[inline(always)]
fn packed_input(
    a: &AggSpec,
    count: bool,
    row: &Row,
    dz: &DivByZero,
) -> Result<Option<[u8; 2]>, OpError> {
    if a.filter.is_none() && a.arg.is_none() {
        return Ok(Some([1, 1]));
    }
    Ok(inner_input(a, row, dz)?.map(|v| packed_increment(count, &v)))
}

/// What an inner aggregate takes from a record: `None` when its `where` rejects it.
#[inline]
fn inner_input<'r>(
    a: &'r AggSpec,
    row: &Row<'r>,
    dz: &DivByZero,
) -> Result<Option<Value<'r>>, OpError> {
    if let Some(f) = &a.filter {
        if !row.holds(f, dz)? {
            return Ok(None);
        }
    }
    Ok(Some(match &a.arg {
        None => Value::Bool(true),
        Some(AggArg::Record(x)) => row.eval(x, dz)?,
        Some(AggArg::Per(_)) => unreachable!("analysis forbids per inside per"),
        Some(AggArg::Pair(..)) => unreachable!("analysis forbids first, last and open inside per"),
    }))
}

/// A record's contribution to packed state: for `count`, [1 if true, _]; for `pct` and
/// `share`, [1 if true, 1 if not null].
#[inline]
fn packed_increment(count: bool, v: &Value) -> [u8; 2] {
    match (count, v) {
        (true, Value::Bool(true)) => [1, 0],
        (true, _) => [0, 0],
        (false, Value::Bool(b)) => [u8::from(*b), 1],
        _ => [0, 0],
    }
}

impl PerState {
    /// A state for one group's entities, or (`grouped`) for every group's, each key led by
    /// its group.
    pub fn new(per: Entities, grouped: bool) -> PerState {
        let packable = per
            .inner_aggs
            .iter()
            .all(|a| matches!(a.func.kind(), AggKind::Count | AggKind::Ratio));
        let inner = if packable {
            let mut layout = Vec::new();
            let mut stride = 0;
            for a in per.inner_aggs {
                let count = a.func.kind() == AggKind::Count;
                layout.push((stride, count));
                stride += if count { 1 } else { 2 };
            }
            Inner::Packed {
                words: Vec::new(),
                layout,
                stride,
            }
        } else {
            Inner::General(Vec::new())
        };
        PerState {
            keys: KeyTable::default(),
            plan: per.keys.iter().map(KeyPart::of).collect(),
            inner,
            scratch: Vec::new(),
            parts: None,
            grouped,
        }
    }

    /// Whether the entities went to partitions (to be folded apart).
    pub fn partitioned(&self) -> bool {
        self.parts.is_some()
    }

    /// Move every entity of the direct table into the partition buffers, and free the table.
    fn spill(&mut self) {
        let Inner::Packed { words, stride, .. } = &mut self.inner else {
            return;
        };
        let mut parts = self
            .parts
            .take()
            .unwrap_or_else(|| vec![Part::default(); PARTS]);
        for (id, key) in self.keys.entries() {
            let id = id as usize;
            parts[part(self.grouped, key)]
                .push_words(key, &words[id * *stride..(id + 1) * *stride]);
        }
        self.parts = Some(parts);
        self.keys = KeyTable::default();
        *words = Vec::new();
    }

    /// The group of an entity key: the one that leads it in a shared state, else 0.
    fn group_of(&self, key: &[u8]) -> usize {
        if self.grouped {
            get_varint(key, &mut 0)
        } else {
            0
        }
    }

    /// The inner values of the entities of the direct table (`direct`) and of partitions
    /// `range`, with each entity's group ([`PerState::group_of`]).
    pub fn for_each_entity(
        &self,
        per: Entities,
        direct: bool,
        range: std::ops::Range<usize>,
        mut each: impl FnMut(usize, &[Value<'static>]) -> Result<(), OpError>,
    ) -> Result<(), OpError> {
        if direct {
            self.each_direct(per, &mut each)?;
        }
        let mut inner = Vec::with_capacity(per.inner_aggs.len());
        if let (Some(parts), Inner::Packed { layout, stride, .. }) = (&self.parts, &self.inner) {
            let group = |key: &[u8]| self.group_of(key);
            parts::fold(parts[range].iter(), *stride, group, |g, w| {
                inner.clear();
                for (a, &(o, count)) in per.inner_aggs.iter().zip(layout) {
                    inner.push((a.func.value)(&packed_acc(count, &w[o..]), a.fraction)?);
                }
                each(g, &inner)
            })?;
        }
        Ok(())
    }

    /// Each entity's value of the `per`'s inner expression, with the entity's group, over the
    /// direct table (`direct`) and partitions `range`; divisions by zero are counted in `dz`.
    /// Partitioned entities with the same words have the same value, computed once (a count
    /// per ticket takes a few values over millions of tickets).
    pub fn for_each_value(
        &self,
        per: &PerSpec,
        direct: bool,
        range: std::ops::Range<usize>,
        dz: &DivByZero,
        mut each: impl FnMut(usize, &Value<'static>) -> Result<(), OpError>,
    ) -> Result<(), OpError> {
        let value = |inner: &[Value<'static>], dz: &DivByZero| {
            let leaf = |l: &KLeaf| match l {
                KLeaf::Inner(i) => Ok(inner[*i as usize].clone()),
                _ => unreachable!("inner expressions only refer to inner aggregates"),
            };
            eval(&per.inner, &leaf, dz).map(Value::into_owned)
        };
        let entities = Entities::from(per);
        if direct {
            self.each_direct(entities, &mut |g, inner| each(g, &value(inner, dz)?))?;
        }
        let mut inner = Vec::with_capacity(per.inner_aggs.len());
        let (Some(parts), Inner::Packed { layout, stride, .. }) = (&self.parts, &self.inner) else {
            return Ok(());
        };
        // Words → the value and the divisions by zero computing it met; a single small word
        // (a count per ticket) by index.
        let mut memo: FxHashMap<Box<[u64]>, (Value<'static>, u64)> = FxHashMap::default();
        let mut small: Vec<Option<(Value<'static>, u64)>> = vec![None; SMALL_MEMO];
        let group = |key: &[u8]| self.group_of(key);
        parts::fold(parts[range].iter(), *stride, group, |g, w| {
            let at = match w {
                &[x] if x < SMALL_MEMO as u64 => Some(x as usize),
                _ => None,
            };
            let known = match at {
                Some(x) => small[x].as_ref(),
                None => memo.get(w),
            };
            if let Some((v, d)) = known {
                dz.set(dz.get() + d);
                return each(g, v);
            }
            inner.clear();
            for (a, &(o, count)) in per.inner_aggs.iter().zip(layout) {
                inner.push((a.func.value)(&packed_acc(count, &w[o..]), a.fraction)?);
            }
            let met = DivByZero::default();
            let v = value(&inner, &met)?;
            dz.set(dz.get() + met.get());
            match at {
                Some(x) => small[x] = Some((v.clone(), met.get())),
                None if memo.len() < MEMO_MAX => {
                    memo.insert(w.into(), (v.clone(), met.get()));
                }
                None => {}
            }
            each(g, &v)
        })
    }

    /// Each entity of the direct table, with its group and its inner aggregates' values.
    fn each_direct(
        &self,
        per: Entities,
        each: &mut impl FnMut(usize, &[Value<'static>]) -> Result<(), OpError>,
    ) -> Result<(), OpError> {
        let mut inner = Vec::with_capacity(per.inner_aggs.len());
        for (e, key) in self.keys.entries() {
            inner.clear();
            for i in 0..per.inner_aggs.len() {
                inner.push(self.inner_result(per, e as usize, i)?);
            }
            each(self.group_of(key), &inner)?;
        }
        Ok(())
    }

    /// Make room for a new entity's state.
    fn add_entity(&mut self, per: Entities) {
        match &mut self.inner {
            Inner::Packed { words, stride, .. } => words.resize(words.len() + *stride, 0),
            Inner::General(accs) => accs.extend(per.inner_aggs.iter().map(|a| (a.func.new)())),
        }
    }

    /// The value of inner aggregate `i` of entity `e`.
    fn inner_result(&self, per: Entities, e: usize, i: usize) -> Result<Value<'static>, OpError> {
        let a = &per.inner_aggs[i];
        match &self.inner {
            Inner::Packed {
                words,
                layout,
                stride,
            } => {
                let (o, count) = layout[i];
                (a.func.value)(&packed_acc(count, &words[e * stride + o..]), a.fraction)
            }
            Inner::General(accs) => (a.func.value)(&accs[e * per.inner_aggs.len() + i], a.fraction),
        }
    }

    /// Take one record; `group`: the run's group, when one state holds every group's
    /// entities (it then leads the entity key).
    #[inline]
    pub fn update(
        &mut self,
        per: Entities,
        row: &Row,
        group: Option<usize>,
        buf: &mut Vec<u8>,
        dz: &DivByZero,
    ) -> Result<(), OpError> {
        buf.clear();
        if let Some(g) = group {
            put_varint(buf, g);
        }
        debug_assert_eq!(self.plan.len(), per.keys.len());
        for (k, part) in per.keys.iter().zip(&self.plan) {
            // Records whose key is null belong to no entity.
            if !part.encode(k, row, buf, dz)? {
                return Ok(());
            }
        }
        let grouped = self.grouped;
        if let (Some(parts), Inner::Packed { stride, layout, .. }) = (&mut self.parts, &self.inner)
        {
            // Partitioned: append the key and this record's 0/1 contributions.
            let out = parts[part(grouped, buf)].push_bits(buf, *stride);
            for (a, &(o, count)) in per.inner_aggs.iter().zip(layout) {
                if let Some([yes, seen]) = packed_input(a, count, row, dz)? {
                    out[o] = yes;
                    if !count {
                        out[o + 1] = seen;
                    }
                }
            }
            return Ok(());
        }
        let (e, new) = self.keys.insert(buf);
        if new {
            self.add_entity(per);
            if self.keys.len() > DIRECT_MAX && matches!(self.inner, Inner::Packed { .. }) {
                // Count this record in the direct table, then move everything to partitions.
                self.update_direct(per, row, e as usize, dz)?;
                self.spill();
                return Ok(());
            }
        }
        self.update_direct(per, row, e as usize, dz)
    }

    #[inline]
    fn update_direct(
        &mut self,
        per: Entities,
        row: &Row,
        e: usize,
        dz: &DivByZero,
    ) -> Result<(), OpError> {
        match &mut self.inner {
            Inner::Packed {
                words,
                layout,
                stride,
            } => {
                let w = &mut words[e * *stride..(e + 1) * *stride];
                for (a, &(o, count)) in per.inner_aggs.iter().zip(layout.iter()) {
                    let Some([yes, seen]) = packed_input(a, count, row, dz)? else {
                        continue;
                    };
                    w[o] += u64::from(yes);
                    if !count {
                        w[o + 1] += u64::from(seen);
                    }
                }
            }
            Inner::General(accs) => {
                let n = per.inner_aggs.len();
                let accs = &mut accs[e * n..(e + 1) * n];
                for (a, acc) in per.inner_aggs.iter().zip(accs) {
                    if let Some(v) = inner_input(a, row, dz)? {
                        acc.push(&v, &mut self.scratch)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Fold in the entities of another state of the same `per`. `remap`: both hold every
    /// group's entities, and the other's group `g` is this one's `remap[g]`.
    pub fn merge(
        &mut self,
        per: Entities,
        mut other: PerState,
        remap: Option<&[u32]>,
    ) -> Result<(), OpError> {
        let mut buf = Vec::new();
        if self.parts.is_some() || other.parts.is_some() {
            self.spill();
            other.spill();
            let Inner::Packed { stride, .. } = &self.inner else {
                unreachable!("only packed state is partitioned")
            };
            let mine = self.parts.as_mut().expect("spilled");
            let theirs = other.parts.take().expect("spilled");
            match remap {
                None => {
                    for (m, t) in mine.iter_mut().zip(theirs) {
                        m.append(t);
                    }
                }
                // Another group id, rewritten in place: the partition leaves it out.
                Some(remap) => {
                    for (m, mut t) in mine.iter_mut().zip(theirs) {
                        t.regroup(remap, *stride);
                        m.append(t);
                    }
                }
            }
            return Ok(());
        }
        let n = per.inner_aggs.len();
        let (other_keys, other_inner) = (other.keys, other.inner);
        let (mut other_accs, other_words): (Vec<Option<Acc>>, Vec<u64>) = match other_inner {
            Inner::General(accs) => (accs.into_iter().map(Some).collect(), Vec::new()),
            Inner::Packed { words, .. } => (Vec::new(), words),
        };
        for (id, key) in other_keys.entries() {
            let key = match remap {
                Some(remap) => regroup_key(key, remap, &mut buf),
                None => key,
            };
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
                        accs[e * n + i].merge(acc)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The accumulator of a packed inner aggregate from its words.
#[inline]
fn packed_acc(count: bool, w: &[u64]) -> Acc {
    if count {
        Acc::Count(w[0])
    } else {
        Acc::Ratio { yes: w[0], n: w[1] }
    }
}
