//! Number cells as people write them: the default notation (`-5`, `12.5`, `1e3`, and `12,5`
//! in `;`- and tab-separated files) on the fast path; declared marks (`decimal`,
//! `thousands`), read strictly; and a trailing percent sign (`85 %` reads as 85).

use super::cell::{Marks, Notation};
use crate::value;
use rust_decimal::Decimal;

/// A number cell, by the notation: with a trailing `%` or not.
#[inline]
pub fn read_number(cell: &str, n: &Notation) -> Option<Decimal> {
    read_plain_number(cell, n).or_else(|| percent(cell, n))
}

/// A number cell without a percent sign.
#[inline]
pub fn read_plain_number(cell: &str, n: &Notation) -> Option<Decimal> {
    match &n.marks {
        None => value::parse_number(cell, n.decimal_comma),
        Some(m) => with_marks(cell, m),
    }
}

/// `85 %`, `85%`, `12,5 %`: the number before the sign.
#[cold]
fn percent(cell: &str, n: &Notation) -> Option<Decimal> {
    let number = cell.strip_suffix('%')?.trim_end_matches(is_space);
    read_plain_number(number, n)
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// A number written with declared marks: a sign, digits grouped by 3 with the thousands
/// separator (if one is declared), the decimal mark, digits, an exponent. Any other mark is
/// an error: with `decimal: ","`, `1.5` is refused unless `.` is the thousands separator.
pub fn with_marks(cell: &str, m: &Marks) -> Option<Decimal> {
    let mut out = String::with_capacity(cell.len());
    let mut chars = cell.chars().peekable();
    if let Some(&c) = chars.peek() {
        if c == '-' || c == '+' {
            if c == '-' {
                out.push('-');
            }
            chars.next();
        }
    }
    // The integer part: digit groups.
    let mut group = 0usize;
    let mut groups = 0usize;
    loop {
        match chars.peek().copied() {
            Some(c) if c.is_ascii_digit() => {
                out.push(c);
                group += 1;
                chars.next();
            }
            Some(c) if is_thousands(c, m.thousands) => {
                // A separator between digit groups: the first 1 to 3 digits, then 3 each.
                if group == 0 || (groups > 0 && group != 3) || (groups == 0 && group > 3) {
                    return None;
                }
                groups += 1;
                group = 0;
                chars.next();
            }
            _ => break,
        }
    }
    if groups > 0 && group != 3 {
        return None;
    }
    let mut digits = group + groups;
    if chars.peek() == Some(&(m.decimal as char)) {
        chars.next();
        out.push('.');
        while let Some(&c) = chars.peek() {
            if !c.is_ascii_digit() {
                break;
            }
            out.push(c);
            digits += 1;
            chars.next();
        }
    }
    if digits == 0 {
        return None;
    }
    if let Some(&c) = chars.peek() {
        if c == 'e' || c == 'E' {
            out.push('e');
            chars.next();
            if let Some(&s) = chars.peek() {
                if s == '-' || s == '+' {
                    out.push(s);
                    chars.next();
                }
            }
            let before = out.len();
            while let Some(&c) = chars.peek() {
                if !c.is_ascii_digit() {
                    break;
                }
                out.push(c);
                chars.next();
            }
            if out.len() == before {
                return None;
            }
        }
    }
    if chars.next().is_some() {
        return None;
    }
    let s = out.as_str();
    if s.contains('e') {
        Decimal::from_scientific(s).ok()
    } else {
        Decimal::from_str_exact(s).ok()
    }
}

#[inline]
fn is_thousands(c: char, thousands: Option<u8>) -> bool {
    match thousands {
        Some(b' ') => is_space(c),
        Some(t) => c == t as char,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(decimal: u8, thousands: Option<u8>) -> Notation {
        Notation {
            marks: Some(Marks { decimal, thousands }),
            ..Notation::default()
        }
    }

    fn num(cell: &str, n: &Notation) -> Option<String> {
        read_number(cell, n).map(|d| d.normalize().to_string())
    }

    #[test]
    fn declared_marks_are_strict() {
        let fr = marks(b',', Some(b' '));
        assert_eq!(num("1 234,50", &fr).as_deref(), Some("1234.5"));
        assert_eq!(num("1\u{a0}234,50", &fr).as_deref(), Some("1234.5"));
        assert_eq!(
            num("1\u{202f}234\u{202f}567", &fr).as_deref(),
            Some("1234567")
        );
        assert_eq!(num("-12,5", &fr).as_deref(), Some("-12.5"));
        assert_eq!(num("85 %", &fr).as_deref(), Some("85"));
        assert_eq!(num("12,5\u{a0}%", &fr).as_deref(), Some("12.5"));
        assert_eq!(num("1.5", &fr), None);
        assert_eq!(num("12 34", &fr), None);
        assert_eq!(num("1 2345", &fr), None);
        assert_eq!(num("1234 567", &fr), None);
        assert_eq!(num(" 123", &fr), None);
        assert_eq!(num("", &fr), None);
        assert_eq!(num(",5", &fr).as_deref(), Some("0.5"));
        assert_eq!(num("1,5e3", &fr).as_deref(), Some("1500"));
        let de = marks(b',', Some(b'.'));
        assert_eq!(num("1.234.567,89", &de).as_deref(), Some("1234567.89"));
        assert_eq!(num("1,234", &de).as_deref(), Some("1.234"));
        let us = marks(b'.', Some(b','));
        assert_eq!(num("1,234.5", &us).as_deref(), Some("1234.5"));
        assert_eq!(num("1.234,5", &us), None);
        let ch = marks(b'.', Some(b'\''));
        assert_eq!(num("1'234.5", &ch).as_deref(), Some("1234.5"));
    }

    #[test]
    fn the_default_notation_takes_a_percent_sign() {
        let n = Notation::default();
        assert_eq!(num("85 %", &n).as_deref(), Some("85"));
        assert_eq!(num("85%", &n).as_deref(), Some("85"));
        assert_eq!(num("1 234", &n), None);
        assert_eq!(num("%", &n), None);
        assert_eq!(num("12,5", &n), None);
        let semicolon = Notation {
            decimal_comma: true,
            ..Notation::default()
        };
        assert_eq!(num("12,5 %", &semicolon).as_deref(), Some("12.5"));
    }
}
