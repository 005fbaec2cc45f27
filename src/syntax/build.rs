//! pest pairs → expression tree: operands, calls, literals and names, folded by the Pratt
//! table of `parse.rs`; the tree's depth is bounded here.

use super::ast::{Call, Expr, ExprKind, Literal, Name};
use super::parse::{Locator, Rule, MAX_DEPTH, PRATT};
use crate::diag::{Code, Diag};
use crate::op::{BinOp, UnOp};
use crate::span::Span;
use crate::time;
use pest::iterators::Pair;
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::str::FromStr;

pub(super) struct Builder<'a> {
    pub(super) loc: &'a Locator,
    pub(super) diags: RefCell<Vec<Diag>>,
}

type Built = (Expr, usize);

impl Builder<'_> {
    pub(super) fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        self.loc.span(s.start(), s.end())
    }

    pub(super) fn error(&self, d: Diag) {
        self.diags.borrow_mut().push(d);
    }

    /// Guard against trees too deep for the recursive passes that follow.
    fn node(&self, kind: ExprKind, span: Span, depth: usize) -> Built {
        if depth == MAX_DEPTH + 1 {
            self.error(
                Diag::error(
                    Code::Syntax,
                    format!("the expression nests more than {MAX_DEPTH} operations deep"),
                )
                .at(span)
                .help("split the formula into several KPIs that refer to each other"),
            );
        }
        if depth > MAX_DEPTH {
            return (Expr::new(ExprKind::Error, span), depth);
        }
        (Expr::new(kind, span), depth)
    }

    pub(super) fn expr(&self, pair: Pair<Rule>) -> Built {
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, (e, d)| {
                let span = self.span(&op).to(e.span);
                match op.as_rule() {
                    Rule::op_not => self.node(ExprKind::Unary(UnOp::Not, Box::new(e)), span, d + 1),
                    Rule::op_neg => self.node(ExprKind::Unary(UnOp::Neg, Box::new(e)), span, d + 1),
                    _ => {
                        self.error(
                            Diag::error(Code::Syntax, "`!` is not an operator here")
                                .at(self.span(&op))
                                .help("to negate, write `not`"),
                        );
                        self.node(ExprKind::Unary(UnOp::Not, Box::new(e)), span, d + 1)
                    }
                }
            })
            .map_infix(|(a, da), op, (b, db)| {
                let span = a.span.to(b.span);
                let bin = match op.as_rule() {
                    Rule::op_or => BinOp::Or,
                    Rule::op_and => BinOp::And,
                    Rule::op_eq => BinOp::Eq,
                    Rule::op_ne => BinOp::Ne,
                    Rule::op_lt => BinOp::Lt,
                    Rule::op_le => BinOp::Le,
                    Rule::op_gt => BinOp::Gt,
                    Rule::op_ge => BinOp::Ge,
                    Rule::op_add => BinOp::Add,
                    Rule::op_sub => BinOp::Sub,
                    Rule::op_mul => BinOp::Mul,
                    Rule::op_div => BinOp::Div,
                    rule => {
                        let (msg, help, bin) = match rule {
                            Rule::bad_and => ("`&&` is not an operator", "write `and`", BinOp::And),
                            Rule::bad_or => ("`||` is not an operator", "write `or`", BinOp::Or),
                            _ => (
                                "`=` assigns, it does not compare",
                                "to compare, write `==`",
                                BinOp::Eq,
                            ),
                        };
                        self.error(Diag::error(Code::Syntax, msg).at(self.span(&op)).help(help));
                        bin
                    }
                };
                self.node(
                    ExprKind::Binary(bin, Box::new(a), Box::new(b)),
                    span,
                    da.max(db) + 1,
                )
            })
            .map_postfix(|(e, d), op| {
                let mut span = e.span.to(self.span(&op));
                let mut depth = d + 1;
                let kind = match op.as_rule() {
                    Rule::is_null => ExprKind::IsNull {
                        expr: Box::new(e),
                        negated: false,
                    },
                    Rule::is_not_null => ExprKind::IsNull {
                        expr: Box::new(e),
                        negated: true,
                    },
                    Rule::in_list | Rule::not_in_list => {
                        let negated = op.as_rule() == Rule::not_in_list;
                        let list: Vec<Expr> = op
                            .into_inner()
                            .filter(|p| p.as_rule() == Rule::expr)
                            .map(|p| {
                                let (x, dx) = self.expr(p);
                                depth = depth.max(dx + 1);
                                x
                            })
                            .collect();
                        ExprKind::In {
                            expr: Box::new(e),
                            list,
                            negated,
                        }
                    }
                    _ => {
                        let mut bounds = op
                            .into_inner()
                            .filter(|p| p.as_rule() == Rule::bound)
                            .map(|p| self.expr(p));
                        let (low, dl) = bounds.next().expect("grammar: between has a low bound");
                        let (high, dh) = bounds.next().expect("grammar: between has a high bound");
                        depth = depth.max(dl.max(dh) + 1);
                        // The `between` pair takes in the blanks after its high bound (a
                        // bound's empty `(op bound_term)*` still skips them): end at the
                        // bound's tree, or `kpi fmt` joins the next line to the formula.
                        span = e.span.to(high.span);
                        ExprKind::Between {
                            expr: Box::new(e),
                            low: Box::new(low),
                            high: Box::new(high),
                        }
                    }
                };
                self.node(kind, span, depth)
            })
            .parse(pair.into_inner())
    }

    fn primary(&self, p: Pair<Rule>) -> Built {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::paren => {
                let (mut e, d) = self.expr(
                    p.into_inner()
                        .next()
                        .expect("grammar: paren holds an expression"),
                );
                e.span = span;
                (e, d)
            }
            Rule::call => self.call(p, span),
            Rule::name => (Expr::new(ExprKind::Name(self.name(p)), span), 1),
            Rule::lookup => {
                let mut parts = p.into_inner().map(|n| self.name(n));
                let table = parts.next().expect("grammar: a lookup names its table");
                let field = parts.next().expect("grammar: a lookup names its field");
                (Expr::new(ExprKind::Lookup(table, field), span), 1)
            }
            _ => match self.literal(&p) {
                Ok(l) => (Expr::new(ExprKind::Lit(l), span), 1),
                Err(d) => {
                    self.error(d.at(span));
                    (Expr::new(ExprKind::Error, span), 1)
                }
            },
        }
    }

    pub(super) fn name(&self, p: Pair<Rule>) -> Name {
        let span = self.span(&p);
        let s = p.as_str();
        let text = s
            .strip_prefix('`')
            .and_then(|s| s.strip_suffix('`'))
            .unwrap_or(s);
        Name {
            text: text.to_string(),
            span,
        }
    }

    fn call(&self, p: Pair<Rule>, span: Span) -> Built {
        let mut names = Vec::new();
        let mut args = Vec::new();
        let mut per = Vec::new();
        let mut filter = None;
        let mut depth = 1;
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::name => names.push(self.name(part)),
                Rule::call_args => {
                    for a in part.into_inner() {
                        match a.as_rule() {
                            Rule::expr => {
                                let (e, d) = self.expr(a);
                                depth = depth.max(d + 1);
                                args.push(e);
                            }
                            Rule::per_clause => {
                                for k in a.into_inner().filter(|k| k.as_rule() == Rule::expr) {
                                    let (e, d) = self.expr(k);
                                    depth = depth.max(d + 1);
                                    per.push(e);
                                }
                            }
                            Rule::where_clause => {
                                let cond = a.into_inner().find(|k| k.as_rule() == Rule::expr);
                                let (e, d) =
                                    self.expr(cond.expect("grammar: where holds an expression"));
                                depth = depth.max(d + 1);
                                filter = Some(e);
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let func = names.pop().expect("grammar: a call has a function name");
        let call = Call {
            source: names.pop(),
            func,
            args,
            per,
            filter,
        };
        self.node(ExprKind::Call(Box::new(call)), span, depth)
    }

    fn literal(&self, p: &Pair<Rule>) -> Result<Literal, Diag> {
        let s = p.as_str();
        Ok(match p.as_rule() {
            Rule::number => Literal::Number(number(s)?),
            Rule::duration => {
                let unit = p
                    .clone()
                    .into_inner()
                    .next()
                    .expect("grammar: duration has a unit")
                    .as_str();
                let n = number(&s[..s.len() - unit.len()])?;
                let size = match unit {
                    "ms" => Decimal::new(1, 3),
                    "s" => Decimal::ONE,
                    "min" => Decimal::from(60),
                    "h" => Decimal::from(3_600),
                    "d" => Decimal::from(86_400),
                    _ => Decimal::from(604_800),
                };
                let secs = n.checked_mul(size).ok_or_else(|| {
                    Diag::error(
                        Code::Syntax,
                        format!("the duration {s} is too large for exact decimals"),
                    )
                })?;
                Literal::Duration(secs)
            }
            Rule::date => {
                Literal::Date(time::parse_date(s.as_bytes()).ok_or_else(|| {
                    Diag::error(Code::Syntax, format!("{s} is not a calendar date"))
                })?)
            }
            Rule::datetime => {
                Literal::DateTime(time::parse_datetime(s.as_bytes()).ok_or_else(|| {
                    Diag::error(Code::Syntax, format!("{s} is not a valid date and time"))
                })?)
            }
            Rule::string => Literal::String(unescape(&s[1..s.len() - 1])?),
            Rule::boolean => Literal::Bool(s.eq_ignore_ascii_case("true")),
            _ => Literal::Null,
        })
    }
}

fn number(s: &str) -> Result<Decimal, Diag> {
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    Decimal::from_str_exact(&clean)
        .or_else(|_| Decimal::from_str(&clean))
        .map_err(|_| {
            Diag::error(
                Code::Syntax,
                format!("the number {s} is too large for exact decimals"),
            )
        })
}

fn unescape(s: &str) -> Result<String, Diag> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(c @ ('"' | '\'' | '\\')) => out.push(c),
            Some(c) => {
                return Err(Diag::error(
                    Code::Syntax,
                    format!("unknown escape `\\{c}` in a string"),
                )
                .help("write `\\\"`, `\\'`, `\\\\`, `\\n` or `\\t`"))
            }
            None => out.push('\\'),
        }
    }
    Ok(out)
}
