//! CSV and TSV: `,` `;` or tab, quoted fields, CRLF, a UTF-8 BOM at the file's start.
//! Records are tokenized in place in one buffer (`tokenize.rs`); a record's text is its
//! bytes there, so strings stay in the buffer. A byte range of a plain file can be read
//! alone (`range.rs`, see `split.rs`). Lines are counted as the file counts them.

#[cfg(test)]
mod property;
mod range;
mod record;
#[cfg(test)]
pub(crate) mod tests;
mod tokenize;

use super::bytes::Bytes;
use super::cell::Notation;
use super::header::resolve_columns;
use super::{Format, Input, Next, Tally};
use crate::diag::{Code, Diag};
use record::{unescape, CsvRecord};
use std::io::Read;
use tokenize::{count_breaks, Field, Step, Tokenizer};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub struct Csv {
    name: String,
    bytes: Bytes,
    tok: Tokenizer,
    header_len: usize,
    /// Per input column: its field in the record (`usize::MAX`: not needed).
    idx: Vec<usize>,
    /// The line the next record starts on.
    line: u64,
    /// Stop before the first record that starts at or after this byte of the file.
    stop_at: Option<u64>,
    /// The text of a record with doubled quotes, once undoubled, and its fields there.
    own: String,
    own_fields: Vec<Field>,
    /// The last record: where it starts and ends in the buffer, and its line.
    current: (usize, usize, u64),
    /// How cells are written: the source's options, else by the delimiter.
    notation: Notation,
}

impl Csv {
    /// A reader of every record of `reader`, which starts with the header row.
    pub fn new(input: &Input, reader: Box<dyn Read>, delimiter: u8) -> Result<Csv, Diag> {
        let mut bytes = Bytes::new(reader, input.name(), 0);
        skip_bom(&mut bytes)?;
        let mut tok = Tokenizer::new(delimiter);
        let (names, breaks) = read_header(input, &mut bytes, &mut tok)?;
        Csv::with_header(input, bytes, tok, &names, 1 + breaks)
    }

    fn with_header(
        input: &Input,
        bytes: Bytes,
        mut tok: Tokenizer,
        names: &[String],
        line: u64,
    ) -> Result<Csv, Diag> {
        // `bytes` may be another buffer than the header's.
        tok.reset();
        let delimiter = tok.delimiter();
        let header_line = names.join(&(delimiter as char).to_string());
        let idx = resolve_columns(input, names, &header_line)?;
        Ok(Csv {
            name: input.name().to_string(),
            bytes,
            tok,
            header_len: names.len(),
            idx,
            line,
            stop_at: None,
            own: String::new(),
            own_fields: Vec::new(),
            current: (0, 0, 0),
            notation: Notation::of(input.options, delimiter != b','),
        })
    }

    /// Count `by` more lines before every record: the rows skipped above the header.
    pub fn shift_lines(&mut self, by: u64) {
        self.line += by;
    }
}

/// Skip a UTF-8 BOM: only the stream's first bytes can be one.
fn skip_bom(bytes: &mut Bytes) -> Result<(), Diag> {
    bytes.fill_to(UTF8_BOM.len())?;
    if bytes.data().starts_with(UTF8_BOM) {
        bytes.pos = UTF8_BOM.len();
    }
    Ok(())
}

/// The first row of a stream, which names the columns, and the line breaks it spans.
fn read_header(
    input: &Input,
    bytes: &mut Bytes,
    tok: &mut Tokenizer,
) -> Result<(Vec<String>, u64), Diag> {
    let name = input.name();
    loop {
        if bytes.at_end() {
            return Err(empty(input));
        }
        let start = bytes.pos;
        match tok.step(bytes.data(), start, bytes.eof) {
            Step::NeedMore => {
                if bytes.full() {
                    return Err(record::too_long(name, 1));
                }
                bytes.fill()?;
                tok.reset();
            }
            Step::Record { next, breaks, .. } => {
                let data = bytes.data();
                let names = tok
                    .fields
                    .iter()
                    .map(|f| {
                        let raw = &data[start + f.start as usize..start + f.end as usize];
                        String::from_utf8_lossy(raw)
                            .replace("\"\"", "\"")
                            .trim()
                            .to_string()
                    })
                    .collect();
                bytes.pos = next;
                return Ok((names, breaks));
            }
            Step::BadQuote { at, .. } | Step::Unclosed { at } => {
                let line = 1 + count_breaks(&bytes.data()[start..at]);
                return Err(Diag::error(
                    Code::Data,
                    format!("{name}:{line}: the header row cannot be read as CSV: a quote does not close"),
                ));
            }
        }
    }
}

fn empty(input: &Input) -> Diag {
    let name = input.name();
    let mut example: Vec<&str> = Vec::new();
    for (name, _) in input.columns {
        if !example.contains(&name.as_str()) {
            example.push(name);
        }
    }
    Diag::error(
        Code::Data,
        format!("{name} is empty: a header row is expected"),
    )
    .help(format!(
        "the first row names the columns, e.g. {}",
        example.join(",")
    ))
}

impl Format for Csv {
    type Record<'a>
        = CsvRecord<'a>
    where
        Self: 'a;
    const HOW_TO_NULL: Option<&'static str> = Some("leave the cell blank (blank is null)");

    fn notation(&self) -> Notation {
        self.notation.clone()
    }

    fn position(&self) -> u64 {
        self.bytes.offset(self.bytes.pos)
    }

    #[inline]
    fn next_record(&mut self, tally: &mut Tally) -> Result<Next<CsvRecord<'_>>, Diag> {
        let at = self.bytes.offset(self.bytes.pos);
        if self.stop_at.is_some_and(|stop| at >= stop) {
            return Ok(Next::End);
        }
        let (end, next, breaks) = loop {
            if self.bytes.at_end() {
                return Ok(Next::End);
            }
            let (data, pos, eof) = (self.bytes.data(), self.bytes.pos, self.bytes.eof);
            match self.tok.step(data, pos, eof) {
                Step::Record { end, next, breaks } => break (end, next, breaks),
                Step::NeedMore => self.fill()?,
                Step::BadQuote { at, next, breaks } => {
                    self.bad_quote(tally, at, next, breaks);
                    return Ok(Next::Skip);
                }
                Step::Unclosed { at } => {
                    let rest = &data[pos..];
                    return Err(record::unclosed(&self.name, self.line, rest, at - pos));
                }
            }
        };
        let (start, line) = (self.bytes.pos, self.line);
        self.bytes.pos = next;
        self.line += breaks;
        self.current = (start, end, line);
        let fields = &self.tok.fields;
        if fields.len() != self.header_len || end == start {
            // A line with nothing on it is no record (nor, in a file of several columns, a
            // line with one empty value).
            if fields.len() == 1 && (end == start || fields[0].start == fields[0].end) {
                return Ok(Next::Skip);
            }
            let raw = &self.bytes.data()[start..end];
            tally.reject_record(|| {
                record::ragged(&self.name, line, raw, fields.len(), self.header_len)
            });
            return Ok(Next::Skip);
        }
        // A buffer that is all UTF-8 is sliced; a record of one that is not is checked.
        let text = self.bytes.text().and_then(|t| t.get(start..end));
        let Some(raw) = text.or_else(|| std::str::from_utf8(&self.bytes.data()[start..end]).ok())
        else {
            let name = &self.name;
            tally.reject_record(|| {
                Diag::error(
                    Code::Data,
                    format!("{name}:{line}: this row is not UTF-8 text"),
                )
                .help("save the file as UTF-8")
            });
            return Ok(Next::Skip);
        };
        if !self.tok.escaped.is_empty() {
            unescape(
                raw,
                fields,
                &self.tok.escaped,
                &mut self.own,
                &mut self.own_fields,
            );
            return Ok(Next::Record(CsvRecord {
                text: &self.own,
                fields: &self.own_fields,
                csv: self,
            }));
        }
        Ok(Next::Record(CsvRecord {
            text: raw,
            fields,
            csv: self,
        }))
    }
}

impl Csv {
    /// More bytes for a record that runs past the buffer.
    /// A record broken by a bad closing quote at `at`, up to `next`.
    #[cold]
    fn bad_quote(&mut self, tally: &mut Tally, at: usize, next: usize, breaks: u64) {
        let (start, line) = (self.bytes.pos, self.line);
        self.bytes.pos = next;
        self.line += breaks;
        let raw = &self.bytes.data()[start..next];
        tally.reject_record(|| record::bad_quote(&self.name, line, raw, at - start));
    }

    #[cold]
    fn fill(&mut self) -> Result<(), Diag> {
        if self.bytes.full() {
            return Err(record::too_long(&self.name, self.line));
        }
        self.bytes.fill()?;
        self.tok.reset();
        Ok(())
    }
}
