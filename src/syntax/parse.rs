//! pest pairs → expression tree. All operator precedence is in [`PRATT`]; nesting limits and
//! the wording of syntax errors are here too.

use super::ast::{Expr, ExprKind};
use super::build::Builder;
pub use super::errors::pest_error;
pub use super::statements::{parse_kpi_file, Statement};
use crate::diag::{Code, Diag};
use crate::span::{FileId, Span};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;
use std::cell::RefCell;
use std::sync::LazyLock;

#[derive(pest_derive::Parser)]
#[grammar = "grammar/kpi.pest"]
pub struct KpiParser;

/// Deepest bracket nesting accepted; deeper input gets a diagnostic, never a stack overflow.
pub const MAX_NESTING: usize = 128;
/// Deepest expression tree accepted (long operator chains nest too).
pub const MAX_DEPTH: usize = 1_000;

pub(super) static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    use Assoc::Left;
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Left) | Op::infix(Rule::bad_or, Left))
        .op(Op::infix(Rule::op_and, Left) | Op::infix(Rule::bad_and, Left))
        .op(Op::prefix(Rule::op_not) | Op::prefix(Rule::bad_not))
        .op(Op::infix(Rule::op_eq, Left)
            | Op::infix(Rule::op_ne, Left)
            | Op::infix(Rule::op_lt, Left)
            | Op::infix(Rule::op_le, Left)
            | Op::infix(Rule::op_gt, Left)
            | Op::infix(Rule::op_ge, Left)
            | Op::infix(Rule::bad_assign, Left)
            | Op::postfix(Rule::is_null)
            | Op::postfix(Rule::is_not_null)
            | Op::postfix(Rule::in_list)
            | Op::postfix(Rule::not_in_list)
            | Op::postfix(Rule::between))
        .op(Op::infix(Rule::op_add, Left) | Op::infix(Rule::op_sub, Left))
        .op(Op::infix(Rule::op_mul, Left) | Op::infix(Rule::op_div, Left))
        .op(Op::prefix(Rule::op_neg))
});

/// Where a parsed text sits in its file: a plain shift, or (for YAML scalars whose text was
/// unescaped or unindented) the file offset of every byte of the text.
#[derive(Clone, Debug)]
pub struct Locator {
    pub file: FileId,
    offsets: Offsets,
}

#[derive(Clone, Debug)]
enum Offsets {
    Shift(usize),
    Map(Vec<u32>),
}

impl Locator {
    pub fn shifted(file: FileId, base: usize) -> Locator {
        Locator {
            file,
            offsets: Offsets::Shift(base),
        }
    }
    /// `map[i]` is the file offset of byte `i` of the text; it has one more entry for the end.
    pub fn mapped(file: FileId, map: Vec<u32>) -> Locator {
        Locator {
            file,
            offsets: Offsets::Map(map),
        }
    }
    pub fn span(&self, start: usize, end: usize) -> Span {
        match &self.offsets {
            Offsets::Shift(b) => Span::new(self.file, b + start, b + end),
            Offsets::Map(m) => {
                let at = |i: usize| m[i.min(m.len() - 1)] as usize;
                let s = at(start);
                let e = if end > start { at(end - 1) + 1 } else { s };
                Span::new(self.file, s, e)
            }
        }
    }
}

/// Parse a formula. Syntax errors go to `diags`; the result then contains `Error` nodes.
pub fn parse_formula(text: &str, loc: &Locator, diags: &mut Vec<Diag>) -> Expr {
    let whole = loc.span(0, text.len());
    if let Some(d) = check_brackets(text, loc) {
        diags.push(d);
        return Expr::new(ExprKind::Error, whole);
    }
    if text.trim().is_empty() {
        diags.push(
            Diag::error(Code::Syntax, "empty formula")
                .at(whole)
                .help("write an expression, e.g. `count()`"),
        );
        return Expr::new(ExprKind::Error, whole);
    }
    match KpiParser::parse(Rule::formula, text) {
        Ok(mut pairs) => {
            let formula = pairs.next().expect("grammar: formula");
            let expr = formula
                .into_inner()
                .next()
                .expect("grammar: formula holds an expression");
            let b = Builder {
                loc,
                diags: RefCell::new(Vec::new()),
            };
            let e = b.expr(expr).0;
            diags.extend(b.diags.into_inner());
            e
        }
        Err(e) => {
            diags.push(pest_error(&e, text, loc, "formula"));
            Expr::new(ExprKind::Error, whole)
        }
    }
}

/// Nesting and balance of brackets, checked before pest sees the text so that deep input
/// cannot exhaust the stack and an unclosed `(` is reported where it opens.
pub fn check_brackets(text: &str, loc: &Locator) -> Option<Diag> {
    let mut stack: Vec<usize> = Vec::new();
    let mut quote: Option<u8> = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) if c == b'\\' && q != b'`' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' | b'`' => quote = Some(c),
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'(' => {
                    stack.push(i);
                    if stack.len() > MAX_NESTING {
                        return Some(
                            Diag::error(
                                Code::Syntax,
                                format!("brackets nest more than {MAX_NESTING} deep"),
                            )
                            .at(loc.span(i, i + 1))
                            .help("split the formula into several KPIs that refer to each other"),
                        );
                    }
                }
                b')' if stack.pop().is_none() => {
                    return Some(
                        Diag::error(Code::Syntax, "`)` without a matching `(`")
                            .label(loc.span(i, i + 1), "this bracket closes nothing"),
                    );
                }
                _ => {}
            },
        }
        i += 1;
    }
    stack.last().map(|&open| {
        Diag::error(Code::Syntax, "`(` is never closed")
            .label(loc.span(open, open + 1), "this bracket is not closed")
            .help("add `)` where the bracketed part ends")
    })
}
