//! `first(x)`: the value at the record with the earliest time (among ties, the smallest value). Records whose `x` is null are skipped. It reads the source's `time`
//! field: snapshot sources (a daily stock) read their period-end value with `last`.

use super::{Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};
use crate::value::Value;
use std::cmp::Ordering;

pub const DEF: AggDef = AggDef {
    name: "first",
    min: 1,
    max: 1,
    per_alone: false,
    arg: Param::Same,
    returns: Returns::First,
    fraction: false,
    reads: Reads::Timed,
    signature: &["first(x)"],
    doc: "the value at the record with the earliest time (among ties, the smallest value)",
    new: || Acc::Timed {
        best: None,
        want: Ordering::Less,
    },
    value: |acc, _| match acc {
        Acc::Timed { best, .. } => Ok(best.as_ref().map_or(Value::Null, |(_, v)| v.clone())),
        _ => unreachable!("first runs on a timed value"),
    },
    sql: AggSql::None,
};
