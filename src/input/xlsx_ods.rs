//! The percentage cells of an `.ods` sheet (`office:value-type="percentage"`), which
//! `calamine` reads as the stored fraction with no type. A document with a percentage number
//! style (`number:percentage-style`, in `styles.xml` or before the body of `content.xml`,
//! where spreadsheets write the formats their cells use) has its tables read again; one
//! without (a file not written by a spreadsheet) only when its body has the word
//! `percentage`, found by a byte search. Rows and columns count as `calamine` counts them,
//! repeats included.

use super::xlsx_percent::{xml_reader, zip_entry, PercentCells};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::io::{BufRead, BufReader, Read, Seek};
use zip::ZipArchive;

/// `calamine`'s bounds on a sheet.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u32 = 16_384;

/// The percentage cells of the table that `pick` chooses from the table names, or `None`
/// when the document has no percentage style or cannot be read so (`calamine` then says why).
pub fn ods_percent_cells<R: Read + Seek>(
    rs: &mut R,
    pick: &dyn Fn(&[String]) -> Option<String>,
) -> Result<Option<PercentCells>, String> {
    let Ok(mut zip) = ZipArchive::new(rs) else {
        return Ok(None);
    };
    let err = |e: quick_xml::Error| e.to_string();
    let mut styled = false;
    if let Some(name) = zip_entry(&zip, "styles.xml") {
        let file = zip.by_name(&name).map_err(|e| e.to_string())?;
        let mut xml = xml_reader(BufReader::new(file));
        styled = has_percentage_style(&mut xml, false).map_err(err)?;
    }
    let Ok(file) = zip.by_name("content.xml") else {
        return Ok(None);
    };
    let mut xml = xml_reader(BufReader::new(file));
    if !has_percentage_style(&mut xml, true).map_err(err)? && !styled {
        let rest = xml.into_inner();
        if !mentions(rest, b"\"percentage\"").map_err(|e| e.to_string())? {
            return Ok(None);
        }
        // Read again from the start (the body's first tag was taken by the style search).
        let Ok(file) = zip.by_name("content.xml") else {
            return Ok(None);
        };
        xml = xml_reader(BufReader::new(file));
    }
    let tables = scan_tables(&mut xml).map_err(err)?;
    let names: Vec<String> = tables.iter().map(|(n, _)| n.clone()).collect();
    let Some(chosen) = pick(&names) else {
        return Ok(None);
    };
    // Tables of one name: `calamine` keeps the last.
    Ok(tables
        .into_iter()
        .rev()
        .find(|(n, _)| *n == chosen)
        .map(|t| t.1))
}

/// Whether a percentage number style comes before the end (or, with `to_body`, before the
/// `office:body` element, where the reader is left).
fn has_percentage_style<B: BufRead>(
    xml: &mut Reader<B>,
    to_body: bool,
) -> Result<bool, quick_xml::Error> {
    let mut buf = Vec::new();
    let mut found = false;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) => match e.name().as_ref() {
                b"number:percentage-style" if !to_body => return Ok(true),
                b"number:percentage-style" => found = true,
                b"office:body" => return Ok(found),
                _ => {}
            },
            Event::Eof => return Ok(found),
            _ => {}
        }
    }
}

/// Every table of the body: its name and its percentage cells.
fn scan_tables<B: BufRead>(
    xml: &mut Reader<B>,
) -> Result<Vec<(String, PercentCells)>, quick_xml::Error> {
    let mut tables = Vec::new();
    let mut table: Option<(String, PercentCells)> = None;
    let (mut row, mut col, mut repeat_rows) = (0u32, 0u32, 1u32);
    let mut buf = Vec::with_capacity(1024);
    let mut skip = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) => match e.name().as_ref() {
                b"table:table" => {
                    let name = match e.try_get_attribute("table:name")? {
                        Some(a) => a.decode_and_unescape_value(xml.decoder())?.into_owned(),
                        None => String::new(),
                    };
                    table = Some((name, PercentCells::default()));
                    row = 0;
                }
                b"table:table-row" => {
                    repeat_rows = repeats(&e, "table:number-rows-repeated")?
                        .min(MAX_ROWS.saturating_sub(row));
                    col = 0;
                }
                b"table:table-cell" | b"table:covered-table-cell" => {
                    let repeat_cols = repeats(&e, "table:number-columns-repeated")?
                        .min(MAX_COLUMNS.saturating_sub(col));
                    let percent = e
                        .try_get_attribute("office:value-type")?
                        .is_some_and(|a| a.value.as_ref() == b"percentage");
                    if let (true, Some((_, cells))) = (percent, table.as_mut()) {
                        cells.add(row..row + repeat_rows, col..col + repeat_cols);
                    }
                    col += repeat_cols;
                    skip.clear();
                    xml.read_to_end_into(e.name(), &mut skip)?;
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                b"table:table-row" => row = row.saturating_add(repeat_rows),
                b"table:table" => tables.extend(table.take()),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(tables)
}

/// Whether `word` occurs in what `r` has left.
fn mentions(mut r: impl Read, word: &[u8]) -> std::io::Result<bool> {
    let finder = memchr::memmem::Finder::new(word);
    let mut buf = vec![0u8; 1 << 16];
    let mut kept = 0;
    loop {
        let n = match r.read(&mut buf[kept..]) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => other?,
        };
        if n == 0 {
            return Ok(false);
        }
        let len = kept + n;
        if finder.find(&buf[..len]).is_some() {
            return Ok(true);
        }
        // Keep what could be the start of `word`.
        kept = (word.len() - 1).min(len);
        buf.copy_within(len - kept..len, 0);
    }
}

/// A repeat count attribute (1 when absent).
fn repeats(e: &BytesStart, key: &str) -> Result<u32, quick_xml::Error> {
    Ok(e.try_get_attribute(key)?
        .and_then(|a| std::str::from_utf8(&a.value).ok()?.parse().ok())
        .unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentage_cells_with_their_repeats() {
        let xml = r#"<office:document-content><office:automatic-styles><number:percentage-style style:name="N1"/></office:automatic-styles><office:body><office:spreadsheet>
<table:table table:name="Other"><table:table-row><table:table-cell office:value-type="percentage" office:value="1"/></table:table-row></table:table>
<table:table table:name="T">
<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>
<table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="percentage" office:value="0.85"><text:p>85 %</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="3"/></table:table-row>
<table:table-header-rows><table:table-row table:number-rows-repeated="3"><table:covered-table-cell/><table:table-cell table:number-columns-repeated="2" office:value-type="percentage" office:value="0.5"/></table:table-row></table:table-header-rows>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
        let mut r = xml_reader(xml.as_bytes());
        assert!(has_percentage_style(&mut r, true).unwrap());
        let tables = scan_tables(&mut r).unwrap();
        assert_eq!(tables.len(), 2);
        let (name, cells) = &tables[1];
        assert_eq!(name, "T");
        let mut want = PercentCells::default();
        want.add(2..3, 2..3);
        want.add(3..6, 1..3);
        assert_eq!(*cells, want);
        let plain = xml.replace("number:percentage-style", "number:number-style");
        let mut r = xml_reader(plain.as_bytes());
        assert!(!has_percentage_style(&mut r, true).unwrap());
    }

    /// A reader that gives three bytes at a time (words straddle reads).
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(out.len()).min(3);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_body_that_mentions_percentages() {
        let body = br#"<table:table-cell office:value-type="percentage" office:value="0.5"/>"#;
        assert!(mentions(Trickle(body), b"\"percentage\"").unwrap());
        assert!(mentions(&body[..], b"\"percentage\"").unwrap());
        let none = br#"<table:table-cell office:value-type="float"/><text:p>percentage</text:p>"#;
        assert!(!mentions(Trickle(none), b"\"percentage\"").unwrap());
        assert!(!mentions(&b""[..], b"\"percentage\"").unwrap());
    }
}
