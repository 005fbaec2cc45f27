//! Evaluation of IR expressions, generic over the leaf lookup: record scope reads a row's
//! fields, KPI scope reads aggregate results. Operators are here; functions run their
//! registry definition.

use crate::fast_decimal;
use crate::ir::Node;
use crate::op::{BinOp, UnOp};
use crate::registry::Args;
pub use crate::registry::Res;
use crate::value::{self, and, from_truth, or, OpError, Value};
use std::borrow::Cow;

/// Divisions by zero met while evaluating (each gives null, and the run warns once).
pub type DivByZero = std::cell::Cell<u64>;

/// Evaluate `e`, looking leaves up with `leaf`; divisions by zero are counted in `dz`.
pub fn eval<'a, L>(e: &'a Node<L>, leaf: &impl Fn(&'a L) -> Res<'a>, dz: &DivByZero) -> Res<'a> {
    match e {
        Node::Lit(v) => Ok(borrow(v)),
        Node::Leaf(l) => leaf(l),
        Node::Unary(UnOp::Not, x) => Ok(from_truth(operand(x, leaf, dz)?.truth().map(|b| !b))),
        Node::Unary(UnOp::Neg, x) => Ok(match operand(x, leaf, dz)? {
            Value::Num(d) => Value::Num(-d),
            Value::Dur(d) => Value::Dur(-d),
            Value::Null => Value::Null,
            v => return Err(OpError::Type(format!("cannot negate a {}", v.type_name()))),
        }),
        Node::Binary(BinOp::And, a, b) => {
            let x = operand(a, leaf, dz)?.truth();
            if x == Some(false) {
                return Ok(Value::Bool(false));
            }
            Ok(from_truth(and(x, operand(b, leaf, dz)?.truth())))
        }
        Node::Binary(BinOp::Or, a, b) => {
            let x = operand(a, leaf, dz)?.truth();
            if x == Some(true) {
                return Ok(Value::Bool(true));
            }
            Ok(from_truth(or(x, operand(b, leaf, dz)?.truth())))
        }
        Node::Binary(op, a, b) => {
            let (x, y) = (operand(a, leaf, dz)?, operand(b, leaf, dz)?);
            if let (Value::Num(p), Value::Num(q)) = (&x, &y) {
                if let Some(v) = numbers(*op, p, q) {
                    return Ok(v);
                }
            }
            match value::binary(*op, x, y) {
                Err(OpError::DivByZero) => {
                    dz.set(dz.get() + 1);
                    Ok(Value::Null)
                }
                r => r,
            }
        }
        Node::IsNull(x, negated) => Ok(Value::Bool(eval(x, leaf, dz)?.is_null() != *negated)),
        Node::In(x, list, negated) => {
            let v = eval(x, leaf, dz)?;
            if v.is_null() {
                return Ok(Value::Null);
            }
            // SQL semantics: no match but a null in the list gives null.
            let mut saw_null = false;
            for item in list {
                match value::compare(&v, &eval(item, leaf, dz)?)? {
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
            let v = eval(x, leaf, dz)?;
            let ge = value::binary(BinOp::Ge, v.clone(), eval(lo, leaf, dz)?)?.truth();
            let le = value::binary(BinOp::Le, v, eval(hi, leaf, dz)?)?.truth();
            Ok(from_truth(and(ge, le)))
        }
        Node::Func(f, args) => (f.eval)(&mut NodeArgs {
            nodes: args,
            leaf,
            dz,
        }),
    }
}

/// An operand: a field or a literal read here, without a call (the usual operands; a call
/// returns its value through memory), or a subexpression evaluated.
#[inline(always)]
fn operand<'a, L>(e: &'a Node<L>, leaf: &impl Fn(&'a L) -> Res<'a>, dz: &DivByZero) -> Res<'a> {
    match e {
        Node::Leaf(l) => leaf(l),
        Node::Lit(v) => Ok(borrow(v)),
        _ => eval(e, leaf, dz),
    }
}

/// Addition, subtraction and comparisons of two numbers, as `value::binary` computes them
/// (`None`: another operator, or an overflow, which `value::binary` reports).
#[inline(always)]
fn numbers(
    op: BinOp,
    p: &rust_decimal::Decimal,
    q: &rust_decimal::Decimal,
) -> Option<Value<'static>> {
    use std::cmp::Ordering::*;
    let order = || fast_decimal::cmp(p, q).unwrap_or_else(|| p.cmp(q));
    Some(match op {
        BinOp::Add => Value::Num(fast_decimal::add(*p, *q).or_else(|| p.checked_add(*q))?),
        BinOp::Sub => Value::Num(fast_decimal::sub(*p, *q).or_else(|| p.checked_sub(*q))?),
        BinOp::Eq => Value::Bool(order() == Equal),
        BinOp::Ne => Value::Bool(order() != Equal),
        BinOp::Lt => Value::Bool(order() == Less),
        BinOp::Le => Value::Bool(order() != Greater),
        BinOp::Gt => Value::Bool(order() == Greater),
        BinOp::Ge => Value::Bool(order() != Less),
        _ => return None,
    })
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

/// The arguments of a call, evaluated when the function asks for them.
struct NodeArgs<'a, 'f, L, F> {
    nodes: &'a [Node<L>],
    leaf: &'f F,
    dz: &'f DivByZero,
}

impl<'a, L, F: Fn(&'a L) -> Res<'a>> Args<'a> for NodeArgs<'a, '_, L, F> {
    fn len(&self) -> usize {
        self.nodes.len()
    }
    fn get(&mut self, i: usize) -> Res<'a> {
        eval(&self.nodes[i], self.leaf, self.dz)
    }
}
