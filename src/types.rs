//! Static types (§3) and the rules of each operator. `Any` is a field whose type no schema
//! declares and no use has told yet: it is compatible with everything.

use crate::catalogue::FieldType;
use crate::syntax::{BinOp, Literal};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Any,
    Null,
    Bool,
    Num,
    Str,
    Date,
    DateTime,
    Dur,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ty::Any => "any type",
            Ty::Null => "null",
            Ty::Bool => "bool",
            Ty::Num => "number",
            Ty::Str => "string",
            Ty::Date => "date",
            Ty::DateTime => "datetime",
            Ty::Dur => "duration",
        })
    }
}

impl From<FieldType> for Ty {
    fn from(f: FieldType) -> Ty {
        match f {
            FieldType::String => Ty::Str,
            FieldType::Number => Ty::Num,
            FieldType::Bool => Ty::Bool,
            FieldType::Date => Ty::Date,
            FieldType::DateTime => Ty::DateTime,
            FieldType::Duration => Ty::Dur,
        }
    }
}

impl Ty {
    pub fn of_literal(l: &Literal) -> Ty {
        match l {
            Literal::Number(_) => Ty::Num,
            Literal::String(_) => Ty::Str,
            Literal::Bool(_) => Ty::Bool,
            Literal::Null => Ty::Null,
            Literal::Duration(_) => Ty::Dur,
            Literal::Date(_) => Ty::Date,
            Literal::DateTime(_) => Ty::DateTime,
        }
    }
    /// Known enough to check against.
    pub fn known(self) -> bool {
        !matches!(self, Ty::Any | Ty::Null)
    }
    pub fn is(self, t: Ty) -> bool {
        self == t || !self.known()
    }
    pub fn is_time(self) -> bool {
        matches!(self, Ty::Date | Ty::DateTime) || !self.known()
    }
    /// Whether two values of these types can be compared.
    pub fn comparable(self, other: Ty) -> bool {
        !self.known() || !other.known() || self == other || (self.is_time() && other.is_time())
    }
    /// The wider of two compatible types (for `if`, `coalesce`, `least`…).
    pub fn join(self, other: Ty) -> Ty {
        if self.known() {
            self
        } else if other.known() || self == Ty::Null {
            other
        } else {
            self
        }
    }
}

/// The type of `a op b`, or `None` when the operator does not take those types. Comparisons and `and`/`or` are checked by
/// the caller; this covers arithmetic.
pub fn arithmetic(op: BinOp, a: Ty, b: Ty) -> Option<Ty> {
    use Ty::*;
    if !a.known() && !b.known() {
        return Some(if a == Null || b == Null { Null } else { Any });
    }
    // One side unknown: the known side decides.
    if !a.known() || !b.known() {
        let k = if a.known() { a } else { b };
        return match (op, k) {
            (_, Num) => Some(Any),
            (BinOp::Add | BinOp::Sub, Dur | Date | DateTime) => Some(Any),
            (BinOp::Mul | BinOp::Div, Dur) => Some(Any),
            _ => None,
        };
    }
    Some(match (op, a, b) {
        (_, Num, Num) => Num,
        (BinOp::Add | BinOp::Sub, Dur, Dur) => Dur,
        (BinOp::Mul, Dur, Num) | (BinOp::Mul, Num, Dur) | (BinOp::Div, Dur, Num) => Dur,
        (BinOp::Div, Dur, Dur) => Num,
        (BinOp::Sub, Date | DateTime, Date | DateTime) => Dur,
        (BinOp::Add, DateTime, Dur) | (BinOp::Add, Dur, DateTime) | (BinOp::Sub, DateTime, Dur) => {
            DateTime
        }
        (BinOp::Add, Date, Dur) | (BinOp::Add, Dur, Date) | (BinOp::Sub, Date, Dur) => Date,
        _ => return None,
    })
}
