//! Places as the protocol writes them: lines and UTF-16 columns (the encoding every client
//! supports), and `file:` URIs; and edits of an open document's text.

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Where each line of a text starts, to turn byte offsets into positions and back.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// The position of a byte offset (clamped to the text, moved back to a character start).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let col = text[self.starts[line]..offset].encode_utf16().count();
        Position::new(line as u32, col as u32)
    }

    /// The byte offset of a position; past the end of its line, the line's end.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        match self.starts.get(pos.line as usize) {
            Some(&start) => offset_in_line(text, start, pos.character),
            None => text.len(),
        }
    }

    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range::new(self.position(text, start), self.position(text, end))
    }
}

/// The byte offset of the character `character` (in UTF-16 units) of the line that starts
/// at `start`; past the end of the line, the line's end.
fn offset_in_line(text: &str, start: usize, character: u32) -> usize {
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0;
    for (i, c) in text[start..end].char_indices() {
        if units >= character as usize {
            return start + i;
        }
        units += c.len_utf16();
    }
    end
}

/// [`LineIndex::offset`] without the index (one change of a long text is one search).
fn offset(text: &str, pos: Position) -> usize {
    let start = match pos.line {
        0 => 0,
        n => match text.match_indices('\n').nth(n as usize - 1) {
            Some((i, _)) => i + 1,
            None => return text.len(),
        },
    };
    offset_in_line(text, start, pos.character)
}

/// Apply one change an editor sent (a range replaced, or the whole text).
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(r) => {
            let start = offset(text, r.start);
            let end = offset(text, r.end).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

/// The file a `file:` URI names (percent escapes decoded).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // An authority (`localhost`) may come before the path.
    let path = &rest[rest.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h)? * 16 + hex(l)?) as u8);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    let mut s = String::from_utf8(out).ok()?;
    // `file:///c:/x` on Windows is the path `c:/x`.
    if s.len() > 2 && s.as_bytes()[2] == b':' && cfg!(windows) {
        s.remove(0);
    }
    Some(PathBuf::from(s))
}

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let s = path.to_str()?.replace('\\', "/");
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Uri::from_str(&out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "a: é\n𝄞x = 1\n";
        let lines = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(lines.position(text, x), Position::new(1, 2));
        assert_eq!(lines.offset(text, Position::new(1, 2)), x);
        assert_eq!(lines.offset(text, Position::new(0, 99)), 5);
        assert_eq!(lines.offset(text, Position::new(9, 0)), text.len());
        for (line, character) in [
            (0, 0),
            (0, 4),
            (0, 99),
            (1, 0),
            (1, 2),
            (2, 0),
            (2, 5),
            (3, 0),
        ] {
            let pos = Position::new(line, character);
            assert_eq!(offset(text, pos), lines.offset(text, pos), "{pos:?}");
        }
    }

    #[test]
    fn edits_apply_by_range() {
        let mut t = String::from("nps = pct(x)\ncsat = 1\n");
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(1, 7), Position::new(1, 8))),
            range_length: None,
            text: "2 + 3".into(),
        };
        apply_change(&mut t, change);
        assert_eq!(t, "nps = pct(x)\ncsat = 2 + 3\n");
    }

    #[test]
    fn file_uris_round_trip() {
        let p = Path::new("/tmp/my kpis/été.yaml");
        let uri = path_to_uri(p).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/my%20kpis/%C3%A9t%C3%A9.yaml");
        assert_eq!(uri_to_path(&uri).unwrap(), p);
    }
}
