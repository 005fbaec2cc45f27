//! `max(x)`: the largest non-null value (numbers, durations, dates, strings).

use super::{Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};
use crate::value::Value;
use std::cmp::Ordering;

pub const DEF: AggDef = AggDef {
    name: "max",
    min: 1,
    max: 1,
    per_alone: false,
    arg: Param::Same,
    returns: Returns::First,
    fraction: false,
    reads: Reads::Value,
    signature: &["max(x)"],
    doc: "the largest non-null value (numbers, durations, dates, strings)",
    new: || Acc::Best {
        best: None,
        want: Ordering::Greater,
    },
    value: |acc, _| match acc {
        Acc::Best { best, .. } => Ok(best.clone().unwrap_or(Value::Null)),
        _ => unreachable!("max runs on a best value"),
    },
    sql: AggSql::Max,
};
