//! One record as the evaluator sees it: a typed slot per used column, converted once, with
//! strings left in the reader's buffer. Nothing here allocates per record.

use crate::ir::Col;
use crate::value::Value;
use rust_decimal::Decimal;
use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Slot {
    Null,
    Bool(bool),
    Num(Decimal),
    /// A whole number written as plain digits: the value of `Num(Decimal::from(i))`, kept
    /// as an integer, which is cheaper to write, read, add and compare.
    Int(i64),
    /// A byte range of the record's text ([`Row::text`]).
    Str(u32, u32),
    /// A byte range of [`Row::printed`]: the text of a typed cell read into a text column.
    Printed(u32, u32),
    Date(i64),
    DateTime(i64),
    Dur(Decimal),
}

pub struct Row<'r> {
    pub slots: &'r [Slot],
    /// The record's text, as its format holds it (a CSV record's fields, for one).
    pub text: &'r str,
    /// Typed cells printed for text columns (empty for text formats).
    pub printed: &'r str,
}

impl<'r> Row<'r> {
    #[inline]
    pub fn get(&self, c: Col) -> Value<'r> {
        match self.slots[c.0 as usize] {
            Slot::Null => Value::Null,
            Slot::Bool(b) => Value::Bool(b),
            Slot::Num(d) => Value::Num(d),
            Slot::Int(i) => Value::Num(Decimal::from(i)),
            Slot::Str(s, e) => Value::Str(Cow::Borrowed(&self.text[s as usize..e as usize])),
            Slot::Printed(s, e) => Value::Str(Cow::Borrowed(&self.printed[s as usize..e as usize])),
            Slot::Date(d) => Value::Date(d),
            Slot::DateTime(t) => Value::DateTime(t),
            Slot::Dur(d) => Value::Dur(d),
        }
    }
}
