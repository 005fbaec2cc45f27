//! One source's accumulation: records in, per-group aggregate states out. Two runs over
//! two halves of a file merge into what one run over the whole file gives.

use super::expr::DivByZero;
use super::group_cache::GroupCache;
use super::lookup::LookupTable;
use super::record_key::KeyPart;
use super::row::{Row, Slot};
use super::shared_per::SharedPer;
use super::slot_expr;
use super::state::AggState;
use crate::ir::{AggArg, AggSpec, RExpr};
use crate::keytable::encode_key;
use crate::keytable::KeyTable;
use crate::period;
use crate::plan::Fill;
use crate::registry::aggregates::Acc;
use crate::registry::Reads;
use crate::time::{self, Grain};
use crate::value::{OpError, Value};

pub struct SourceRun<'p> {
    specs: &'p [&'p AggSpec],
    keys: &'p [RExpr],
    filters: &'p [RExpr],
    /// The `--from` filter (see `SourcePlan::from`): the records it rejects are history,
    /// in groups of their own whose key starts with `true`, out of the total.
    history: Option<&'p RExpr>,
    /// Its index among `filters`, which apply it this way rather than as a filter.
    from: Option<usize>,
    /// Encoded group key → group id; `group_keys[id]` holds its values: the history flag
    /// first when there is one, then one value per key.
    pub groups: KeyTable,
    pub group_keys: Vec<Vec<Value<'static>>>,
    /// `group * specs.len() + i`.
    pub states: Vec<AggState>,
    /// The overall states (ungrouped runs, or `--total`).
    pub total: Option<Vec<AggState>>,
    /// The groups' `per` and `distinct` states, when one state keeps every group's (their
    /// place in `states` is then held by `AggState::Shared` until `fold_shared`).
    shared: Option<SharedPer<'p>>,
    key_buf: Vec<u8>,
    /// How each group key is encoded from a record (a field or its date: from the slot).
    key_plan: Vec<KeyPart>,
    /// With one group key, a text field, and no history flag or period before it: its
    /// groups by the field's bytes.
    group_cache: Option<GroupCache>,
    agg_buf: Vec<u8>,
    /// The distinct `where` conditions of the aggregates, each tested once per record.
    conditions: Vec<&'p RExpr>,
    /// For each aggregate, the index of its condition.
    condition_of: Vec<Option<usize>>,
    /// For each aggregate, what it takes when that is a record or a field (`take_direct`).
    direct: Vec<Option<Direct<'p>>>,
    /// This record's outcome of each condition.
    passes: Vec<bool>,
    /// Per aggregate: the error (an overflow) that stopped it; the others go on.
    pub failures: Vec<Option<OpError>>,
    /// Values of a type a formula cannot use (counted as null).
    pub type_errors: u64,
    /// Divisions by zero in the source's expressions (each gave null).
    pub div_by_zero: DivByZero,
    /// The `open` aggregates (by index), and what counting them needs: the grain (their
    /// records count at their start's and end's periods) and `--to` (the last bound).
    opens: Vec<usize>,
    grain: Option<Grain>,
    to: Option<i64>,
    /// Columns filled from lookup tables, and the tables.
    fills: &'p [Fill],
    tables: &'p [LookupTable],
    /// Per lookup table: records whose non-null key it lacks, and a few such keys.
    pub unmatched: Vec<(u64, Vec<String>)>,
    /// A record's slots and printed text with its lookup fields (reused).
    ext_slots: Vec<Slot>,
    ext_printed: String,
    counted: Vec<bool>,
}

/// The usual aggregate arguments, taken straight from a record's slots (`take_direct`)
/// rather than evaluated as values: `count()`, a bare field, and the sums and conditions
/// `slot_expr.rs` computes.
#[derive(Clone, Copy)]
enum Direct<'p> {
    Record,
    Field(usize),
    Expr(&'p RExpr),
}

impl<'p> Direct<'p> {
    fn of(spec: &'p AggSpec) -> Option<Direct<'p>> {
        match &spec.arg {
            None => Some(Direct::Record),
            Some(AggArg::Record(crate::ir::Node::Leaf(c))) => Some(Direct::Field(c.0 as usize)),
            Some(AggArg::Record(e)) => Some(Direct::Expr(e)),
            _ => None,
        }
    }
}

/// Take a record into a count, sum or ratio straight from its slots; `false` when this
/// accumulator or this record needs `AggState::update` (which gives the same result, slower).
#[inline(always)]
fn take_direct(acc: &mut Acc, take: Direct, row: &Row) -> bool {
    match (take, acc) {
        (Direct::Record, Acc::Count(n)) => {
            *n += 1;
            true
        }
        (Direct::Field(c), acc) => match row.slots[c] {
            Slot::Int(i) => acc.take_int(i),
            Slot::Num(d) => acc.take_number(d, false),
            Slot::Dur(d) => acc.take_number(d, true),
            Slot::Bool(b) => acc.take_truth(b),
            Slot::Null => matches!(acc, Acc::Sum { .. } | Acc::Ratio { .. } | Acc::Count(_)),
            _ => false,
        },
        (Direct::Expr(e), acc @ Acc::Sum { .. }) => match slot_expr::number(e, row) {
            Some(Some(slot_expr::Number::Int(i))) => acc.take_int(i),
            Some(Some(slot_expr::Number::Dec(d))) => acc.take_number(d, false),
            Some(None) => true,
            None => false,
        },
        (Direct::Expr(e), acc @ (Acc::Ratio { .. } | Acc::Count(_))) => {
            match slot_expr::truth(e, row) {
                Some(Some(b)) => {
                    if let Acc::Count(n) = acc {
                        *n += u64::from(b);
                        return true;
                    }
                    acc.take_truth(b)
                }
                Some(None) => true,
                None => false,
            }
        }
        _ => false,
    }
}

impl<'p> SourceRun<'p> {
    pub fn new(
        specs: &'p [&'p AggSpec],
        plan: &'p crate::plan::SourcePlan,
        with_total: bool,
        share_per: bool,
        grain: Option<Grain>,
        to: Option<i64>,
        tables: &'p [LookupTable],
    ) -> SourceRun<'p> {
        let (keys, filters) = (&plan.keys[..], &plan.filters[..]);
        let history = plan.from.map(|i| &plan.filters[i]);
        let mut conditions: Vec<&RExpr> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        let condition_of = specs
            .iter()
            .map(|s| {
                let f = s.filter.as_ref()?;
                let text = format!("{f:?}");
                Some(texts.iter().position(|t| *t == text).unwrap_or_else(|| {
                    texts.push(text);
                    conditions.push(f);
                    conditions.len() - 1
                }))
            })
            .collect();
        let key_plan: Vec<KeyPart> = keys.iter().map(KeyPart::of).collect();
        SourceRun {
            direct: specs.iter().map(|s| Direct::of(s)).collect(),
            passes: vec![false; conditions.len()],
            conditions,
            condition_of,
            specs,
            keys,
            filters,
            history,
            from: plan.from,
            groups: KeyTable::default(),
            group_keys: Vec::new(),
            states: Vec::new(),
            total: with_total.then(|| specs.iter().map(|s| AggState::new(s)).collect()),
            shared: share_per.then(|| SharedPer::new(specs)),
            key_buf: Vec::new(),
            group_cache: match (&key_plan[..], history, grain) {
                (&[KeyPart::Field(c)], None, None) => Some(GroupCache::new(c)),
                _ => None,
            },
            key_plan,
            agg_buf: Vec::new(),
            failures: vec![None; specs.len()],
            type_errors: 0,
            div_by_zero: DivByZero::default(),
            opens: (0..specs.len())
                .filter(|&i| specs[i].func.reads == Reads::Span)
                .collect(),
            grain,
            to,
            fills: &plan.fills,
            tables,
            unmatched: vec![(0, Vec::new()); tables.len()],
            ext_slots: Vec::new(),
            ext_printed: String::new(),
            counted: vec![false; tables.len()],
        }
    }

    /// Fresh states for a new group.
    fn add_group_states(&mut self) {
        for (i, s) in self.specs.iter().enumerate() {
            self.states.push(match &self.shared {
                Some(shared) if shared.has(i) => AggState::Shared,
                _ => AggState::new(s),
            });
        }
    }

    /// Update the states of group `g` (or the total) with a record whose conditions are known.
    fn apply(&mut self, g: Option<usize>, row: &Row) {
        let n = self.specs.len();
        let states = match g {
            Some(g) => &mut self.states[g * n..(g + 1) * n],
            None => self
                .total
                .as_mut()
                .expect("total states exist")
                .as_mut_slice(),
        };
        for (i, spec) in self.specs.iter().enumerate() {
            if self.condition_of[i].is_some_and(|c| !self.passes[c]) || self.failures[i].is_some() {
                continue;
            }
            if let (AggState::Simple(acc), Some(take)) = (&mut states[i], self.direct[i]) {
                if take_direct(acc, take, row) {
                    continue;
                }
            }
            let done = match (&mut self.shared, g) {
                (Some(shared), Some(g)) if shared.has(i) => {
                    shared.update(i, g, row, &mut self.agg_buf, &self.div_by_zero)
                }
                _ => states[i].update(spec, row, &mut self.agg_buf, &self.div_by_zero),
            };
            match done {
                Ok(()) => {}
                Err(OpError::Type(_)) => self.type_errors += 1,
                Err(e) => self.failures[i] = Some(e),
            }
        }
    }

    /// Take one record: with lookups, first fill its lookup fields.
    pub fn on_row(&mut self, row: &Row) {
        if self.fills.is_empty() {
            return self.take(row);
        }
        let mut slots = std::mem::take(&mut self.ext_slots);
        let mut printed = std::mem::take(&mut self.ext_printed);
        slots.clear();
        slots.extend_from_slice(row.slots);
        printed.clear();
        printed.push_str(row.printed);
        self.counted.iter_mut().for_each(|c| *c = false);
        for f in self.fills {
            let table = &self.tables[f.lookup];
            slots[f.col.0 as usize] = match row.get(f.key) {
                Value::Str(k) => match table.row(&k) {
                    Some(r) => table.field(r, f.field, &mut printed),
                    None => {
                        if !std::mem::replace(&mut self.counted[f.lookup], true) {
                            let (n, examples) = &mut self.unmatched[f.lookup];
                            *n += 1;
                            if examples.len() < 3 && !examples.iter().any(|e| *e == *k) {
                                examples.push(k.to_string());
                            }
                        }
                        Slot::Null
                    }
                },
                // A null key matches nothing, silently.
                _ => Slot::Null,
            };
        }
        self.take(&Row {
            slots: &slots,
            text: row.text,
            printed: &printed,
        });
        self.ext_slots = slots;
        self.ext_printed = printed;
    }

    /// Take one record whose lookup fields are filled.
    fn take(&mut self, row: &Row) {
        let dz = &self.div_by_zero;
        for (i, f) in self.filters.iter().enumerate() {
            if Some(i) == self.from {
                continue;
            }
            match row.holds(f, dz) {
                Ok(true) => {}
                Ok(false) => return,
                Err(_) => {
                    self.type_errors += 1;
                    return;
                }
            }
        }
        for (c, e) in self.conditions.iter().enumerate() {
            self.passes[c] = match row.holds(e, dz) {
                Ok(b) => b,
                Err(OpError::Type(_)) => {
                    self.type_errors += 1;
                    false
                }
                // A `where` too large to compute stops its aggregates, as their argument
                // would: an error naming the KPI, never a value without the record.
                Err(err) => {
                    for (i, cond) in self.condition_of.iter().enumerate() {
                        if *cond == Some(c) && self.failures[i].is_none() {
                            self.failures[i] = Some(err.clone());
                        }
                    }
                    false
                }
            };
        }
        // Before `--from`: history; a time that cannot say (null) is in no range at all.
        let history = match self.history.map(|h| row.eval(h, dz).map(|v| v.truth())) {
            None => false,
            Some(Ok(Some(on_or_after))) => !on_or_after,
            Some(_) => return,
        };
        // Without a grain, records before `--from` count for `open` only.
        let only_opens = history && self.grain.is_none();
        if let Some(g) = self.group_cache.as_ref().and_then(|c| c.get(row)) {
            if !only_opens {
                self.apply(Some(g as usize), row);
            }
            self.count_opens(Some(g as usize), 0, row);
        } else if !self.keys.is_empty() || self.history.is_some() {
            self.key_buf.clear();
            if self.history.is_some() {
                encode_key(&Value::Bool(history), &mut self.key_buf);
            }
            for (k, part) in self.keys.iter().zip(&self.key_plan) {
                // A key that cannot be computed is null: the record joins the blank group.
                if part.encode(k, row, &mut self.key_buf, dz).is_err() {
                    self.type_errors += 1;
                    encode_key(&Value::Null, &mut self.key_buf);
                }
            }
            let (g, new) = self.groups.insert(&self.key_buf);
            let by_at = self.by_keys_start();
            if new {
                // Computed again for display; its divisions by zero were counted already.
                let again = DivByZero::default();
                let flag = self.history.map(|_| Value::Bool(history));
                let key = flag
                    .into_iter()
                    .chain(self.keys.iter().map(|k| {
                        row.eval(k, &again)
                            .map(Value::into_owned)
                            .unwrap_or(Value::Null)
                    }))
                    .collect();
                self.group_keys.push(key);
                self.add_group_states();
            }
            if let Some(cache) = &mut self.group_cache {
                cache.put(row, g);
            }
            if !only_opens {
                self.apply(Some(g as usize), row);
            }
            self.count_opens(Some(g as usize), by_at, row);
        } else {
            self.count_opens(None, 0, row);
        }
        if self.total.is_some() {
            if !history {
                self.apply(None, row);
            }
            // `open` reads records before `--from` too.
            if !self.keys.is_empty() || self.history.is_some() {
                self.count_opens_in(None, row);
            }
        }
    }

    /// Where the by-keys start in the key buffer: after the history flag and the period.
    fn by_keys_start(&self) -> usize {
        let mut at = usize::from(self.history.is_some()) * 2;
        if self.grain.is_some() {
            // The period label: a tag, a length byte and the label (a date: tag + 4 bytes).
            at += match self.key_buf.get(at) {
                Some(4) => 2 + self.key_buf[at + 1] as usize,
                Some(5) => 5,
                Some(8) => 9,
                _ => 1,
            };
        }
        at
    }

    /// Count the record in each `open` aggregate of group `g` (`None`: ungrouped).
    fn count_opens(&mut self, g: Option<usize>, by_at: usize, row: &Row) {
        if self.opens.is_empty() {
            return;
        }
        match (self.grain, g) {
            (Some(grain), Some(g)) => self.count_open_periods(grain, g, by_at, row),
            (_, g) => self.count_opens_in(g, row),
        }
    }

    /// Without a grain: 1 in group `g` (or the total) for each `open` the record is open in
    /// at `--to` (or still open at the end of the data).
    fn count_opens_in(&mut self, g: Option<usize>, row: &Row) {
        for k in 0..self.opens.len() {
            let i = self.opens[k];
            let Some((start, end)) = self.bounds(i, row) else {
                continue;
            };
            let open = match self.to {
                Some(b) => start < b && end.is_none_or(|e| e >= b),
                None => end.is_none(),
            };
            if open {
                self.add(g, i, 1);
            }
        }
    }

    /// With a grain: +1 in the period of the record's start, −1 in the period of its end,
    /// in the record's group; a period's backlog is the sum up to it.
    fn count_open_periods(&mut self, grain: Grain, g: usize, by_at: usize, row: &Row) {
        let by: Vec<u8> = self.key_buf[by_at..].to_vec();
        for k in 0..self.opens.len() {
            let i = self.opens[k];
            let Some((start, end)) = self.bounds(i, row) else {
                continue;
            };
            if self.to.is_some_and(|b| start >= b) {
                continue;
            }
            // Ended at or after `--to`: still open at the last bound.
            let end = end.filter(|e| self.to.is_none_or(|b| *e < b));
            if end.is_some_and(|e| e <= start) {
                continue;
            }
            for (at, delta) in std::iter::once((start, 1)).chain(end.map(|e| (e, -1))) {
                let p = period::of_day(grain, at.div_euclid(time::MICROS_PER_DAY));
                let group = self.period_group(grain, p, &by, g);
                self.add(Some(group), i, delta);
            }
        }
    }

    /// The group of period `p` with the by-keys `by` (encoded), made when new; its key
    /// values come from group `like`, which has the same by-keys.
    fn period_group(&mut self, grain: Grain, p: i64, by: &[u8], like: usize) -> usize {
        let label = period::label(grain, p);
        let mut key = Vec::with_capacity(by.len() + 16);
        if self.history.is_some() {
            encode_key(&Value::Bool(false), &mut key);
        }
        encode_key(&label, &mut key);
        key.extend_from_slice(by);
        let (g, new) = self.groups.insert(&key);
        if new {
            let offset = usize::from(self.history.is_some());
            let mut values = self.group_keys[like].clone();
            if let Some(flag) = values.get_mut(0).filter(|_| offset == 1) {
                *flag = Value::Bool(false);
            }
            values[offset] = label;
            self.group_keys.push(values);
            self.add_group_states();
        }
        g as usize
    }

    /// The start and end of `open` aggregate `i` for this record, as datetimes; `None`
    /// when its `where` rejects the record or the start is null.
    fn bounds(&mut self, i: usize, row: &Row) -> Option<(i64, Option<i64>)> {
        if self.condition_of[i].is_some_and(|c| !self.passes[c]) || self.failures[i].is_some() {
            return None;
        }
        let Some(AggArg::Pair(s, e)) = &self.specs[i].arg else {
            return None;
        };
        let micros = |v: Value| match v {
            Value::DateTime(t) => Some(t),
            Value::Date(d) => Some(d * time::MICROS_PER_DAY),
            _ => None,
        };
        let dz = &self.div_by_zero;
        let start = micros(row.eval(s, dz).ok()?)?;
        let end = row.eval(e, dz).ok().and_then(micros);
        Some((start, end))
    }

    /// Add `delta` to `open` aggregate `i` of group `g` (`None`: the total).
    fn add(&mut self, g: Option<usize>, i: usize, delta: i64) {
        let n = self.specs.len();
        let state = match g {
            Some(g) => &mut self.states[g * n + i],
            None => match self.total.as_mut() {
                Some(t) => &mut t[i],
                None => return,
            },
        };
        let v = Value::Num(delta.into());
        if let Err(e) = state.update_open(&v) {
            self.failures[i] = Some(e);
        }
    }

    /// Fold a run over other records of the same source into this one.
    pub fn merge(&mut self, other: SourceRun) {
        self.type_errors += other.type_errors;
        for ((n, ex), (m, other_ex)) in self.unmatched.iter_mut().zip(other.unmatched) {
            *n += m;
            for e in other_ex {
                if ex.len() < 3 && !ex.contains(&e) {
                    ex.push(e);
                }
            }
        }
        self.div_by_zero
            .set(self.div_by_zero.get() + other.div_by_zero.get());
        let n = self.specs.len();
        for (mine, theirs) in self.failures.iter_mut().zip(other.failures) {
            if mine.is_none() {
                *mine = theirs;
            }
        }
        let mut theirs: Vec<Option<AggState>> = other.states.into_iter().map(Some).collect();
        let mut remap = vec![0u32; other.groups.len()];
        for (id, key) in other.groups.entries() {
            let (g, new) = self.groups.insert(key);
            remap[id as usize] = g;
            if new {
                self.group_keys.push(other.group_keys[id as usize].clone());
                self.add_group_states();
            }
            for i in 0..n {
                let s = theirs[id as usize * n + i].take().expect("each group once");
                if self.failures[i].is_none() {
                    if let Err(e) = self.states[g as usize * n + i].merge(self.specs[i], s) {
                        self.failures[i] = Some(e);
                    }
                }
            }
        }
        if let (Some(mine), Some(theirs)) = (self.shared.as_mut(), other.shared) {
            mine.merge(theirs, &remap, &mut self.failures);
        }
        if let (Some(mine), Some(theirs)) = (self.total.as_mut(), other.total) {
            for (i, (m, t)) in mine.iter_mut().zip(theirs).enumerate() {
                if self.failures[i].is_none() {
                    if let Err(e) = m.merge(self.specs[i], t) {
                        self.failures[i] = Some(e);
                    }
                }
            }
        }
    }
}

impl SourceRun<'_> {
    /// Put each group's value of the shared `per` and `distinct` states in its place.
    pub fn fold_shared(&mut self) {
        let Some(shared) = self.shared.take() else {
            return;
        };
        let (n, groups) = (self.specs.len(), self.group_keys.len());
        for (i, folded) in shared
            .fold(self.specs, groups, &self.div_by_zero)
            .into_iter()
            .enumerate()
        {
            let states = match folded {
                None => continue,
                Some(Ok(states)) => states,
                Some(Err(e)) => {
                    self.failures[i].get_or_insert(e);
                    continue;
                }
            };
            for (g, state) in states.into_iter().enumerate() {
                self.states[g * n + i] = state;
            }
        }
    }
}

impl crate::input::Sink for SourceRun<'_> {
    fn on_row(&mut self, row: &Row) {
        SourceRun::on_row(self, row);
    }
    fn merge(&mut self, next: Self) {
        SourceRun::merge(self, next);
    }
}
