//! One source's accumulation: records in, per-group aggregate states out. Two runs over
//! two halves of a file merge into what one run over the whole file gives.

use super::expr::DivByZero;
use super::row::Row;
use super::state::AggState;
use crate::ir::{AggSpec, RExpr};
use crate::keytable::encode_key;
use crate::keytable::KeyTable;
use crate::value::{OpError, Value};

pub struct SourceRun<'p> {
    specs: &'p [&'p AggSpec],
    keys: &'p [RExpr],
    filters: &'p [RExpr],
    /// Whether a record is before `--from` (see `SourcePlan::history`): such records form
    /// groups of their own, whose key starts with `true`, and stay out of the total.
    history: Option<&'p RExpr>,
    /// Encoded group key → group id; `group_keys[id]` holds its values: the history flag
    /// first when there is one, then one value per key.
    pub groups: KeyTable,
    pub group_keys: Vec<Vec<Value<'static>>>,
    /// `group * specs.len() + i`.
    pub states: Vec<AggState>,
    /// The overall states (ungrouped runs, or `--total`).
    pub total: Option<Vec<AggState>>,
    key_buf: Vec<u8>,
    agg_buf: Vec<u8>,
    /// The distinct `where` conditions of the aggregates, each tested once per record.
    conditions: Vec<&'p RExpr>,
    /// For each aggregate, the index of its condition.
    condition_of: Vec<Option<usize>>,
    /// This record's outcome of each condition.
    passes: Vec<bool>,
    /// Per aggregate: the error (an overflow) that stopped it; the others go on.
    pub failures: Vec<Option<OpError>>,
    /// Values of a type a formula cannot use (counted as null).
    pub type_errors: u64,
    /// Divisions by zero in the source's expressions (each gave null).
    pub div_by_zero: DivByZero,
}

impl<'p> SourceRun<'p> {
    pub fn new(
        specs: &'p [&'p AggSpec],
        plan: &'p crate::plan::SourcePlan,
        with_total: bool,
    ) -> SourceRun<'p> {
        let (keys, filters, history) = (&plan.keys[..], &plan.filters[..], plan.history.as_ref());
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
        SourceRun {
            passes: vec![false; conditions.len()],
            conditions,
            condition_of,
            specs,
            keys,
            filters,
            history,
            groups: KeyTable::default(),
            group_keys: Vec::new(),
            states: Vec::new(),
            total: with_total.then(|| specs.iter().map(|s| AggState::new(s)).collect()),
            key_buf: Vec::new(),
            agg_buf: Vec::new(),
            failures: vec![None; specs.len()],
            type_errors: 0,
            div_by_zero: DivByZero::default(),
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
            match states[i].update(spec, row, &mut self.agg_buf, &self.div_by_zero) {
                Ok(()) => {}
                Err(OpError::Type(_)) => self.type_errors += 1,
                Err(e) => self.failures[i] = Some(e),
            }
        }
    }

    /// Take one record.
    pub fn on_row(&mut self, row: &Row) {
        let dz = &self.div_by_zero;
        for f in self.filters {
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
                Err(_) => {
                    self.type_errors += 1;
                    false
                }
            };
        }
        let history = self
            .history
            .is_some_and(|h| row.holds(h, dz).unwrap_or(false));
        if !self.keys.is_empty() || self.history.is_some() {
            self.key_buf.clear();
            if self.history.is_some() {
                encode_key(&Value::Bool(history), &mut self.key_buf);
            }
            for k in self.keys {
                // A key that cannot be computed is null: the record joins the blank group.
                let v = row.eval(k, dz).unwrap_or_else(|_| {
                    self.type_errors += 1;
                    Value::Null
                });
                encode_key(&v, &mut self.key_buf);
            }
            let (g, new) = self.groups.insert(&self.key_buf);
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
                self.states
                    .extend(self.specs.iter().map(|s| AggState::new(s)));
            }
            self.apply(Some(g as usize), row);
        }
        if self.total.is_some() && !history {
            self.apply(None, row);
        }
    }

    /// Fold a run over other records of the same source into this one.
    pub fn merge(&mut self, other: SourceRun) {
        self.type_errors += other.type_errors;
        self.div_by_zero
            .set(self.div_by_zero.get() + other.div_by_zero.get());
        let n = self.specs.len();
        for (mine, theirs) in self.failures.iter_mut().zip(other.failures) {
            if mine.is_none() {
                *mine = theirs;
            }
        }
        let mut theirs: Vec<Option<AggState>> = other.states.into_iter().map(Some).collect();
        for (id, key) in other.groups.entries() {
            let (g, new) = self.groups.insert(key);
            if new {
                self.group_keys.push(other.group_keys[id as usize].clone());
                self.states
                    .extend(self.specs.iter().map(|s| AggState::new(s)));
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

impl crate::input::Sink for SourceRun<'_> {
    fn on_row(&mut self, row: &Row) {
        SourceRun::on_row(self, row);
    }
    fn merge(&mut self, next: Self) {
        SourceRun::merge(self, next);
    }
}
