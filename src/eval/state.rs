//! Per-group aggregate state of one source, including two-level `per` state.

use super::expr::{eval, DivByZero};
use super::row::Row;
use crate::ir::{AggArg, AggSpec, KLeaf, PerSpec};
use crate::keytable::encode_key;
use crate::keytable::KeyTable;
use crate::registry::aggregates::Acc;
use crate::registry::{AggDef, AggKind, Reads};
use crate::value::{OpError, Value};

#[derive(Clone)]
pub enum AggState {
    Simple(Acc),
    Per(PerState),
}

/// The entities of a `per` (dense ids from a [`KeyTable`]) and each one's inner state.
///
/// With packed inner state and many entities, the state switches to radix partitioning:
/// each record's key and its 0/1 contributions are appended to one of [`PARTS`] buffers by
/// hash, and each partition is aggregated on its own at the end with a table small enough
/// to stay in cache. Millions of entities then cost sequential writes, not cache misses.
#[derive(Clone)]
pub struct PerState {
    keys: KeyTable,
    inner: Inner,
    /// Reused by inner `distinct`s.
    scratch: Vec<u8>,
    /// Partition buffers, once the entities outgrow the direct table.
    parts: Option<Vec<Vec<u8>>>,
}

/// Entities a direct table holds before partitioning (its slots then fill about 2 MB).
const DIRECT_MAX: usize = 32 * 1024;
/// Number of partitions (top bits of the key hash).
const PARTS: usize = 256;
/// Entry kinds in a partition buffer: one record's 0/1 contributions, or summed words.
const ENTRY_BITS: u8 = 0;
const ENTRY_WORDS: u8 = 1;

fn put_len(buf: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        buf.push((n as u8) | 0x80);
        n >>= 7;
    }
    buf.push(n as u8);
}

fn get_len(buf: &[u8], pos: &mut usize) -> usize {
    let (mut n, mut shift) = (0usize, 0);
    loop {
        let b = buf[*pos];
        *pos += 1;
        n |= ((b & 0x7f) as usize) << shift;
        if b < 0x80 {
            return n;
        }
        shift += 7;
    }
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
fn packed_increment(f: &AggDef, v: &Value) -> [u8; 2] {
    match (f.kind(), v) {
        (AggKind::Count, Value::Bool(true)) => [1, 0],
        (AggKind::Count, _) => [0, 0],
        (_, Value::Bool(b)) => [u8::from(*b), 1],
        _ => [0, 0],
    }
}

fn part_of(key: &[u8]) -> usize {
    (KeyTable::hash_of(key) >> 56) as usize
}

/// Inner states, entity-major. When every inner aggregate is a count or a ratio (the usual
/// `count() > 1 per ticket_id`), they are packed `u64` words: 8 or 16 bytes per entity.
#[derive(Clone)]
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
            .all(|a| matches!(a.func.kind(), AggKind::Count | AggKind::Ratio));
        let inner = if packable {
            let mut offsets = Vec::new();
            let mut stride = 0;
            for a in &per.inner_aggs {
                offsets.push(stride);
                stride += if a.func.kind() == AggKind::Count {
                    1
                } else {
                    2
                };
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
            parts: None,
        }
    }

    /// Move every entity of the direct table into the partition buffers.
    fn spill(&mut self) {
        let Inner::Packed { words, stride, .. } = &mut self.inner else {
            return;
        };
        let parts = self.parts.get_or_insert_with(|| vec![Vec::new(); PARTS]);
        for (id, key) in self.keys.entries() {
            let buf = &mut parts[part_of(key)];
            buf.push(ENTRY_WORDS);
            put_len(buf, key.len());
            buf.extend_from_slice(key);
            for w in &words[id as usize * *stride..(id as usize + 1) * *stride] {
                buf.extend_from_slice(&w.to_le_bytes());
            }
        }
        self.keys.clear();
        words.clear();
    }

    /// Fold the partitions back into per-entity words, one partition at a time, calling
    /// `each` with every entity's words.
    fn for_each_partitioned(
        &self,
        range: std::ops::Range<usize>,
        mut each: impl FnMut(&[u64]) -> Result<(), OpError>,
    ) -> Result<(), OpError> {
        let (Some(parts), Inner::Packed { stride, .. }) = (&self.parts, &self.inner) else {
            return Ok(());
        };
        let stride = *stride;
        let mut table = KeyTable::default();
        let mut words: Vec<u64> = Vec::new();
        for buf in &parts[range] {
            table.clear();
            words.clear();
            let mut pos = 0;
            while pos < buf.len() {
                let kind = buf[pos];
                pos += 1;
                let len = get_len(buf, &mut pos);
                let (e, new) = table.insert(&buf[pos..pos + len]);
                pos += len;
                if new {
                    words.resize(words.len() + stride, 0);
                }
                let w = &mut words[e as usize * stride..(e as usize + 1) * stride];
                if kind == ENTRY_BITS {
                    for x in w.iter_mut() {
                        *x += buf[pos] as u64;
                        pos += 1;
                    }
                } else {
                    for x in w.iter_mut() {
                        *x += u64::from_le_bytes(buf[pos..pos + 8].try_into().expect("8 bytes"));
                        pos += 8;
                    }
                }
            }
            for e in 0..table.len() {
                each(&words[e * stride..(e + 1) * stride])?;
            }
        }
        Ok(())
    }

    /// Inner values of one entity from its packed words.
    fn packed_results(
        per: &PerSpec,
        offsets: &[usize],
        w: &[u64],
        out: &mut Vec<Value<'static>>,
    ) -> Result<(), OpError> {
        out.clear();
        for (a, &o) in per.inner_aggs.iter().zip(offsets) {
            let acc = if a.func.kind() == AggKind::Count {
                Acc::Count(w[o])
            } else {
                Acc::Ratio {
                    yes: w[o],
                    n: w[o + 1],
                }
            };
            out.push((a.func.value)(&acc, a.fraction)?);
        }
        Ok(())
    }

    /// The inner values of the entities of the direct table (`direct`) and of partitions
    /// `range`.
    pub fn for_each_entity(
        &self,
        per: &PerSpec,
        direct: bool,
        range: std::ops::Range<usize>,
        mut each: impl FnMut(&[Value<'static>]) -> Result<(), OpError>,
    ) -> Result<(), OpError> {
        let mut inner = Vec::with_capacity(per.inner_aggs.len());
        for e in 0..if direct { self.keys.len() } else { 0 } {
            inner.clear();
            for i in 0..per.inner_aggs.len() {
                inner.push(self.inner_result(per, e, i)?);
            }
            each(&inner)?;
        }
        if let Inner::Packed { offsets, .. } = &self.inner {
            self.for_each_partitioned(range, |w| {
                Self::packed_results(per, offsets, w, &mut inner)?;
                each(&inner)
            })?;
        }
        Ok(())
    }

    /// Make room for a new entity's state.
    fn add_entity(&mut self, per: &PerSpec) {
        match &mut self.inner {
            Inner::Packed { words, stride, .. } => words.resize(words.len() + *stride, 0),
            Inner::General(accs) => accs.extend(per.inner_aggs.iter().map(|a| (a.func.new)())),
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
                let acc = if a.func.kind() == AggKind::Count {
                    Acc::Count(w[0])
                } else {
                    Acc::Ratio { yes: w[0], n: w[1] }
                };
                (a.func.value)(&acc, a.fraction)
            }
            Inner::General(accs) => (a.func.value)(&accs[e * per.inner_aggs.len() + i], a.fraction),
        }
    }

    #[inline]
    fn update(
        &mut self,
        per: &PerSpec,
        row: &Row,
        buf: &mut Vec<u8>,
        dz: &DivByZero,
    ) -> Result<(), OpError> {
        buf.clear();
        for k in &per.keys {
            // Records whose key is null belong to no entity.
            if !encode_key(&row.eval(k, dz)?, buf) {
                return Ok(());
            }
        }
        if let (
            Some(parts),
            Inner::Packed {
                stride, offsets, ..
            },
        ) = (&mut self.parts, &self.inner)
        {
            // Partitioned: append the key and this record's 0/1 contributions.
            let out = &mut parts[part_of(buf)];
            out.push(ENTRY_BITS);
            put_len(out, buf.len());
            out.extend_from_slice(buf);
            let at = out.len();
            out.resize(at + stride, 0);
            for (i, a) in per.inner_aggs.iter().enumerate() {
                if let Some(v) = inner_input(a, row, dz)? {
                    let [yes, seen] = packed_increment(a.func, &v);
                    out[at + offsets[i]] = yes;
                    if a.func.kind() != AggKind::Count {
                        out[at + offsets[i] + 1] = seen;
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
        per: &PerSpec,
        row: &Row,
        e: usize,
        dz: &DivByZero,
    ) -> Result<(), OpError> {
        for (i, a) in per.inner_aggs.iter().enumerate() {
            let Some(v) = inner_input(a, row, dz)? else {
                continue;
            };
            match &mut self.inner {
                Inner::Packed {
                    words,
                    offsets,
                    stride,
                } => {
                    let [yes, seen] = packed_increment(a.func, &v);
                    let w = &mut words[e * *stride + offsets[i]..];
                    w[0] += u64::from(yes);
                    if a.func.kind() != AggKind::Count {
                        w[1] += u64::from(seen);
                    }
                }
                Inner::General(accs) => {
                    accs[e * per.inner_aggs.len() + i].push(&v, &mut self.scratch)?
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, per: &PerSpec, mut other: PerState) -> Result<(), OpError> {
        if self.parts.is_some() || other.parts.is_some() {
            self.spill();
            other.spill();
            let theirs = other.parts.take().expect("spilled");
            let mine = self.parts.get_or_insert_with(|| vec![Vec::new(); PARTS]);
            for (m, t) in mine.iter_mut().zip(theirs) {
                m.extend_from_slice(&t);
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

impl AggState {
    pub fn new(spec: &AggSpec) -> AggState {
        match &spec.arg {
            Some(AggArg::Per(per)) => AggState::Per(PerState::new(per)),
            _ => AggState::Simple((spec.func.new)()),
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
            (AggState::Per(p), Some(AggArg::Per(per))) => p.update(per, row, buf, dz),
            _ => unreachable!("state made for its spec"),
        }
    }

    /// Count a record in an `open` aggregate (+1 opened, −1 closed).
    pub fn update_open(&mut self, delta: &Value) -> Result<(), OpError> {
        match self {
            AggState::Simple(acc) => acc.push(delta, &mut Vec::new()),
            AggState::Per(_) => unreachable!("open takes no per"),
        }
    }

    /// The aggregate's value; divisions by zero in a `per`'s inner expression are counted
    /// in `dz`.
    pub fn result(&self, spec: &AggSpec, dz: &DivByZero) -> Result<Value<'static>, OpError> {
        match (self, &spec.arg) {
            (AggState::Simple(acc), _) => (spec.func.value)(acc, spec.fraction),
            (AggState::Per(p), Some(AggArg::Per(per))) => {
                // Entity values go into the outer aggregate; partitions are folded on two
                // threads, whose partial aggregates merge.
                let fold = |direct: bool,
                            range: std::ops::Range<usize>|
                 -> Result<(Acc, u64), OpError> {
                    let mut outer = (spec.func.new)();
                    let mut buf = Vec::new();
                    let dz = DivByZero::default();
                    p.for_each_entity(per, direct, range, |inner| {
                        let leaf = |l: &KLeaf| match l {
                            KLeaf::Inner(i) => Ok(inner[*i as usize].clone()),
                            _ => unreachable!("inner expressions only refer to inner aggregates"),
                        };
                        outer.push(&eval(&per.inner, &leaf, &dz)?, &mut buf)
                    })?;
                    Ok((outer, dz.get()))
                };
                let outer = if p.parts.is_some() {
                    let (mine, theirs) = std::thread::scope(|s| {
                        let other = s.spawn(|| fold(false, PARTS / 2..PARTS));
                        (
                            fold(true, 0..PARTS / 2),
                            other.join().expect("folding thread"),
                        )
                    });
                    let ((mut outer, d1), (other, d2)) = (mine?, theirs?);
                    outer.merge(other)?;
                    dz.set(dz.get() + d1 + d2);
                    outer
                } else {
                    let (outer, d) = fold(true, 0..0)?;
                    dz.set(dz.get() + d);
                    outer
                };
                (spec.func.value)(&outer, spec.fraction)
            }
            _ => unreachable!("state made for its spec"),
        }
    }

    pub fn merge(&mut self, spec: &AggSpec, other: AggState) -> Result<(), OpError> {
        match (self, other) {
            (AggState::Simple(a), AggState::Simple(b)) => a.merge(b),
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
