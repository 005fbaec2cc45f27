//! `share(cond)`: `pct` as a fraction from 0 to 1.

use super::{Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};
use crate::types::Ty;
use crate::value::{self, Value};
use rust_decimal::Decimal;

pub const DEF: AggDef = AggDef {
    name: "share",
    min: 1,
    max: 1,
    per_alone: false,
    arg: Param::Condition,
    returns: Returns::Fixed(Ty::Num),
    fraction: false,
    reads: Reads::Value,
    signature: &["share(condition)"],
    doc: "the fraction (0 to 1) of records where the condition is true, among those where it is not null",
    new: || Acc::Ratio { yes: 0, n: 0 },
    value: |acc, _| match acc {
        Acc::Ratio { n: 0, .. } => Ok(Value::Null),
        Acc::Ratio { yes, n } => Ok(Value::Num(value::divide(
            Decimal::from(*yes),
            Decimal::from(*n),
        )?)),
        _ => unreachable!("share runs on a ratio"),
    },
    sql: AggSql::Ratio { scale: "1.0" },
};
