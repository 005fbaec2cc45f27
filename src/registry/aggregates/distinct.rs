//! `distinct(x)`: how many different non-null values.

use super::{Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};
use crate::types::Ty;
use crate::value::Value;
use rust_decimal::Decimal;

pub const DEF: AggDef = AggDef {
    name: "distinct",
    min: 1,
    max: 1,
    per_alone: true,
    arg: Param::Same,
    returns: Returns::Fixed(Ty::Num),
    fraction: false,
    reads: Reads::Value,
    signature: &["distinct(x)"],
    doc: "the number of distinct non-null values",
    new: || Acc::Distinct(Box::default()),
    value: |acc, _| match acc {
        Acc::Distinct(set) => Ok(Value::Num(Decimal::from(set.len()))),
        _ => unreachable!("distinct runs on a set"),
    },
    sql: AggSql::CountDistinct,
};
