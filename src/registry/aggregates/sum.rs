//! `sum(x)`: the total of the non-null numbers or durations (0 over none).

use super::exact_sum::ExactSum;
use super::{number, Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};

pub const DEF: AggDef = AggDef {
    name: "sum",
    min: 1,
    max: 1,
    per_alone: false,
    arg: Param::Numeric,
    returns: Returns::First,
    fraction: false,
    reads: Reads::Value,
    signature: &["sum(x)"],
    doc: "the total of the non-null numbers or durations",
    new: || Acc::Sum {
        sum: ExactSum::default(),
        n: 0,
        dur: false,
    },
    value: |acc, _| match acc {
        Acc::Sum { sum, dur, .. } => Ok(number(sum.value()?, *dur)),
        _ => unreachable!("sum runs on a sum"),
    },
    sql: AggSql::Sum,
};
