//! `avg(x)`: the mean of the non-null numbers or durations.

use super::exact_sum::ExactSum;
use super::{number, Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};
use crate::value::{self, Value};
use rust_decimal::Decimal;

pub const DEF: AggDef = AggDef {
    name: "avg",
    min: 1,
    max: 1,
    per_alone: false,
    arg: Param::Numeric,
    returns: Returns::First,
    fraction: false,
    reads: Reads::Value,
    signature: &["avg(x)"],
    doc: "the mean of the non-null numbers or durations",
    new: || Acc::Sum {
        sum: ExactSum::default(),
        n: 0,
        dur: false,
    },
    value: |acc, _| match acc {
        Acc::Sum { n: 0, .. } => Ok(Value::Null),
        Acc::Sum { sum, n, dur } => Ok(number(
            value::divide(sum.value()?, Decimal::from(*n))?,
            *dur,
        )),
        _ => unreachable!("avg runs on a sum"),
    },
    sql: AggSql::Avg,
};
