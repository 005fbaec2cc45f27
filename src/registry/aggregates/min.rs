//! `min(x)`: the smallest non-null value (numbers, durations, dates, strings).

use super::{Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};
use crate::value::Value;
use std::cmp::Ordering;

pub const DEF: AggDef = AggDef {
    name: "min",
    min: 1,
    max: 1,
    per_alone: false,
    arg: Param::Same,
    returns: Returns::First,
    fraction: false,
    reads: Reads::Value,
    signature: &["min(x)"],
    doc: "the smallest non-null value (numbers, durations, dates, strings)",
    new: || Acc::Best {
        best: None,
        want: Ordering::Less,
    },
    value: |acc, _| match acc {
        Acc::Best { best, .. } => Ok(best.clone().unwrap_or(Value::Null)),
        _ => unreachable!("min runs on a best value"),
    },
    sql: AggSql::Min,
};
