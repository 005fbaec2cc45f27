//! Date and datetime patterns of `date_format` and `datetime_format`: a strftime-style text
//! (`"%d/%m/%Y %H:%M"`) compiled once, then matched against cells without allocating.

use crate::time::{self, MICROS_PER_DAY, MICROS_PER_SEC};

/// What `kpi schema` checks of a pattern, all of which must match: only known directives;
/// a day, a month and a year in any order.
pub const SCHEMA_PATTERNS: [&str; 2] = [
    "^([^%]|%[deBbhmYyHIpMSfT%])*$",
    "^(.*%[de].*%[mbBh].*%[Yy].*|.*%[de].*%[Yy].*%[mbBh].*|.*%[mbBh].*%[de].*%[Yy].*|.*%[mbBh].*%[Yy].*%[de].*|.*%[Yy].*%[de].*%[mbBh].*|.*%[Yy].*%[mbBh].*%[de].*)$",
];

/// The directives a pattern may use, with what each reads (for messages and docs).
pub const DIRECTIVES: [(&str, &str); 14] = [
    ("%d", "day of the month, 1 or 2 digits"),
    ("%e", "the same as %d"),
    ("%m", "month number, 1 or 2 digits"),
    (
        "%b",
        "month name or its abbreviation, English or French (Mar, mars, févr.)",
    ),
    ("%B", "the same as %b"),
    ("%Y", "year, 4 digits"),
    ("%y", "year, 2 digits (2000 to 2099)"),
    ("%H", "hour 0 to 23, 1 or 2 digits"),
    ("%I", "hour 1 to 12, with %p"),
    ("%p", "AM or PM (any case)"),
    ("%M", "minutes, 2 digits"),
    ("%S", "seconds, 2 digits"),
    ("%f", "fraction of a second, 1 to 9 digits"),
    ("%T", "%H:%M:%S"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    Lit(char),
    /// One or more blanks (space, no-break spaces, tab).
    Blank,
    Day,
    Month,
    MonthName,
    Year4,
    Year2,
    Hour24,
    Hour12,
    AmPm,
    Minute,
    Second,
    Fraction,
}

/// A compiled pattern, with the text it was written as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub text: String,
    items: Vec<Item>,
}

impl Pattern {
    /// Compile `text`; `Err` says what is wrong. A pattern needs a day, a month and a year
    /// (a datetime pattern without hours reads midnight). `kpi schema` says the same with
    /// [`SCHEMA_PATTERNS`].
    pub fn compile(text: &str, with_time: bool) -> Result<Pattern, String> {
        let _ = with_time;
        let mut items = Vec::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                items.push(if is_blank(c) {
                    Item::Blank
                } else {
                    Item::Lit(c)
                });
                continue;
            }
            let item = match chars.next() {
                Some('d' | 'e') => Item::Day,
                Some('m') => Item::Month,
                Some('b' | 'B' | 'h') => Item::MonthName,
                Some('Y') => Item::Year4,
                Some('y') => Item::Year2,
                Some('H') => Item::Hour24,
                Some('I') => Item::Hour12,
                Some('p') => Item::AmPm,
                Some('M') => Item::Minute,
                Some('S') => Item::Second,
                Some('f') => Item::Fraction,
                Some('T') => {
                    items.extend([Item::Hour24, Item::Lit(':'), Item::Minute, Item::Lit(':')]);
                    Item::Second
                }
                Some('%') => Item::Lit('%'),
                Some(other) => {
                    return Err(format!(
                        "`%{other}` is not a directive of a date pattern; they are {}",
                        directive_list()
                    ))
                }
                None => return Err("the pattern ends with a lone `%`".into()),
            };
            items.push(item);
        }
        items.dedup_by(|a, b| *a == Item::Blank && *b == Item::Blank);
        let has = |wanted: &[Item]| items.iter().any(|i| wanted.contains(i));
        let mut missing = Vec::new();
        if !has(&[Item::Day]) {
            missing.push("the day (%d)");
        }
        if !has(&[Item::Month, Item::MonthName]) {
            missing.push("the month (%m)");
        }
        if !has(&[Item::Year4, Item::Year2]) {
            missing.push("the year (%Y)");
        }
        if !missing.is_empty() {
            return Err(format!("the pattern needs {}", missing.join(", ")));
        }
        Ok(Pattern {
            text: text.to_string(),
            items,
        })
    }

    /// The day number of a cell written by this pattern (its time, if any, is dropped).
    pub fn read_date(&self, cell: &str) -> Option<i64> {
        self.read(cell).map(|t| t.div_euclid(MICROS_PER_DAY))
    }

    /// The datetime (microseconds since 1970) of a cell written by this pattern.
    pub fn read_datetime(&self, cell: &str) -> Option<i64> {
        self.read(cell)
    }

    fn read(&self, cell: &str) -> Option<i64> {
        let mut s = cell.trim();
        let (mut y, mut mo, mut d) = (None, None, None);
        let (mut h, mut mi, mut sec, mut micros) = (0u32, 0u32, 0u32, 0i64);
        let mut pm: Option<bool> = None;
        let mut hour12 = false;
        for item in &self.items {
            match *item {
                Item::Lit(c) => s = s.strip_prefix(c)?,
                Item::Blank => {
                    let rest = s.trim_start_matches(is_blank);
                    if rest.len() == s.len() {
                        return None;
                    }
                    s = rest;
                }
                Item::Day => d = Some(number(&mut s, 1, 2)?),
                Item::Month => mo = Some(number(&mut s, 1, 2)?),
                Item::MonthName => mo = Some(month_name(&mut s)?),
                Item::Year4 => y = Some(number(&mut s, 4, 4)? as i64),
                Item::Year2 => y = Some(2000 + number(&mut s, 2, 2)? as i64),
                Item::Hour24 => h = number(&mut s, 1, 2)?,
                Item::Hour12 => {
                    h = number(&mut s, 1, 2)?;
                    hour12 = true;
                }
                Item::AmPm => {
                    let word = s.get(..2)?;
                    pm = Some(if word.eq_ignore_ascii_case("pm") {
                        true
                    } else if word.eq_ignore_ascii_case("am") {
                        false
                    } else {
                        return None;
                    });
                    s = &s[2..];
                }
                Item::Minute => mi = number(&mut s, 2, 2)?,
                Item::Second => sec = number(&mut s, 2, 2)?,
                Item::Fraction => {
                    let n = s.bytes().take_while(u8::is_ascii_digit).count();
                    if n == 0 || n > 9 {
                        return None;
                    }
                    for i in 0..6 {
                        micros = micros * 10
                            + s.as_bytes()
                                .get(i)
                                .filter(|_| i < n)
                                .map_or(0, |c| (c - b'0') as i64);
                    }
                    s = &s[n..];
                }
            }
        }
        if !s.is_empty() {
            return None;
        }
        if hour12 {
            if !(1..=12).contains(&h) {
                return None;
            }
            h = h % 12 + if pm == Some(true) { 12 } else { 0 };
        }
        if !hour12 && pm == Some(true) && h < 12 {
            h += 12;
        }
        let (y, mo, d) = (y?, mo?, d?);
        if !(1..=12).contains(&mo) || d == 0 || d > time::days_in_month(y, mo) {
            return None;
        }
        if h > 23 || mi > 59 || sec > 59 {
            return None;
        }
        let day = time::days_from_civil(y, mo, d);
        Some(day * MICROS_PER_DAY + (h * 3600 + mi * 60 + sec) as i64 * MICROS_PER_SEC + micros)
    }
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{202f}')
}

fn directive_list() -> String {
    let mut names: Vec<&str> = DIRECTIVES.iter().map(|(d, _)| *d).collect();
    names.push("%%");
    names.join(" ")
}

/// `min` to `max` ASCII digits at the start of `s`, consumed.
fn number(s: &mut &str, min: usize, max: usize) -> Option<u32> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    let v = s[..n].bytes().fold(0u32, |a, c| a * 10 + (c - b'0') as u32);
    *s = &s[n..];
    Some(v)
}

/// Month names and abbreviations, English and French, matched in any case; the longest
/// match wins (`juillet` before `juil.` before `jul`).
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("janvier", 1),
    ("janv.", 1),
    ("jan", 1),
    ("february", 2),
    ("février", 2),
    ("fevrier", 2),
    ("févr.", 2),
    ("feb", 2),
    ("march", 3),
    ("mars", 3),
    ("mar", 3),
    ("april", 4),
    ("avril", 4),
    ("avr.", 4),
    ("apr", 4),
    ("may", 5),
    ("mai", 5),
    ("june", 6),
    ("juin", 6),
    ("jun", 6),
    ("july", 7),
    ("juillet", 7),
    ("juil.", 7),
    ("jul", 7),
    ("august", 8),
    ("août", 8),
    ("aout", 8),
    ("aug", 8),
    ("september", 9),
    ("septembre", 9),
    ("sept.", 9),
    ("sep", 9),
    ("october", 10),
    ("octobre", 10),
    ("oct", 10),
    ("november", 11),
    ("novembre", 11),
    ("nov", 11),
    ("december", 12),
    ("décembre", 12),
    ("déc.", 12),
    ("dec", 12),
];

fn month_name(s: &mut &str) -> Option<u32> {
    let mut best: Option<(usize, u32)> = None;
    for (name, m) in MONTHS {
        let n = name.chars().count();
        let Some(end) = s
            .char_indices()
            .nth(n)
            .map(|(i, _)| i)
            .or((s.chars().count() == n).then_some(s.len()))
        else {
            continue;
        };
        let head = &s[..end];
        let same = head.chars().flat_map(char::to_lowercase).eq(name.chars());
        if same && best.is_none_or(|(len, _)| end > len) {
            best = Some((end, *m));
        }
    }
    let (len, m) = best?;
    *s = &s[len..];
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(p: &str, cell: &str) -> Option<String> {
        Pattern::compile(p, false)
            .unwrap()
            .read_datetime(cell)
            .map(time::format_datetime)
    }

    #[test]
    fn patterns_read_cells() {
        assert_eq!(
            dt("%d/%m/%Y %H:%M", "02/03/2025 10:50").as_deref(),
            Some("2025-03-02T10:50:00")
        );
        assert_eq!(
            dt("%d/%m/%Y %H:%M", "2/3/2025 9:05").as_deref(),
            Some("2025-03-02T09:05:00")
        );
        assert_eq!(
            dt("%d/%m/%Y %H:%M", "02/03/2025  10:50").as_deref(),
            Some("2025-03-02T10:50:00")
        );
        assert_eq!(dt("%d/%m/%Y", "31/02/2025"), None);
        assert_eq!(dt("%d/%m/%Y", "02/03/2025 x"), None);
        assert_eq!(
            dt("%d.%m.%y", "02.03.25").as_deref(),
            Some("2025-03-02T00:00:00")
        );
        assert_eq!(
            dt("%d %b %Y", "2 févr. 2025").as_deref(),
            Some("2025-02-02T00:00:00")
        );
        assert_eq!(
            dt("%d %B %Y", "14 Juillet 2025").as_deref(),
            Some("2025-07-14T00:00:00")
        );
        assert_eq!(
            dt("%d %b %Y", "1 Dec 2025").as_deref(),
            Some("2025-12-01T00:00:00")
        );
        assert_eq!(
            dt("%m/%d/%Y %I:%M %p", "03/02/2025 12:30 am").as_deref(),
            Some("2025-03-02T00:30:00")
        );
        assert_eq!(
            dt("%Y-%m-%d %T.%f", "2025-03-02 10:50:07.25").as_deref(),
            Some("2025-03-02T10:50:07.25")
        );
    }

    #[test]
    fn bad_patterns_say_why() {
        assert!(Pattern::compile("%d/%m/%Q", false)
            .unwrap_err()
            .contains("`%Q`"));
        assert!(Pattern::compile("%d/%m", false)
            .unwrap_err()
            .contains("year"));
        assert!(Pattern::compile("%d/%m/%Y %", false).is_err());
    }
}
