//! A forgiving tokenizer of formula text, for what the parser cannot give while a formula is
//! being typed (`avg(` does not parse): the scope at the cursor for completion, and the
//! colours of literals, keywords and operators.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A plain or back-quoted name.
    Name,
    Keyword,
    Number,
    Str,
    Op,
    Open,
    Close,
    Comma,
    Dot,
    Comment,
}

#[derive(Clone, Copy, Debug)]
pub struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

pub const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "between", "is", "null", "true", "false", "per", "where",
];

pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The tokens of `text`; offsets are bytes of `text`. Never fails: what it cannot read is
/// a one-character operator.
pub fn lex(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut pos = 0;
    // The end of the run of characters from `from` that satisfy `pred`.
    let run = |from: usize, pred: &dyn Fn(char) -> bool| {
        text[from..]
            .char_indices()
            .find(|&(_, c)| !pred(c))
            .map_or(text.len(), |(i, _)| from + i)
    };
    while let Some(c) = text[pos..].chars().next() {
        let start = pos;
        let next = start + c.len_utf8();
        let (kind, end) = match c {
            c if c.is_whitespace() => {
                pos = next;
                continue;
            }
            '#' => (Tok::Comment, run(next, &|c| c != '\n')),
            '"' | '\'' => (Tok::Str, string_end(text, next, c)),
            '`' => {
                let e = run(next, &|c| c != '`' && c != '\n');
                (
                    Tok::Name,
                    if text[e..].starts_with('`') { e + 1 } else { e },
                )
            }
            c if c.is_ascii_digit() => (Tok::Number, number_end(text, start)),
            c if is_name_char(c) => {
                let e = run(next, &is_name_char);
                let kind = if is_keyword(&text[start..e]) {
                    Tok::Keyword
                } else {
                    Tok::Name
                };
                (kind, e)
            }
            '(' => (Tok::Open, next),
            ')' => (Tok::Close, next),
            ',' => (Tok::Comma, next),
            '.' => (Tok::Dot, next),
            _ => {
                let two = text.get(start..start + 2).unwrap_or("");
                let wide = matches!(two, "==" | "!=" | "<>" | "<=" | ">=" | "&&" | "||");
                (Tok::Op, if wide { start + 2 } else { next })
            }
        };
        out.push(Token { kind, start, end });
        pos = end;
    }
    out
}

/// The end of a string opened by `quote` before `from`: after its closing quote, or at the
/// end of the line.
fn string_end(text: &str, from: usize, quote: char) -> usize {
    let mut escaped = false;
    for (i, c) in text[from..].char_indices() {
        match c {
            '\n' => return from + i,
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == quote => return from + i + 1,
            _ => {}
        }
    }
    text.len()
}

/// The end of a number, a duration (`4h`, `1.5min`), a date or a date-time (`2025-03-01`,
/// `2025-03-01T08:00:00`) starting at `start`.
fn number_end(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let is_date = b.len() >= start + 10
        && b[start..start + 4].iter().all(u8::is_ascii_digit)
        && b[start + 4] == b'-'
        && b[start + 7] == b'-';
    let extra: &[char] = if is_date {
        &['_', '.', ':', '-']
    } else {
        &['_', '.']
    };
    text[start..]
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || extra.contains(&c)))
        .map_or(text.len(), |(i, _)| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Tok, &str)> {
        lex(text)
            .into_iter()
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect()
    }

    #[test]
    fn formulas_split_into_tokens() {
        use Tok::*;
        assert_eq!(
            kinds("orders.avg(x-1 where s == \"a)b\") >= 2025-03-01 # c"),
            vec![
                (Name, "orders"),
                (Dot, "."),
                (Name, "avg"),
                (Open, "("),
                (Name, "x"),
                (Op, "-"),
                (Number, "1"),
                (Keyword, "where"),
                (Name, "s"),
                (Op, "=="),
                (Str, "\"a)b\""),
                (Close, ")"),
                (Op, ">="),
                (Number, "2025-03-01"),
                (Comment, "# c"),
            ]
        );
        assert_eq!(
            kinds("`a b` 4h 'x"),
            vec![(Name, "`a b`"), (Number, "4h"), (Str, "'x")]
        );
    }
}
