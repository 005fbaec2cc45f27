//! Choices: `if`, `coalesce`, `least`, `greatest`. They read only the arguments they need.

use super::{FuncDef, SqlForm};
use crate::registry::args::{Args, Res};
use crate::registry::params::{Param, Returns};
use crate::value::{self, Value};
use std::cmp::Ordering;

pub const DEFS: &[FuncDef] = &[
    FuncDef {
        name: "least",
        min: 1,
        max: usize::MAX,
        params: &[Param::Same],
        returns: Returns::Joined,
        signature: &["least(a, b, ...)"],
        doc: "the smallest non-null argument",
        eval: |a| best(a, Ordering::Less),
        sql: SqlForm::Standard(|a| format!("LEAST({})", a.join(", "))),
        frame: None,
    },
    FuncDef {
        name: "greatest",
        min: 1,
        max: usize::MAX,
        params: &[Param::Same],
        returns: Returns::Joined,
        signature: &["greatest(a, b, ...)"],
        doc: "the largest non-null argument",
        eval: |a| best(a, Ordering::Greater),
        sql: SqlForm::Standard(|a| format!("GREATEST({})", a.join(", "))),
        frame: None,
    },
    FuncDef {
        name: "if",
        min: 3,
        max: 3,
        params: &[Param::Condition, Param::Same],
        returns: Returns::Joined,
        signature: &["if(condition, then, else)"],
        doc: "`then` when the condition is true, else `else` (also when it is null)",
        eval: |a| {
            if a.get(0)?.truth() == Some(true) {
                a.get(1)
            } else {
                a.get(2)
            }
        },
        sql: SqlForm::Standard(|a| format!("(CASE WHEN {} THEN {} ELSE {} END)", a[0], a[1], a[2])),
        frame: None,
    },
    FuncDef {
        name: "coalesce",
        min: 1,
        max: usize::MAX,
        params: &[Param::Same],
        returns: Returns::Joined,
        signature: &["coalesce(a, b, ...)"],
        doc: "the first non-null argument",
        eval: |a| {
            for i in 0..a.len() {
                let v = a.get(i)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            Ok(Value::Null)
        },
        sql: SqlForm::Standard(|a| format!("COALESCE({})", a.join(", "))),
        frame: None,
    },
];

/// The non-null argument that compares `want` against all others.
fn best<'a>(args: &mut dyn Args<'a>, want: Ordering) -> Res<'a> {
    let mut best: Option<Value> = None;
    for i in 0..args.len() {
        let v = args.get(i)?;
        if v.is_null() {
            continue;
        }
        let better = match &best {
            None => true,
            Some(b) => value::compare(&v, b)? == Some(want),
        };
        if better {
            best = Some(v);
        }
    }
    Ok(best.unwrap_or(Value::Null))
}
