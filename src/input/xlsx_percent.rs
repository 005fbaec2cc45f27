//! The cells of a workbook sheet that show their number as a percentage, which `calamine`
//! reads as the stored fraction (0.85 for a cell showing 85 %). For an `.xlsx`: the cell
//! formats that are percentages (`xlsx_styles.rs`), then — only when there is one — the
//! chosen sheet's cells that carry one (their `s` attribute), in a pass over the sheet's XML
//! (`xlsx_sheet_scan.rs`). For `.ods`, see `xlsx_ods.rs`.

use super::xlsx_sheet_scan::styled_cells;
use super::xlsx_styles::percent_formats;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek};
use std::ops::Range;
use zip::ZipArchive;

/// Cells shown as percentages: per sheet column (0-based), sorted disjoint ranges of rows
/// (0-based, as `calamine` counts them).
#[derive(Debug, Default, PartialEq)]
pub struct PercentCells {
    by_col: Vec<Vec<(u32, u32)>>,
}

impl PercentCells {
    /// Mark the cells of `rows` × `cols`.
    pub fn add(&mut self, rows: Range<u32>, cols: Range<u32>) {
        if rows.is_empty() {
            return;
        }
        for c in cols {
            let c = c as usize;
            if self.by_col.len() <= c {
                self.by_col.resize_with(c + 1, Vec::new);
            }
            let col = &mut self.by_col[c];
            match col.last_mut() {
                // The next rows of the last range (a column of percentages, row after row).
                Some(last) if last.0 <= rows.start && rows.start <= last.1 => {
                    last.1 = last.1.max(rows.end)
                }
                _ => col.push((rows.start, rows.end)),
            }
        }
    }

    /// Sort and merge each column's ranges (rows given out of order).
    pub fn finish(mut self) -> PercentCells {
        for col in &mut self.by_col {
            if col.windows(2).all(|w| w[0].1 < w[1].0) {
                continue;
            }
            col.sort_unstable();
            let mut merged: Vec<(u32, u32)> = Vec::with_capacity(col.len());
            for &(s, e) in col.iter() {
                match merged.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            *col = merged;
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.by_col.iter().all(Vec::is_empty)
    }

    /// Whether the cell at `row`, `col` shows a percentage.
    #[inline]
    pub fn contains(&self, row: u32, col: u32) -> bool {
        let Some(ranges) = self.by_col.get(col as usize) else {
            return false;
        };
        let i = ranges.partition_point(|r| r.1 <= row);
        ranges.get(i).is_some_and(|r| r.0 <= row)
    }
}

/// The zip entry `path` names, in any case and with either slash (as `calamine` finds it).
pub fn zip_entry<R: Read + Seek>(zip: &ZipArchive<R>, path: &str) -> Option<String> {
    zip.file_names()
        .find(|n| n.replace('\\', "/").eq_ignore_ascii_case(path))
        .map(str::to_string)
}

/// An XML reader over the zip entry `path`, configured as `calamine`'s.
fn xml_entry<'z, R: Read + Seek>(
    zip: &'z mut ZipArchive<R>,
    path: &str,
) -> Result<Option<Reader<BufReader<zip::read::ZipFile<'z, R>>>>, String> {
    let Some(name) = zip_entry(zip, path) else {
        return Ok(None);
    };
    let file = zip.by_name(&name).map_err(|e| e.to_string())?;
    Ok(Some(xml_reader(BufReader::new(file))))
}

pub fn xml_reader<B: BufRead>(b: B) -> Reader<B> {
    let mut r = Reader::from_reader(b);
    let config = r.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    config.expand_empty_elements = true;
    r
}

/// The percent cells of the `.xlsx` sheet that `pick` chooses from the sheet names, or `None`
/// when no cell format is a percentage (then nothing else is read) or when the workbook
/// cannot be read so (`calamine` then says why).
pub fn xlsx_percent_cells<R: Read + Seek>(
    rs: &mut R,
    pick: &dyn Fn(&[String]) -> Option<String>,
) -> Result<Option<PercentCells>, String> {
    let Ok(mut zip) = ZipArchive::new(rs) else {
        return Ok(None);
    };
    let formats = match xml_entry(&mut zip, "xl/styles.xml")? {
        Some(xml) => percent_formats(xml.into_inner()).map_err(|e| e.to_string())?,
        None => return Ok(None),
    };
    if formats.is_empty() {
        return Ok(None);
    }
    let Some(sheets) = sheet_paths(&mut zip)? else {
        return Ok(None);
    };
    let names: Vec<String> = sheets.iter().map(|(n, _)| n.clone()).collect();
    let Some(chosen) = pick(&names) else {
        return Ok(None);
    };
    let Some((_, path)) = sheets.iter().find(|(n, _)| *n == chosen) else {
        return Ok(None);
    };
    let Some(entry) = zip_entry(&zip, path) else {
        return Ok(None);
    };
    let sheet = zip.by_name(&entry).map_err(|e| e.to_string())?;
    let cells = styled_cells(sheet, &formats).map_err(|e| e.to_string())?;
    Ok(Some(cells))
}

/// The sheets of `xl/workbook.xml`, in order: name and zip path (through the workbook's
/// relationships, the paths made as `calamine` makes them).
fn sheet_paths<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
) -> Result<Option<Vec<(String, String)>>, String> {
    let err = |e: quick_xml::Error| e.to_string();
    let mut targets: HashMap<Vec<u8>, String> = HashMap::new();
    let Some(mut xml) = xml_entry(zip, "xl/_rels/workbook.xml.rels")? else {
        return Ok(None);
    };
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(err)? {
            Event::Start(e) if e.local_name().as_ref() == b"Relationship" => {
                let id = attr(&e, b"Id").map(<[u8]>::to_vec);
                let target = attr(&e, b"Target").map(|t| String::from_utf8_lossy(t).into_owned());
                if let (Some(id), Some(target)) = (id, target) {
                    targets.insert(id, target);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    drop(xml);
    let Some(mut xml) = xml_entry(zip, "xl/workbook.xml")? else {
        return Ok(None);
    };
    let mut sheets = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(err)? {
            Event::Start(e) if e.local_name().as_ref() == b"sheet" => {
                let mut name = String::new();
                let mut path = String::new();
                for a in e.attributes().flatten() {
                    match a.key.local_name().as_ref() {
                        b"name" if a.key.as_ref() == b"name" => {
                            name = a
                                .decode_and_unescape_value(xml.decoder())
                                .map_err(err)?
                                .into_owned()
                        }
                        b"id" => {
                            let r = targets.get(a.value.as_ref()).map_or("", String::as_str);
                            path = if let Some(r) = r.strip_prefix('/') {
                                r.to_string()
                            } else if r.starts_with("xl/") {
                                r.to_string()
                            } else {
                                format!("xl/{r}")
                            };
                        }
                        _ => {}
                    }
                }
                sheets.push((name, path));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(Some(sheets))
}

fn attr<'a>(e: &'a BytesStart, key: &[u8]) -> Option<&'a [u8]> {
    e.attributes().flatten().find_map(|a| match a.value {
        std::borrow::Cow::Borrowed(v) if a.key.as_ref() == key => Some(v),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_rows_per_column() {
        let mut p = PercentCells::default();
        for r in 2..6 {
            p.add(r..r + 1, 3..4);
        }
        p.add(9..10, 3..4);
        p.add(0..1, 3..4);
        p.add(4..100, 1..3);
        let p = p.finish();
        assert_eq!(p.by_col[3], [(0, 1), (2, 6), (9, 10)]);
        let inside = |r, c| p.contains(r, c);
        assert!(inside(2, 3) && inside(5, 3) && inside(0, 3) && inside(9, 3));
        assert!(!inside(1, 3) && !inside(6, 3) && !inside(10, 3) && !inside(5, 0));
        assert!(inside(4, 1) && inside(99, 2) && !inside(100, 2) && !inside(5, 7));
        assert!(!p.is_empty() && PercentCells::default().is_empty());
    }
}
