//! Aggregates (language brief §6), one file each: name, arity, what the argument takes,
//! the result type, the accumulator it runs on and how its value is read (which gives the
//! empty-input value of §5), its signature and doc.

mod acc;
mod avg;
mod count;
mod distinct;
mod exact_sum;
mod first;
mod last;
mod max;
mod median;
mod min;
mod open;
mod pct;
mod percentile;
mod share;
mod sum;

use super::params::{Param, Returns};
use crate::value::{OpError, Value};
pub use acc::Acc;
use rust_decimal::Decimal;

/// One aggregate.
pub struct AggDef {
    pub name: &'static str,
    /// Fewest and most arguments.
    pub min: usize,
    pub max: usize,
    /// With `per`, the argument may be left out: the entities are counted.
    pub per_alone: bool,
    /// What the aggregated expression takes.
    pub arg: Param,
    pub returns: Returns,
    /// The second argument is a fraction from 0 to 1 (`percentile`).
    pub fraction: bool,
    /// What it reads of each record.
    pub reads: Reads,
    /// How to write a call.
    pub signature: &'static [&'static str],
    pub doc: &'static str,
    /// A fresh accumulator.
    pub new: fn() -> Acc,
    /// The value of an accumulator; `fraction` for `percentile`.
    pub value: fn(&Acc, Option<Decimal>) -> Result<Value<'static>, OpError>,
    /// How SQL computes it.
    pub sql: AggSql,
}

/// How an aggregate is computed in SQL (the query builder writes each with the dialect).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggSql {
    /// The rows, or the rows where the condition is true.
    Count,
    /// `SUM`, 0 over no rows.
    Sum,
    Avg,
    Min,
    Max,
    /// The continuous percentile at the aggregate's fraction (0.5 without one).
    Percentile,
    CountDistinct,
    /// `scale` × rows where the condition is true ÷ rows where it is not null.
    Ratio {
        scale: &'static str,
    },
    /// No SQL yet (`kpi sql` refuses the KPIs that use it).
    None,
}

/// What an aggregate reads of each record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// Its argument (or nothing: `count()`).
    Value,
    /// Its argument and the source's time field (`first`, `last`).
    Timed,
    /// Two bounds, a start and an end: the records open at the end of each period (`open`).
    Span,
}

/// What kind of accumulator an aggregate runs on (for state that packs counts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggKind {
    /// A count of true values: one word.
    Count,
    /// True and non-null values: two words.
    Ratio,
    Other,
}

impl AggDef {
    /// The value over no input (§5: `count`, `sum`, `distinct` give 0, the others null).
    pub fn empty(&self) -> Value<'static> {
        (self.value)(&(self.new)(), None).unwrap_or(Value::Null)
    }

    pub fn kind(&self) -> AggKind {
        match (self.new)() {
            Acc::Count(_) => AggKind::Count,
            Acc::Ratio { .. } => AggKind::Ratio,
            _ => AggKind::Other,
        }
    }
}

impl std::fmt::Debug for AggDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for AggDef {
    fn eq(&self, other: &AggDef) -> bool {
        self.name == other.name
    }
}

/// Every aggregate.
pub static AGGREGATES: &[&AggDef] = &[
    &count::DEF,
    &sum::DEF,
    &avg::DEF,
    &min::DEF,
    &max::DEF,
    &median::DEF,
    &percentile::DEF,
    &distinct::DEF,
    &pct::DEF,
    &share::DEF,
    &first::DEF,
    &last::DEF,
    &open::DEF,
];

/// The aggregate of this name (names are case-insensitive).
pub fn aggregate(name: &str) -> Option<&'static AggDef> {
    let lower = name.to_lowercase();
    AGGREGATES.iter().copied().find(|a| a.name == lower)
}

/// A number or a duration, as the accumulator saw its values.
fn number(d: Decimal, dur: bool) -> Value<'static> {
    if dur {
        Value::Dur(d)
    } else {
        Value::Num(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_inputs() {
        for (name, want) in [
            ("count", Value::Num(Decimal::ZERO)),
            ("sum", Value::Num(Decimal::ZERO)),
            ("distinct", Value::Num(Decimal::ZERO)),
            ("avg", Value::Null),
            ("min", Value::Null),
            ("max", Value::Null),
            ("median", Value::Null),
            ("percentile", Value::Null),
            ("pct", Value::Null),
            ("share", Value::Null),
            ("first", Value::Null),
            ("last", Value::Null),
            ("open", Value::Num(Decimal::ZERO)),
        ] {
            assert_eq!(aggregate(name).unwrap().empty(), want, "{name}");
        }
    }
}
