//! Dates and datetimes without time zones: a date is a day number since 1970-01-01, a
//! datetime a number of microseconds since 1970-01-01T00:00:00, as written (no zone).

pub const MICROS_PER_SEC: i64 = 1_000_000;
pub const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SEC;

/// Days since 1970-01-01 of a proleptic Gregorian date: by table for the years of
/// [`YEAR_STARTS`], else by [`civil_days`].
#[inline]
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let k = y.wrapping_sub(TABLE_FROM);
    if !(0..YEAR_STARTS.len() as i64 - 1).contains(&k) || !(1..=12).contains(&m) {
        return civil_days(y, m, d);
    }
    let (start, next) = (YEAR_STARTS[k as usize], YEAR_STARTS[k as usize + 1]);
    let leap_day = i64::from(next - start == 366 && m > 2);
    i64::from(start) + i64::from(DAYS_BEFORE[m as usize]) + leap_day + i64::from(d) - 1
}

/// The first year of [`YEAR_STARTS`].
const TABLE_FROM: i64 = 1900;
/// The day number of January 1st of each year from [`TABLE_FROM`] to 2200 (the next
/// year's says whether one is leap).
static YEAR_STARTS: [i32; 302] = year_starts();

const fn year_starts() -> [i32; 302] {
    let mut t = [0; 302];
    let mut i = 0;
    while i < t.len() {
        t[i] = civil_days(TABLE_FROM + i as i64, 1, 1) as i32;
        i += 1;
    }
    t
}

/// Days before the first of each month (1-based) in a common year.
const DAYS_BEFORE: [u16; 13] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
const fn civil_days(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The calendar date of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The two ASCII digits at `s[at..at + 2]` (which must be there) as a number.
#[inline(always)]
fn two_digits(s: &[u8], at: usize) -> Option<u32> {
    let (a, b) = (s[at].wrapping_sub(b'0'), s[at + 1].wrapping_sub(b'0'));
    (a < 10 && b < 10).then_some(u32::from(a) * 10 + u32::from(b))
}

thread_local! {
    /// The last date [`parse_date`] read on this thread: its 10 bytes (as two words) and its
    /// day number; at first, 1970-01-01, day 0. Records of a day follow each other, and their
    /// dates repeat.
    static LAST_DATE: std::cell::Cell<(u64, u16, i64)> = const {
        std::cell::Cell::new((u64::from_le_bytes(*b"1970-01-"), u16::from_le_bytes(*b"01"), 0))
    };
}

/// `YYYY-MM-DD` → day number.
#[inline]
pub fn parse_date(s: &[u8]) -> Option<i64> {
    let bytes: &[u8; 10] = s.try_into().ok()?;
    let head = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    let tail = u16::from_le_bytes([bytes[8], bytes[9]]);
    let (last_head, last_tail, last_day) = LAST_DATE.get();
    if head == last_head && tail == last_tail {
        return Some(last_day);
    }
    let day = read_date(bytes)?;
    LAST_DATE.set((head, tail, day));
    Some(day)
}

/// [`parse_date`], read.
fn read_date(s: &[u8; 10]) -> Option<i64> {
    if s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let (y, m, d) = (
        (two_digits(s, 0)? * 100 + two_digits(s, 2)?) as i64,
        two_digits(s, 5)?,
        two_digits(s, 8)?,
    );
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `YYYY-MM-DD[T| ]HH:MM[:SS[.ffffff]]` with an optional trailing `Z` (zones are not
/// converted: datetimes are taken as written), or a bare date (midnight).
pub fn parse_datetime(s: &[u8]) -> Option<i64> {
    let s = s.strip_suffix(b"Z").unwrap_or(s);
    let day = parse_date(s.get(..10)?)?;
    if s.len() == 10 {
        return Some(day * MICROS_PER_DAY);
    }
    if !(s[10] == b'T' || s[10] == b' ') || s.len() < 16 || s[13] != b':' {
        return None;
    }
    let (h, mi) = (two_digits(s, 11)?, two_digits(s, 14)?);
    let (mut sec, mut micros) = (0, 0i64);
    if s.len() > 16 {
        if s[16] != b':' || s.len() < 19 {
            return None;
        }
        sec = two_digits(s, 17)?;
        if s.len() > 19 {
            let frac = s[19..].strip_prefix(b".")?;
            if frac.is_empty() || frac.len() > 9 || !frac.iter().all(u8::is_ascii_digit) {
                return None;
            }
            for i in 0..6 {
                micros = micros * 10 + frac.get(i).map_or(0, |c| (c - b'0') as i64);
            }
        }
    }
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    Some(day * MICROS_PER_DAY + ((h * 3600 + mi * 60 + sec) as i64) * MICROS_PER_SEC + micros)
}

pub fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

pub fn format_datetime(micros: i64) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let rest = micros.rem_euclid(MICROS_PER_DAY);
    let secs = rest / MICROS_PER_SEC;
    let frac = rest % MICROS_PER_SEC;
    let mut s = format!(
        "{}T{:02}:{:02}:{:02}",
        format_date(days),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        let f = format!("{frac:06}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

/// ISO weekday, 1 = Monday … 7 = Sunday.
pub fn weekday(days: i64) -> u32 {
    ((days + 3).rem_euclid(7) + 1) as u32
}

/// ISO week as `YYYY-Www`.
pub fn iso_week(days: i64) -> String {
    let wd = weekday(days) as i64;
    let thursday = days - wd + 4;
    let (y, _, _) = civil_from_days(thursday);
    let week = (thursday - days_from_civil(y, 1, 1)) / 7 + 1;
    format!("{y:04}-W{week:02}")
}

pub fn month(days: i64) -> String {
    let (y, m, _) = civil_from_days(days);
    format!("{y:04}-{m:02}")
}

pub fn quarter(days: i64) -> String {
    let (y, m, _) = civil_from_days(days);
    format!("{y:04}-Q{}", (m - 1) / 3 + 1)
}

pub fn year(days: i64) -> String {
    format!("{:04}", civil_from_days(days).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The memory of the last date changes no answer: a repeated date, a bad one after a
    /// good one, a datetime over a date.
    #[test]
    fn the_last_date_remembered_gives_the_same_days() {
        let dates: [&[u8]; 8] = [
            b"2025-02-28",
            b"2025-02-28",
            b"2025-02-29",
            b"2024-02-29",
            b"2024-02-29",
            b"2025-02-28",
            b"2025-13-01",
            b"2025-02-2x",
        ];
        for d in dates {
            let bytes: &[u8; 10] = d.try_into().unwrap();
            assert_eq!(
                parse_date(d),
                read_date(bytes),
                "{}",
                String::from_utf8_lossy(d)
            );
        }
        assert_eq!(
            parse_date(b"2024-02-29"),
            Some(days_from_civil(2024, 2, 29))
        );
        assert_eq!(parse_date(&[0; 10]), None);
        assert_eq!(parse_date(b"1970-01-01"), Some(0));
        let fresh = std::thread::spawn(|| (parse_date(&[0; 10]), parse_date(b"1970-01-01")));
        assert_eq!(fresh.join().unwrap(), (None, Some(0)));
        assert_eq!(parse_date(b"2024-02-29 "), None);
        assert_eq!(
            parse_datetime(b"2024-02-29T10:00"),
            Some(days_from_civil(2024, 2, 29) * MICROS_PER_DAY + 10 * 3600 * MICROS_PER_SEC)
        );
        assert_eq!(parse_datetime(b"2024-02-29T25:00"), None);
    }

    #[test]
    fn civil_round_trip_and_calendar_rules() {
        for d in -800_000..800_000 {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(parse_date(b"1970-01-01"), Some(0));
        assert_eq!(parse_date(b"2024-02-29"), Some(19_782));
        assert_eq!(parse_date(b"2025-02-29"), None);
        assert_eq!(parse_date(b"2025-13-01"), None);
    }

    #[test]
    fn datetimes_as_written() {
        let t = parse_datetime(b"2025-03-01T08:05:09").unwrap();
        assert_eq!(format_datetime(t), "2025-03-01T08:05:09");
        assert_eq!(parse_datetime(b"2025-03-01 08:05:09Z"), Some(t));
        assert_eq!(
            parse_datetime(b"2025-03-01T08:05"),
            Some(t - 9 * MICROS_PER_SEC)
        );
        assert_eq!(
            format_datetime(parse_datetime(b"2025-03-01T08:05:09.250").unwrap()),
            "2025-03-01T08:05:09.25"
        );
        assert_eq!(parse_datetime(b"2025-03-01T24:00:00"), None);
        assert_eq!(parse_datetime(b"2025-03-01T08"), None);
    }

    #[test]
    fn periods() {
        let d = parse_date(b"2025-03-01").unwrap();
        assert_eq!(weekday(d), 6); // a Saturday
        assert_eq!(iso_week(d), "2025-W09");
        assert_eq!(iso_week(parse_date(b"2024-12-30").unwrap()), "2025-W01");
        assert_eq!(iso_week(parse_date(b"2021-01-03").unwrap()), "2020-W53");
        assert_eq!(
            (month(d), quarter(d), year(d)),
            ("2025-03".into(), "2025-Q1".into(), "2025".into())
        );
    }

    /// The table gives the day of the formula, for every month and day number (past the
    /// month's end too) of its years and around them.
    #[test]
    fn the_year_table_agrees_with_the_formula() {
        for y in TABLE_FROM - 5..TABLE_FROM + YEAR_STARTS.len() as i64 + 5 {
            for m in 0..=13 {
                for d in 0..=40 {
                    assert_eq!(days_from_civil(y, m, d), civil_days(y, m, d), "{y}-{m}-{d}");
                }
            }
        }
        assert_eq!(days_from_civil(2025, 1, 1), 20_089);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }
}

/// A calendar period length, for `--grain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Grain {
    pub const ALL: [Grain; 5] = [
        Grain::Day,
        Grain::Week,
        Grain::Month,
        Grain::Quarter,
        Grain::Year,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }
}

/// The label of the period holding a date or datetime: `week(t)`, `month(t)`…
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// ISO week, `2024-W01` (the ISO year, then the week 01 to 53).
    Week,
    /// `2024-01`
    Month,
    /// `2024-Q1`
    Quarter,
    /// `2024`
    Year,
}

/// A number read off a date or datetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePart {
    /// 0 to 23
    Hour,
    /// Day of the month, 1 to 31
    Day,
    /// ISO day of the week: 1 Monday to 7 Sunday
    IsoWeekday,
}
