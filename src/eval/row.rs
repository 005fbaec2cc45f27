//! One record as the evaluator sees it: a typed slot per used column, parsed once, with
//! strings left in the reader's buffer. Nothing here allocates per record.

use crate::analysis::Ty;
use crate::ir::{Col, RExpr};
use crate::value::{self, OpError, Value};
use rust_decimal::Decimal;
use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Slot {
    Null,
    Bool(bool),
    Num(Decimal),
    /// A byte range of the row's text.
    Str(u32, u32),
    Date(i64),
    DateTime(i64),
    Dur(Decimal),
}

pub struct Row<'r> {
    pub slots: &'r [Slot],
    pub text: &'r str,
}

impl<'r> Row<'r> {
    #[inline]
    pub fn get(&self, c: Col) -> Value<'r> {
        match self.slots[c.0 as usize] {
            Slot::Null => Value::Null,
            Slot::Bool(b) => Value::Bool(b),
            Slot::Num(d) => Value::Num(d),
            Slot::Str(s, e) => Value::Str(Cow::Borrowed(&self.text[s as usize..e as usize])),
            Slot::Date(d) => Value::Date(d),
            Slot::DateTime(t) => Value::DateTime(t),
            Slot::Dur(d) => Value::Dur(d),
        }
    }

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

/// Parse one cell for a column of type `ty`. `Err` carries what was expected.
/// `range` is where `cell` sits in the row's text (for strings).
#[inline]
pub fn parse_cell(
    cell: &str,
    range: (u32, u32),
    ty: Ty,
    decimal_comma: bool,
) -> Result<Slot, &'static str> {
    if cell.is_empty() {
        return Ok(Slot::Null);
    }
    match ty {
        Ty::Num => value::parse_number(cell, decimal_comma)
            .map(Slot::Num)
            .ok_or("a number"),
        Ty::Bool => value::parse_bool(cell)
            .map(Slot::Bool)
            .ok_or("true or false (also 1/0, yes/no)"),
        Ty::Date => crate::time::parse_date(cell.as_bytes())
            .or_else(|| {
                crate::time::parse_datetime(cell.as_bytes())
                    .map(|t| t.div_euclid(crate::time::MICROS_PER_DAY))
            })
            .map(Slot::Date)
            .ok_or("a date (YYYY-MM-DD)"),
        Ty::DateTime => crate::time::parse_datetime(cell.as_bytes())
            .map(Slot::DateTime)
            .ok_or("a date and time (YYYY-MM-DDTHH:MM:SS)"),
        Ty::Dur => value::parse_duration(cell)
            .map(Slot::Dur)
            .ok_or("a duration (seconds or HH:MM:SS)"),
        Ty::Str | Ty::Null => Ok(Slot::Str(range.0, range.1)),
        Ty::Any => Ok(dynamic(cell, range, decimal_comma)),
    }
}

/// A cell of a field whose type nothing declares or implies: the data tells it.
fn dynamic(cell: &str, range: (u32, u32), decimal_comma: bool) -> Slot {
    if let Some(d) = value::parse_number(cell, decimal_comma) {
        return Slot::Num(d);
    }
    let b = cell.as_bytes();
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        if let Some(d) = crate::time::parse_date(b) {
            return Slot::Date(d);
        }
        if let Some(t) = crate::time::parse_datetime(b) {
            return Slot::DateTime(t);
        }
    }
    match cell {
        "true" => Slot::Bool(true),
        "false" => Slot::Bool(false),
        _ => Slot::Str(range.0, range.1),
    }
}
