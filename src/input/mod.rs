//! Input: records from files (CSV, TSV, JSON Lines, each optionally gzip-compressed, or
//! standard input; workbooks: `.xlsx`, `.xls`, `.ods`) and from the catalogue (test
//! records), as typed rows, read as each source's options say (`options.rs`).
//!
//! Each format is one reader implementing [`Format`]: it yields records whose cells are
//! [`Cell`]s, text to parse or typed values. One loop (`read_format`) turns the cells of
//! the needed columns into [`Slot`]s by the column's type ([`cell::to_slot`]), counts and
//! reports rejected records, shows progress, and hands each row to the caller. What a file
//! is comes from `sniff.rs`; reading a large file in parallel ranges is `split.rs`, for any
//! format that can read a byte range ([`split::RangeFormat`]).

mod advice;
mod bytes;
pub mod cell;
mod csv;
mod decode;
mod header;
mod inline;
mod jsonl;
mod number;
mod open;
pub mod options;
pub mod pattern;
mod progress;
mod reject;
pub mod row;
mod sniff;
mod split;
mod xlsx;
mod xlsx_ods;
mod xlsx_percent;
mod xlsx_sheet_scan;
mod xlsx_styles;
mod xlsx_value;

use crate::analysis::Ty;
use crate::catalogue::yaml::Node;
use crate::diag::{Code, Diag, Excerpt};
use crate::span::Span;
pub use cell::{Cell, Notation};
pub use options::{ReadOptions, Reading};
use progress::Progress;
pub use reject::{rejections_to_csv, RejectLog, Rejection, Tally};
pub use row::{Row, Slot};
pub use split::Sink;

/// What a run reads from one source.
pub struct Input<'a> {
    pub source: &'a str,
    /// Where the records are.
    pub data: Data<'a>,
    /// The columns of the source's rows, with the type their use needs.
    pub columns: &'a [(String, Ty)],
    /// Which of them this run reads (the others stay null and need not exist in the file).
    pub needed: &'a [bool],
    /// The declared fields of the source, when it has a schema.
    pub declared: Option<&'a [&'a str]>,
    /// How the source's files are written, as declared.
    pub options: &'a ReadOptions,
}

pub enum Data<'a> {
    /// A file as given (`-` for standard input).
    File(&'a str),
    /// Records written in the catalogue (a test's `data:`), each a mapping of field to value.
    Inline(&'a [&'a Node]),
}

impl<'a> Input<'a> {
    /// What messages call the data: the file as given, or `test data`.
    pub fn name(&self) -> &'a str {
        match self.data {
            Data::File(path) => path,
            Data::Inline(_) => "test data",
        }
    }
}

/// What was read from one source.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub records: u64,
    pub rejected: u64,
}

/// One data format's reader, positioned in its records. The reading loop is generic over it,
/// so cells are fetched and converted without dynamic dispatch.
pub trait Format {
    /// The current record, borrowed from the reader until the next one is read.
    type Record<'a>: Record
    where
        Self: 'a;
    /// Data errors shown in full per file; past this, only counted.
    const SHOWN: u64 = reject::MAX_SHOWN;
    /// Report every bad cell of a record, not only the first (catalogue tests).
    const EVERY_BAD_CELL: bool = false;
    /// How a value is made null, for the advice of a bad cell (`None`: no advice).
    const HOW_TO_NULL: Option<&'static str>;

    /// How the cells are written, fixed once the reader is open.
    fn notation(&self) -> Notation;
    /// Read the next record. Records the format cannot read (a ragged row, broken JSON) are
    /// counted and reported in `tally`, and skipped. `Err` when reading cannot go on.
    fn next_record(&mut self, tally: &mut Tally) -> Result<Next<Self::Record<'_>>, Diag>;
    /// Bytes read so far, for the progress bar.
    fn position(&self) -> u64;
}

/// One record of a format.
pub trait Record {
    /// The cell of input column `k` (a needed one).
    fn cell(&self, k: usize) -> Cell<'_>;
    /// The text that [`Cell::Text`] positions and string slots refer to.
    fn text(&self) -> &str;
    /// Where column `k` of this record is, for a diagnostic labelled `label`.
    fn place(&self, k: usize, label: String) -> Place;
}

/// What [`Format::next_record`] found.
pub enum Next<R> {
    Record(R),
    /// A record already rejected: its cells are checked for further errors, it is not used.
    Faulty(R),
    /// Nothing to use (a blank line, a rejected record).
    Skip,
    End,
}

/// Where a record or a cell is, in a diagnostic.
pub enum Location {
    /// A line of a text file, counted as the file counts them.
    Line(u64),
    /// A place in the catalogue (a test record).
    Span(Span),
    /// A workbook cell: its sheet, its row as the sheet shows it, its column letter.
    Cell {
        sheet: String,
        row: u32,
        column: String,
    },
}

/// A location with, for a file, an excerpt of the record.
pub struct Place {
    pub location: Location,
    pub excerpt: Option<Excerpt>,
}

impl Location {
    /// A data error at this location, for data called `name`: `calls.csv:12: message`.
    pub fn error(&self, name: &str, message: impl std::fmt::Display) -> Diag {
        match self {
            Location::Line(line) => Diag::error(Code::Data, format!("{name}:{line}: {message}")),
            Location::Span(span) => Diag::error(Code::Data, message.to_string()).at(*span),
            Location::Cell { sheet, row, column } => Diag::error(
                Code::Data,
                format!("{name}, sheet {sheet}, row {row}, column {column}: {message}"),
            ),
        }
    }

    /// The line (or sheet and row) as the rejects file writes it.
    fn shown(&self) -> String {
        match self {
            Location::Line(line) => line.to_string(),
            Location::Span(_) => String::new(),
            Location::Cell { sheet, row, .. } => format!("{sheet}!{row}"),
        }
    }
}

/// Read every record of `input` in one pass, calling `on_row` with each typed row; bad
/// records are counted, reported in `diags`, and skipped. `Err` when the data cannot be read
/// at all.
pub fn read_records(
    input: &Input,
    on_row: &mut dyn FnMut(&Row),
    diags: &mut Vec<Diag>,
) -> Result<Stats, Diag> {
    let path = match input.data {
        Data::File(path) => path,
        Data::Inline(records) => {
            let mut format = inline::Inline::new(input, records);
            return read_all(&mut format, input, on_row, diags, &mut Progress::disabled());
        }
    };
    let opened = open::open(path)?;
    if let Some(workbook) = sniff::workbook(path, opened.head(), input)? {
        drop(opened);
        return xlsx::read(input, path, workbook, on_row, diags);
    }
    let opened = decode::decode(opened, input)?;
    let mut progress = Progress::new(input.name(), opened.len);
    match sniff::text_kind(path, opened.head(), input.options) {
        sniff::Kind::Csv { delimiter } => {
            // Issue 8: rows above the header are skipped; lines stay the file's own.
            let mut reader = opened.reader;
            let head = reader.buffer()[..reader.buffer().len().min(64 * 1024)].to_vec();
            let skipped = skip_lines(&mut reader, input.options.header_row.max(1) - 1, path)?;
            let mut format = csv::Csv::new(input, Box::new(reader), delimiter).map_err(|d| {
                let lines: Vec<(u32, String)> = String::from_utf8_lossy(&head)
                    .lines()
                    .take(100)
                    .enumerate()
                    .skip(skipped as usize + 1)
                    .map(|(i, l)| (i as u32 + 1, l.to_string()))
                    .collect();
                advice::header_below(d, input, &lines)
            })?;
            format.shift_lines(skipped);
            read_all(&mut format, input, on_row, diags, &mut progress)
        }
        sniff::Kind::Jsonl => {
            let mut format = jsonl::Jsonl::new(input, Box::new(opened.reader), 0, 1);
            read_all(&mut format, input, on_row, diags, &mut progress)
        }
    }
}

/// Read every record of a format, then sum up the rejections not shown.
fn read_all<F: Format>(
    format: &mut F,
    input: &Input,
    on_row: &mut dyn FnMut(&Row),
    diags: &mut Vec<Diag>,
    progress: &mut Progress,
) -> Result<Stats, Diag> {
    let mut tally =
        Tally::new(diags, F::SHOWN).logging(input.options.log.as_ref(), input.source, input.name());
    read_format(format, input, on_row, &mut tally, progress)?;
    tally.summarize(input.name());
    Ok(tally.stats)
}

/// Skip `n` lines of `reader` (the rows above a header); how many there were.
fn skip_lines(reader: &mut impl std::io::BufRead, n: u32, path: &str) -> Result<u64, Diag> {
    let mut skipped = 0;
    let mut line = Vec::new();
    while skipped < u64::from(n) {
        line.clear();
        if reader
            .read_until(b'\n', &mut line)
            .map_err(|e| open::io_error(path, e))?
            == 0
        {
            break;
        }
        skipped += 1;
    }
    Ok(skipped)
}

/// Read every record of `input` into a sink: a large plain file in byte ranges on several
/// threads, each into a sink of its own, merged in order (see `split.rs`); anything else,
/// or a file whose ranges disagree with a read from its start, in one pass.
pub fn read_into<S: Sink>(
    input: &Input,
    new_sink: &(dyn Fn() -> S + Sync),
    diags: &mut Vec<Diag>,
) -> (Result<Stats, Diag>, S) {
    if let Some(done) = read_split(input, new_sink) {
        diags.extend(done.diags);
        return (Ok(done.stats), done.sink);
    }
    let mut sink = new_sink();
    let stats = read_records(input, &mut |row| sink.on_row(row), diags);
    sink.finish();
    (stats, sink)
}

/// A large plain file, in a format that can read byte ranges, read in ranges.
fn read_split<S: Sink>(input: &Input, new_sink: &(dyn Fn() -> S + Sync)) -> Option<split::Done<S>> {
    let Data::File(path) = input.data else {
        return None;
    };
    // Issue 8: only plain UTF-8 text with its header on the first line, every rejection
    // not logged, is read in ranges.
    let o = input.options;
    if o.log.is_some() || o.header_row > 1 || o.encoding.is_some_and(|e| e != encoding_rs::UTF_8) {
        return None;
    }
    let len = split::worth_splitting(path)?;
    let opened = open::open(path).ok()?;
    if !decode::plain_utf8(opened.head())
        || sniff::workbook(path, opened.head(), input).ok()?.is_some()
    {
        return None;
    }
    match sniff::text_kind(path, opened.head(), input.options) {
        sniff::Kind::Csv { delimiter } => {
            drop(opened);
            split::read_split::<csv::Csv, S>(input, path, &delimiter, len, new_sink)
        }
        sniff::Kind::Jsonl => {
            drop(opened);
            split::read_split::<jsonl::Jsonl, S>(input, path, &(), len, new_sink)
        }
    }
}

/// The reading loop, the same for every format: each record's needed cells become slots by
/// their column's type; a record with a bad cell is reported in `tally` and left out.
fn read_format<F: Format>(
    format: &mut F,
    input: &Input,
    on_row: &mut dyn FnMut(&Row),
    tally: &mut Tally,
    progress: &mut Progress,
) -> Result<(), Diag> {
    let notation = format.notation();
    let needed: Vec<usize> = (0..input.columns.len())
        .filter(|&k| input.needed[k])
        .collect();
    let mut slots = vec![Slot::Null; input.columns.len()];
    let mut printed = String::new();
    let mut reads = 0u32;
    loop {
        reads = reads.wrapping_add(1);
        if reads & 0x3FFF == 0 {
            progress.tick(format.position());
        }
        // The record is borrowed where the reader wrote it, not moved: a move reads in wide
        // loads what was written in narrow stores, a stall on every record.
        let next = format.next_record(tally);
        let (record, mut rejected) = match &next {
            Ok(Next::Record(r)) => (r, false),
            Ok(Next::Faulty(r)) => (r, true),
            Ok(Next::Skip) => continue,
            Ok(Next::End) => break,
            Err(_) => return next.map(|_| ()),
        };
        tally.stats.records += 1;
        printed.clear();
        for &k in &needed {
            // The cell is fetched again on the (cold) error path: keeping it alive across
            // the conversion costs the hot loop a copy.
            let (ty, slot) = (input.columns[k].1, &mut slots[k]);
            match cell::to_slot_in(record.cell(k), ty, &notation, &mut printed, slot) {
                Ok(()) => {}
                Err(expected) => {
                    reject_cell::<F>(tally, input, record, k, expected, &notation, rejected);
                    rejected = true;
                    if !F::EVERY_BAD_CELL {
                        break;
                    }
                }
            }
        }
        if !rejected {
            on_row(&Row {
                slots: &slots,
                text: record.text(),
                printed: &printed,
            });
        }
    }
    progress.finish();
    Ok(())
}

/// Reject a record for its cell `k` (or, when it is already rejected, say more about it).
#[cold]
#[inline(never)]
fn reject_cell<F: Format>(
    tally: &mut Tally,
    input: &Input,
    record: &impl Record,
    k: usize,
    expected: cell::Expected,
    notation: &Notation,
    already: bool,
) {
    let cell = record.cell(k);
    let make = || bad_cell::<F>(input, record, k, cell, expected, notation);
    if already {
        return tally.also(make);
    }
    let entry = || {
        let place = record.place(k, String::new());
        let field = input.columns[k].0.clone();
        let reason = format!("`{}` is not {expected}", cell.shown());
        (place.location.shown(), field, cell.shown(), reason)
    };
    tally.reject_value(make, entry);
}

/// "`x` is not a number", where the record is, for every format.
#[cold]
fn bad_cell<F: Format>(
    input: &Input,
    record: &impl Record,
    k: usize,
    cell: Cell,
    expected: cell::Expected,
    notation: &Notation,
) -> Diag {
    let field = &input.columns[k].0;
    let place = record.place(k, format!("expected {expected}"));
    let d = place.location.error(
        input.name(),
        format_args!("field `{field}`: `{}` is not {expected}", cell.shown()),
    );
    let d = match place.excerpt {
        Some(x) => d.excerpt(x),
        None => d,
    };
    let advice = match cell {
        Cell::Text(text, _) => advice::for_cell(input, notation, text, input.columns[k].1),
        _ => None,
    };
    match (advice, F::HOW_TO_NULL) {
        (Some(line), _) => d.help(format!("{line}; the record was left out")),
        (None, Some(null)) => d.help(format!("fix the value or {null}; the record was left out")),
        (None, None) => d,
    }
}
