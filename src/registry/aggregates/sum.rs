//! `sum(x)`: the total of the non-null numbers or durations (0 over none).

use super::{number, Acc, AggDef, AggSql};
use crate::registry::{Param, Returns};
use rust_decimal::Decimal;

pub const DEF: AggDef = AggDef {
    name: "sum",
    min: 1,
    max: 1,
    per_alone: false,
    arg: Param::Numeric,
    returns: Returns::First,
    fraction: false,
    signature: &["sum(x)"],
    doc: "the total of the non-null numbers or durations",
    new: || Acc::Sum {
        sum: Decimal::ZERO,
        n: 0,
        dur: false,
    },
    value: |acc, _| match acc {
        Acc::Sum { sum, dur, .. } => Ok(number(*sum, *dur)),
        _ => unreachable!("sum runs on a sum"),
    },
    sql: AggSql::Sum,
};
