//! `median(x)`: the exact middle value, halfway between the two middle ones for an even count.

use super::acc::percentile;
use super::{number, Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};
use crate::value::Value;
use rust_decimal::Decimal;

pub const DEF: AggDef = AggDef {
    name: "median",
    min: 1,
    max: 1,
    per_alone: false,
    arg: Param::Numeric,
    returns: Returns::First,
    fraction: false,
    reads: Reads::Value,
    signature: &["median(x)"],
    doc: "the exact middle value of the non-null numbers or durations",
    new: || Acc::Values {
        values: Vec::new(),
        dur: false,
    },
    value: |acc, _| match acc {
        Acc::Values { values, .. } if values.is_empty() => Ok(Value::Null),
        Acc::Values { values, dur } => Ok(number(percentile(values, Decimal::new(5, 1))?, *dur)),
        _ => unreachable!("median runs on values"),
    },
    sql: AggSql::Percentile,
};
