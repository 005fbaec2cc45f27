//! Help that names the fix: when a cell that failed to read looks like a known convention (a
//! French date, `Oui`, `1 234,50`, `N/A`), the option line that reads it, checked to read it
//! before it is proposed. Also the line to add for other files that need an option.

use super::cell::{to_slot, Marks, Notation};
use super::options::Origin;
use super::pattern::Pattern;
use super::Input;
use crate::analysis::Ty;
use crate::diag::Diag;

/// `add `key: value` to source `calls``, or the `--read` flag in a run without catalogue.
pub fn option_line(input: &Input, key: &str, value: &str) -> String {
    lines(input, &[(key, Value::One(value))])
}

enum Value<'a> {
    One(&'a str),
    Words(&'a str),
}

fn lines(input: &Input, settings: &[(&str, Value)]) -> String {
    match input.options.origin {
        Origin::Catalogue => {
            let shown: Vec<String> = settings
                .iter()
                .map(|(k, v)| match v {
                    Value::One(v) => format!("`{k}: {}`", yaml_scalar(v)),
                    Value::Words(w) => format!("`{k}: [{}]`", yaml_scalar(w)),
                })
                .collect();
            format!("add {} to source `{}`", shown.join(" and "), input.source)
        }
        Origin::CommandLine => {
            let shown: Vec<String> = settings
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::One(v) | Value::Words(v) => v,
                    };
                    let flag = format!("{k}={v}");
                    if flag
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"=_-./,".contains(&b))
                    {
                        format!("--read {flag}")
                    } else {
                        format!("--read '{}'", flag.replace('\'', "'\\''"))
                    }
                })
                .collect();
            format!("add {}", shown.join(" "))
        }
    }
}

/// A YAML scalar as the catalogue writes it: plain when that reads back as the same text
/// (digits stay plain: `header_row: 3`).
fn yaml_scalar(v: &str) -> String {
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.to_string();
    }
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        && !matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
        )
        && !v.starts_with(|c: char| c.is_ascii_digit() || c == '-');
    if plain {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Texts spreadsheets and exports write for "no value".
const NULL_LOOKING: [&str; 16] = [
    "n/a", "na", "#n/a", "-", "--", "nc", "n.c.", "null", "none", "?", "néant", "#div/0!",
    "#value!", "#ref!", "#num!", "(vide)",
];

/// Words for true and false, each with its usual partner.
const BOOL_PAIRS: [(&str, &str); 10] = [
    ("oui", "non"),
    ("o", "n"),
    ("vrai", "faux"),
    ("v", "f"),
    ("y", "n"),
    ("ja", "nein"),
    ("sí", "no"),
    ("si", "no"),
    ("x", ""),
    ("on", "off"),
];

/// The option line that would read `cell` as `ty`, if it looks like a known convention.
pub fn for_cell(input: &Input, n: &Notation, cell: &str, ty: Ty) -> Option<String> {
    let trimmed = cell.trim();
    if NULL_LOOKING.contains(&trimmed.to_lowercase().as_str()) {
        return Some(lines(input, &[("null", Value::Words(trimmed))]));
    }
    match ty {
        Ty::Bool => bool_words(input, trimmed),
        Ty::Date | Ty::DateTime => date_pattern(input, n, cell, ty),
        Ty::Num | Ty::Dur => number_marks(input, n, cell, ty),
        _ => None,
    }
}

fn bool_words(input: &Input, cell: &str) -> Option<String> {
    let lower = cell.to_lowercase();
    let (t, f) = if let Some((_, f)) = BOOL_PAIRS.iter().find(|(t, _)| *t == lower) {
        (cell.to_string(), capitalised_like(f, cell))
    } else {
        let (t, _) = BOOL_PAIRS
            .iter()
            .find(|(_, f)| !f.is_empty() && *f == lower)?;
        (capitalised_like(t, cell), cell.to_string())
    };
    if f.is_empty() {
        return Some(lines(input, &[("true", Value::Words(&t))]));
    }
    Some(lines(
        input,
        &[("true", Value::Words(&t)), ("false", Value::Words(&f))],
    ))
}

/// `word` written in the case of `like` (`Non` for `Oui`, `N` for `O`).
fn capitalised_like(word: &str, like: &str) -> String {
    if like.chars().all(|c| !c.is_lowercase()) {
        word.to_uppercase()
    } else if like.chars().next().is_some_and(char::is_uppercase) {
        let mut c = word.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    } else {
        word.to_string()
    }
}

/// A date written with numbers: day first unless it cannot be (`03/31/2025`), or year first.
fn date_pattern(input: &Input, n: &Notation, cell: &str, ty: Ty) -> Option<String> {
    let cell = cell.trim();
    let (date, time) = match cell.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (cell, None),
    };
    let sep = date.chars().find(|c| !c.is_ascii_digit())?;
    let parts: Vec<&str> = date.split(sep).collect();
    if parts.len() != 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let year = |p: &str| if p.len() == 4 { "%Y" } else { "%y" };
    let date_part = if parts[0].len() == 4 {
        format!("%Y{sep}%m{sep}%d")
    } else {
        let first: u32 = parts[0].parse().ok()?;
        let second: u32 = parts[1].parse().ok()?;
        if first > 12 || second <= 12 {
            format!("%d{sep}%m{sep}{}", year(parts[2]))
        } else {
            format!("%m{sep}%d{sep}{}", year(parts[2]))
        }
    };
    let time_part = match time.map(|t| t.split(':').count()) {
        None => None,
        Some(2) => Some("%H:%M"),
        Some(3) if time.is_some_and(|t| t.contains('.')) => Some("%H:%M:%S.%f"),
        Some(3) => Some("%H:%M:%S"),
        Some(_) => return None,
    };
    let with_time = time_part.is_some();
    let pattern = match time_part {
        Some(t) => format!("{date_part} {t}"),
        None => date_part,
    };
    let compiled = Pattern::compile(&pattern, with_time).ok()?;
    let key = if with_time && ty == Ty::DateTime {
        "datetime_format"
    } else {
        "date_format"
    };
    let mut tried = n.clone();
    if key == "datetime_format" {
        tried.datetime = Some(compiled);
    } else {
        tried.date = Some(compiled);
    }
    works(cell, ty, &tried).then(|| lines(input, &[(key, Value::One(&pattern))]))
}

/// Thousands separators and decimal marks: the ones the cell seems written with.
fn number_marks(input: &Input, n: &Notation, cell: &str, ty: Ty) -> Option<String> {
    let body = cell.trim().trim_end_matches('%').trim_end();
    let has = |c: char| body.contains(c);
    let spaced = body.contains([' ', '\u{a0}', '\u{202f}']);
    let current_decimal = n
        .marks
        .map_or(if n.decimal_comma { b',' } else { b'.' }, |m| m.decimal);
    let mut candidates: Vec<(Option<u8>, u8)> = Vec::new(); // (thousands, decimal)
    match (has('.'), has(','), spaced) {
        (_, true, true) => candidates.push((Some(b' '), b',')),
        (false, false, true) => candidates.push((Some(b' '), current_decimal)),
        (true, true, false) if body.rfind(',') > body.rfind('.') => {
            candidates.push((Some(b'.'), b','))
        }
        (true, true, false) => candidates.push((Some(b','), b'.')),
        (false, true, false) => {
            let after = body.rsplit(',').next().map_or(0, str::len);
            if after == 3 {
                candidates.extend([(Some(b','), b'.'), (None, b',')]);
            } else {
                candidates.extend([(None, b','), (Some(b','), b'.')]);
            }
        }
        (true, false, false) => candidates.extend([(Some(b'.'), b','), (Some(b'\''), b'.')]),
        _ => candidates.push((Some(b'\''), b'.')),
    }
    for (thousands, decimal) in candidates {
        let tried = Notation {
            marks: Some(Marks { decimal, thousands }),
            ..n.clone()
        };
        if !works(cell, ty, &tried) {
            continue;
        }
        let mut settings: Vec<(&str, Value)> = Vec::new();
        let d = (decimal as char).to_string();
        let t = thousands.map(|t| (t as char).to_string());
        // A separator the source already declares is not asked for again.
        if let Some(t) = t.as_ref().filter(|_| input.options.thousands != thousands) {
            settings.push(("thousands", Value::One(t)));
        }
        if decimal != current_decimal || input.options.decimal.is_some_and(|d| d != decimal) {
            settings.push(("decimal", Value::One(&d)));
        }
        if settings.is_empty() {
            return None;
        }
        return Some(lines(input, &settings));
    }
    None
}

fn works(cell: &str, ty: Ty, n: &Notation) -> bool {
    to_slot(super::Cell::Text(cell, 0), ty, n, &mut String::new()).is_ok()
}

/// A header not found where `header_row` says: when a later row (`rows`: row number and
/// text) names every needed column, the help gives the `header_row` to declare.
pub fn header_below(d: Diag, input: &Input, rows: &[(u32, String)]) -> Diag {
    if !d.message.contains("has no column") {
        return d;
    }
    let needed: Vec<&str> = input
        .columns
        .iter()
        .zip(input.needed)
        .filter(|(_, n)| **n)
        .map(|((c, _), _)| c.as_str())
        .collect();
    let found = rows
        .iter()
        .find(|(_, text)| needed.iter().all(|c| text.contains(c)));
    match found {
        Some((row, _)) => {
            let line = option_line(input, "header_row", &row.to_string());
            d.help(format!("the header is on row {row}: {line}"))
        }
        None => d,
    }
}

/// The help for a workbook given to a text reader.
pub fn workbook_as_text(input: &Input, kind: &str) -> String {
    option_line(input, "format", kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Data, Input, ReadOptions};

    fn advice(cell: &str, ty: Ty, origin: Origin) -> Option<String> {
        let options = ReadOptions {
            origin,
            ..ReadOptions::default()
        };
        let input = Input {
            source: "calls",
            data: Data::File("calls.csv"),
            columns: &[],
            needed: &[],
            declared: None,
            options: &options,
        };
        for_cell(&input, &Notation::of(&options, true), cell, ty)
    }

    #[test]
    fn advice_names_the_line_to_add() {
        let cat = Origin::Catalogue;
        let cases = [
            (
                "Oui",
                Ty::Bool,
                "add `true: [Oui]` and `false: [Non]` to source `calls`",
            ),
            (
                "NON",
                Ty::Bool,
                "add `true: [OUI]` and `false: [NON]` to source `calls`",
            ),
            (
                "02/03/2025 10:50",
                Ty::DateTime,
                "add `datetime_format: \"%d/%m/%Y %H:%M\"` to source `calls`",
            ),
            (
                "02/03/2025",
                Ty::DateTime,
                "add `date_format: \"%d/%m/%Y\"` to source `calls`",
            ),
            (
                "03/31/2025",
                Ty::Date,
                "add `date_format: \"%m/%d/%Y\"` to source `calls`",
            ),
            (
                "31.03.25",
                Ty::Date,
                "add `date_format: \"%d.%m.%y\"` to source `calls`",
            ),
            (
                "1 234,50",
                Ty::Num,
                "add `thousands: \" \"` to source `calls`",
            ),
            (
                "1\u{a0}234,50 %",
                Ty::Num,
                "add `thousands: \" \"` to source `calls`",
            ),
            (
                "1.234,50",
                Ty::Num,
                "add `thousands: \".\"` to source `calls`",
            ),
            (
                "1,234.50",
                Ty::Num,
                "add `thousands: \",\"` and `decimal: \".\"` to source `calls`",
            ),
            ("N/A", Ty::Num, "add `null: [\"N/A\"]` to source `calls`"),
            ("#N/A", Ty::Date, "add `null: [\"#N/A\"]` to source `calls`"),
        ];
        for (cell, ty, want) in cases {
            assert_eq!(advice(cell, ty, cat).as_deref(), Some(want), "{cell}");
        }
        assert_eq!(advice("abc", Ty::Num, cat), None);
        assert_eq!(advice("Peut-être", Ty::Bool, cat), None);
        assert_eq!(
            advice("02/03/2025 10:50", Ty::DateTime, Origin::CommandLine).as_deref(),
            Some("add --read 'datetime_format=%d/%m/%Y %H:%M'")
        );
        assert_eq!(
            advice("Oui", Ty::Bool, Origin::CommandLine).as_deref(),
            Some("add --read true=Oui --read false=Non")
        );
    }
}
