//! Input: records from files (CSV, TSV, JSON Lines, each optionally gzip-compressed, or
//! standard input) and from the catalogue (test records), as typed rows.
//!
//! Each format is one reader implementing [`Format`]: it yields records whose cells are
//! [`Cell`]s, text to parse or typed values. One loop (`read_format`) turns the cells of
//! the needed columns into [`Slot`]s by the column's type ([`cell::to_slot`]), counts and
//! reports rejected records, shows progress, and hands each row to the caller. What a file
//! is comes from `sniff.rs`; reading a large file in parallel ranges is `split.rs`, for any
//! format that can read a byte range ([`split::RangeFormat`]).

mod bytes;
pub mod cell;
mod csv;
mod header;
mod inline;
mod jsonl;
mod open;
mod progress;
mod reject;
pub mod row;
mod sniff;
mod split;

use crate::analysis::Ty;
use crate::catalogue::yaml::Node;
use crate::diag::{Code, Diag, Excerpt};
use crate::span::Span;
pub use cell::{Cell, Notation};
use progress::Progress;
pub use reject::Tally;
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

/// A source's read options. Issue 8 adds them here (`format`, `encoding`, `delimiter`,
/// `decimal`, `thousands`, `date_format`, `datetime_format`, the words for true, false and
/// null, `header_row`, `sheet`); a format turns them, with what it sniffed, into the
/// [`Notation`] of its cells.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {}

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
    // A workbook cell (sheet, row, column letter) goes here with issue 8.
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
    let mut progress = Progress::new(input.name(), opened.len);
    match sniff::sniff(path, opened.head()) {
        sniff::Kind::Csv { delimiter } => {
            let mut format = csv::Csv::new(input, Box::new(opened.reader), delimiter)?;
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
    let mut tally = Tally::new(diags, F::SHOWN);
    read_format(format, input, on_row, &mut tally, progress)?;
    tally.summarize(input.name());
    Ok(tally.stats)
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
    let len = split::worth_splitting(path)?;
    let opened = open::open(path).ok()?;
    match sniff::sniff(path, opened.head()) {
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
        let (record, mut rejected) = match format.next_record(tally)? {
            Next::Record(r) => (r, false),
            Next::Faulty(r) => (r, true),
            Next::Skip => continue,
            Next::End => break,
        };
        tally.stats.records += 1;
        printed.clear();
        for &k in &needed {
            let cell = record.cell(k);
            match cell::to_slot(cell, input.columns[k].1, &notation, &mut printed) {
                Ok(s) => slots[k] = s,
                Err(expected) => {
                    let make = || bad_cell::<F>(input, &record, k, cell, expected);
                    if rejected {
                        tally.also(make);
                    } else {
                        tally.reject(make);
                        rejected = true;
                    }
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

/// "`x` is not a number", where the record is, for every format.
#[cold]
fn bad_cell<F: Format>(
    input: &Input,
    record: &impl Record,
    k: usize,
    cell: Cell,
    expected: cell::Expected,
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
    match F::HOW_TO_NULL {
        Some(null) => d.help(format!("fix the value or {null}; the record was left out")),
        None => d,
    }
}
