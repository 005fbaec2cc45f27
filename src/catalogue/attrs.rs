//! KPI keys whose value is one piece of text, read the same way from YAML and `.kpi` files.

use super::model::{KpiDef, Target, TargetOp, Text, Unit};
use crate::diag::{Code, Diag};
use crate::span::Span;
use crate::syntax::Name;
use rust_decimal::Decimal;
use std::str::FromStr;

/// Every key a KPI may have, in both file forms.
pub const KPI_KEYS: &[&str] = &[
    "label",
    "description",
    "formula",
    "unit",
    "currency",
    "decimals",
    "target",
    "min_sample",
    "tests",
    "source",
];

/// Set a one-line KPI attribute. `key` may carry a language (`label.fr`).
pub fn set(kpi: &mut KpiDef, key: &str, value: &str, span: Span) -> Result<(), Diag> {
    let value = value.trim();
    let (base, lang) = match key.split_once('.') {
        Some((b, l)) => (b, Some(l)),
        None => (key, None),
    };
    if lang.is_some() && !matches!(base, "label" | "description") {
        return Err(Diag::error(
            Code::Catalogue,
            format!("`{key}`: only `label` and `description` take a language"),
        )
        .at(span));
    }
    match base {
        "label" => add_text(&mut kpi.label, lang, value),
        "description" => add_text(&mut kpi.description, lang, value),
        "unit" => {
            kpi.unit = Some(Unit::parse(value).ok_or_else(|| {
                Diag::error(Code::Catalogue, format!("unknown unit `{value}`"))
                    .at(span)
                    .suggest(
                        value,
                        Unit::NAMES,
                        Some(format!("units are {}", Unit::NAMES.join(", "))),
                    )
            })?)
        }
        "currency" => kpi.currency = Some(value.to_string()),
        "decimals" => {
            kpi.decimals = Some(parse_decimals(value).ok_or_else(|| {
                Diag::error(
                    Code::Catalogue,
                    format!("`decimals` is a whole number from 0 to 12, not `{value}`"),
                )
                .at(span)
            })?)
        }
        "min_sample" => {
            kpi.min_sample = Some(parse_min_sample(value).ok_or_else(|| {
                Diag::error(
                    Code::Catalogue,
                    format!("`min_sample` is a whole number of records, 1 or more, not `{value}`"),
                )
                .at(span)
                .help("e.g. `min_sample: 30`: results computed from fewer records are marked \"low sample\"")
            })?)
        }
        "target" => {
            let op = parse_target(value).map_err(|m| {
                let d = Diag::error(Code::Catalogue, m).at(span);
                if target_number(value).is_ok() {
                    d.help(format!("write `>= {value}` (at least), `<= {value}` (at most) or `== {value}`"))
                } else {
                    d.help("write `>= 30`, `<= 5`, `> 0`, `< 10`, `== 100`, `between 80 and 90`, or durations: `<= 4h`")
                }
            })?;
            kpi.target = Some(Target {
                op,
                text: value.to_string(),
                span,
            })
        }
        "source" => {
            kpi.source = Some(Name {
                text: value.to_string(),
                span,
            })
        }
        _ => return Err(unknown_key(key, KPI_KEYS, "a KPI", span)),
    }
    Ok(())
}

fn add_text(slot: &mut Option<Text>, lang: Option<&str>, value: &str) {
    match (lang, slot.as_mut()) {
        (None, _) => *slot = Some(Text::Plain(value.to_string())),
        (Some(l), Some(Text::Langs(v))) => {
            v.retain(|(k, _)| k != l);
            v.push((l.to_string(), value.to_string()));
        }
        (Some(l), Some(Text::Plain(p))) => {
            *slot = Some(Text::Langs(vec![
                ("en".into(), p.clone()),
                (l.to_string(), value.to_string()),
            ]));
        }
        (Some(l), None) => *slot = Some(Text::Langs(vec![(l.to_string(), value.to_string())])),
    }
}

/// The units a target's number may carry, in seconds.
const TARGET_UNITS: [(&str, i64, u32); 6] = [
    ("ms", 1, 3),
    ("min", 60, 0),
    ("s", 1, 0),
    ("h", 3_600, 0),
    ("d", 86_400, 0),
    ("w", 604_800, 0),
];

/// The JSON Schema `pattern` of a target: exactly what `parse_target` reads (up to the
/// order of `between`'s bounds). `schema::tests` checks the two agree.
pub const TARGET_PATTERN: &str = r"^\s*((>=|<=|==|>|<)\s*[+-]?[0-9](_?[0-9])*(\.[0-9]+)?(ms|min|s|h|d|w|\s*%)?|between\s+[+-]?[0-9](_?[0-9])*(\.[0-9]+)?(ms|min|s|h|d|w|\s*%)?\s+and\s+[+-]?[0-9](_?[0-9])*(\.[0-9]+)?(ms|min|s|h|d|w|\s*%)?)\s*$";

/// A target: `OP NUMBER` or `between NUMBER and NUMBER`, where a number is written as in
/// formulas (`30`, `0.5`, `1_000`, `-2`), with a duration unit (`4h`, `90s`, in seconds)
/// or a `%`. A bare number is refused: it does not say which side is good.
pub fn parse_target(s: &str) -> Result<TargetOp, String> {
    let s = s.trim();
    if let Some(rest) = s
        .strip_prefix("between")
        .filter(|r| r.starts_with(char::is_whitespace))
    {
        // The word `and`, blanks on both sides.
        let and = rest.match_indices("and").find(|(i, _)| {
            rest[..*i].ends_with(char::is_whitespace)
                && rest[i + 3..].starts_with(char::is_whitespace)
        });
        let (a, b) = and
            .map(|(i, _)| (&rest[..i], &rest[i + 3..]))
            .ok_or_else(|| format!("`{s}`: write `between LOW and HIGH`"))?;
        let (a, b) = (target_number(a)?, target_number(b)?);
        if a > b {
            return Err(format!("`{s}`: the low bound is above the high bound"));
        }
        return Ok(TargetOp::Between(a, b));
    }
    for (p, f) in [
        (">=", TargetOp::Ge as fn(Decimal) -> TargetOp),
        ("<=", TargetOp::Le),
        ("==", TargetOp::Eq),
        (">", TargetOp::Gt),
        ("<", TargetOp::Lt),
    ] {
        if let Some(rest) = s.strip_prefix(p) {
            return Ok(f(target_number(rest)?));
        }
    }
    if target_number(s).is_ok() {
        return Err(format!(
            "`{s}` is not a target: a target says which side of the number is good"
        ));
    }
    Err(format!("`{s}` is not a target"))
}

/// A target's number: `[+-]? D(_?D)* (.D+)? (unit | %)?`, durations in seconds.
fn target_number(t: &str) -> Result<Decimal, String> {
    let t = t.trim();
    let bad = || format!("`{t}` in the target is not a number or a duration");
    let (body, percent) = match t.strip_suffix('%') {
        Some(b) => (b.trim_end(), true),
        None => (t, false),
    };
    let digits_end = body
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit() || c == '_' || c == '.' || (i == 0 && "+-".contains(c)))
        })
        .map_or(body.len(), |(i, _)| i);
    let (number, unit) = body.split_at(digits_end);
    let unsigned = number.strip_prefix(['+', '-']).unwrap_or(number);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let whole_ok = whole.starts_with(|c: char| c.is_ascii_digit())
        && !whole.ends_with('_')
        && !whole.contains("__");
    let fraction_ok =
        fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    if !whole_ok || !fraction_ok {
        return Err(bad());
    }
    let value = Decimal::from_str(&number.replace('_', "")).map_err(|_| bad())?;
    if unit.is_empty() {
        return Ok(value);
    }
    let (_, size, scale) = TARGET_UNITS
        .iter()
        .find(|(u, ..)| *u == unit)
        .filter(|_| !percent)
        .ok_or_else(bad)?;
    value
        .checked_mul(Decimal::new(*size, *scale))
        .ok_or_else(bad)
}

/// `decimals`: a whole number from 0 to 12 (`+` and leading zeros allowed, as YAML reads
/// numbers). `kpi schema` says the same.
fn parse_decimals(value: &str) -> Option<u32> {
    let digits = value
        .strip_prefix('+')
        .unwrap_or(value)
        .trim_start_matches('0');
    if !value
        .strip_prefix('+')
        .unwrap_or(value)
        .bytes()
        .all(|b| b.is_ascii_digit())
        || value.strip_prefix('+').unwrap_or(value).is_empty()
    {
        return None;
    }
    if digits.is_empty() {
        return Some(0);
    }
    digits.parse::<u32>().ok().filter(|d| *d <= 12)
}

/// `min_sample`: a whole number from 1 (`+` and leading zeros allowed, as YAML reads
/// numbers); one too large for 64 bits means "always low". `kpi schema` says the same.
fn parse_min_sample(value: &str) -> Option<u64> {
    let digits = value.strip_prefix('+').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return None;
    }
    Some(digits.parse::<u64>().unwrap_or(u64::MAX))
}

/// "unknown key" with a suggestion among the allowed ones.
pub fn unknown_key(key: &str, allowed: &[&str], owner: &str, span: Span) -> Diag {
    Diag::error(Code::Catalogue, format!("unknown key `{key}` in {owner}"))
        .at(span)
        .suggest(
            key,
            allowed.iter().copied(),
            Some(format!("the keys of {owner} are: {}", allowed.join(", "))),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(parse_target(">= 30"), Ok(TargetOp::Ge(Decimal::from(30))));
        assert_eq!(parse_target("<=5"), Ok(TargetOp::Le(Decimal::from(5))));
        assert_eq!(
            parse_target("between 80 and 90"),
            Ok(TargetOp::Between(80.into(), 90.into()))
        );
        assert!(parse_target("between 90 and 80").is_err());
        assert!(parse_target("about 30").is_err());
        assert_eq!(
            parse_target("<= 4h"),
            Ok(TargetOp::Le(Decimal::from(14_400)))
        );
        assert_eq!(parse_target("< 90s"), Ok(TargetOp::Lt(Decimal::from(90))));
        assert_eq!(
            parse_target("between 1min and 5min"),
            Ok(TargetOp::Between(60.into(), 300.into()))
        );
        // Issue 9: a bare number says no side; malformed numbers are not read.
        for bad in [
            "90",
            "-5",
            "4h",
            ">= 1e3",
            ">= 1__0",
            ">= _1",
            ">= 1_",
            ">= 5.",
            ">= .5",
            ">= +-5",
            ">= 5min%",
            ">= 5 min",
            "between80 and 90",
            "between 1 and",
            ">=",
        ] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
        for good in [
            "between\t1\tand\t2",
            "between 1 and 2",
            "between 80 % and 90 %",
        ] {
            assert!(parse_target(good).is_ok(), "{good}");
        }
        for (good, want) in [
            (">= 80%", TargetOp::Ge(80.into())),
            (">= 80 %", TargetOp::Ge(80.into())),
            ("<= 1_000", TargetOp::Le(1000.into())),
            ("> -2.5", TargetOp::Gt(Decimal::new(-25, 1))),
            ("<= 250ms", TargetOp::Le(Decimal::new(25, 2))),
            ("== +3", TargetOp::Eq(3.into())),
        ] {
            assert_eq!(parse_target(good), Ok(want), "{good}");
        }
    }

    #[test]
    fn min_sample() {
        for (v, want) in [
            ("30", Some(30)),
            ("1", Some(1)),
            ("+7", Some(7)),
            ("007", Some(7)),
            ("99999999999999999999999", Some(u64::MAX)),
            ("0", None),
            ("000", None),
            ("-1", None),
            ("1.5", None),
            ("", None),
            ("+", None),
            ("x", None),
        ] {
            assert_eq!(parse_min_sample(v), want, "{v}");
        }
    }

    #[test]
    fn decimals() {
        for (v, want) in [
            ("2", Some(2)),
            ("0", Some(0)),
            ("12", Some(12)),
            ("+3", Some(3)),
            ("007", Some(7)),
            ("13", None),
            ("-1", None),
            ("1.5", None),
            ("", None),
            ("+", None),
            ("x", None),
            ("00000000000000000000012", Some(12)),
        ] {
            assert_eq!(parse_decimals(v), want, "{v}");
        }
    }
}
