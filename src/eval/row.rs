//! Record-scope expressions over a row (the row itself is `input::row`), and group keys
//! encoded from values. Nothing here allocates per record.

use super::expr::DivByZero;
pub use crate::input::row::{Row, Slot};
use crate::ir::{Col, RExpr};
use crate::value::{OpError, Value};

impl<'r> Row<'r> {
    #[inline]
    pub fn eval(&self, e: &'r RExpr, dz: &DivByZero) -> Result<Value<'r>, OpError> {
        match e {
            // Most arguments and filters are a bare field.
            crate::ir::Node::Leaf(c) => Ok(self.get(*c)),
            _ => super::expr::eval(e, &|c: &Col| Ok(self.get(*c)), dz),
        }
    }

    /// Whether a condition holds (false for false and for null).
    #[inline]
    pub fn holds(&self, e: &'r RExpr, dz: &DivByZero) -> Result<bool, OpError> {
        match e {
            crate::ir::Node::Leaf(c) => Ok(matches!(self.slots[c.0 as usize], Slot::Bool(true))),
            _ => match super::slot_expr::truth(e, self) {
                Some(t) => Ok(t == Some(true)),
                None => Ok(self.eval(e, dz)?.truth() == Some(true)),
            },
        }
    }
}
