//! JSON Lines: one object per line, fields by name (a missing field is null). Values are
//! handed over as text (numbers as written, exactly; booleans as `true`/`false`), copied
//! into one reused buffer that string slots point into (`pick.rs`). The source's read options
//! (`null`, `true`/`false` words, marks, date patterns) apply to string values; a number or
//! a boolean is read as written ([`Cell::Plain`]). Lines are read in place
//! in one buffer; any line break is a record's start, so a byte range of a plain file can
//! be read alone (see `split.rs`).

mod flat;
mod pick;

use pick::ValueAt;

use super::bytes::Bytes;
use super::cell::{Cell, Notation};
use super::open::{io_error, open_file};
use super::split::RangeFormat;
use super::{Format, Input, Location, Next, Place, Record, Tally};
use crate::diag::{Diag, Excerpt};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

pub struct Jsonl {
    name: String,
    bytes: Bytes,
    /// Per input column: its name, when needed.
    fields: Vec<Option<String>>,
    /// Pairs of needed columns of one name (the first, another).
    same: Vec<(usize, usize)>,
    /// The line the next record starts on.
    line_no: u64,
    /// Stop before the first line that starts at or after this byte of the file.
    stop_at: Option<u64>,
    /// The needed values of the current record, one after the other.
    text: String,
    /// Per input column: its value's range in `text` (`None`: null or missing).
    ranges: Vec<Option<ValueAt>>,
    /// How the source writes its string values.
    notation: Notation,
    /// The keys of the objects read so far, in order.
    order: flat::KeyOrder,
}

impl Jsonl {
    /// A reader of the lines of `reader`, which starts at byte `base` of the file, on line
    /// `line`.
    pub fn new(input: &Input, reader: Box<dyn Read>, base: u64, line: u64) -> Jsonl {
        let fields: Vec<Option<String>> = input
            .columns
            .iter()
            .zip(input.needed)
            .map(|((name, _), &needed)| needed.then(|| name.clone()))
            .collect();
        let same = (0..fields.len())
            .filter_map(|b| {
                let first = fields[..b]
                    .iter()
                    .position(|f| f.is_some() && *f == fields[b])?;
                Some((first, b))
            })
            .collect();
        Jsonl {
            name: input.name().to_string(),
            bytes: Bytes::new(reader, input.name(), base),
            ranges: vec![None; fields.len()],
            fields,
            same,
            line_no: line,
            stop_at: None,
            text: String::new(),
            notation: Notation::of(input.options, false),
            order: flat::KeyOrder::default(),
        }
    }
}

pub struct JsonRecord<'a> {
    text: &'a str,
    ranges: &'a [Option<ValueAt>],
    fields: &'a [Option<String>],
    line: &'a str,
    line_no: u64,
    name: &'a str,
}

impl Record for JsonRecord<'_> {
    #[inline]
    fn cell(&self, k: usize) -> Cell<'_> {
        match self.ranges[k] {
            Some(p) => {
                let text = self
                    .text
                    .get(p.start as usize..p.end as usize)
                    .unwrap_or("");
                if p.string {
                    Cell::Text(text, p.start)
                } else {
                    Cell::Plain(text, p.start)
                }
            }
            None => Cell::Null,
        }
    }

    fn text(&self) -> &str {
        self.text
    }

    fn place(&self, k: usize, label: String) -> Place {
        let field = self.fields[k].as_deref().unwrap_or("");
        // The field's key: its quoted name followed by a colon (a value may hold the name).
        let quoted = format!("\"{field}\"");
        let at = self
            .line
            .match_indices(&quoted)
            .map(|(i, _)| i)
            .find(|&i| self.line[i + quoted.len()..].trim_start().starts_with(':'))
            .unwrap_or(0);
        Place {
            location: Location::Line(self.line_no),
            excerpt: Some(Excerpt {
                file: self.name.to_string(),
                line: self.line_no,
                text: self.line.to_string(),
                range: Some((at, at + field.len() + 2)),
                label: Some(label),
            }),
        }
    }
}

impl Format for Jsonl {
    type Record<'a>
        = JsonRecord<'a>
    where
        Self: 'a;
    const HOW_TO_NULL: Option<&'static str> = Some("make it null");

    fn notation(&self) -> Notation {
        self.notation.clone()
    }

    fn position(&self) -> u64 {
        self.bytes.offset(self.bytes.pos)
    }

    fn next_record(&mut self, tally: &mut Tally) -> Result<Next<JsonRecord<'_>>, Diag> {
        let start = self.bytes.pos;
        if self
            .stop_at
            .is_some_and(|stop| self.bytes.offset(start) >= stop)
        {
            return Ok(Next::End);
        }
        let (end, next) = loop {
            if self.bytes.at_end() {
                return Ok(Next::End);
            }
            let (pos, data) = (self.bytes.pos, self.bytes.data());
            match memchr::memchr(b'\n', &data[pos..]) {
                Some(k) => break (pos + k, pos + k + 1),
                None if self.bytes.eof => break (data.len(), data.len()),
                None if self.bytes.full() => {
                    let line = self.line_no;
                    return Err(Location::Line(line).error(
                        &self.name,
                        format_args!(
                            "this line runs over {} MiB: the file cannot be read past it",
                            super::bytes::MAX_RECORD >> 20
                        ),
                    ));
                }
                None => {
                    self.bytes.fill()?;
                }
            }
        };
        let start = self.bytes.pos;
        self.bytes.pos = next;
        let line_no = self.line_no;
        self.line_no += 1;
        let name = self.name.as_str();
        let text = self.bytes.text().and_then(|t| t.get(start..end));
        let Some(whole) = text.or_else(|| std::str::from_utf8(&self.bytes.data()[start..end]).ok())
        else {
            tally.reject_record(|| {
                Location::Line(line_no)
                    .error(name, "this line is not UTF-8 text")
                    .help("save the file as UTF-8")
            });
            return Ok(Next::Skip);
        };
        let rest = whole.trim_start_matches('\u{feff}').trim_start();
        let line = rest.trim_end();
        if line.is_empty() {
            return Ok(Next::Skip);
        }
        let into = pick::Picked {
            order: &mut self.order,
            fields: &self.fields,
            same: &self.same,
            text: &mut self.text,
            ranges: &mut self.ranges,
        };
        if let Err(e) = pick::pick(line, into) {
            tally.reject_record(|| not_an_object(name, line_no, line, &e));
            return Ok(Next::Skip);
        }
        Ok(Next::Record(JsonRecord {
            text: &self.text,
            ranges: &self.ranges,
            fields: &self.fields,
            line,
            line_no,
            name,
        }))
    }
}

/// A line that is not one JSON object.
#[cold]
fn not_an_object(name: &str, line_no: u64, line: &str, e: &serde_json::Error) -> Diag {
    let col = e.column();
    let at = line
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    Location::Line(line_no)
        .error(name, format_args!("not a JSON object: {e}"))
        .excerpt(Excerpt {
            file: name.into(),
            line: line_no,
            text: line.chars().take(300).collect(),
            range: Some((at.min(300), (at + 1).min(300))),
            label: Some("here".into()),
        })
        .help("JSON Lines holds one object `{...}` per line")
}

impl RangeFormat for Jsonl {
    type Layout = ();

    fn open_range(
        input: &Input,
        path: &str,
        _: &(),
        start: u64,
        end: Option<u64>,
        line: u64,
    ) -> Result<Self, Diag> {
        let mut file = open_file(path)?;
        file.seek(SeekFrom::Start(start))
            .map_err(|e| io_error(path, e))?;
        let mut format = Jsonl::new(input, Box::new(file), start, line);
        format.stop_at = end;
        Ok(format)
    }

    fn stopped_at(&self) -> u64 {
        self.bytes.offset(self.bytes.pos)
    }

    fn line(&self) -> u64 {
        self.line_no
    }

    /// Every line is a record.
    fn record_start_after(file: &mut File, at: u64) -> Option<u64> {
        super::bytes::line_start_after(file, at)
    }
}

#[cfg(test)]
mod tests {
    use super::super::csv::tests::{columns, read_parts_as, read_whole, temp_file};
    use super::Jsonl;
    use crate::analysis::Ty;

    /// Lines read in ranges are the lines read whole: values, rejections, their lines.
    #[test]
    fn lines_read_in_ranges_are_lines_read_whole() {
        let mut text = String::from("\u{feff}");
        for i in 0..300 {
            let line = match i % 37 {
                5 => "{\"s\": \"broken\"".to_string(),
                11 => "\r".to_string(),
                17 => format!("{{\"s\": \"r{i}\", \"x\": \"ten\"}}"),
                23 => "[1, 2]".to_string(),
                _ => format!("{{\"s\": \"r\\\"{i}\", \"x\": {i}.5, \"z\": [{i}]}}\r"),
            };
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str("{\"s\": \"last\"}");
        let path = temp_file("lines.jsonl", text.as_bytes());
        let cols = columns(&[("s", Ty::Str), ("x", Ty::Num)]);
        let whole = read_whole(&path, &cols);
        assert_eq!((whole.records, whole.rejected), (293, 24));
        assert!(
            whole.shown.contains("FILE:6: not a JSON object"),
            "{}",
            whole.shown
        );
        for parts in 2..7 {
            assert_eq!(
                read_parts_as::<Jsonl>(&path, &cols, &(), parts).as_ref(),
                Some(&whole)
            );
        }
    }

    #[test]
    fn a_line_that_is_not_text_is_rejected() {
        let path = temp_file(
            "bytes.jsonl",
            b"{\"x\": 1}\n{\"x\": \"\xff\"}\n{\"x\": 2}\n",
        );
        let read = read_whole(&path, &columns(&[("x", Ty::Num)]));
        assert_eq!((read.records, read.rejected, read.rows.len()), (3, 1, 2));
        insta::assert_snapshot!(read.shown, @"
        kpi::data

          × FILE:2: this line is not UTF-8 text
          help: save the file as UTF-8
        ");
    }
}
