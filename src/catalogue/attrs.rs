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
            kpi.decimals = Some(value.parse::<u32>().ok().filter(|d| *d <= 12).ok_or_else(
                || {
                    Diag::error(
                        Code::Catalogue,
                        format!("`decimals` is a whole number from 0 to 12, not `{value}`"),
                    )
                    .at(span)
                },
            )?)
        }
        "target" => {
            let op = parse_target(value).map_err(|m| {
                Diag::error(Code::Catalogue, m)
                    .at(span)
                    .help("write `>= 30`, `<= 5`, `> 0`, `< 10`, `== 100`, `between 80 and 90`, or durations: `<= 4h`")
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

pub fn parse_target(s: &str) -> Result<TargetOp, String> {
    // A number, or a duration such as `4h` or `90s` (compared in seconds).
    let num = |t: &str| {
        let t = t.trim().trim_end_matches('%').trim().replace('_', "");
        if let Ok(d) = Decimal::from_str(&t) {
            return Ok(d);
        }
        let units = [
            ("ms", Decimal::new(1, 3)),
            ("min", 60.into()),
            ("s", 1.into()),
            ("h", 3_600.into()),
            ("d", 86_400.into()),
            ("w", 604_800.into()),
        ];
        units
            .iter()
            .find_map(|(u, size)| {
                Decimal::from_str(t.strip_suffix(u)?)
                    .ok()?
                    .checked_mul(*size)
            })
            .ok_or_else(|| format!("`{}` in the target is not a number or a duration", t.trim()))
    };
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("between") {
        let (a, b) = rest
            .split_once(" and ")
            .ok_or_else(|| format!("`{s}`: write `between LOW and HIGH`"))?;
        let (a, b) = (num(a)?, num(b)?);
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
            return Ok(f(num(rest)?));
        }
    }
    Err(format!("`{s}` is not a target"))
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
    }
}
