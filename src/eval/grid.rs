//! One source's aggregate states after reading, by group and period: what the KPI stage
//! reads a value from, for one period (a row), several merged (a window, an offset that
//! reaches before `--from`), or all groups together (`total`). States, not values, are kept,
//! so that a window's value is its records' value, never an average of values.

use super::drop_later::drop_later;
use super::expr::DivByZero;
use super::run::SourceRun;
use super::state::AggState;
use crate::ir::{AggId, AggSpec, SourceId};
use crate::keytable::{encode_key, KeyTable};
use crate::period;
use crate::time::Grain;
use crate::value::{OpError, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The period of records whose time field is null (or of every record without `--grain`).
pub const NO_PERIOD: i64 = i64::MAX;

/// Which records of a group a value is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Span {
    /// The records of one period inside `--from`/`--to` (a row's own value).
    Row(i64),
    /// Every record of the periods from the first to the second, both included (windows,
    /// offsets: records before `--from` too).
    Periods(i64, i64),
    /// Every record inside `--from`/`--to`, whatever its period (the total row).
    Overall,
}

#[derive(Default)]
struct Cell {
    range: Option<Vec<AggState>>,
    history: Option<Vec<AggState>>,
}

pub struct SourceGrid<'p> {
    pub id: SourceId,
    pub aggs: Vec<AggId>,
    specs: Vec<&'p AggSpec>,
    /// Encoded by-keys (the period left out) → group; `group_keys[group]` are their values.
    groups: KeyTable,
    pub group_keys: Vec<Vec<crate::value::Value<'static>>>,
    /// Per group: period → states.
    cells: Vec<BTreeMap<i64, Cell>>,
    /// The first and the last period with records (records before `--from` included).
    pub span: Option<(i64, i64)>,
    overall: Option<Vec<AggState>>,
    /// Aggregates whose value could not be computed (an overflow): null everywhere after.
    pub failed: RefCell<Vec<Option<OpError>>>,
    /// Divisions by zero inside `per` aggregates, while computing values.
    pub div_by_zero: DivByZero,
}

impl<'p> SourceGrid<'p> {
    /// Sort a run's groups by period. `history`: the run's keys start with the flag of
    /// records before `--from`; `grain`: then with the period's label.
    pub fn from_run(
        id: SourceId,
        aggs: Vec<AggId>,
        specs: Vec<&'p AggSpec>,
        mut run: SourceRun,
        history: bool,
        grain: Option<Grain>,
    ) -> SourceGrid<'p> {
        run.fold_shared();
        let n = specs.len();
        let mut grid = SourceGrid {
            id,
            aggs,
            specs,
            groups: KeyTable::default(),
            group_keys: Vec::new(),
            cells: Vec::new(),
            span: None,
            overall: run.total,
            failed: RefCell::new(run.failures),
            div_by_zero: run.div_by_zero,
        };
        let mut states: Vec<Option<AggState>> = run.states.into_iter().map(Some).collect();
        let mut buf = Vec::new();
        for (g, key) in run.group_keys.into_iter().enumerate() {
            let mut key = key.into_iter();
            let before = history && matches!(key.next(), Some(Value::Bool(true)));
            let period = match grain {
                Some(gr) => key
                    .next()
                    .and_then(|label| period::from_label(gr, &label))
                    .unwrap_or(NO_PERIOD),
                None => NO_PERIOD,
            };
            let by: Vec<Value<'static>> = key.collect();
            buf.clear();
            for v in &by {
                encode_key(v, &mut buf);
            }
            let (local, new) = grid.groups.insert(&buf);
            if new {
                grid.group_keys.push(by);
                grid.cells.push(BTreeMap::new());
            }
            let mine: Vec<AggState> = (0..n)
                .map(|i| states[g * n + i].take().expect("each state once"))
                .collect();
            let cell = grid.cells[local as usize].entry(period).or_default();
            *if before {
                &mut cell.history
            } else {
                &mut cell.range
            } = Some(mine);
            if period != NO_PERIOD {
                grid.span = Some(match grid.span {
                    None => (period, period),
                    Some((a, b)) => (a.min(period), b.max(period)),
                });
            }
        }
        grid
    }

    /// The group with these encoded by-keys.
    pub fn group(&self, key: &[u8]) -> Option<usize> {
        self.groups.get(key).map(|g| g as usize)
    }

    /// The encoded by-keys of every group, with their values.
    pub fn groups(&self) -> impl Iterator<Item = (&[u8], &[Value<'static>])> {
        self.groups
            .entries()
            .map(|(g, k)| (k, self.group_keys[g as usize].as_slice()))
    }

    /// Whether group `g` has records in period `p` (inside the range).
    pub fn has_row(&self, g: usize, p: i64) -> bool {
        self.cells[g].get(&p).is_some_and(|c| c.range.is_some())
    }

    /// The values of the source's aggregates over the records of group `g` (all groups for
    /// `None`) in `span`; `None` when there is no such record.
    pub fn values(&self, g: Option<usize>, span: Span) -> Option<Vec<Value<'static>>> {
        let mut parts: Vec<&Vec<AggState>> = Vec::new();
        let groups = match g {
            Some(g) => g..g + 1,
            None => 0..self.cells.len(),
        };
        match span {
            Span::Overall => match g {
                None => parts.push(self.overall.as_ref()?),
                Some(g) => parts.extend(self.cells[g].values().filter_map(|c| c.range.as_ref())),
            },
            Span::Row(p) => {
                for g in groups {
                    parts.extend(self.cells[g].get(&p).and_then(|c| c.range.as_ref()));
                }
            }
            Span::Periods(a, b) => {
                for g in groups {
                    for (_, cell) in self.cells[g].range(a..=b) {
                        parts.extend(cell.range.iter().chain(&cell.history));
                    }
                }
            }
        }
        let (first, rest) = parts.split_first()?;
        if rest.is_empty() {
            return Some(self.finish(first));
        }
        let mut merged = (*first).clone();
        for s in rest {
            self.merge_into(&mut merged, s);
        }
        Some(self.finish(&merged))
    }

    fn merge_into(&self, into: &mut [AggState], from: &[AggState]) {
        let mut failed = self.failed.borrow_mut();
        for (i, (m, s)) in into.iter_mut().zip(from).enumerate() {
            if failed[i].is_none() {
                if let Err(e) = m.merge(self.specs[i], s.clone()) {
                    failed[i] = Some(e);
                }
            }
        }
    }

    /// Free the states once every value is read ([`drop_later`]).
    pub fn release(&mut self) {
        drop_later((std::mem::take(&mut self.cells), self.overall.take()));
    }

    /// Each aggregate's value; one that fails is null, and remembered.
    fn finish(&self, states: &[AggState]) -> Vec<Value<'static>> {
        let mut failed = self.failed.borrow_mut();
        states
            .iter()
            .zip(&self.specs)
            .enumerate()
            .map(|(i, (s, spec))| {
                if failed[i].is_some() {
                    return Value::Null;
                }
                s.result(spec, &self.div_by_zero).unwrap_or_else(|e| {
                    failed[i] = Some(e);
                    Value::Null
                })
            })
            .collect()
    }
}
