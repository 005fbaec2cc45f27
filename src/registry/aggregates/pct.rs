//! `pct(cond)`: 100 × records where the condition is true ÷ records where it is not null.
//! A null condition (an unanswered question) is neither a yes nor a no.

use super::acc::percent;
use super::{Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};
use crate::types::Ty;
use crate::value::Value;

pub const DEF: AggDef = AggDef {
    name: "pct",
    min: 1,
    max: 1,
    per_alone: false,
    arg: Param::Condition,
    returns: Returns::Fixed(Ty::Num),
    fraction: false,
    reads: Reads::Value,
    signature: &["pct(condition)"],
    doc: "the percentage of records where the condition is true, among those where it is not null",
    new: || Acc::Ratio { yes: 0, n: 0 },
    value: |acc, _| match acc {
        Acc::Ratio { n: 0, .. } => Ok(Value::Null),
        Acc::Ratio { yes, n } => Ok(Value::Num(percent(*yes, *n)?)),
        _ => unreachable!("pct runs on a ratio"),
    },
    sql: AggSql::Ratio { scale: "100.0" },
};
