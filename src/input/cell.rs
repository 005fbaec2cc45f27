//! Cells, as formats yield them, and the one conversion of a cell into a slot by its
//! column's type. Text formats hand over text to parse; typed formats (workbooks) hand over
//! values. Every format goes through [`to_slot`], so every format follows the same rules and
//! its errors say the same "`x` is not a number".

use super::number::{read_number, read_plain_number};
use super::options::{same_word, ReadOptions};
use super::pattern::Pattern;
use super::row::Slot;
use crate::analysis::Ty;
use crate::time;
use crate::value;
use rust_decimal::Decimal;
use std::fmt::Write;

/// One cell of a record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    /// Blank, missing or null: a null slot whatever the column's type.
    Null,
    /// Text to parse by the column's type, and where it starts in the record's text
    /// ([`super::Record::text`]): a string slot keeps pointing there.
    Text(&'a str, u32),
    /// Text in its format's own fixed notation (a JSON number or boolean, as written): read
    /// as with no read options (no declared marks, patterns or words), like [`Cell::Text`]
    /// otherwise.
    Plain(&'a str, u32),
    Num(Decimal),
    Bool(bool),
    /// Days since 1970-01-01.
    Date(i64),
    /// Microseconds since 1970-01-01T00:00:00, as written (no zone).
    DateTime(i64),
    /// Seconds.
    Dur(Decimal),
}

/// How a format writes the values in its text cells, settled once per file from its read
/// options and what was sniffed (`Notation::of`).
#[derive(Clone, Debug, Default)]
pub struct Notation {
    /// `12,5` reads as 12.5 (`;`- and tab-separated files), when no mark is declared.
    pub decimal_comma: bool,
    /// Declared marks: numbers are read strictly by them.
    pub marks: Option<Marks>,
    pub date: Option<Pattern>,
    pub datetime: Option<Pattern>,
    /// Extra words for true and false, and texts read as null (any case).
    pub true_words: Vec<String>,
    pub false_words: Vec<String>,
    pub null_words: Vec<String>,
}

/// The decimal mark and thousands separator a source declares (`b' '` also stands for the
/// no-break spaces).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marks {
    pub decimal: u8,
    pub thousands: Option<u8>,
}

impl Notation {
    /// The notation of a source's text cells: its options, and whether its layout reads a
    /// decimal comma when none is declared (`;`- and tab-separated files).
    pub fn of(options: &ReadOptions, decimal_comma: bool) -> Notation {
        let marks = (options.decimal.is_some() || options.thousands.is_some()).then(|| {
            let sniffed = if decimal_comma { b',' } else { b'.' };
            let mut decimal = options.decimal.unwrap_or(sniffed);
            if options.decimal.is_none() && options.thousands == Some(decimal) {
                decimal = if decimal == b',' { b'.' } else { b',' };
            }
            Marks {
                decimal,
                thousands: options.thousands.filter(|&t| t != decimal),
            }
        });
        Notation {
            decimal_comma,
            marks,
            date: options.date_format.clone(),
            datetime: options.datetime_format.clone(),
            true_words: options.true_words.clone(),
            false_words: options.false_words.clone(),
            null_words: options.null_words.clone(),
        }
    }

    /// Whether `cell` is one of the declared null markers.
    #[inline]
    fn is_null_word(&self, cell: &str) -> bool {
        !self.null_words.is_empty() && self.null_word(cell)
    }

    #[cold]
    fn null_word(&self, cell: &str) -> bool {
        self.null_words.iter().any(|w| same_word(w, cell.trim()))
    }

    #[inline]
    fn read_bool(&self, cell: &str) -> Option<bool> {
        match value::parse_bool(cell) {
            Some(b) => Some(b),
            None => self.bool_word(cell),
        }
    }

    #[cold]
    fn bool_word(&self, cell: &str) -> Option<bool> {
        let cell = cell.trim();
        if self.true_words.iter().any(|w| same_word(w, cell)) {
            Some(true)
        } else if self.false_words.iter().any(|w| same_word(w, cell)) {
            Some(false)
        } else {
            None
        }
    }

    #[inline]
    fn read_date(&self, cell: &str) -> Option<i64> {
        if self.date.is_none() && self.datetime.is_none() {
            return iso_date(cell);
        }
        self.read_date_declared(cell)
    }

    #[cold]
    fn read_date_declared(&self, cell: &str) -> Option<i64> {
        if let Some(d) = self.date.as_ref().and_then(|p| p.read_date(cell)) {
            return Some(d);
        }
        if let Some(t) = self.datetime.as_ref().and_then(|p| p.read_datetime(cell)) {
            return Some(t.div_euclid(time::MICROS_PER_DAY));
        }
        iso_date(cell)
    }

    #[inline]
    fn read_datetime(&self, cell: &str) -> Option<i64> {
        if self.date.is_none() && self.datetime.is_none() {
            return time::parse_datetime(cell.as_bytes());
        }
        self.read_datetime_declared(cell)
    }

    #[cold]
    fn read_datetime_declared(&self, cell: &str) -> Option<i64> {
        if let Some(t) = self.datetime.as_ref().and_then(|p| p.read_datetime(cell)) {
            return Some(t);
        }
        if let Some(d) = self.date.as_ref().and_then(|p| p.read_date(cell)) {
            return d.checked_mul(time::MICROS_PER_DAY);
        }
        time::parse_datetime(cell.as_bytes())
    }
}

/// An ISO date, or the day of an ISO datetime.
#[inline]
fn iso_date(cell: &str) -> Option<i64> {
    time::parse_date(cell.as_bytes()).or_else(|| {
        time::parse_datetime(cell.as_bytes()).map(|t| t.div_euclid(time::MICROS_PER_DAY))
    })
}

/// A clock (`HH:MM:SS`, `MM:SS`) read where a number of seconds is.
#[cold]
fn clock_seconds(cell: &str) -> Option<rust_decimal::Decimal> {
    value::parse_clock(cell)
}

/// The notation of [`Cell::Plain`]: no read option.
static PLAIN: Notation = Notation {
    decimal_comma: false,
    marks: None,
    date: None,
    datetime: None,
    true_words: Vec::new(),
    false_words: Vec::new(),
    null_words: Vec::new(),
};

/// What a bad cell should have been, for "`x` is not {expected}".
pub type Expected = &'static str;

pub const A_NUMBER: Expected = "a number";
pub const A_BOOL: Expected = "true or false (also 1/0, yes/no)";
pub const A_DATE: Expected = "a date (YYYY-MM-DD)";
pub const A_DATETIME: Expected = "a date and time (YYYY-MM-DDTHH:MM:SS)";
pub const A_DURATION: Expected = "a duration (seconds or HH:MM:SS)";

/// Convert one cell for a column of type `ty`. A typed cell read into a text column is
/// printed into `printed` (which the row carries alongside the record's text).
pub fn to_slot(
    cell: Cell,
    ty: Ty,
    notation: &Notation,
    printed: &mut String,
) -> Result<Slot, Expected> {
    let mut slot = Slot::Null;
    to_slot_in(cell, ty, notation, printed, &mut slot).map(|()| slot)
}

/// [`to_slot`] into `out`, the row's slot itself (left as it may be on an error). The slot
/// is written where it stays: a slot returned and then copied costs the reading loop a
/// stall on every cell (the copy reads in one load what the conversion wrote in parts).
#[inline]
pub fn to_slot_in(
    cell: Cell,
    ty: Ty,
    notation: &Notation,
    printed: &mut String,
    out: &mut Slot,
) -> Result<(), Expected> {
    match cell {
        Cell::Null => {
            *out = Slot::Null;
            Ok(())
        }
        Cell::Text(text, at) => text_to_slot(text, at, ty, notation, out),
        Cell::Plain(text, at) => text_to_slot(text, at, ty, &PLAIN, out),
        typed => {
            *out = typed_to_slot(typed, ty, printed)?;
            Ok(())
        }
    }
}

#[inline]
fn text_to_slot(cell: &str, at: u32, ty: Ty, n: &Notation, out: &mut Slot) -> Result<(), Expected> {
    if cell.is_empty() || n.is_null_word(cell) {
        *out = Slot::Null;
        return Ok(());
    }
    if matches!(ty, Ty::Num | Ty::Dur) {
        if let Some(i) = plain_digits(cell) {
            *out = if ty == Ty::Num {
                Slot::Int(i)
            } else {
                Slot::Dur(Decimal::from(i))
            };
            return Ok(());
        }
    }
    // Each arm writes the slot itself: a slot built apart and then copied is read in wide
    // loads from narrow stores (a stall per cell).
    match ty {
        Ty::Num | Ty::Dur => *out = number_to_slot(cell, ty, n)?,
        Ty::Bool => *out = Slot::Bool(n.read_bool(cell).ok_or(A_BOOL)?),
        Ty::Date => *out = Slot::Date(n.read_date(cell).ok_or(A_DATE)?),
        Ty::DateTime => *out = Slot::DateTime(n.read_datetime(cell).ok_or(A_DATETIME)?),
        Ty::Str | Ty::Null => *out = Slot::Str(at, at + cell.len() as u32),
        Ty::Any => dynamic(cell, at, n, out),
    }
    Ok(())
}

/// A number or duration cell that is not plain digits.
#[inline(never)]
fn number_to_slot(cell: &str, ty: Ty, n: &Notation) -> Result<Slot, Expected> {
    if ty == Ty::Num {
        return read_number(cell, n)
            .or_else(|| clock_seconds(cell))
            .map(Slot::Num)
            .ok_or(A_NUMBER);
    }
    // Seconds with a decimal point, whatever the file's sniffed decimal comma; declared
    // marks are strict, so with them `1.500` is 1500 seconds, as in a number field.
    n.marks
        .is_none()
        .then(|| value::parse_number(cell, false))
        .flatten()
        .or_else(|| clock_seconds(cell))
        .or_else(|| read_number(cell, n))
        .map(Slot::Dur)
        .ok_or(A_DURATION)
}

/// A cell of 1 to 18 ASCII digits and nothing else: the integer it reads as in every
/// notation (number, duration or untyped; declared marks or not), without the notation's
/// work.
#[inline(always)]
fn plain_digits(cell: &str) -> Option<i64> {
    value::digits_to_i64(cell.as_bytes())
}

/// Whether the default notation (no declared marks) could read `b` as a number: it starts
/// as one (`[0-9+-.]`, or `,` with a decimal comma) and is not shaped as a date
/// (`YYYY-MM-DD…`: a number has no `-` at both bytes 4 and 7).
#[inline]
fn may_be_number(b: &[u8], n: &Notation) -> bool {
    let starts = match b.first() {
        Some(b'0'..=b'9' | b'+' | b'-' | b'.') => true,
        Some(b',') => n.decimal_comma,
        _ => false,
    };
    starts && !date_shaped(b)
}

#[inline]
fn date_shaped(b: &[u8]) -> bool {
    b.len() >= 10 && b[4] == b'-' && b[7] == b'-'
}

/// A text cell of a field whose type nothing declares or implies: the data tells it.
fn dynamic(cell: &str, at: u32, n: &Notation, out: &mut Slot) {
    // Written into `out` on each path (see `text_to_slot`).
    if let Some(i) = plain_digits(cell) {
        *out = Slot::Int(i);
        return;
    }
    let b = cell.as_bytes();
    let number = match n.marks {
        None if !may_be_number(b, n) => None,
        _ => read_plain_number(cell, n),
    };
    if let Some(d) = number {
        *out = Slot::Num(d);
        return;
    }
    if date_shaped(b) {
        if let Some(d) = time::parse_date(b) {
            *out = Slot::Date(d);
            return;
        }
        if let Some(t) = time::parse_datetime(b) {
            *out = Slot::DateTime(t);
            return;
        }
    }
    match cell {
        "true" => *out = Slot::Bool(true),
        "false" => *out = Slot::Bool(false),
        _ if n.date.is_some()
            || n.datetime.is_some()
            || !n.true_words.is_empty()
            || !n.false_words.is_empty() =>
        {
            *out = dynamic_declared(cell, at, n)
        }
        _ => *out = Slot::Str(at, at + cell.len() as u32),
    }
}

/// An untyped text cell of a source that declares date patterns or boolean words.
#[cold]
fn dynamic_declared(cell: &str, at: u32, n: &Notation) -> Slot {
    if let Some(t) = n.datetime.as_ref().and_then(|p| p.read_datetime(cell)) {
        return Slot::DateTime(t);
    }
    if let Some(d) = n.date.as_ref().and_then(|p| p.read_date(cell)) {
        return Slot::Date(d);
    }
    match (value::parse_bool(cell), n.read_bool(cell)) {
        (None, Some(b)) => Slot::Bool(b),
        _ => Slot::Str(at, at + cell.len() as u32),
    }
}

/// A typed cell: taken as it is when the column's type allows it, by the same rules as its
/// text would be (a date in a datetime column is its midnight; 1 and 0 are booleans).
fn typed_to_slot(cell: Cell, ty: Ty, printed: &mut String) -> Result<Slot, Expected> {
    let expected = match ty {
        Ty::Num => A_NUMBER,
        Ty::Bool => A_BOOL,
        Ty::Date => A_DATE,
        Ty::DateTime => A_DATETIME,
        Ty::Dur => A_DURATION,
        Ty::Str | Ty::Null => {
            let start = printed.len() as u32;
            write_cell(cell, printed);
            return Ok(Slot::Printed(start, printed.len() as u32));
        }
        Ty::Any => {
            return Ok(match cell {
                Cell::Num(d) => Slot::Num(d),
                Cell::Bool(b) => Slot::Bool(b),
                Cell::Date(d) => Slot::Date(d),
                Cell::DateTime(t) => Slot::DateTime(t),
                Cell::Dur(d) => Slot::Dur(d),
                Cell::Null | Cell::Text(..) | Cell::Plain(..) => Slot::Null,
            })
        }
    };
    let slot = match (cell, ty) {
        (Cell::Num(d), Ty::Num) | (Cell::Dur(d), Ty::Num) => Some(Slot::Num(d)),
        (Cell::Num(d), Ty::Dur) | (Cell::Dur(d), Ty::Dur) => Some(Slot::Dur(d)),
        (Cell::Num(d), Ty::Bool) if d == Decimal::ONE => Some(Slot::Bool(true)),
        (Cell::Num(d), Ty::Bool) if d.is_zero() => Some(Slot::Bool(false)),
        (Cell::Bool(b), Ty::Bool) => Some(Slot::Bool(b)),
        (Cell::Date(d), Ty::Date) => Some(Slot::Date(d)),
        (Cell::Date(d), Ty::DateTime) => d.checked_mul(time::MICROS_PER_DAY).map(Slot::DateTime),
        (Cell::DateTime(t), Ty::DateTime) => Some(Slot::DateTime(t)),
        (Cell::DateTime(t), Ty::Date) => Some(Slot::Date(t.div_euclid(time::MICROS_PER_DAY))),
        _ => None,
    };
    slot.ok_or(expected)
}

/// A typed cell's canonical text (what a text column reads, and what errors show).
fn write_cell(cell: Cell, out: &mut String) {
    let _ = match cell {
        Cell::Null => Ok(()),
        Cell::Text(t, _) | Cell::Plain(t, _) => out.write_str(t),
        Cell::Num(d) | Cell::Dur(d) => write!(out, "{}", d.normalize()),
        Cell::Bool(b) => write!(out, "{b}"),
        Cell::Date(d) => out.write_str(&time::format_date(d)),
        Cell::DateTime(t) => out.write_str(&time::format_datetime(t)),
    };
}

impl Cell<'_> {
    /// The cell as a message shows it.
    pub fn shown(&self) -> String {
        let mut s = String::new();
        write_cell(*self, &mut s);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPES: [Ty; 8] = [
        Ty::Any,
        Ty::Null,
        Ty::Bool,
        Ty::Num,
        Ty::Str,
        Ty::Date,
        Ty::DateTime,
        Ty::Dur,
    ];

    fn text(s: &str, ty: Ty) -> Result<Slot, Expected> {
        to_slot(
            Cell::Text(s, 0),
            ty,
            &Notation::default(),
            &mut String::new(),
        )
        .map(as_decimal)
    }

    /// A whole number's slot as the decimal it stands for.
    fn as_decimal(s: Slot) -> Slot {
        match s {
            Slot::Int(i) => Slot::Num(Decimal::from(i)),
            s => s,
        }
    }

    /// A typed cell converts as its canonical text would: the same slot (strings compared by
    /// their text) or the same error.
    #[test]
    fn typed_cells_follow_the_rules_of_their_text() {
        let cells = [
            Cell::Num(Decimal::new(42, 0)),
            Cell::Num(Decimal::new(125, 1)),
            Cell::Num(Decimal::ONE),
            Cell::Num(Decimal::ZERO),
            Cell::Bool(true),
            Cell::Bool(false),
            Cell::Date(20_000),
            Cell::DateTime(20_000 * time::MICROS_PER_DAY + 3_600_000_000),
        ];
        for cell in cells {
            let shown = cell.shown();
            for ty in TYPES {
                let mut printed = String::new();
                let typed = to_slot(cell, ty, &Notation::default(), &mut printed);
                let from_text = text(&shown, ty);
                match (typed, from_text) {
                    (Ok(Slot::Printed(s, e)), Ok(Slot::Str(..))) => {
                        assert_eq!(&printed[s as usize..e as usize], shown)
                    }
                    (a, b) => assert_eq!(a, b, "{shown} as {ty}"),
                }
            }
        }
    }

    #[test]
    fn durations_are_seconds() {
        let d = Cell::Dur(Decimal::new(245, 0));
        let mut p = String::new();
        let n = Notation::default();
        assert_eq!(to_slot(d, Ty::Dur, &n, &mut p), text("00:04:05", Ty::Dur));
        assert_eq!(to_slot(d, Ty::Num, &n, &mut p), text("245", Ty::Num));
        assert_eq!(
            to_slot(d, Ty::Any, &n, &mut p),
            Ok(Slot::Dur(Decimal::new(245, 0)))
        );
        assert_eq!(to_slot(d, Ty::Date, &n, &mut p), Err(A_DATE));
    }

    #[test]
    fn text_cells_by_type() {
        assert_eq!(text("", Ty::Num), Ok(Slot::Null));
        assert_eq!(text("x", Ty::Num), Err(A_NUMBER));
        assert_eq!(text("yes", Ty::Bool), Ok(Slot::Bool(true)));
        assert_eq!(text("abc", Ty::Any), Ok(Slot::Str(0, 3)));
        assert_eq!(text("true", Ty::Any), Ok(Slot::Bool(true)));
        let comma = Notation {
            decimal_comma: true,
            ..Notation::default()
        };
        assert_eq!(
            to_slot(Cell::Text("12,5", 7), Ty::Num, &comma, &mut String::new()),
            Ok(Slot::Num(Decimal::new(125, 1)))
        );
        assert_eq!(
            to_slot(Cell::Text("ab", 7), Ty::Str, &comma, &mut String::new()),
            Ok(Slot::Str(7, 9))
        );
    }

    /// Digits alone read as the general path of every notation reads them, to the bit.
    #[test]
    fn plain_digits_read_as_every_notation_reads_them() {
        let notations = [
            Notation::default(),
            Notation {
                decimal_comma: true,
                ..Notation::default()
            },
            Notation {
                marks: Some(Marks {
                    decimal: b',',
                    thousands: Some(b' '),
                }),
                ..Notation::default()
            },
            Notation {
                marks: Some(Marks {
                    decimal: b'.',
                    thousands: Some(b','),
                }),
                ..Notation::default()
            },
        ];
        let cells = ["0", "00", "7", "007", "123", "100000000000000000"];
        for cell in cells.into_iter().chain(["999999999999999999"]) {
            let fast = Decimal::from(plain_digits(cell).unwrap()).serialize();
            for n in &notations {
                assert_eq!(read_number(cell, n).unwrap().serialize(), fast, "{cell}");
                assert_eq!(read_plain_number(cell, n).unwrap().serialize(), fast);
                let dur = n
                    .marks
                    .is_none()
                    .then(|| value::parse_number(cell, false))
                    .flatten()
                    .or_else(|| read_number(cell, n));
                assert_eq!(dur.unwrap().serialize(), fast, "{cell}");
            }
        }
        for cell in [
            "",
            "1234567890123456789",
            "-5",
            "+5",
            "5 ",
            "1.0",
            "1e3",
            "٣",
        ] {
            assert_eq!(plain_digits(cell), None, "{cell}");
        }
    }

    /// What `may_be_number` turns away, the default notation does not read as a number.
    #[test]
    fn cells_turned_away_from_the_number_path_are_no_numbers() {
        let alphabet: Vec<char> = "09+-.,eE xT%".chars().collect();
        let mut cells = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = cells
                .iter()
                .filter(|c| c.len() == cells.last().map_or(0, String::len))
                .flat_map(|c| alphabet.iter().map(move |a| format!("{c}{a}")))
                .collect();
            cells.extend(longer);
        }
        for middle in ["-", "0", "e", "+", "."] {
            for tail in ["", "0", "-5", "e5", "T08:00:01"] {
                cells.push(format!("1234{middle}56-78{tail}"));
                cells.push(format!("12.4-56-78{tail}"));
                cells.push(format!("1e+4-56-78{tail}"));
            }
        }
        for comma in [false, true] {
            let n = Notation {
                decimal_comma: comma,
                ..Notation::default()
            };
            for cell in &cells {
                if !may_be_number(cell.as_bytes(), &n) {
                    assert_eq!(value::parse_number(cell, comma), None, "{cell:?}");
                }
            }
        }
    }
}
