//! The canonical text of an expression: `kpi fmt` writes it, `kpi explain` shows it, and the
//! planner uses it to recognise identical aggregates. Parentheses only where precedence needs.

use super::ast::{Call, Expr, ExprKind, Literal, Name};
use crate::op::{BinOp, UnOp};
use crate::time;
use rust_decimal::Decimal;
use std::fmt::Write;

/// Binding strength, loosest first (language brief §4).
fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => binop_prec(*op),
        ExprKind::Unary(UnOp::Not, _) => 3,
        ExprKind::IsNull { .. } | ExprKind::In { .. } | ExprKind::Between { .. } => 4,
        ExprKind::Unary(UnOp::Neg, _) => 7,
        _ => 8,
    }
}

pub fn binop_prec(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        _ if op.is_comparison() => 4,
        BinOp::Add | BinOp::Sub => 5,
        _ => 6,
    }
}

pub fn expr_to_string(e: &Expr) -> String {
    let mut s = String::new();
    write_expr(&mut s, e, 0);
    s
}

fn write_expr(out: &mut String, e: &Expr, min: u8) {
    let p = prec(e);
    if p < min {
        out.push('(');
    }
    match &e.kind {
        ExprKind::Lit(l) => write_literal(out, l),
        ExprKind::Name(n) => write_name(out, n),
        ExprKind::Lookup(t, f) => {
            write_name(out, t);
            out.push('.');
            write_name(out, f);
        }
        ExprKind::Unary(UnOp::Not, x) => {
            out.push_str("not ");
            write_expr(out, x, 3);
        }
        ExprKind::Unary(UnOp::Neg, x) => {
            out.push('-');
            // `--1` would read as one token in many languages: bracket a negated negation.
            let neg_child = matches!(x.kind, ExprKind::Unary(UnOp::Neg, _));
            write_expr(out, x, if neg_child { 9 } else { 7 });
        }
        ExprKind::Binary(op, a, b) => {
            let bp = binop_prec(*op);
            // Comparisons do not chain; `-` and `/` are not associative on the right.
            let (lmin, rmin) = if op.is_comparison() {
                (bp + 1, bp + 1)
            } else {
                (bp, bp + 1)
            };
            write_expr(out, a, lmin);
            let _ = write!(out, " {} ", op.symbol());
            write_expr(out, b, rmin);
        }
        ExprKind::IsNull { expr, negated } => {
            write_expr(out, expr, 5);
            out.push_str(if *negated { " is not null" } else { " is null" });
        }
        ExprKind::In {
            expr,
            list,
            negated,
        } => {
            write_expr(out, expr, 5);
            out.push_str(if *negated { " not in (" } else { " in (" });
            write_list(out, list);
            out.push(')');
        }
        ExprKind::Between { expr, low, high } => {
            write_expr(out, expr, 5);
            out.push_str(" between ");
            write_expr(out, low, 5);
            out.push_str(" and ");
            write_expr(out, high, 5);
        }
        ExprKind::Call(c) => write_call(out, c),
        ExprKind::Error => out.push_str("<error>"),
    }
    if p < min {
        out.push(')');
    }
}

fn write_list(out: &mut String, list: &[Expr]) {
    for (i, x) in list.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_expr(out, x, 0);
    }
}

fn write_call(out: &mut String, c: &Call) {
    if let Some(s) = &c.source {
        write_name(out, s);
        out.push('.');
    }
    // Function names ignore case; their canonical form is lower case.
    out.push_str(&c.func.text.to_lowercase());
    out.push('(');
    write_list(out, &c.args);
    if !c.per.is_empty() {
        out.push_str(if c.args.is_empty() { "per " } else { " per " });
        write_list(out, &c.per);
    }
    if let Some(f) = &c.filter {
        out.push_str(if c.args.is_empty() && c.per.is_empty() {
            "where "
        } else {
            " where "
        });
        write_expr(out, f, 0);
    }
    out.push(')');
}

pub fn write_name(out: &mut String, n: &Name) {
    if is_plain_name(&n.text) {
        out.push_str(&n.text);
    } else {
        let _ = write!(out, "`{}`", n.text);
    }
}

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "between", "is", "null", "true", "false", "per", "where",
];

/// Whether a name can be written without back-quotes: exactly when the grammar's
/// `plain_name` reads it back whole (`(XID_START | "_") XID_CONTINUE*`, not a keyword). The
/// character classes are pest's own tables, so the two cannot drift apart.
pub fn is_plain_name(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first == '_' || pest::unicode::XID_START(first))
        && chars.all(pest::unicode::XID_CONTINUE)
        && !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(s))
}

pub fn write_literal(out: &mut String, l: &Literal) {
    match l {
        Literal::Number(d) => out.push_str(&d.to_string()),
        Literal::String(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Literal::Null => out.push_str("null"),
        Literal::Duration(secs) => out.push_str(&duration_literal(*secs)),
        Literal::Date(d) => out.push_str(&time::format_date(*d)),
        Literal::DateTime(t) => out.push_str(&time::format_datetime(*t)),
    }
}

/// A duration in the largest unit that writes it exactly: `1h`, `5min`, `18s`, `250ms`.
fn duration_literal(secs: Decimal) -> String {
    for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("min", 60)] {
        let size = Decimal::from(size);
        if !secs.is_zero() && (secs % size).is_zero() {
            return format!("{}{unit}", (secs / size).normalize());
        }
    }
    if secs.fract().is_zero() || secs.is_zero() {
        return format!("{}s", secs.normalize());
    }
    if let Some(ms) = secs
        .checked_mul(Decimal::from(1000))
        .filter(|ms| ms.fract().is_zero())
    {
        return format!("{}ms", ms.normalize());
    }
    format!("{}s", secs.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;
    use crate::syntax::{parse_formula, Locator};

    /// The name a formula reads as, if it reads as exactly one name.
    fn read_name(text: &str) -> Option<String> {
        let mut diags = Vec::new();
        let e = parse_formula(text, &Locator::shifted(FileId(0), 0), &mut diags);
        match e.kind {
            ExprKind::Name(n) if diags.is_empty() => Some(n.text),
            _ => None,
        }
    }

    /// Issue 9 #5: every name the printer writes reads back as the same name, alone, as a
    /// call's source and inside an aggregate: back-quotes wherever the grammar needs them.
    #[test]
    fn every_printed_name_reads_back() {
        let pieces = [
            "a",
            "Z",
            "_",
            "é",
            "x",
            "1",
            "²",
            "½",
            "\u{301}",
            "\u{300}a",
            "ǅ",
            "ℕ",
            "Ⅻ",
            "٣",
            "字",
            "😀",
            "\u{200d}",
            "\u{200c}",
            "·",
            "-",
            ".",
            " ",
            "\t",
            "(",
            ")",
            "#",
            "\"",
            "'",
            "$",
            "%",
            "ª",
            "º",
            "µ",
            "ﬁ",
            "ß",
            "İ",
            "\u{feff}",
            "\u{a0}",
            "⁀",
            "‿",
            "e",
            "and",
            "OR",
            "Not",
            "in",
            "between",
            "is",
            "null",
            "TRUE",
            "false",
            "per",
            "where",
            "2025-01-01",
            "5min",
            "1e3",
            "1_000",
            "k",
            "ſ",
            "K",
        ];
        let mut names: Vec<String> = Vec::new();
        for a in pieces {
            names.push(a.to_string());
            for b in pieces {
                names.push(format!("{a}{b}"));
                for c in ["x", "²", "\u{301}", " ", "_"] {
                    names.push(format!("{a}{b}{c}"));
                }
            }
        }
        for name in &names {
            let mut printed = String::new();
            write_name(
                &mut printed,
                &Name {
                    text: name.clone(),
                    span: crate::span::Span::new(FileId(0), 0, 0),
                },
            );
            assert_eq!(
                read_name(&printed).as_deref(),
                Some(name.as_str()),
                "{name:?} printed as {printed}"
            );
            // In a call and as a source, the tree prints back the same.
            for text in [format!("sum({printed})"), format!("{printed}.count()")] {
                let mut diags = Vec::new();
                let e = parse_formula(&text, &Locator::shifted(FileId(0), 0), &mut diags);
                assert!(diags.is_empty(), "{name:?}: {text} does not parse");
                assert_eq!(expr_to_string(&e), text, "{name:?}");
            }
        }
        assert!(names.len() > 20_000, "{}", names.len());
    }
}
