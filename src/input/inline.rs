//! Records written in the catalogue (a test's `data:`): each a YAML mapping of field to
//! value. Values are handed over as text, as written, and errors point at them in the file.

use super::cell::{Cell, Notation};
use super::{Format, Input, Location, Next, Place, Record, Tally};
use crate::catalogue::yaml::{Node, NodeKind};
use crate::diag::{did_you_mean, Code, Diag};
use crate::span::Span;

pub struct Inline<'a> {
    input: &'a Input<'a>,
    records: &'a [&'a Node],
    next: usize,
    /// The needed values of the current record, one after the other.
    text: String,
    /// Per input column: its value's range in `text` and the value (`None`: null or missing).
    values: Vec<Option<((u32, u32), &'a Node)>>,
}

impl<'a> Inline<'a> {
    pub fn new(input: &'a Input<'a>, records: &'a [&'a Node]) -> Inline<'a> {
        Inline {
            input,
            records,
            next: 0,
            text: String::new(),
            values: vec![None; input.columns.len()],
        }
    }
}

/// A plain scalar YAML reads as a number (`1.250`, `-3`, `2e3`) is read as written, as a
/// JSON Lines number is: the source's marks (`thousands: "."`) are for its files' text, not
/// for numbers in YAML. Quoted and other plain values (`"1.250"`, `1 234,50`, `Oui`) are
/// read with the source's options.
fn is_yaml_number(node: &Node) -> bool {
    let NodeKind::Scalar(s) = &node.kind else {
        return false;
    };
    if !s.plain {
        return false;
    }
    let v = s.value.strip_prefix(['-', '+']).unwrap_or(&s.value);
    let (mantissa, exponent) = match v.find(['e', 'E']) {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && fraction.is_empty())
        && digits(whole)
        && digits(fraction)
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && digits(e)
        })
}

pub struct InlineRecord<'a> {
    /// The record's mapping, where an error about it points when no value is to blame.
    span: Span,
    text: &'a str,
    values: &'a [Option<((u32, u32), &'a Node)>],
}

impl Record for InlineRecord<'_> {
    fn cell(&self, k: usize) -> Cell<'_> {
        match self.values[k] {
            Some(((s, e), node)) => {
                let text = self.text.get(s as usize..e as usize).unwrap_or("");
                if is_yaml_number(node) {
                    Cell::Plain(text, s)
                } else {
                    Cell::Text(text, s)
                }
            }
            None => Cell::Null,
        }
    }

    fn text(&self) -> &str {
        self.text
    }

    fn place(&self, k: usize, _label: String) -> Place {
        Place {
            location: match self.values[k] {
                Some((_, v)) => Location::Span(v.span),
                None => Location::Span(self.span),
            },
            excerpt: None,
        }
    }
}

/// Report something wrong with a record: the first thing rejects it.
fn fault(tally: &mut Tally, faulty: &mut bool, make: impl FnOnce() -> Diag) {
    if *faulty {
        tally.also(make);
    } else {
        tally.reject(make);
        *faulty = true;
    }
}

impl<'a> Format for Inline<'a> {
    type Record<'r>
        = InlineRecord<'r>
    where
        Self: 'r;
    // A test shows every error of its records.
    const SHOWN: u64 = u64::MAX;
    const EVERY_BAD_CELL: bool = true;
    const HOW_TO_NULL: Option<&'static str> = None;

    fn notation(&self) -> Notation {
        Notation::of(self.input.options, false)
    }

    fn position(&self) -> u64 {
        0
    }

    fn next_record(&mut self, tally: &mut Tally) -> Result<Next<InlineRecord<'_>>, Diag> {
        let Some(&record) = self.records.get(self.next) else {
            return Ok(Next::End);
        };
        self.next += 1;
        let input = self.input;
        let NodeKind::Map(entries) = &record.kind else {
            tally.reject_record(|| {
                Diag::error(
                    Code::Catalogue,
                    format!(
                        "a test record is a mapping of field to value, not {}",
                        record.describe()
                    ),
                )
                .at(record.span)
            });
            return Ok(Next::Skip);
        };
        let mut faulty = false;
        for (k, _) in entries {
            let key = k.as_str().unwrap_or("");
            if !input.columns.iter().any(|(c, _)| c == key)
                && input.declared.is_some_and(|f| !f.contains(&key))
            {
                fault(tally, &mut faulty, || {
                    let d = Diag::error(
                        Code::UnknownName,
                        format!("`{key}` is not a field of `{}`", input.source),
                    )
                    .at(k.span);
                    match did_you_mean(key, input.declared.unwrap_or(&[]).iter().copied()) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d,
                    }
                });
            }
        }
        self.text.clear();
        for (i, (name, _)) in input.columns.iter().enumerate() {
            self.values[i] = None;
            if !input.needed[i] {
                continue;
            }
            let Some((_, v)) = entries.iter().find(|(k, _)| k.as_str() == Some(name)) else {
                continue;
            };
            if v.is_null() {
                continue;
            }
            let Some(cell) = v.as_str() else {
                fault(tally, &mut faulty, || {
                    Diag::error(
                        Code::Data,
                        format!("`{name}` must be a single value, not {}", v.describe()),
                    )
                    .at(v.span)
                });
                continue;
            };
            let start = self.text.len() as u32;
            self.text.push_str(cell);
            self.values[i] = Some(((start, self.text.len() as u32), v));
        }
        let record = InlineRecord {
            span: record.span,
            text: &self.text,
            values: &self.values,
        };
        Ok(if faulty {
            Next::Faulty(record)
        } else {
            Next::Record(record)
        })
    }
}
