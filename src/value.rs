//! Values and the operations of the language on them (§3–§5): exact decimals, Kleene logic,
//! null propagation, durations and dates. No binary floating point anywhere.

use crate::op::BinOp;
use crate::time;
use rust_decimal::prelude::*;
use std::borrow::Cow;
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Num(Decimal),
    Str(Cow<'a, str>),
    /// Days since 1970-01-01.
    Date(i64),
    /// Microseconds since 1970-01-01T00:00:00.
    DateTime(i64),
    /// Seconds.
    Dur(Decimal),
}

/// Why an operation has no value.
#[derive(Clone, Debug, PartialEq)]
pub enum OpError {
    DivByZero,
    Overflow,
    /// State that must keep values (a median's) could not grow: memory ran out.
    OutOfMemory {
        kept: u64,
    },
    /// Operand types the operation does not take (a data-dependent case analysis could not rule out).
    Type(String),
}

pub type OpResult<'a> = Result<Value<'a>, OpError>;

impl<'a> Value<'a> {
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Num(n) => Value::Num(n),
            Value::Date(d) => Value::Date(d),
            Value::DateTime(t) => Value::DateTime(t),
            Value::Dur(d) => Value::Dur(d),
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Num(_) => "number",
            Value::Str(_) => "string",
            Value::Date(_) => "date",
            Value::DateTime(_) => "datetime",
            Value::Dur(_) => "duration",
        }
    }
    /// `Some(b)` for a boolean, `None` for null or anything else.
    pub fn truth(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The number behind a number or a duration (seconds).
    pub fn decimal(&self) -> Option<Decimal> {
        match self {
            Value::Num(d) | Value::Dur(d) => Some(*d),
            _ => None,
        }
    }
}

fn micros_to_secs(m: i64) -> Decimal {
    Decimal::new(m, 6).normalize()
}

fn secs_to_micros(d: Decimal) -> Result<i64, OpError> {
    d.checked_mul(Decimal::from(1_000_000))
        .and_then(|m| m.round().to_i64())
        .ok_or(OpError::Overflow)
}

/// Dates stay within ±100 million days of 1970 (±270,000 years): beyond is an overflow.
const DAY_LIMIT: i64 = 100_000_000;

fn date(days: Option<i64>) -> Result<i64, OpError> {
    days.filter(|d| d.abs() <= DAY_LIMIT)
        .ok_or(OpError::Overflow)
}

/// A date as microseconds (its midnight).
fn day_micros(days: i64) -> Result<i64, OpError> {
    days.checked_mul(time::MICROS_PER_DAY)
        .ok_or(OpError::Overflow)
}

fn checked(r: Option<Decimal>) -> Result<Decimal, OpError> {
    r.ok_or(OpError::Overflow)
}

/// Arithmetic and comparison; `and`/`or` are handled by the callers (they short-circuit).
pub fn binary<'a>(op: BinOp, a: Value<'a>, b: Value<'a>) -> OpResult<'a> {
    use Value::*;
    if op.is_comparison() {
        return Ok(match compare(&a, &b)? {
            None => Null,
            Some(o) => Bool(match op {
                BinOp::Eq => o == Ordering::Equal,
                BinOp::Ne => o != Ordering::Equal,
                BinOp::Lt => o == Ordering::Less,
                BinOp::Le => o != Ordering::Greater,
                BinOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }),
        });
    }
    if a.is_null() || b.is_null() {
        return Ok(Null);
    }
    Ok(match (op, a, b) {
        (BinOp::Add, Num(x), Num(y)) => Num(checked(x.checked_add(y))?),
        (BinOp::Sub, Num(x), Num(y)) => Num(checked(x.checked_sub(y))?),
        (BinOp::Mul, Num(x), Num(y)) => Num(checked(x.checked_mul(y))?),
        (BinOp::Div, Num(x), Num(y)) => Num(divide(x, y)?),
        (BinOp::Add, Dur(x), Dur(y)) => Dur(checked(x.checked_add(y))?),
        (BinOp::Sub, Dur(x), Dur(y)) => Dur(checked(x.checked_sub(y))?),
        (BinOp::Mul, Dur(x), Num(y)) | (BinOp::Mul, Num(y), Dur(x)) => {
            Dur(checked(x.checked_mul(y))?)
        }
        (BinOp::Div, Dur(x), Num(y)) => Dur(divide(x, y)?),
        (BinOp::Div, Dur(x), Dur(y)) => Num(divide(x, y)?),
        (BinOp::Sub, DateTime(x), DateTime(y)) => {
            Dur(micros_to_secs(x.checked_sub(y).ok_or(OpError::Overflow)?))
        }
        (BinOp::Sub, Date(x), Date(y)) => Dur(Decimal::from(x - y) * Decimal::from(86_400)),
        (BinOp::Sub, DateTime(x), Date(y)) => Dur(micros_to_secs(
            x.checked_sub(day_micros(y)?).ok_or(OpError::Overflow)?,
        )),
        (BinOp::Sub, Date(x), DateTime(y)) => Dur(micros_to_secs(
            day_micros(x)?.checked_sub(y).ok_or(OpError::Overflow)?,
        )),
        (BinOp::Add, DateTime(x), Dur(d)) | (BinOp::Add, Dur(d), DateTime(x)) => {
            DateTime(x.checked_add(secs_to_micros(d)?).ok_or(OpError::Overflow)?)
        }
        (BinOp::Sub, DateTime(x), Dur(d)) => {
            DateTime(x.checked_sub(secs_to_micros(d)?).ok_or(OpError::Overflow)?)
        }
        (BinOp::Add, Date(x), Dur(d)) | (BinOp::Add, Dur(d), Date(x)) => date_plus(x, d)?,
        (BinOp::Sub, Date(x), Dur(d)) => date_plus(x, -d)?,
        (op, a, b) => {
            return Err(OpError::Type(format!(
                "cannot apply `{}` to {} and {}",
                op.symbol(),
                a.type_name(),
                b.type_name()
            )))
        }
    })
}

/// A date moved by whole days stays a date; otherwise it becomes a datetime.
fn date_plus(days: i64, d: Decimal) -> OpResult<'static> {
    let day = Decimal::from(86_400);
    if (d % day).is_zero() {
        let n = (d / day).to_i64().ok_or(OpError::Overflow)?;
        return Ok(Value::Date(date(days.checked_add(n))?));
    }
    Ok(Value::DateTime(
        day_micros(days)?
            .checked_add(secs_to_micros(d)?)
            .ok_or(OpError::Overflow)?,
    ))
}

pub fn divide(x: Decimal, y: Decimal) -> Result<Decimal, OpError> {
    if y.is_zero() {
        return Err(OpError::DivByZero);
    }
    x.checked_div(y).ok_or(OpError::Overflow)
}

/// Order of two values; `None` when either is null.
pub fn compare(a: &Value, b: &Value) -> Result<Option<Ordering>, OpError> {
    use Value::*;
    Ok(Some(match (a, b) {
        (Null, _) | (_, Null) => return Ok(None),
        (Num(x), Num(y)) | (Dur(x), Dur(y)) => x.cmp(y),
        (Str(x), Str(y)) => x.cmp(y),
        (Bool(x), Bool(y)) => x.cmp(y),
        (Date(x), Date(y)) | (DateTime(x), DateTime(y)) => x.cmp(y),
        (Date(x), DateTime(y)) => day_micros(*x)?.cmp(y),
        (DateTime(x), Date(y)) => x.cmp(&day_micros(*y)?),
        _ => {
            return Err(OpError::Type(format!(
                "cannot compare {} with {}",
                a.type_name(),
                b.type_name()
            )))
        }
    }))
}

/// Kleene `and`, `or`, `not`.
pub fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

pub fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

pub fn from_truth(t: Option<bool>) -> Value<'static> {
    t.map_or(Value::Null, Value::Bool)
}

/// A data cell → a number: an integer fast path, then exact decimal text. With
/// `decimal_comma`, `12,5` reads as 12.5 (what French spreadsheets write).
#[inline]
pub fn parse_number(s: &str, decimal_comma: bool) -> Option<Decimal> {
    match parse_integer(s.as_bytes()) {
        Some(n) => Some(Decimal::from(n)),
        None => parse_notation(s, decimal_comma),
    }
}

/// `[+-]?` and 1 to 17 digits (18 bytes at most): the integer, which an `i64` holds.
#[inline]
fn parse_integer(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    let (neg, digits) = match b[0] {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let n = digits_to_i64(digits)?;
    Some(if neg { -n } else { n })
}

/// 1 to 18 ASCII digits and nothing else → their integer (which an `i64` holds).
#[inline(always)]
pub fn digits_to_i64(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    let mut n = 0i64;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + i64::from(d);
    }
    Some(n)
}

/// A number cell that is not a plain integer: decimals, exponents, a decimal comma.
#[inline(never)]
fn parse_notation(s: &str, decimal_comma: bool) -> Option<Decimal> {
    if decimal_comma && s.contains(',') && !s.contains('.') {
        let s = s.replacen(',', ".", 1);
        if !well_formed_number(&s) {
            return None;
        }
        return exact_number(s.strip_prefix('+').unwrap_or(&s));
    }
    if !well_formed_number(s) {
        return None;
    }
    exact_number(s.strip_prefix('+').unwrap_or(s))
}

/// A well-formed number text → its exact decimal. Zeros that end a fraction do not count
/// against a decimal's 28 digits: `1.0000000000000000000000000000000` is 1.
fn exact_number(s: &str) -> Option<Decimal> {
    Decimal::from_str_exact(s)
        .or_else(|_| Decimal::from_scientific(s))
        .ok()
        .or_else(|| {
            if !s.contains('.') || s.contains(['e', 'E']) || !s.ends_with('0') {
                return None;
            }
            let short = s.trim_end_matches('0').trim_end_matches('.');
            Decimal::from_str_exact(short).ok()
        })
}

/// Whether a cell is written as a number: `[+-]? (D+ (. D*)? | . D+) ([eE] [+-]? D+)?`.
/// The decimal parser alone is laxer: it takes `+-5` as −5 and `1_000` as 1000.
fn well_formed_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let whole = skip_digits(b, &mut i);
    let fraction = if b.get(i) == Some(&b'.') {
        i += 1;
        skip_digits(b, &mut i)
    } else {
        0
    };
    (whole > 0 || fraction > 0) && skip_exponent(b, &mut i) && i == b.len()
}

/// Move `i` past the ASCII digits at `b[i..]`; how many there were.
#[inline]
pub fn skip_digits(b: &[u8], i: &mut usize) -> usize {
    let from = *i;
    while b.get(*i).is_some_and(u8::is_ascii_digit) {
        *i += 1;
    }
    *i - from
}

/// Move `i` past an exponent (`[eE] [+-]? [0-9]+`) at `b[i..]`, if one starts there;
/// `false` when one starts and has no digits.
#[inline]
pub fn skip_exponent(b: &[u8], i: &mut usize) -> bool {
    if !matches!(b.get(*i), Some(b'e' | b'E')) {
        return true;
    }
    *i += 1;
    if matches!(b.get(*i), Some(b'+' | b'-')) {
        *i += 1;
    }
    skip_digits(b, i) > 0
}

pub fn parse_bool(s: &str) -> Option<bool> {
    // The usual spellings first: a word compare, before the case-insensitive ones.
    match s.as_bytes() {
        b"true" => return Some(true),
        b"false" => return Some(false),
        _ => {}
    }
    match s.len() {
        1 => match s.as_bytes()[0] {
            b'1' => Some(true),
            b'0' => Some(false),
            _ => None,
        },
        2..=5 => {
            if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("yes") {
                Some(true)
            } else if s.eq_ignore_ascii_case("false") || s.eq_ignore_ascii_case("no") {
                Some(false)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A duration cell: a number of seconds, `HH:MM:SS` or `MM:SS`.
pub fn parse_duration(s: &str) -> Option<Decimal> {
    parse_number(s, false).or_else(|| parse_clock(s))
}

/// A duration written as a clock: `HH:MM:SS` or `MM:SS` (seconds may have a fraction;
/// hours and, in `MM:SS`, minutes may pass 24 and 60), as a number of seconds.
pub fn parse_clock(s: &str) -> Option<Decimal> {
    let parts: Vec<&str> = s.split(':').collect();
    let whole = |p: &str| !p.is_empty() && p.len() <= 12 && p.bytes().all(|b| b.is_ascii_digit());
    let sec_ok = |p: &str| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && p.as_bytes()[0] != b'.'
    };
    let (h, m, sec) = match parts.as_slice() {
        [h, m, sec] if whole(h) && whole(m) && m.len() <= 2 && sec_ok(sec) => {
            let m = m.parse::<u32>().ok().filter(|m| *m < 60)?;
            (Decimal::from_str_exact(h).ok()?, m, *sec)
        }
        [m, sec] if whole(m) && sec_ok(sec) => (Decimal::ZERO, m.parse::<u32>().ok()?, *sec),
        _ => return None,
    };
    if !(1..=2).contains(&sec.split('.').next().map_or(0, str::len)) {
        return None;
    }
    let sec = Decimal::from_str_exact(sec)
        .ok()
        .filter(|s| *s < Decimal::from(60))?;
    h.checked_mul(Decimal::from(3600))?
        .checked_add(Decimal::from(m).checked_mul(Decimal::from(60))?)?
        .checked_add(sec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        macro_rules! dec {
            ($s:expr) => {
                rust_decimal::Decimal::from_str_exact(stringify!($s)).unwrap()
            };
        }
        pub(crate) use dec;
    }

    #[test]
    fn numbers_parse_exactly() {
        assert_eq!(parse_number("42", false), Some(dec!(42)));
        assert_eq!(parse_number("-7", false), Some(dec!(-7)));
        assert_eq!(parse_number("1234.50", false), Some(dec!(1234.50)));
        assert_eq!(parse_number("12,5", true), Some(dec!(12.5)));
        assert_eq!(parse_number("12,5", false), None);
        assert_eq!(parse_number("abc", false), None);
        assert_eq!(parse_number("1e3", false), Some(dec!(1000)));
        assert_eq!(parse_number("", false), None);
        // Issue 9 #12: malformed numbers are not numbers.
        for bad in [
            "+-5", "-+5", "++5", "--5", "1_000", "1_", "1__0", "1_000.5", "_1", "e3", "1e",
            "1e3.5", "1.2.3", "-", "+", ".", " 5", "5 ", "1e1_0", "0x10", "1.000,5", "1,000.5",
        ] {
            assert_eq!(parse_number(bad, false), None, "{bad}");
            assert_eq!(parse_number(bad, true), None, "{bad} (decimal comma)");
        }
        for bad in ["+-12,5", "1_2,5", "12,,5", "1,2,5", ",", "-,"] {
            assert_eq!(parse_number(bad, true), None, "{bad}");
        }
        // Every form read before stays read.
        for (good, want) in [
            ("-5", dec!(-5)),
            ("+5", dec!(5)),
            ("-0", dec!(0)),
            ("00012", dec!(12)),
            (".5", dec!(0.5)),
            ("5.", dec!(5)),
            ("-.5", dec!(-0.5)),
            ("+.5", dec!(0.5)),
            ("1E3", dec!(1000)),
            ("1e+3", dec!(1000)),
            ("1e-3", dec!(0.001)),
            ("-1e3", dec!(-1000)),
            ("+1e3", dec!(1000)),
            ("1.5e3", dec!(1500)),
            (".5e1", dec!(5)),
            ("5.e1", dec!(50)),
            ("12345678901234567890.5", dec!(12345678901234567890.5)),
        ] {
            assert_eq!(parse_number(good, false), Some(want), "{good}");
            assert_eq!(
                parse_number(good, true),
                Some(want),
                "{good} (decimal comma)"
            );
        }
        for (good, want) in [
            ("-12,5", dec!(-12.5)),
            ("+12,5", dec!(12.5)),
            ("12,", dec!(12)),
            (",5", dec!(0.5)),
        ] {
            assert_eq!(parse_number(good, true), Some(want), "{good}");
        }
        // Zeros that end a fraction are no digits a decimal must hold (found by the
        // reference-model property: such cells were rejected as "not a number").
        let long = "12345678901234567890.1234567890";
        assert_eq!(
            parse_number(long, false),
            Some(dec!(12345678901234567890.123456789))
        );
        assert_eq!(
            parse_number("1.0000000000000000000000000000000", false),
            Some(dec!(1))
        );
        assert_eq!(
            parse_number("-1,0000000000000000000000000000000", true),
            Some(dec!(-1))
        );
        // Still refused: digits that a decimal cannot hold exactly.
        assert_eq!(parse_number("0.12345678901234567890123456789", false), None);
        assert_eq!(parse_number("1e30", false), None);
        assert_eq!(parse_duration("01:02:03"), Some(dec!(3723)));
        assert_eq!(parse_duration("-1:30:00"), None);
        assert_eq!(parse_duration("01:-5:00"), None);
        assert_eq!(parse_duration("3000000000000000000000000000:00:00"), None);
        assert_eq!(parse_duration("04:05"), Some(dec!(245)));
        assert_eq!(parse_duration("125:07.5"), Some(dec!(7507.5)));
        assert_eq!(parse_duration("00:04:05.25"), Some(dec!(245.25)));
        assert_eq!(parse_duration("4:5"), Some(dec!(245)));
        assert_eq!(parse_duration("04:60"), None);
        assert_eq!(parse_duration("04:"), None);
        assert_eq!(parse_duration("1:2:3:4"), None);
    }

    #[test]
    fn kleene_logic() {
        assert_eq!(and(Some(false), None), Some(false));
        assert_eq!(and(Some(true), None), None);
        assert_eq!(or(Some(true), None), Some(true));
        assert_eq!(or(Some(false), None), None);
    }

    #[test]
    fn durations_and_dates() {
        let a = Value::DateTime(time::parse_datetime(b"2025-03-01T10:00:00").unwrap());
        let b = Value::DateTime(time::parse_datetime(b"2025-03-01T08:30:00").unwrap());
        assert_eq!(binary(BinOp::Sub, a, b), Ok(Value::Dur(dec!(5400))));
        assert_eq!(
            binary(BinOp::Mul, Value::Num(dec!(2)), Value::Dur(dec!(3600))),
            Ok(Value::Dur(dec!(7200)))
        );
        assert_eq!(
            binary(BinOp::Div, Value::Num(dec!(1)), Value::Num(dec!(0))),
            Err(OpError::DivByZero)
        );
        assert_eq!(
            binary(BinOp::Add, Value::Null, Value::Num(dec!(1))),
            Ok(Value::Null)
        );
        let d = time::parse_date(b"2025-03-01").unwrap();
        assert_eq!(
            binary(BinOp::Add, Value::Date(d), Value::Dur(dec!(86400))),
            Ok(Value::Date(d + 1))
        );
        assert!(matches!(
            binary(BinOp::Add, Value::Str("a".into()), Value::Num(dec!(1))),
            Err(OpError::Type(_))
        ));
        assert_eq!(
            binary(BinOp::Mul, Value::Num(Decimal::MAX), Value::Num(dec!(2))),
            Err(OpError::Overflow)
        );
        let huge = Value::Dur(dec!(999999999999999) * dec!(86400));
        assert_eq!(
            binary(BinOp::Add, Value::Date(d), huge.clone()),
            Err(OpError::Overflow)
        );
        assert_eq!(
            binary(BinOp::Add, Value::DateTime(0), huge),
            Err(OpError::Overflow)
        );
        assert_eq!(
            binary(BinOp::Sub, Value::Date(i64::MAX / 2), Value::DateTime(0)),
            Err(OpError::Overflow)
        );
    }
}
