//! Parameter and result types of registered functions, as analysis checks them.

use crate::types::Ty;

/// What one parameter takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// A number or a duration.
    Numeric,
    /// A number; the text says which (`a number of decimals`).
    Number(&'static str),
    Text,
    /// A condition (true or false).
    Condition,
    /// A date or a datetime.
    Time,
    DateTime,
    /// Any type comparable with the other `Same` arguments; the result joins them.
    Same,
}

impl Param {
    /// Whether a value of type `t` fits (an unknown type always may).
    pub fn accepts(self, t: Ty) -> bool {
        !t.known()
            || match self {
                Param::Numeric => matches!(t, Ty::Num | Ty::Dur),
                Param::Number(_) => t == Ty::Num,
                Param::Text => t == Ty::Str,
                Param::Condition => t.is(Ty::Bool),
                Param::Time => matches!(t, Ty::Date | Ty::DateTime),
                Param::DateTime => t == Ty::DateTime,
                Param::Same => true,
            }
    }

    /// The type an untyped field used here takes.
    pub fn hint(self) -> Ty {
        match self {
            Param::Numeric | Param::Number(_) => Ty::Num,
            Param::Text => Ty::Str,
            Param::Condition => Ty::Bool,
            Param::Time | Param::DateTime => Ty::DateTime,
            Param::Same => Ty::Any,
        }
    }

    /// What it takes, for messages.
    pub fn what(self) -> &'static str {
        match self {
            Param::Numeric => "a number or a duration",
            Param::Number(what) => what,
            Param::Text => "a string",
            Param::Condition => "a condition (true or false)",
            Param::Time => "a date or a datetime",
            Param::DateTime => "a datetime",
            Param::Same => "values of one type",
        }
    }
}

/// The result type of a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returns {
    Fixed(Ty),
    /// The type of the first argument (`abs` of a duration is a duration).
    First,
    /// The join of the `Same` arguments.
    Joined,
}
