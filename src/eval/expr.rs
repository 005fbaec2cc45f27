//! Evaluation of IR expressions, generic over the leaf lookup: record scope reads a row's
//! fields, KPI scope reads aggregate results. Every operator and function is here, once.

use crate::ir::{Func, Node};
use crate::syntax::{BinOp, UnOp};
use crate::time;
use crate::value::{self, and, from_truth, or, OpError, Value};
use rust_decimal::prelude::*;
use std::borrow::Cow;

pub type Res<'a> = Result<Value<'a>, OpError>;

/// Evaluate `e`, looking leaves up with `leaf`.
pub fn eval<'a, L>(e: &'a Node<L>, leaf: &impl Fn(&'a L) -> Res<'a>) -> Res<'a> {
    match e {
        Node::Lit(v) => Ok(borrow(v)),
        Node::Leaf(l) => leaf(l),
        Node::Unary(UnOp::Not, x) => Ok(from_truth(eval(x, leaf)?.truth().map(|b| !b))),
        Node::Unary(UnOp::Neg, x) => Ok(match eval(x, leaf)? {
            Value::Num(d) => Value::Num(-d),
            Value::Dur(d) => Value::Dur(-d),
            Value::Null => Value::Null,
            v => return Err(OpError::Type(format!("cannot negate a {}", v.type_name()))),
        }),
        Node::Binary(BinOp::And, a, b) => {
            let x = eval(a, leaf)?.truth();
            if x == Some(false) {
                return Ok(Value::Bool(false));
            }
            Ok(from_truth(and(x, eval(b, leaf)?.truth())))
        }
        Node::Binary(BinOp::Or, a, b) => {
            let x = eval(a, leaf)?.truth();
            if x == Some(true) {
                return Ok(Value::Bool(true));
            }
            Ok(from_truth(or(x, eval(b, leaf)?.truth())))
        }
        Node::Binary(op, a, b) => match value::binary(*op, eval(a, leaf)?, eval(b, leaf)?) {
            Err(OpError::DivByZero) => {
                super::note_div_by_zero();
                Ok(Value::Null)
            }
            r => r,
        },
        Node::IsNull(x, negated) => Ok(Value::Bool(eval(x, leaf)?.is_null() != *negated)),
        Node::In(x, list, negated) => {
            let v = eval(x, leaf)?;
            if v.is_null() {
                return Ok(Value::Null);
            }
            // SQL semantics: no match but a null in the list gives null.
            let mut saw_null = false;
            for item in list {
                match value::compare(&v, &eval(item, leaf)?)? {
                    Some(std::cmp::Ordering::Equal) => return Ok(Value::Bool(!*negated)),
                    None => saw_null = true,
                    _ => {}
                }
            }
            Ok(if saw_null {
                Value::Null
            } else {
                Value::Bool(*negated)
            })
        }
        Node::Between(x, lo, hi) => {
            let v = eval(x, leaf)?;
            let ge = value::binary(BinOp::Ge, v.clone(), eval(lo, leaf)?)?.truth();
            let le = value::binary(BinOp::Le, v, eval(hi, leaf)?)?.truth();
            Ok(from_truth(and(ge, le)))
        }
        Node::Func(f, args) => func(*f, args, leaf),
    }
}

fn borrow<'a>(v: &'a Value<'static>) -> Value<'a> {
    match v {
        Value::Str(s) => Value::Str(Cow::Borrowed(s)),
        Value::Num(d) => Value::Num(*d),
        Value::Bool(b) => Value::Bool(*b),
        Value::Null => Value::Null,
        Value::Date(d) => Value::Date(*d),
        Value::DateTime(t) => Value::DateTime(*t),
        Value::Dur(d) => Value::Dur(*d),
    }
}

fn func<'a, L>(f: Func, args: &'a [Node<L>], leaf: &impl Fn(&'a L) -> Res<'a>) -> Res<'a> {
    match f {
        Func::If => {
            return if eval(&args[0], leaf)?.truth() == Some(true) {
                eval(&args[1], leaf)
            } else {
                eval(&args[2], leaf)
            };
        }
        Func::Coalesce => {
            for a in args {
                let v = eval(a, leaf)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            return Ok(Value::Null);
        }
        Func::Least | Func::Greatest => {
            let mut best: Option<Value> = None;
            for a in args {
                let v = eval(a, leaf)?;
                if v.is_null() {
                    continue;
                }
                let better = match &best {
                    None => true,
                    Some(b) => {
                        let o = value::compare(&v, b)?;
                        if f == Func::Least {
                            o == Some(std::cmp::Ordering::Less)
                        } else {
                            o == Some(std::cmp::Ordering::Greater)
                        }
                    }
                };
                if better {
                    best = Some(v);
                }
            }
            return Ok(best.unwrap_or(Value::Null));
        }
        _ => {}
    }
    let x = eval(&args[0], leaf)?;
    if x.is_null() {
        return Ok(Value::Null);
    }
    let num = |v: &Value| {
        v.decimal()
            .ok_or_else(|| OpError::Type(format!("expected a number, not a {}", v.type_name())))
    };
    let text = |v: Value<'a>| match v {
        Value::Str(s) => Ok(s),
        v => Err(OpError::Type(format!(
            "expected a string, not a {}",
            v.type_name()
        ))),
    };
    let same = |v: &Value, d: Decimal| {
        if matches!(v, Value::Dur(_)) {
            Value::Dur(d)
        } else {
            Value::Num(d)
        }
    };
    let day = |v: &Value| match v {
        Value::Date(d) => Ok(*d),
        Value::DateTime(t) => Ok(t.div_euclid(time::MICROS_PER_DAY)),
        v => Err(OpError::Type(format!(
            "expected a date, not a {}",
            v.type_name()
        ))),
    };
    Ok(match f {
        Func::Abs => same(&x, num(&x)?.abs()),
        Func::Floor => same(&x, num(&x)?.floor()),
        Func::Ceil => same(&x, num(&x)?.ceil()),
        Func::Round => {
            let places = match args.get(1) {
                Some(a) => match eval(a, leaf)? {
                    Value::Null => return Ok(Value::Null),
                    v => num(&v)?
                        .to_u32()
                        .filter(|p| *p <= 28)
                        .ok_or_else(|| OpError::Type("decimals must be 0 to 28".into()))?,
                },
                None => 0,
            };
            same(
                &x,
                num(&x)?.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero),
            )
        }
        Func::Lower => Value::Str(Cow::Owned(text(x)?.to_lowercase())),
        Func::Upper => Value::Str(Cow::Owned(text(x)?.to_uppercase())),
        Func::Trim => match text(x)? {
            Cow::Borrowed(s) => Value::Str(Cow::Borrowed(s.trim())),
            Cow::Owned(s) => Value::Str(Cow::Owned(s.trim().to_string())),
        },
        Func::Len => Value::Num(Decimal::from(text(x)?.chars().count())),
        Func::Contains | Func::StartsWith | Func::EndsWith => {
            let part = eval(&args[1], leaf)?;
            if part.is_null() {
                return Ok(Value::Null);
            }
            let (s, p) = (text(x)?, text(part)?);
            Value::Bool(match f {
                Func::Contains => s.contains(p.as_ref()),
                Func::StartsWith => s.starts_with(p.as_ref()),
                _ => s.ends_with(p.as_ref()),
            })
        }
        Func::Date => Value::Date(day(&x)?),
        Func::Week => Value::Str(Cow::Owned(time::iso_week(day(&x)?))),
        Func::Month => Value::Str(Cow::Owned(time::month(day(&x)?))),
        Func::Quarter => Value::Str(Cow::Owned(time::quarter(day(&x)?))),
        Func::Year => Value::Str(Cow::Owned(time::year(day(&x)?))),
        Func::Day => Value::Num(Decimal::from(time::civil_from_days(day(&x)?).2)),
        Func::Weekday => Value::Num(Decimal::from(time::weekday(day(&x)?))),
        Func::Hour => match x {
            Value::DateTime(t) => Value::Num(Decimal::from(
                t.rem_euclid(time::MICROS_PER_DAY) / (3600 * time::MICROS_PER_SEC),
            )),
            Value::Date(_) => Value::Num(Decimal::ZERO),
            v => {
                return Err(OpError::Type(format!(
                    "expected a datetime, not a {}",
                    v.type_name()
                )))
            }
        },
        Func::If | Func::Coalesce | Func::Least | Func::Greatest => unreachable!("handled above"),
    })
}
