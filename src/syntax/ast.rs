//! The expression tree. Every node carries the span of the text it came from.

use crate::op::{BinOp, UnOp};
use crate::span::Span;
use rust_decimal::Decimal;

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Lit(Literal),
    /// A field (record scope) or a KPI (KPI scope): the position decides.
    Name(Name),
    /// A field of a lookup table (`agents.team`): the table, then the field.
    Lookup(Name, Name),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x is null` (`negated`: `x is not null`).
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `x in (a, b)` (`negated`: `x not in (...)`).
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    Call(Box<Call>),
    /// Stands for a part that failed to parse; its diagnostic was already reported.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Number(Decimal),
    String(String),
    Bool(bool),
    Null,
    /// A duration in seconds.
    Duration(Decimal),
    /// Days since 1970-01-01.
    Date(i64),
    /// Microseconds since 1970-01-01T00:00:00.
    DateTime(i64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Call {
    /// `orders` in `orders.count()`.
    pub source: Option<Name>,
    pub func: Name,
    pub args: Vec<Expr>,
    /// The keys of `per k1, k2`; empty when there is no `per`.
    pub per: Vec<Expr>,
    /// The condition of `where`.
    pub filter: Option<Expr>,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// Direct children, in source order (the `per` keys and `where` of a call included).
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::Lookup(..) | ExprKind::Error => {
                vec![]
            }
            ExprKind::Unary(_, e) | ExprKind::IsNull { expr: e, .. } => vec![e],
            ExprKind::Binary(_, a, b) => vec![a, b],
            ExprKind::In { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
            ExprKind::Between { expr, low, high } => vec![expr, low, high],
            ExprKind::Call(c) => c.args.iter().chain(&c.per).chain(&c.filter).collect(),
        }
    }
}
