//! The usual record-scope expressions computed straight from a record's slots: sums and
//! differences of number fields and literals, their comparisons, `and`, `or`, `not`. No
//! `Value` is built, which is what costs in the general interpreter (`expr.rs`) when
//! such small expressions run once per record. Anything else — another operator, a
//! function, a string, a duration, an overflow — answers `None`, and the caller asks the
//! general interpreter, which then gives the result (or the error) it always gave. What
//! these functions answer is exactly what it would answer.

use super::row::{Row, Slot};
use crate::fast_decimal;
use crate::ir::{Node, RExpr};
use crate::op::{BinOp, UnOp};
use crate::value::{and, or};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// A number computed from the slots: a whole number (fields written as plain digits, and
/// their sums) or a decimal.
#[derive(Clone, Copy, Debug)]
pub enum Number {
    Int(i64),
    Dec(Decimal),
}

impl Number {
    /// The decimal it stands for (a whole number's is `Decimal::from`, scale 0).
    #[inline]
    pub fn decimal(self) -> Decimal {
        match self {
            Number::Int(i) => Decimal::from(i),
            Number::Dec(d) => d,
        }
    }

    /// A literal: whole when its scale is 0 and it fits.
    #[inline]
    fn literal(d: Decimal) -> Number {
        match i64::try_from(d.mantissa()) {
            Ok(i) if d.scale() == 0 => Number::Int(i),
            _ => Number::Dec(d),
        }
    }
}

/// A number expression's value (`Some(None)`: null), or `None` for the general path.
/// Fields and literals are read in line; only an operator is a call.
#[inline(always)]
pub fn number(e: &RExpr, row: &Row) -> Option<Option<Number>> {
    match e {
        Node::Leaf(c) => match row.slots[c.0 as usize] {
            Slot::Int(i) => Some(Some(Number::Int(i))),
            Slot::Num(d) => Some(Some(Number::Dec(d))),
            Slot::Null => Some(None),
            _ => None,
        },
        Node::Lit(crate::value::Value::Num(d)) => Some(Some(Number::literal(*d))),
        _ => operation(e, row),
    }
}

/// A sum or difference (`number` reads fields and literals).
fn operation(e: &RExpr, row: &Row) -> Option<Option<Number>> {
    match e {
        Node::Binary(op @ (BinOp::Add | BinOp::Sub), a, b) => {
            let (x, y) = (number(a, row)?, number(b, row)?);
            let (Some(x), Some(y)) = (x, y) else {
                return Some(None);
            };
            Some(Some(add(*op, x, y)?))
        }
        _ => None,
    }
}

/// `x + y` or `x - y` (`None`: an overflow, for the general path to report).
#[inline(always)]
fn add(op: BinOp, x: Number, y: Number) -> Option<Number> {
    if let (Number::Int(a), Number::Int(b)) = (x, y) {
        let r = match op {
            BinOp::Add => a.checked_add(b),
            _ => a.checked_sub(b),
        };
        // A zero's sign, and sums past 64 bits, are the decimal routine's to decide.
        if let Some(r) = r.filter(|r| *r != 0) {
            return Some(Number::Int(r));
        }
    }
    let (x, y) = (x.decimal(), y.decimal());
    let fast = match op {
        BinOp::Add => fast_decimal::add(x, y),
        _ => fast_decimal::sub(x, y),
    };
    match fast {
        Some(v) => Some(Number::Dec(v)),
        None => general(op, x, y).map(Number::Dec),
    }
}

/// `x + y` or `x - y` as the decimal routines compute it (`None`: an overflow).
#[cold]
#[inline(never)]
fn general(op: BinOp, x: Decimal, y: Decimal) -> Option<Decimal> {
    match op {
        BinOp::Add => x.checked_add(y),
        _ => x.checked_sub(y),
    }
}

/// How two numbers compare.
#[inline(always)]
fn compare(x: Number, y: Number) -> Ordering {
    if let (Number::Int(a), Number::Int(b)) = (x, y) {
        return a.cmp(&b);
    }
    let (x, y) = (x.decimal(), y.decimal());
    fast_decimal::cmp(&x, &y).unwrap_or_else(|| x.cmp(&y))
}

/// A condition's truth (`Some(None)`: null), or `None` for the general path.
#[inline]
pub fn truth(e: &RExpr, row: &Row) -> Option<Option<bool>> {
    match e {
        Node::Leaf(c) => match row.slots[c.0 as usize] {
            Slot::Bool(b) => Some(Some(b)),
            Slot::Null => Some(None),
            _ => None,
        },
        Node::Unary(UnOp::Not, x) => Some(truth(x, row)?.map(|b| !b)),
        Node::Binary(BinOp::And, a, b) => {
            let x = truth(a, row)?;
            if x == Some(false) {
                return Some(Some(false));
            }
            Some(and(x, truth(b, row)?))
        }
        Node::Binary(BinOp::Or, a, b) => {
            let x = truth(a, row)?;
            if x == Some(true) {
                return Some(Some(true));
            }
            Some(or(x, truth(b, row)?))
        }
        Node::Binary(op, a, b) => {
            let want: fn(Ordering) -> bool = match op {
                BinOp::Eq => Ordering::is_eq,
                BinOp::Ne => Ordering::is_ne,
                BinOp::Lt => Ordering::is_lt,
                BinOp::Le => Ordering::is_le,
                BinOp::Gt => Ordering::is_gt,
                BinOp::Ge => Ordering::is_ge,
                _ => return None,
            };
            let (x, y) = (number(a, row)?, number(b, row)?);
            let (Some(x), Some(y)) = (x, y) else {
                return Some(None);
            };
            Some(Some(want(compare(x, y))))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::expr::DivByZero;
    use crate::ir::Col;
    use crate::value::Value;
    use std::str::FromStr;

    fn field(i: u32) -> Box<RExpr> {
        Box::new(Node::Leaf(Col(i)))
    }
    fn num(t: &str) -> Box<RExpr> {
        Box::new(Node::Lit(Value::Num(Decimal::from_str(t).unwrap())))
    }
    fn bin(op: BinOp, a: Box<RExpr>, b: Box<RExpr>) -> Box<RExpr> {
        Box::new(Node::Binary(op, a, b))
    }

    /// Every answer of the fast path is the general interpreter's, over rows of numbers,
    /// nulls, booleans and a string.
    #[test]
    fn answers_as_the_interpreter() {
        use BinOp::*;
        let n = |t: &str| Slot::Num(Decimal::from_str(t).unwrap());
        let cells = [
            n("17"),
            n("18"),
            n("-0"),
            n("0.50"),
            n("79228162514264337593543950335"),
            Slot::Int(17),
            Slot::Int(0),
            Slot::Int(i64::MAX),
            Slot::Int(-18),
            Slot::Null,
            Slot::Bool(true),
            Slot::Bool(false),
            Slot::Str(0, 1),
        ];
        let mut exprs: Vec<Box<RExpr>> = Vec::new();
        for op in [Add, Sub] {
            exprs.push(bin(op, bin(op, field(0), field(1)), num("1")));
        }
        for op in [Eq, Ne, Lt, Le, Gt, Ge] {
            exprs.push(bin(op, field(0), num("18")));
            exprs.push(bin(op, bin(Add, field(0), field(1)), num("0.5")));
        }
        exprs.push(bin(And, field(2), bin(Lt, field(0), num("18"))));
        exprs.push(bin(Or, field(2), bin(Ge, field(1), field(0))));
        exprs.push(Box::new(Node::Unary(UnOp::Not, field(2))));
        exprs.push(bin(Mul, field(0), field(1)));
        let (mut fast, mut total) = (0, 0);
        for a in &cells {
            for b in &cells {
                for c in &cells {
                    let slots = [*a, *b, *c];
                    let row = Row {
                        slots: &slots,
                        text: "x",
                        printed: "",
                    };
                    for e in &exprs {
                        total += 1;
                        let general = row.eval(e, &DivByZero::default());
                        let answer = match (number(e, &row), truth(e, &row)) {
                            (Some(v), _) => {
                                Some(v.map_or(Value::Null, |n| Value::Num(n.decimal())))
                            }
                            (_, Some(t)) => Some(t.map_or(Value::Null, Value::Bool)),
                            _ => None,
                        };
                        if let Some(v) = answer {
                            fast += 1;
                            assert_eq!(Ok(v.clone()), general, "{e:?} over {slots:?}");
                            assert_eq!(format!("{v:?}"), format!("{:?}", general.unwrap()));
                        }
                    }
                }
            }
        }
        assert!(fast * 3 > total, "{fast} of {total}");
    }
}
