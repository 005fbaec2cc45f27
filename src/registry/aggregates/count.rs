//! `count()`, `count(cond)`: records, or records where the condition is true.

use super::{Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};
use crate::types::Ty;
use crate::value::Value;
use rust_decimal::Decimal;

pub const DEF: AggDef = AggDef {
    name: "count",
    min: 0,
    max: 1,
    per_alone: true,
    arg: Param::Condition,
    returns: Returns::Fixed(Ty::Num),
    fraction: false,
    reads: Reads::Value,
    signature: &["count()", "count(condition)"],
    doc: "records, or records where the condition is true",
    new: || Acc::Count(0),
    value: |acc, _| match acc {
        Acc::Count(n) => Ok(Value::Num(Decimal::from(*n))),
        _ => unreachable!("count runs on a count"),
    },
    sql: AggSql::Count,
};
