//! pest pairs → expression tree. All operator precedence is in [`PRATT`]; nesting limits and
//! the wording of syntax errors are here too.

use super::ast::{Call, Expr, ExprKind, Literal, Name};
use crate::diag::{Code, Diag};
use crate::op::{BinOp, UnOp};
use crate::span::{FileId, Span};
use crate::time;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::str::FromStr;
use std::sync::LazyLock;

#[derive(pest_derive::Parser)]
#[grammar = "grammar/kpi.pest"]
pub struct KpiParser;

/// Deepest bracket nesting accepted; deeper input gets a diagnostic, never a stack overflow.
pub const MAX_NESTING: usize = 128;
/// Deepest expression tree accepted (long operator chains nest too).
pub const MAX_DEPTH: usize = 1_000;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
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

/// A pest error in human words: what was expected, what was found.
pub fn pest_error(e: &pest::error::Error<Rule>, text: &str, loc: &Locator, what: &str) -> Diag {
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // Past the last token, point just after it rather than at the next line.
    let pos = pos.min(text.trim_end().len());
    let (found, len) = describe_at(text, pos, what);
    match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().filter_map(|r| rule_words(*r)).collect();
            words.sort_unstable();
            words.dedup();
            if words.contains(&"an expression") {
                words.retain(|w| *w != "a name");
            }
            let expected = join_or(&words);
            let msg = if expected.is_empty() {
                format!("unexpected {found}")
            } else {
                format!("expected {expected}, found {found}")
            };
            let mut d = Diag::error(Code::Syntax, msg).label(loc.span(pos, pos + len), "here");
            if let Some(h) = slip_help(&text[pos.min(text.len())..]) {
                d = d.help(h);
            }
            d
        }
        ErrorVariant::CustomError { message } => Diag::error(
            Code::Syntax,
            format!("the {what} is too complex to parse ({message})"),
        )
        .at(loc.span(pos, pos + len)),
    }
}

fn join_or(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe_at(text: &str, pos: usize, what: &str) -> (String, usize) {
    let rest = text.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return (format!("the end of the {what}"), 0);
    };
    if c == '\n' || c == '\r' {
        return ("the end of the line".into(), 1);
    }
    if c.is_alphanumeric() || c == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let n = word.len();
        return (format!("`{word}`"), n);
    }
    let sym: String = rest.chars().take_while(|c| "=<>!&|".contains(*c)).collect();
    if !sym.is_empty() {
        return (format!("`{sym}`"), sym.len());
    }
    (format!("`{c}`"), c.len_utf8())
}

fn slip_help(rest: &str) -> Option<&'static str> {
    if rest.starts_with("&&") {
        Some("write `and`")
    } else if rest.starts_with("||") {
        Some("write `or`")
    } else if rest.starts_with('=') && !rest.starts_with("==") {
        Some("to compare, write `==`")
    } else if rest.starts_with("per ")
        || rest.starts_with("where ")
        || rest == "per"
        || rest == "where"
    {
        Some("`per` and `where` go inside an aggregate's brackets, e.g. `avg(count() per customer_id)`")
    } else if rest.starts_with('"') || rest.starts_with('\'') {
        Some("strings are written on one line, between matching quotes")
    } else {
        None
    }
}

/// What a grammar rule means to a person; `None` for rules that are never worth naming.
fn rule_words(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::expr | Rule::bound | Rule::paren | Rule::call => "an expression",
        Rule::name | Rule::plain_name | Rule::quoted_name => "a name",
        Rule::number
        | Rule::duration
        | Rule::date
        | Rule::datetime
        | Rule::string
        | Rule::boolean
        | Rule::null => "an expression",
        Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div => "an operator",
        Rule::is_null | Rule::is_not_null | Rule::in_list | Rule::not_in_list | Rule::between => {
            "an operator"
        }
        Rule::op_not | Rule::op_neg => "an expression",
        Rule::per_clause => "`per`",
        Rule::where_clause => "`where`",
        Rule::call_args => "`)`",
        Rule::EOI => "the end of the formula",
        Rule::definition => "a definition `name = formula`",
        Rule::attribute => "an `@attribute`",
        Rule::doc_line => "a `///` comment",
        _ => return None,
    })
}

struct Builder<'a> {
    loc: &'a Locator,
    diags: RefCell<Vec<Diag>>,
}

type Built = (Expr, usize);

impl Builder<'_> {
    fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        self.loc.span(s.start(), s.end())
    }

    fn error(&self, d: Diag) {
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

    fn expr(&self, pair: Pair<Rule>) -> Built {
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
                let span = e.span.to(self.span(&op));
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

    fn name(&self, p: Pair<Rule>) -> Name {
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

/// One statement of a `.kpi` file.
#[derive(Debug)]
pub enum Statement {
    /// A `///` line (its text without the slashes).
    Doc(String, Span),
    /// `@key value`.
    Attr {
        key: String,
        key_span: Span,
        value: String,
        value_span: Span,
    },
    /// `name = formula`.
    Def {
        name: Name,
        formula: Expr,
        formula_span: Span,
    },
}

/// Parse a `.kpi` file into statements (spans are offsets in the file).
pub fn parse_kpi_file(text: &str, file: FileId, diags: &mut Vec<Diag>) -> Vec<Statement> {
    // Each statement is parsed on its own, so that one broken definition does not hide the
    // next ones: every syntax error of the file is reported, and the good ones still load.
    let mut out = Vec::new();
    for (start, end) in statement_chunks(text) {
        let chunk = &text[start..end];
        let loc = Locator::shifted(file, start);
        // Doc and attribute lines are free text: brackets there are not code.
        let code = if chunk.trim_start().starts_with("///") || chunk.trim_start().starts_with('@') {
            ""
        } else {
            chunk
        };
        if let Some(d) = check_brackets(code, &loc) {
            diags.push(d);
            continue;
        }
        match KpiParser::parse(Rule::kpi_file, chunk) {
            Ok(mut p) => statements(p.next().expect("grammar: kpi_file"), &loc, diags, &mut out),
            Err(e) => diags.push(pest_error(&e, chunk, &loc, "definition")),
        }
    }
    out
}

/// Byte ranges of the statements of a `.kpi` file: a line that starts with `@`, `///` or
/// `name =` starts one; other lines (a formula's continuation, comments) belong to it.
fn statement_chunks(text: &str) -> Vec<(usize, usize)> {
    let starts_statement = |line: &str| {
        let l = line.trim_start();
        if l.starts_with('@') || l.starts_with("///") {
            return true;
        }
        let name_end = if let Some(rest) = l.strip_prefix('`') {
            rest.find('`').map(|i| i + 2)
        } else {
            l.find(|c: char| !(c.is_alphanumeric() || c == '_'))
        };
        name_end.is_some_and(|i| {
            let after = l[i..].trim_start();
            i > 0 && after.starts_with('=') && !after.starts_with("==")
        })
    };
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if pos > start && starts_statement(line) {
            chunks.push((start, pos));
            start = pos;
        }
        pos += line.len();
    }
    if pos > start {
        chunks.push((start, pos));
    }
    chunks
}

fn statements(file: Pair<Rule>, loc: &Locator, diags: &mut Vec<Diag>, out: &mut Vec<Statement>) {
    let pairs = file.into_inner();
    let b = Builder {
        loc,
        diags: RefCell::new(Vec::new()),
    };
    for p in pairs {
        let span = b.span(&p);
        match p.as_rule() {
            Rule::doc_line => {
                let t = p.into_inner().next().map_or("", |t| t.as_str());
                out.push(Statement::Doc(
                    t.strip_prefix(' ').unwrap_or(t).trim_end().to_string(),
                    span,
                ));
            }
            Rule::attribute => {
                let mut inner = p.into_inner();
                let key = inner.next().expect("grammar: attribute key");
                let value = inner.next().expect("grammar: attribute value");
                // A `#` comment may end the line.
                let raw = value.as_str();
                let v = raw.split(" #").next().unwrap_or(raw).trim_end();
                let vs = value.as_span().start();
                out.push(Statement::Attr {
                    key: key.as_str().to_string(),
                    key_span: b.span(&key),
                    value: v.to_string(),
                    value_span: loc.span(vs, vs + v.len()),
                });
            }
            Rule::definition => {
                let mut inner = p.into_inner();
                let name = b.name(inner.next().expect("grammar: definition name"));
                let e = inner.next().expect("grammar: definition formula");
                // The tree's own span: the pair's would take in trailing blanks and comments.
                let formula = b.expr(e).0;
                let formula_span = formula.span;
                out.push(Statement::Def {
                    name,
                    formula,
                    formula_span,
                });
            }
            _ => {}
        }
    }
    diags.extend(b.diags.into_inner());
}
