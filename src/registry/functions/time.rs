//! Time: the periods `date`, `week`, `month`, `quarter`, `year` (for grouping) and the
//! components `hour`, `day`, `weekday` (numbers). No time zones: datetimes as written.

use super::{FuncDef, SqlForm};
use crate::registry::args::{non_null, Args, Res};
use crate::registry::params::{Param, Returns};
use crate::time::{self, DatePart, Period};
use crate::types::Ty;
use crate::value::{OpError, Value};
use rust_decimal::Decimal;
use std::borrow::Cow;

/// A function of the day a date or datetime falls on.
macro_rules! period {
    ($name:literal, $ty:expr, $sql:expr, $doc:literal, |$d:ident| $body:expr) => {
        FuncDef {
            name: $name,
            min: 1,
            max: 1,
            params: &[Param::Time],
            returns: Returns::Fixed($ty),
            signature: &[concat!($name, "(t)")],
            doc: $doc,
            eval: |a| on_day(a, |$d| $body),
            sql: $sql,
            frame: None,
        }
    };
}

pub const DEFS: &[FuncDef] = &[
    period!(
        "date",
        Ty::Date,
        SqlForm::Standard(|a| format!("CAST({} AS DATE)", a[0])),
        "the calendar date, e.g. 2025-03-01",
        |d| { Value::Date(d) }
    ),
    period!(
        "week",
        Ty::Str,
        SqlForm::Period(Period::Week),
        "the ISO week, e.g. 2025-W09",
        |d| { Value::Str(Cow::Owned(time::iso_week(d))) }
    ),
    period!(
        "month",
        Ty::Str,
        SqlForm::Period(Period::Month),
        "the month, e.g. 2025-03",
        |d| { Value::Str(Cow::Owned(time::month(d))) }
    ),
    period!(
        "quarter",
        Ty::Str,
        SqlForm::Period(Period::Quarter),
        "the quarter, e.g. 2025-Q1",
        |d| { Value::Str(Cow::Owned(time::quarter(d))) }
    ),
    period!(
        "year",
        Ty::Str,
        SqlForm::Period(Period::Year),
        "the year, e.g. 2025",
        |d| { Value::Str(Cow::Owned(time::year(d))) }
    ),
    FuncDef {
        name: "hour",
        min: 1,
        max: 1,
        params: &[Param::DateTime],
        returns: Returns::Fixed(Ty::Num),
        signature: &["hour(t)"],
        doc: "the hour, 0 to 23",
        eval: |a| {
            Ok(match non_null(a, 0)? {
                None => Value::Null,
                Some(Value::DateTime(t)) => Value::Num(Decimal::from(
                    t.rem_euclid(time::MICROS_PER_DAY) / (3600 * time::MICROS_PER_SEC),
                )),
                Some(Value::Date(_)) => Value::Num(Decimal::ZERO),
                Some(v) => {
                    return Err(OpError::Type(format!(
                        "expected a datetime, not a {}",
                        v.type_name()
                    )))
                }
            })
        },
        sql: SqlForm::Part(DatePart::Hour),
        frame: None,
    },
    period!(
        "day",
        Ty::Num,
        SqlForm::Part(DatePart::Day),
        "the day of the month, 1 to 31",
        |d| { Value::Num(Decimal::from(time::civil_from_days(d).2)) }
    ),
    period!(
        "weekday",
        Ty::Num,
        SqlForm::Part(DatePart::IsoWeekday),
        "the day of the week, 1 = Monday … 7 = Sunday",
        |d| { Value::Num(Decimal::from(time::weekday(d))) }
    ),
];

/// `f` of the day the first argument falls on.
fn on_day<'a>(args: &mut dyn Args<'a>, f: impl FnOnce(i64) -> Value<'static>) -> Res<'a> {
    Ok(match non_null(args, 0)? {
        None => Value::Null,
        Some(Value::Date(d)) => f(d),
        Some(Value::DateTime(t)) => f(t.div_euclid(time::MICROS_PER_DAY)),
        Some(v) => {
            return Err(OpError::Type(format!(
                "expected a date, not a {}",
                v.type_name()
            )))
        }
    })
}
