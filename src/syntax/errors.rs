//! Syntax errors in a person's words: what was expected, what was found, and for the usual
//! slips (`=`, `&&`, `!`) what to write instead.

use super::parse::{Locator, Rule};
use crate::diag::{Code, Diag};
use pest::error::{ErrorVariant, InputLocation};

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
