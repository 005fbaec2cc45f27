//! Syntax: the pest grammar (`grammar/kpi.pest`), the expression tree, the parser that
//! builds it, and the printer that writes it back in canonical form.

pub mod ast;
mod build;
mod errors;
pub mod parse;
pub mod print;
mod statements;

pub use crate::op::{BinOp, UnOp};
pub use ast::{Call, Expr, ExprKind, Literal, Name};
pub use parse::{parse_formula, Locator};
pub use print::expr_to_string;
