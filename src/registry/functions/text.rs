//! Strings: `lower`, `upper`, `trim`, `len`, `contains`, `starts_with`, `ends_with`.

use super::{FuncDef, SqlForm};
use crate::registry::args::{non_null, Args, Res};
use crate::registry::params::{Param, Returns};
use crate::types::Ty;
use crate::value::{OpError, Value};
use rust_decimal::Decimal;
use std::borrow::Cow;

pub const DEFS: &[FuncDef] = &[
    FuncDef {
        name: "lower",
        min: 1,
        max: 1,
        params: &[Param::Text],
        returns: Returns::Fixed(Ty::Str),
        signature: &["lower(s)"],
        doc: "s in lower case",
        eval: |a| map(a, |s| Value::Str(Cow::Owned(s.to_lowercase()))),
        sql: SqlForm::Standard(|a| format!("LOWER({})", a[0])),
        frame: None,
    },
    FuncDef {
        name: "upper",
        min: 1,
        max: 1,
        params: &[Param::Text],
        returns: Returns::Fixed(Ty::Str),
        signature: &["upper(s)"],
        doc: "s in upper case",
        eval: |a| map(a, |s| Value::Str(Cow::Owned(s.to_uppercase()))),
        sql: SqlForm::Standard(|a| format!("UPPER({})", a[0])),
        frame: None,
    },
    FuncDef {
        name: "trim",
        min: 1,
        max: 1,
        params: &[Param::Text],
        returns: Returns::Fixed(Ty::Str),
        signature: &["trim(s)"],
        doc: "s without leading and trailing spaces",
        eval: |a| {
            map(a, |s| match s {
                Cow::Borrowed(s) => Value::Str(Cow::Borrowed(s.trim())),
                Cow::Owned(s) => Value::Str(Cow::Owned(s.trim().to_string())),
            })
        },
        sql: SqlForm::Standard(|a| format!("TRIM({})", a[0])),
        frame: None,
    },
    FuncDef {
        name: "len",
        min: 1,
        max: 1,
        params: &[Param::Text],
        returns: Returns::Fixed(Ty::Num),
        signature: &["len(s)"],
        doc: "the number of characters of s",
        eval: |a| map(a, |s| Value::Num(Decimal::from(s.chars().count()))),
        sql: SqlForm::Standard(|a| format!("LENGTH({})", a[0])),
        frame: None,
    },
    FuncDef {
        name: "contains",
        min: 2,
        max: 2,
        params: &[Param::Text],
        returns: Returns::Fixed(Ty::Bool),
        signature: &["contains(s, part)"],
        doc: "whether s contains part",
        eval: |a| test(a, |s, p| s.contains(p)),
        sql: SqlForm::Standard(|a| format!("(POSITION({} IN {}) > 0)", a[1], a[0])),
        frame: None,
    },
    FuncDef {
        name: "starts_with",
        min: 2,
        max: 2,
        params: &[Param::Text],
        returns: Returns::Fixed(Ty::Bool),
        signature: &["starts_with(s, part)"],
        doc: "whether s starts with part",
        eval: |a| test(a, |s, p| s.starts_with(p)),
        sql: SqlForm::Standard(|a| format!("(LEFT({0}, LENGTH({1})) = {1})", a[0], a[1])),
        frame: None,
    },
    FuncDef {
        name: "ends_with",
        min: 2,
        max: 2,
        params: &[Param::Text],
        returns: Returns::Fixed(Ty::Bool),
        signature: &["ends_with(s, part)"],
        doc: "whether s ends with part",
        eval: |a| test(a, |s, p| s.ends_with(p)),
        sql: SqlForm::Standard(|a| format!("(RIGHT({0}, LENGTH({1})) = {1})", a[0], a[1])),
        frame: None,
    },
];

fn text(v: Value) -> Result<Cow<str>, OpError> {
    match v {
        Value::Str(s) => Ok(s),
        v => Err(OpError::Type(format!(
            "expected a string, not a {}",
            v.type_name()
        ))),
    }
}

fn map<'a>(args: &mut dyn Args<'a>, f: impl FnOnce(Cow<'a, str>) -> Value<'a>) -> Res<'a> {
    match non_null(args, 0)? {
        Some(x) => Ok(f(text(x)?)),
        None => Ok(Value::Null),
    }
}

fn test<'a>(args: &mut dyn Args<'a>, f: impl FnOnce(&str, &str) -> bool) -> Res<'a> {
    let Some(x) = non_null(args, 0)? else {
        return Ok(Value::Null);
    };
    let Some(part) = non_null(args, 1)? else {
        return Ok(Value::Null);
    };
    Ok(Value::Bool(f(&text(x)?, &text(part)?)))
}
