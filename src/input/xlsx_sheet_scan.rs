//! The cells of an `.xlsx` sheet's XML whose format (`s` attribute) is one of some formats,
//! found by a byte scanner: it reads the `<row>` and `<c>` tags only, jumping from `<` to
//! `<` (`memchr`: in XML a `<` only starts markup), and steps over comments, CDATA and
//! processing instructions. It runs only
//! in a workbook that has a percent format, as a second pass over the sheet `calamine`
//! reads: on a 1,000,000-row sheet (414 MB of XML) it costs about 0.7 s of CPU beyond the
//! unzipping, where an event reader (`quick-xml`) costs 2.1 s. Positions are counted as
//! `calamine` counts them: a cell's `r` when it has one, else the column after the cell
//! before it, on the row its `<row r>` names or the row after the last.

use super::xlsx_percent::PercentCells;
use std::io::{self, Read};

/// Excel's last column, XFD.
const MAX_COLUMNS: u32 = 16_384;

/// Bytes read from the sheet at a time.
const CHUNK: usize = 1 << 17;

/// The cells whose format index `s` has `formats[s]` true.
pub fn styled_cells(reader: impl Read, formats: &[bool]) -> io::Result<PercentCells> {
    let mut scan = Scan {
        reader,
        buf: Vec::with_capacity(2 * CHUNK),
        pos: 0,
        eof: false,
    };
    let mut cells = PercentCells::default();
    let (mut row, mut col) = (0u32, 0u32);
    while let Some(tag) = scan.next_tag()? {
        let (name, closing) = match tag.strip_prefix(b"/") {
            Some(rest) => (tag_name(rest), true),
            None => (tag_name(tag), false),
        };
        let empty = !closing && tag.ends_with(b"/");
        match (name, closing) {
            (b"row", false) => {
                let mut r = None;
                attributes(tag, |key, value| {
                    if key == b"r" {
                        r = cell_ref(value);
                    }
                });
                if let Some((r, _)) = r {
                    row = r;
                }
                if empty {
                    row = row.saturating_add(1);
                    col = 0;
                }
            }
            (b"row", true) => {
                row = row.saturating_add(1);
                col = 0;
            }
            (b"c", false) => {
                let (mut at, mut style) = ((row, col), 0);
                attributes(tag, |key, value| match key {
                    b"r" => {
                        if let Some((r, Some(c))) = cell_ref(value) {
                            at = (r, c);
                        }
                    }
                    b"s" => style = parse_index(value),
                    _ => {}
                });
                col = at.1.saturating_add(1);
                if formats.get(style) == Some(&true) {
                    // A sheet has at most 16,384 columns (XFD) and 1,048,576 rows: a cell
                    // past them is a broken file, not a column to make room for.
                    if at.1 >= MAX_COLUMNS || at.0 == u32::MAX {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "a percent-formatted cell lies past the last column or row a sheet can have",
                        ));
                    }
                    cells.add(at.0..at.0 + 1, at.1..at.1 + 1);
                }
            }
            (b"sheetData", true) => break,
            _ => {}
        }
    }
    Ok(cells.finish())
}

/// A tag's local name (`x:row` → `row`).
fn tag_name(tag: &[u8]) -> &[u8] {
    let end = tag
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'/')
        .unwrap_or(tag.len());
    let name = &tag[..end];
    match name.iter().position(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// Call `each` with the name and value of each attribute of a start tag's text.
fn attributes<'t>(tag: &'t [u8], mut each: impl FnMut(&'t [u8], &'t [u8])) {
    let mut i = tag
        .iter()
        .position(|&b| b.is_ascii_whitespace())
        .unwrap_or(tag.len());
    while i < tag.len() {
        while i < tag.len() && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        let name_start = i;
        while i < tag.len() && tag[i] != b'=' && !tag[i].is_ascii_whitespace() && tag[i] != b'/' {
            i += 1;
        }
        let name = &tag[name_start..i];
        while i < tag.len() && (tag[i].is_ascii_whitespace() || tag[i] == b'=') {
            i += 1;
        }
        let Some(&quote) = tag.get(i) else {
            return;
        };
        if quote != b'"' && quote != b'\'' {
            return;
        }
        let value_start = i + 1;
        let Some(len) = memchr::memchr(quote, &tag[value_start..]) else {
            return;
        };
        each(name, &tag[value_start..value_start + len]);
        i = value_start + len + 1;
    }
}

/// `AB12` → row 11, column 27 (0-based); `12` → row 11, no column.
pub fn cell_ref(r: &[u8]) -> Option<(u32, Option<u32>)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let mut col = 0u32;
    for b in &r[..letters] {
        col = col
            .checked_mul(26)?
            .checked_add((b.to_ascii_uppercase() - b'A') as u32 + 1)?;
    }
    let digits = &r[letters..];
    if digits.is_empty() {
        return None;
    }
    let mut row = 0u32;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        row = row.checked_mul(10)?.checked_add((d - b'0') as u32)?;
    }
    Some((row.checked_sub(1)?, col.checked_sub(1)))
}

/// A style index; 0 (the default format) when it is not one, as `calamine` reads it.
fn parse_index(v: &[u8]) -> usize {
    let mut n = 0usize;
    for &d in v {
        if !d.is_ascii_digit() {
            return 0;
        }
        n = match n
            .checked_mul(10)
            .and_then(|n| n.checked_add((d - b'0') as usize))
        {
            Some(n) => n,
            None => return 0,
        };
    }
    if v.is_empty() {
        0
    } else {
        n
    }
}

/// The sheet's bytes, read a chunk at a time; `buf[pos..]` is not looked at yet.
struct Scan<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> Scan<R> {
    /// Read more, keeping `buf[pos..]`; false at the end of the sheet.
    fn more(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.buf.drain(..self.pos);
        self.pos = 0;
        let len = self.buf.len();
        self.buf.resize(len + CHUNK, 0);
        let n = loop {
            match self.reader.read(&mut self.buf[len..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        self.buf.truncate(len + *n.as_ref().unwrap_or(&0));
        let n = n?;
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// The text between `<` and `>` of the next `<row>`, `<c>`, `</row>` or `</sheetData>`
    /// tag (or `<row/>`, `<c/>`), past text, other tags, comments, CDATA sections and
    /// processing instructions; `None` at the end.
    fn next_tag(&mut self) -> io::Result<Option<&[u8]>> {
        loop {
            let Some(k) = memchr::memchr(b'<', &self.buf[self.pos..]) else {
                self.pos = self.buf.len();
                if !self.more()? {
                    return Ok(None);
                }
                continue;
            };
            self.pos += k;
            // Enough bytes to tell a tag from `<!--`, `<![CDATA[` or `<?`.
            if self.buf.len() - self.pos < 10 && !self.eof {
                self.more()?;
                continue;
            }
            let after = &self.buf[self.pos + 1..];
            let skip: Option<&[u8]> = if after.starts_with(b"!--") {
                Some(b"-->")
            } else if after.starts_with(b"![CDATA[") {
                Some(b"]]>")
            } else if after.starts_with(b"?") {
                Some(b"?>")
            } else {
                None
            };
            if let Some(end) = skip {
                self.pos += 1;
                self.skip_past(end)?;
                continue;
            }
            // Other tags (`<v>`, `</v>`, `</c>`, …) are not read to their end: a `<` only
            // ever starts markup, so the next one is the next tag.
            let closing = self.buf.get(self.pos + 1) == Some(&b'/');
            let name_at = self.pos + 1 + usize::from(closing);
            // The common tags that are none of those, at a glance.
            if matches!(
                self.buf.get(name_at),
                Some(b'v' | b'f' | b't' | b'i' | b'r')
            ) && matches!(self.buf.get(name_at + 1), Some(b'>' | b' '))
                || closing && self.buf.get(name_at) == Some(&b'c')
            {
                self.pos += 1;
                continue;
            }
            let name_len = self.buf[name_at..]
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>');
            let Some(name_len) = name_len else {
                if !self.more()? {
                    return Ok(None);
                }
                continue;
            };
            let name = tag_name(&self.buf[name_at..name_at + name_len]);
            let wanted = if closing {
                matches!(name, b"row" | b"sheetData")
            } else {
                matches!(name, b"c" | b"row")
            };
            if !wanted {
                self.pos += 1;
                continue;
            }
            match tag_end(&self.buf[self.pos + 1..]) {
                Some(len) => {
                    let start = self.pos + 1;
                    self.pos = start + len + 1;
                    return Ok(Some(&self.buf[start..start + len]));
                }
                None if self.eof => return Ok(None),
                None => {
                    self.more()?;
                }
            }
        }
    }

    /// Move past the next `end` (the end of a comment, a CDATA section, a processing
    /// instruction), reading as needed.
    fn skip_past(&mut self, end: &[u8]) -> io::Result<()> {
        loop {
            if let Some(k) = memchr::memmem::find(&self.buf[self.pos..], end) {
                self.pos += k + end.len();
                return Ok(());
            }
            // Keep what could be the start of `end`.
            self.pos = self.buf.len().saturating_sub(end.len() - 1).max(self.pos);
            if !self.more()? {
                self.pos = self.buf.len();
                return Ok(());
            }
        }
    }
}

/// The length of a tag's text up to its `>` (not one inside a quoted attribute value).
fn tag_end(b: &[u8]) -> Option<usize> {
    let mut quote = 0u8;
    for (i, &c) in b.iter().enumerate() {
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
        } else if c == b'"' || c == b'\'' {
            quote = c;
        } else if c == b'>' {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives one byte at a time (every tag straddles a read).
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(out.len()).min(1);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn cells_are_placed_as_calamine_places_them() {
        assert_eq!(cell_ref(b"AB12"), Some((11, Some(27))));
        assert_eq!(cell_ref(b"a1"), Some((0, Some(0))));
        assert_eq!(cell_ref(b"7"), Some((6, None)));
        assert_eq!(cell_ref(b"A0"), None);
        assert_eq!(cell_ref(b"A"), None);
        // Cells without `r` follow the cell before; rows without `r` the row before. Text,
        // comments, CDATA and quoted `>` are stepped over; prefixes are read.
        let xml = r#"<?xml version="1.0"?><worksheet><!-- <c r="Z9" s="1"> --><sheetData>
<row r="2"><c r="B2" s="1"><v>0.5</v></c><c s = '1'><v>0.25</v></c><c s="0" t="str"><v>a &lt;c s="1"> b</v></c></row>
<row spans="1:3"><c s="1"/><c r="D3" s="2" x="a>b"><v>1</v></c><c s="x"/></row>
<row r="5"/><row><c><is><t><![CDATA[<c r="A1" s="1">]]></t></is></c><c s="1"/></row>
<x:row r="7"><x:c r="A7" s="1"><x:is><x:r><x:t>x</x:t></x:r></x:is></x:c></x:row>
</sheetData><c r="A9" s="1"/></worksheet>"#;
        let formats = [false, true, false];
        let mut want = PercentCells::default();
        want.add(1..2, 1..3);
        want.add(2..3, 0..1);
        want.add(5..6, 1..2);
        want.add(6..7, 0..1);
        let want = want.finish();
        assert_eq!(styled_cells(xml.as_bytes(), &formats).unwrap(), want);
        assert_eq!(
            styled_cells(Trickle(xml.as_bytes()), &formats).unwrap(),
            want
        );
        let none = styled_cells(xml.as_bytes(), &[true]).unwrap();
        assert!(none.contains(1, 3) && !none.contains(1, 1));
    }

    /// A percent cell past column XFD, or on a row past the last, is a broken file: an
    /// error, not a table grown to its column (ZZZZZZ2 took 7.5 GB) or an overflow.
    #[test]
    fn cells_past_the_sheet_limits_are_errors() {
        let formats = [false, true];
        for xml in [
            r#"<sheetData><row r="2"><c r="ZZZZZZ2" s="1"><v>0.5</v></c></row></sheetData>"#,
            r#"<sheetData><row r="4294967295"><c s="1"><v>1</v></c></row><row><c s="1"><v>1</v></c></row></sheetData>"#,
        ] {
            let err = styled_cells(xml.as_bytes(), &formats).err();
            assert!(
                err.is_some_and(|e| e.kind() == io::ErrorKind::InvalidData),
                "{xml}"
            );
        }
        let ok = r#"<sheetData><row r="2"><c r="XFD2" s="1"><v>0.5</v></c></row></sheetData>"#;
        assert!(styled_cells(ok.as_bytes(), &formats).is_ok());
    }
}
