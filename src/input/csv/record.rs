//! One CSV record as the reading loop sees it, and the diagnostics about records: each
//! points into the record's own lines, so lines and columns are the file's.

use super::tokenize::{count_breaks, Field};
use super::Csv;
use crate::diag::{Code, Diag, Excerpt};
use crate::input::bytes::MAX_RECORD;
use crate::input::cell::Cell;
use crate::input::{Location, Place, Record};

/// A record read as text: its fields' values are ranges of `text`, which is the record's
/// bytes in the file unless a value held doubled quotes.
pub struct CsvRecord<'a> {
    pub(super) text: &'a str,
    pub(super) fields: &'a [Field],
    pub(super) csv: &'a Csv,
}

impl Record for CsvRecord<'_> {
    #[inline]
    fn cell(&self, k: usize) -> Cell<'_> {
        // The record has as many fields as the header, and its bounds are next to ASCII
        // bytes (delimiters, quotes, line ends), so at character boundaries.
        match self.fields.get(self.csv.idx[k]) {
            Some(f) => match self.text.get(f.start as usize..f.end as usize) {
                Some(s) => Cell::Text(s, f.start),
                None => Cell::Null,
            },
            None => Cell::Null,
        }
    }

    fn text(&self) -> &str {
        self.text
    }

    fn place(&self, k: usize, label: String) -> Place {
        let csv = self.csv;
        let (start, end, line) = csv.current;
        let raw = String::from_utf8_lossy(&csv.bytes.data()[start..end]);
        let f = csv.tok.fields.get(csv.idx[k]).copied().unwrap_or_default();
        let (line, excerpt) = excerpt(&csv.name, line, &raw, Some(f), Some(label));
        Place {
            location: Location::Line(line),
            excerpt: Some(excerpt),
        }
    }
}

/// The excerpt of `raw` (a record starting on line `line`) around `field`: the line it
/// starts on (to the end of the line it ends on), with its range underlined; and that line.
fn excerpt(
    name: &str,
    line: u64,
    raw: &str,
    field: Option<Field>,
    label: Option<String>,
) -> (u64, Excerpt) {
    let (start, end) = field.map_or((0, 0), |f| (f.start as usize, f.end as usize));
    let from = raw[..start].rfind('\n').map_or(0, |i| i + 1);
    let to = raw[end..].find('\n').map_or(raw.len(), |i| end + i);
    let line = line + count_breaks(&raw.as_bytes()[..from]);
    let mut text = raw[from..to].trim_end_matches('\r').to_string();
    let mut range = field.map(|_| (start - from, end - from));
    if text.len() > 300 {
        range = range.filter(|r| r.1 <= 300);
        let mut cut = 300;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    let excerpt = Excerpt {
        file: name.to_string(),
        line,
        text,
        range,
        label,
    };
    (line, excerpt)
}

/// A record whose number of fields is not the header's.
#[cold]
pub fn ragged(name: &str, line: u64, raw: &[u8], fields: usize, header: usize) -> Diag {
    let raw = String::from_utf8_lossy(raw);
    Diag::error(
        Code::Data,
        format!("{name}:{line}: this row has {fields} fields, the header has {header}"),
    )
    .excerpt(Excerpt {
        file: name.to_string(),
        line,
        text: first_lines(&raw),
        range: None,
        label: None,
    })
    .help("each row needs one value per column; quote values that contain the delimiter")
}

/// The record as an excerpt shows it: at most 300 bytes.
fn first_lines(raw: &str) -> String {
    let text = raw.trim_end_matches(['\r', '\n']);
    if text.len() <= 300 {
        return text.to_string();
    }
    let mut cut = 300;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

/// A closing quote followed by something else than a delimiter or a line end, at byte `at`
/// of `raw` (a record starting on line `line`, to the end of the bad line).
#[cold]
pub fn bad_quote(name: &str, line: u64, raw: &[u8], at: usize) -> Diag {
    let raw = String::from_utf8_lossy(raw);
    let mut at = at.min(raw.len());
    while !raw.is_char_boundary(at) {
        at -= 1;
    }
    let field = Field {
        start: at as u32,
        end: (at + raw[at..].chars().next().map_or(0, char::len_utf8)) as u32,
    };
    let after = raw[at..]
        .chars()
        .next()
        .unwrap_or(' ')
        .escape_debug()
        .to_string();
    let label = "after a closing quote".to_string();
    let (bad_line, x) = excerpt(name, line, &raw, Some(field), Some(label));
    let opened = match bad_line == line {
        true => String::new(),
        false => format!(" (the quoted value opened on line {line})"),
    };
    Location::Line(bad_line)
        .error(
            name,
            format_args!("a closing quote is followed by `{after}`, not by a delimiter or a line end{opened}"),
        )
        .excerpt(x)
        .help("write a quote inside a quoted value twice (`\"\"`); the record was left out")
}

/// A quote that opens a value at byte `at` of `rest` (the data from a record's start, on
/// line `line`, to the end of the file) and never closes: nothing after it can be read.
#[cold]
pub fn unclosed(name: &str, line: u64, rest: &[u8], at: usize) -> Diag {
    let from = rest[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = line + count_breaks(&rest[..from]);
    let to = rest[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(rest.len(), |i| at + i);
    let text = String::from_utf8_lossy(&rest[from..to]);
    let text = text.trim_end_matches('\r');
    let col = String::from_utf8_lossy(&rest[from..at]).len();
    Location::Line(line)
        .error(
            name,
            "this quote opens a value that never closes: the file cannot be read past it",
        )
        .excerpt(Excerpt {
            file: name.to_string(),
            line,
            text: first_lines(text),
            range: Some((col, col + 1)).filter(|r| r.1 <= 300),
            label: Some("opened here".into()),
        })
        .help("close the quoted value with a quote, or write a quote inside it twice (`\"\"`)")
}

/// `raw`'s fields with their doubled quotes undoubled, into `own`, and their ranges there.
pub fn unescape(
    raw: &str,
    fields: &[Field],
    escaped: &[u32],
    own: &mut String,
    out: &mut Vec<Field>,
) {
    own.clear();
    out.clear();
    for (i, f) in fields.iter().enumerate() {
        let value = &raw[f.start as usize..f.end as usize];
        let start = own.len() as u32;
        if escaped.contains(&(i as u32)) {
            own.push_str(&value.replace("\"\"", "\""));
        } else {
            own.push_str(value);
        }
        out.push(Field {
            start,
            end: own.len() as u32,
        });
    }
}

/// A record that runs over [`MAX_RECORD`] bytes.
#[cold]
pub fn too_long(name: &str, line: u64) -> Diag {
    let mib = MAX_RECORD >> 20;
    Location::Line(line)
        .error(name, format_args!("this record runs over {mib} MiB: the file cannot be read past it"))
        .help("a quote that opens a value and never closes makes the rest of the file one value; close it, or write a quote inside a value twice (`\"\"`)")
}
