//! `.kpi` files: statements (`///` docs, `@key value` attributes, `name = formula`), each
//! parsed on its own so that one broken definition does not hide the next.

use super::ast::{Expr, Name};
use super::build::Builder;
use super::errors::pest_error;
use super::parse::{check_brackets, KpiParser, Locator, Rule};
use crate::diag::Diag;
use crate::span::{FileId, Span};
use pest::iterators::Pair;
use pest::Parser;
use std::cell::RefCell;

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
