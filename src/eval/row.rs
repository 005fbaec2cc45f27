//! Record-scope expressions over a row (the row itself is `input::row`), and group keys
//! encoded from values. Nothing here allocates per record.

pub use crate::input::row::{Row, Slot};
use crate::ir::{Col, RExpr};
use crate::value::{OpError, Value};

impl<'r> Row<'r> {
    #[inline]
    pub fn eval(&self, e: &'r RExpr) -> Result<Value<'r>, OpError> {
        match e {
            // Most arguments and filters are a bare field.
            crate::ir::Node::Leaf(c) => Ok(self.get(*c)),
            _ => super::expr::eval(e, &|c: &Col| Ok(self.get(*c))),
        }
    }

    /// Whether a condition holds (false for false and for null).
    #[inline]
    pub fn holds(&self, e: &'r RExpr) -> Result<bool, OpError> {
        match e {
            crate::ir::Node::Leaf(c) => Ok(matches!(self.slots[c.0 as usize], Slot::Bool(true))),
            _ => Ok(self.eval(e)?.truth() == Some(true)),
        }
    }
}

/// Append a value to a key buffer, in a form where equal values give equal bytes.
/// `false` for null (a null key leaves the record out of a `per`).
pub fn encode_key(v: &Value, buf: &mut Vec<u8>) -> bool {
    match v {
        Value::Null => {
            buf.push(0);
            return false;
        }
        Value::Bool(b) => buf.extend_from_slice(&[1, u8::from(*b)]),
        Value::Num(d) => {
            // Whole numbers (ids, counts) in 9 bytes; others in 17. Tags keep it unambiguous.
            let n = d.normalize();
            match (n.scale(), rust_decimal::prelude::ToPrimitive::to_i64(&n)) {
                (0, Some(i)) => {
                    buf.push(9);
                    buf.extend_from_slice(&i.to_le_bytes());
                }
                _ => {
                    buf.push(2);
                    buf.extend_from_slice(&n.serialize());
                }
            }
        }
        Value::Dur(d) => {
            buf.push(3);
            buf.extend_from_slice(&d.normalize().serialize());
        }
        Value::Str(s) if s.len() < 256 => {
            buf.extend_from_slice(&[4, s.len() as u8]);
            buf.extend_from_slice(s.as_bytes());
        }
        Value::Str(s) => {
            buf.push(7);
            buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
            buf.extend_from_slice(s.as_bytes());
        }
        Value::Date(d) => match i32::try_from(*d) {
            Ok(d) => {
                buf.push(5);
                buf.extend_from_slice(&d.to_le_bytes());
            }
            Err(_) => {
                buf.push(8);
                buf.extend_from_slice(&d.to_le_bytes());
            }
        },
        Value::DateTime(t) => {
            buf.push(6);
            buf.extend_from_slice(&t.to_le_bytes());
        }
    }
    true
}
