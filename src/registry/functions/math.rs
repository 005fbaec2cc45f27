//! Numbers and durations: `abs`, `floor`, `ceil`, `round`.

use super::{FuncDef, SqlForm};
use crate::registry::args::{non_null, Args, Res};
use crate::registry::params::{Param, Returns};
use crate::value::{OpError, Value};
use rust_decimal::prelude::*;

pub const DEFS: &[FuncDef] = &[
    FuncDef {
        name: "abs",
        min: 1,
        max: 1,
        params: &[Param::Numeric],
        returns: Returns::First,
        signature: &["abs(x)"],
        doc: "the absolute value of a number or a duration",
        eval: |a| map(a, |d| Ok(d.abs())),
        sql: SqlForm::Standard(|a| format!("ABS({})", a[0])),
        frame: None,
    },
    FuncDef {
        name: "round",
        min: 1,
        max: 2,
        params: &[Param::Numeric, Param::Number("a number of decimals")],
        returns: Returns::First,
        signature: &["round(x)", "round(x, decimals)"],
        doc: "x rounded to `decimals` places (0 when left out), halves away from zero",
        eval: round,
        sql: SqlForm::Standard(|a| {
            format!("ROUND({}, {})", a[0], a.get(1).map_or("0", String::as_str))
        }),
        frame: None,
    },
    FuncDef {
        name: "floor",
        min: 1,
        max: 1,
        params: &[Param::Numeric],
        returns: Returns::First,
        signature: &["floor(x)"],
        doc: "the largest whole number not above x",
        eval: |a| map(a, |d| Ok(d.floor())),
        sql: SqlForm::Standard(|a| format!("FLOOR({})", a[0])),
        frame: None,
    },
    FuncDef {
        name: "ceil",
        min: 1,
        max: 1,
        params: &[Param::Numeric],
        returns: Returns::First,
        signature: &["ceil(x)"],
        doc: "the smallest whole number not below x",
        eval: |a| map(a, |d| Ok(d.ceil())),
        sql: SqlForm::Standard(|a| format!("CEIL({})", a[0])),
        frame: None,
    },
];

/// A number or duration argument, as a decimal.
fn num(v: &Value) -> Result<Decimal, OpError> {
    v.decimal()
        .ok_or_else(|| OpError::Type(format!("expected a number, not a {}", v.type_name())))
}

/// `f` applied to the first argument, keeping it a duration when it is one.
fn map<'a>(
    args: &mut dyn Args<'a>,
    f: impl FnOnce(Decimal) -> Result<Decimal, OpError>,
) -> Res<'a> {
    let Some(x) = non_null(args, 0)? else {
        return Ok(Value::Null);
    };
    Ok(same_kind(&x, f(num(&x)?)?))
}

fn round<'a>(args: &mut dyn Args<'a>) -> Res<'a> {
    let Some(x) = non_null(args, 0)? else {
        return Ok(Value::Null);
    };
    let places = if args.len() > 1 {
        match args.get(1)? {
            Value::Null => return Ok(Value::Null),
            v => num(&v)?
                .to_u32()
                .filter(|p| *p <= 28)
                .ok_or_else(|| OpError::Type("decimals must be 0 to 28".into()))?,
        }
    } else {
        0
    };
    let d = num(&x)?.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    Ok(same_kind(&x, d))
}

/// `d` as a duration when `like` is one, else as a number.
fn same_kind(like: &Value, d: Decimal) -> Value<'static> {
    if matches!(like, Value::Dur(_)) {
        Value::Dur(d)
    } else {
        Value::Num(d)
    }
}
