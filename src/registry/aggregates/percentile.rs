//! `percentile(x, p)`: exact, with linear interpolation between the closest ranks.

use super::acc::percentile;
use super::{number, Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};
use crate::value::Value;
use rust_decimal::Decimal;

pub const DEF: AggDef = AggDef {
    name: "percentile",
    min: 2,
    max: 2,
    per_alone: false,
    arg: Param::Numeric,
    returns: Returns::First,
    fraction: true,
    reads: Reads::Value,
    signature: &["percentile(x, 0.9)"],
    doc: "the value below which a fraction p (0 to 1) of the values fall, interpolated",
    new: || Acc::Values {
        values: Vec::new(),
        dur: false,
    },
    value: |acc, p| match acc {
        Acc::Values { values, .. } if values.is_empty() => Ok(Value::Null),
        Acc::Values { values, dur } => {
            let p = p.unwrap_or(Decimal::new(5, 1));
            Ok(number(percentile(values, p)?, *dur))
        }
        _ => unreachable!("percentile runs on values"),
    },
    sql: AggSql::Percentile,
};
