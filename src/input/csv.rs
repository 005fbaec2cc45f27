//! CSV and TSV: `,` `;` or tab, quoted fields, CRLF, a UTF-8 BOM. One reused
//! `csv::ByteRecord`; its fields are the text cells, and strings stay in it. A byte range of
//! a plain file can be read alone (see `split.rs`).

use super::cell::{Cell, Notation};
use super::header::resolve_columns;
use super::open::{io_error, open_file};
use super::split::RangeFormat;
use super::{Format, Input, Location, Next, Place, Record, Tally};
use crate::diag::{Code, Diag, Excerpt};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};

pub struct Csv<R: Read> {
    name: String,
    csv: csv::Reader<R>,
    rec: csv::ByteRecord,
    delimiter: u8,
    header_len: usize,
    /// Per input column: its field in the record (`usize::MAX`: not needed).
    idx: Vec<usize>,
    /// The fields of the needed columns.
    needed: Vec<usize>,
    /// Where the stream starts in the file (past the header for a later range).
    base: u64,
    /// Stop before the first record that starts at or after this byte of the file.
    stop_at: Option<u64>,
    ended_at_cut: bool,
    /// Issue 8: how cells are written (the source's options), and what to add to the
    /// reader's line numbers (rows skipped above the header; one in CRLF files, where
    /// the reader counts a record's line before its line break).
    notation: Notation,
    line_shift: u64,
}

fn builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.delimiter(delimiter).has_headers(false).flexible(true);
    b
}

impl<R: Read> Csv<R> {
    /// A reader of every record of `reader`, which starts with the header row.
    pub fn new(input: &Input, reader: R, delimiter: u8) -> Result<Csv<R>, Diag> {
        let mut csv = builder(delimiter).from_reader(reader);
        let mut rec = csv::ByteRecord::new();
        read_header(input, &mut csv, &mut rec)?;
        Csv::with_header(input, csv, rec, delimiter)
    }

    fn with_header(
        input: &Input,
        csv: csv::Reader<R>,
        header: csv::ByteRecord,
        delimiter: u8,
    ) -> Result<Csv<R>, Diag> {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = String::from_utf8_lossy(h);
                let h = if i == 0 {
                    h.trim_start_matches('\u{feff}')
                } else {
                    &h
                };
                h.trim().to_string()
            })
            .collect();
        let header_line = names.join(&(delimiter as char).to_string());
        let idx = resolve_columns(input, &names, &header_line)?;
        Ok(Csv {
            name: input.name().to_string(),
            csv,
            rec: csv::ByteRecord::new(),
            delimiter,
            header_len: names.len(),
            needed: idx.iter().copied().filter(|&i| i != usize::MAX).collect(),
            idx,
            base: 0,
            stop_at: None,
            ended_at_cut: true,
            notation: Notation::of(input.options, delimiter != b','),
            line_shift: 0,
        })
    }

    /// Add `by` to every line number (issue 8: rows skipped above the header, CRLF).
    pub fn shift_lines(&mut self, by: u64) {
        self.line_shift = by;
    }
}

/// The first row of a stream, which names the columns.
fn read_header<R: Read>(
    input: &Input,
    csv: &mut csv::Reader<R>,
    rec: &mut csv::ByteRecord,
) -> Result<(), Diag> {
    let name = input.name();
    let read = csv.read_byte_record(rec).map_err(|e| {
        let line = e.position().map_or(0, |p| p.line());
        Diag::error(
            Code::Data,
            format!("{name}:{line}: the file cannot be read as CSV: {e}"),
        )
    })?;
    if read {
        return Ok(());
    }
    let mut example: Vec<&str> = Vec::new();
    for (name, _) in input.columns {
        if !example.contains(&name.as_str()) {
            example.push(name);
        }
    }
    Err(Diag::error(
        Code::Data,
        format!("{name} is empty: a header row is expected"),
    )
    .help(format!(
        "the first row names the columns, e.g. {}",
        example.join(",")
    )))
}

/// One CSV record, its fields checked to be UTF-8 text.
pub struct CsvRecord<'a> {
    text: &'a str,
    rec: &'a csv::ByteRecord,
    idx: &'a [usize],
    line: u64,
    name: &'a str,
    delimiter: u8,
}

impl Record for CsvRecord<'_> {
    #[inline]
    fn cell(&self, k: usize) -> Cell<'_> {
        // Fields were checked against the header's length and for UTF-8 boundaries.
        match self.rec.range(self.idx[k]) {
            Some(r) => match self.text.get(r.clone()) {
                Some(s) => Cell::Text(s, r.start as u32),
                None => Cell::Null,
            },
            None => Cell::Null,
        }
    }

    fn text(&self) -> &str {
        self.text
    }

    fn place(&self, k: usize, label: String) -> Place {
        Place {
            location: Location::Line(self.line),
            excerpt: Some(record_excerpt(
                self.name,
                self.line,
                self.rec,
                self.delimiter,
                Some(self.idx[k]),
                Some(label),
            )),
        }
    }
}

impl<R: Read> Format for Csv<R> {
    type Record<'a>
        = CsvRecord<'a>
    where
        Self: 'a;
    const HOW_TO_NULL: Option<&'static str> = Some("leave the cell blank (blank is null)");

    fn notation(&self) -> Notation {
        self.notation.clone()
    }

    fn position(&self) -> u64 {
        self.base + self.csv.position().byte()
    }

    fn next_record(&mut self, tally: &mut Tally) -> Result<Next<CsvRecord<'_>>, Diag> {
        if let Some(stop) = self.stop_at {
            let at = self.position();
            if at >= stop {
                self.ended_at_cut = at == stop;
                return Ok(Next::End);
            }
        }
        let name = self.name.as_str();
        match self.csv.read_byte_record(&mut self.rec) {
            Ok(true) => {}
            Ok(false) => {
                if self.stop_at == Some(self.base + self.csv.position().byte()) {
                    self.ended_at_cut = true;
                }
                return Ok(Next::End);
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line()) + self.line_shift;
                if let csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. } =
                    e.kind()
                {
                } else if e.is_io_error() {
                    return Err(Diag::error(
                        Code::Data,
                        format!("{name}:{line}: the file cannot be read as CSV: {e}"),
                    ));
                }
                tally.reject(|| Diag::error(Code::Data, format!("{name}:{line}: {e}")));
                return Ok(Next::Skip);
            }
        }
        let rec = &self.rec;
        let line = rec.position().map_or(0, |p| p.line()) + self.line_shift;
        if rec.len() != self.header_len {
            // A blank line is no record.
            if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
                return Ok(Next::Skip);
            }
            tally.reject_record(|| {
                Diag::error(
                    Code::Data,
                    format!(
                        "{name}:{line}: this row has {} fields, the header has {}",
                        rec.len(),
                        self.header_len
                    ),
                )
                .excerpt(record_excerpt(name, line, rec, self.delimiter, None, None))
                .help(
                    "each row needs one value per column; quote values that contain the delimiter",
                )
            });
            return Ok(Next::Skip);
        }
        // Each needed field must be text on its own: the record's bytes may be UTF-8 only
        // once its fields are joined.
        let text = std::str::from_utf8(rec.as_slice()).ok().filter(|text| {
            self.needed.iter().all(|&i| {
                rec.range(i)
                    .is_some_and(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
            })
        });
        let Some(text) = text else {
            tally.reject_record(|| {
                Diag::error(
                    Code::Data,
                    format!("{name}:{line}: this row is not UTF-8 text"),
                )
                .help("save the file as UTF-8")
            });
            return Ok(Next::Skip);
        };
        Ok(Next::Record(CsvRecord {
            text,
            rec,
            idx: &self.idx,
            line,
            name,
            delimiter: self.delimiter,
        }))
    }
}

impl RangeFormat for Csv<BufReader<File>> {
    type Layout = u8;

    fn open_range(
        input: &Input,
        path: &str,
        delimiter: &u8,
        start: u64,
        end: Option<u64>,
    ) -> Result<Self, Diag> {
        let mut file = open_file(path)?;
        let mut header = csv::ByteRecord::new();
        if start > 0 {
            // The header is the first line of the file, not of this range.
            let mut from_start = builder(*delimiter).from_reader(open_file(path)?);
            read_header(input, &mut from_start, &mut header)?;
            file.seek(SeekFrom::Start(start))
                .map_err(|e| io_error(path, e))?;
        }
        let mut csv = builder(*delimiter).from_reader(BufReader::with_capacity(1 << 20, file));
        if start == 0 {
            read_header(input, &mut csv, &mut header)?;
        }
        let mut format = Csv::with_header(input, csv, header, *delimiter)?;
        format.shift_lines(u64::from(first_line_crlf(path)));
        format.base = start;
        format.stop_at = end;
        format.ended_at_cut = end.is_none();
        Ok(format)
    }

    fn ended_at_cut(&self) -> bool {
        self.ended_at_cut
    }

    /// A record may start after any line break (and a quoted line break is caught by the
    /// range before, which does not end at the cut).
    fn record_start_after(file: &mut File, at: u64) -> Option<u64> {
        file.seek(SeekFrom::Start(at)).ok()?;
        let mut buf = [0u8; 64 * 1024];
        let n = file.read(&mut buf).ok()?;
        let nl = buf[..n].iter().position(|&b| b == b'\n')?;
        Some(at + nl as u64 + 1)
    }
}

/// Whether the file's first line ends with CRLF (issue 8: see `line_shift`).
fn first_line_crlf(path: &str) -> bool {
    let mut head = [0u8; 64 * 1024];
    let n = open_file(path)
        .ok()
        .and_then(|mut f| f.read(&mut head).ok())
        .unwrap_or(0);
    super::sniff::crlf(&head[..n])
}

/// The record's text, re-joined, with the byte range of field `at` to underline.
fn record_excerpt(
    name: &str,
    line: u64,
    rec: &csv::ByteRecord,
    delimiter: u8,
    at: Option<usize>,
    label: Option<String>,
) -> Excerpt {
    let mut text = String::new();
    let mut range = None;
    for (i, f) in rec.iter().enumerate() {
        if i > 0 {
            text.push(delimiter as char);
        }
        let start = text.len();
        text.push_str(&String::from_utf8_lossy(f));
        if Some(i) == at {
            range = Some((start, text.len()));
        }
    }
    if text.len() > 300 {
        range = range.filter(|r| r.1 <= 300);
        let mut cut = 300;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    Excerpt {
        file: name.to_string(),
        line,
        text,
        range,
        label,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{read_records, Data, ReadOptions};
    use super::*;
    use crate::analysis::Ty;

    /// A row whose fields are UTF-8 only once joined (`\xC3` `,` `\xA9`) is not text.
    #[test]
    fn a_row_whose_fields_split_a_character_is_not_text() {
        let dir = std::env::temp_dir().join(format!("kpi-input-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("split_char.csv");
        std::fs::write(&path, b"a,b,c\n1,\xC3,\xA9\n2,x,y\n").unwrap();
        let path = path.to_str().unwrap();
        let columns = [
            ("a".to_string(), Ty::Num),
            ("b".to_string(), Ty::Str),
            ("c".to_string(), Ty::Str),
        ];
        let input = Input {
            source: "s",
            data: Data::File(path),
            columns: &columns,
            needed: &[true, true, true],
            declared: None,
            // Issue 8: a file that declares no encoding and is not UTF-8 is one error before
            // any row is read; declared UTF-8, each row is checked.
            options: &ReadOptions {
                encoding: Some(encoding_rs::UTF_8),
                ..ReadOptions::default()
            },
        };
        let mut diags = Vec::new();
        let mut rows = 0;
        let stats = read_records(&input, &mut |_| rows += 1, &mut diags).unwrap();
        assert_eq!((stats.records, stats.rejected, rows), (2, 1, 1));
        let shown: Vec<String> = diags
            .iter()
            .map(|d| d.message.replace(path, "FILE"))
            .collect();
        insta::assert_snapshot!(shown.join("\n"), @"FILE:2: this row is not UTF-8 text");
    }
}
