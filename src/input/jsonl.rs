//! JSON Lines: one object per line, fields by name (a missing field is null). Values are
//! handed over as text (numbers as written, exactly; booleans as `true`/`false`), copied
//! into one reused buffer that string slots point into.

use super::cell::{Cell, Notation};
use super::open::io_error;
use super::{Format, Input, Location, Next, Place, Record, Tally};
use crate::diag::{Diag, Excerpt};
use std::fmt::Write;
use std::io::BufRead;

pub struct Jsonl<R: BufRead> {
    name: String,
    reader: R,
    /// Per input column: its name, when needed.
    fields: Vec<Option<String>>,
    line_buf: String,
    /// The current line, trimmed, within `line_buf`.
    line: (usize, usize),
    line_no: u64,
    bytes: u64,
    /// The needed values of the current record, one after the other.
    text: String,
    /// Per input column: its value's range in `text` (`None`: null or missing).
    ranges: Vec<Option<(u32, u32)>>,
}

impl<R: BufRead> Jsonl<R> {
    pub fn new(input: &Input, reader: R) -> Jsonl<R> {
        Jsonl {
            name: input.name().to_string(),
            reader,
            fields: input
                .columns
                .iter()
                .zip(input.needed)
                .map(|((name, _), &needed)| needed.then(|| name.clone()))
                .collect(),
            line_buf: String::new(),
            line: (0, 0),
            line_no: 0,
            bytes: 0,
            text: String::new(),
            ranges: vec![None; input.columns.len()],
        }
    }
}

pub struct JsonRecord<'a> {
    text: &'a str,
    ranges: &'a [Option<(u32, u32)>],
    fields: &'a [Option<String>],
    line: &'a str,
    line_no: u64,
    name: &'a str,
}

impl Record for JsonRecord<'_> {
    #[inline]
    fn cell(&self, k: usize) -> Cell<'_> {
        match self.ranges[k] {
            Some((s, e)) => Cell::Text(self.text.get(s as usize..e as usize).unwrap_or(""), s),
            None => Cell::Null,
        }
    }

    fn text(&self) -> &str {
        self.text
    }

    fn place(&self, k: usize, label: String) -> Place {
        let field = self.fields[k].as_deref().unwrap_or("");
        let at = self.line.find(&format!("\"{field}\"")).unwrap_or(0);
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

impl<R: BufRead> Format for Jsonl<R> {
    type Record<'a>
        = JsonRecord<'a>
    where
        Self: 'a;
    const HOW_TO_NULL: Option<&'static str> = Some("make it null");

    fn notation(&self) -> Notation {
        Notation::default()
    }

    fn position(&self) -> u64 {
        self.bytes
    }

    fn next_record(&mut self, tally: &mut Tally) -> Result<Next<JsonRecord<'_>>, Diag> {
        self.line_buf.clear();
        let n = self
            .reader
            .read_line(&mut self.line_buf)
            .map_err(|e| io_error(&self.name, e))?;
        if n == 0 {
            return Ok(Next::End);
        }
        self.line_no += 1;
        self.bytes += n as u64;
        let rest = self.line_buf.trim_start_matches('\u{feff}').trim_start();
        let start = self.line_buf.len() - rest.len();
        let line = rest.trim_end();
        if line.is_empty() {
            return Ok(Next::Skip);
        }
        self.line = (start, start + line.len());
        let (name, line_no) = (self.name.as_str(), self.line_no);
        let obj: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(line) {
            Ok(o) => o,
            Err(e) => {
                tally.reject_record(|| {
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
                });
                return Ok(Next::Skip);
            }
        };
        self.text.clear();
        for (k, field) in self.fields.iter().enumerate() {
            let Some(field) = field else { continue };
            let start = self.text.len() as u32;
            let _ = match obj.get(field) {
                None | Some(serde_json::Value::Null) => {
                    self.ranges[k] = None;
                    continue;
                }
                Some(serde_json::Value::String(s)) => self.text.write_str(s),
                Some(serde_json::Value::Bool(b)) => write!(self.text, "{b}"),
                // Numbers as written (arbitrary precision).
                Some(serde_json::Value::Number(n)) => write!(self.text, "{n}"),
                // Lists and objects as JSON.
                Some(v) => write!(self.text, "{v}"),
            };
            self.ranges[k] = Some((start, self.text.len() as u32));
        }
        Ok(Next::Record(JsonRecord {
            text: &self.text,
            ranges: &self.ranges,
            fields: &self.fields,
            line: &self.line_buf[self.line.0..self.line.1],
            line_no: self.line_no,
            name: &self.name,
        }))
    }
}
