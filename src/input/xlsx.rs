//! Workbooks (`.xlsx`, `.xls`, `.ods`) through `calamine`: one sheet, its header on
//! `header_row`, each later row with a cell a record. Cells keep their types (numbers,
//! booleans, dates, durations; formulas give their cached values), never printed to text and
//! parsed back; text cells go through the same conversion as a CSV's (`xlsx_value.rs`).
//! `.xlsx` sheets are streamed cell by cell; `.xls` and `.ods` sheets are loaded whole
//! (calamine reads them so). Cells shown as percentages, which calamine reads as fractions,
//! are found apart (`xlsx_percent.rs`, `xlsx_ods.rs`; not in `.xls`).

use super::cell::{Cell, Notation};
use super::header::resolve_columns;
use super::options::{FileFormat, Sheet};
use super::progress::Progress;
use super::xlsx_percent::{xlsx_percent_cells, PercentCells};
use super::xlsx_value::{cell_text, data_ref, prepare, prepare_shown_as_percent, Prepared};
use super::{read_all, Format, Input, Location, Next, Place, Record, Row, Stats, Tally};
use crate::analysis::Ty;
use crate::diag::{did_you_mean, Code, Diag};
use calamine::{Data, DataRef, Reader};
use std::io::{Read, Seek, SeekFrom};

/// Read the records of the workbook at `path` (`-`: standard input).
pub fn read(
    input: &Input,
    path: &str,
    format: FileFormat,
    on_row: &mut dyn FnMut(&Row),
    diags: &mut Vec<Diag>,
) -> Result<Stats, Diag> {
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| super::open::io_error(path, e))?;
        return read_from(input, std::io::Cursor::new(bytes), format, on_row, diags);
    }
    let file = super::open::open_file(path)?;
    read_from(input, std::io::BufReader::new(file), format, on_row, diags)
}

fn read_from<RS: Read + Seek>(
    input: &Input,
    mut rs: RS,
    format: FileFormat,
    on_row: &mut dyn FnMut(&Row),
    diags: &mut Vec<Diag>,
) -> Result<Stats, Diag> {
    let name = input.name();
    let unreadable = |e: &dyn std::fmt::Display| {
        Diag::error(
            Code::Data,
            format!(
                "{name} cannot be read as an .{} workbook: {e}",
                format.name()
            ),
        )
        .help("check that the file is a workbook of this kind, or set `format:` to what it is")
    };
    let mut progress = Progress::disabled();
    // Cells shown as percentages, read before calamine takes the file (and only when a cell
    // format is a percentage); a sheet `sheet:` does not name is calamine's to report.
    let pick = |names: &[String]| pick_sheet(input, names).ok();
    let percent = match format {
        FileFormat::Xlsx => xlsx_percent_cells(&mut rs, &pick),
        FileFormat::Ods => super::xlsx_ods::ods_percent_cells(&mut rs, &pick),
        _ => Ok(None),
    }
    .map_err(|e| unreadable(&e))?
    .filter(|p| !p.is_empty());
    rs.seek(SeekFrom::Start(0))
        .map_err(|e| super::open::io_error(name, e))?;
    match format {
        FileFormat::Xlsx => {
            let mut wb: calamine::Xlsx<RS> = calamine::Xlsx::new(rs).map_err(|e| unreadable(&e))?;
            let sheet = pick_sheet(input, &wb.sheet_names())?;
            let mut cells = wb
                .worksheet_cells_reader(&sheet)
                .map_err(|e| unreadable(&e))?;
            let cells = XlsxCells {
                next: move || cells.next_cell().map_err(|e| e.to_string()),
                pending: None,
                done: false,
            };
            let mut reader = SheetReader::open(input, sheet, cells, percent)?;
            read_all(&mut reader, input, on_row, diags, &mut progress)
        }
        FileFormat::Xls | FileFormat::Ods => {
            let (names, range) = if format == FileFormat::Xls {
                let mut wb: calamine::Xls<RS> =
                    calamine::Xls::new(rs).map_err(|e| unreadable(&e))?;
                let names = wb.sheet_names();
                let sheet = pick_sheet(input, &names)?;
                let range = wb.worksheet_range(&sheet).map_err(|e| unreadable(&e))?;
                (sheet, range)
            } else {
                let mut wb: calamine::Ods<RS> =
                    calamine::Ods::new(rs).map_err(|e| unreadable(&e))?;
                let names = wb.sheet_names();
                let sheet = pick_sheet(input, &names)?;
                let range = wb.worksheet_range(&sheet).map_err(|e| unreadable(&e))?;
                (sheet, range)
            };
            let rows = RangeRows { range, next: 0 };
            let mut reader = SheetReader::open(input, names, rows, percent)?;
            read_all(&mut reader, input, on_row, diags, &mut progress)
        }
        _ => Err(unreadable(&"not a workbook format")),
    }
}

/// The sheet `sheet:` names, or the first.
fn pick_sheet(input: &Input, names: &[String]) -> Result<String, Diag> {
    let name = input.name();
    let listed = || {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &input.options.sheet {
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Diag::error(Code::Data, format!("{name} has no sheet"))),
        Some(Sheet::Number(n)) => names.get(*n as usize - 1).cloned().ok_or_else(|| {
            Diag::error(
                Code::Data,
                format!("{name} has {} sheet(s), not a sheet {n}", names.len()),
            )
            .help(format!("the sheets are {}", listed()))
        }),
        Some(Sheet::Name(s)) => names.iter().find(|n| *n == s).cloned().ok_or_else(|| {
            let d = Diag::error(Code::Data, format!("{name} has no sheet `{s}`"));
            match did_you_mean(s, names.iter().map(String::as_str)) {
                Some(m) => d.help(format!("did you mean `{m}`? The sheets are {}", listed())),
                None => d.help(format!("the sheets are {}", listed())),
            }
        }),
    }
}

/// The cells of a sheet, a row at a time.
trait RowSource {
    /// Call `each` with every non-empty cell (row, column, value) of the next row that has
    /// one; its row (0-based, as the sheet counts), or `None` at the end.
    fn next_row(&mut self, each: &mut dyn FnMut(u32, u32, &DataRef))
        -> Result<Option<u32>, String>;
}

/// An `.xlsx` sheet, streamed: `next` is calamine's cell reader.
struct XlsxCells<'a, N> {
    next: N,
    /// The first cell of the next row, read while looking for the end of the last.
    pending: Option<((u32, u32), DataRef<'a>)>,
    /// The reader gave its last cell (it must not be asked again).
    done: bool,
}

type NextCell<'a> = Result<Option<calamine::Cell<DataRef<'a>>>, String>;

impl<'a, N: FnMut() -> NextCell<'a>> RowSource for XlsxCells<'a, N> {
    fn next_row(
        &mut self,
        each: &mut dyn FnMut(u32, u32, &DataRef),
    ) -> Result<Option<u32>, String> {
        let mut row = None;
        if let Some(((r, c), v)) = self.pending.take() {
            row = Some(r);
            each(r, c, &v);
        }
        while !self.done {
            let Some(cell) = (self.next)()? else {
                self.done = true;
                break;
            };
            let v = cell.get_value();
            if matches!(v, DataRef::Empty) {
                continue;
            }
            let (r, c) = cell.get_position();
            match row {
                // The first cell of the next row is kept (the only value cloned per row).
                Some(current) if current != r => {
                    self.pending = Some(((r, c), v.clone()));
                    break;
                }
                _ => {
                    row = Some(r);
                    each(r, c, v);
                }
            }
        }
        Ok(row)
    }
}

/// A sheet loaded whole (`.xls`, `.ods`).
struct RangeRows {
    range: calamine::Range<Data>,
    next: usize,
}

impl RowSource for RangeRows {
    fn next_row(
        &mut self,
        each: &mut dyn FnMut(u32, u32, &DataRef),
    ) -> Result<Option<u32>, String> {
        let (r0, c0) = self.range.start().unwrap_or((0, 0));
        let (height, width) = self.range.get_size();
        while self.next < height {
            let i = self.next;
            self.next += 1;
            let mut any = false;
            for j in 0..width {
                let Some(d) = self.range.get((i, j)) else {
                    continue;
                };
                let v = data_ref(d);
                if !matches!(v, DataRef::Empty) {
                    any = true;
                    each(r0 + i as u32, c0 + j as u32, &v);
                }
            }
            if any {
                return Ok(Some(r0 + i as u32));
            }
        }
        Ok(None)
    }
}

struct SheetReader<S: RowSource> {
    name: String,
    sheet: String,
    source: S,
    /// Per sheet column: the input columns it feeds.
    by_col: Vec<Vec<usize>>,
    /// Per input column: its sheet column (for messages), when needed.
    col_of: Vec<Option<u32>>,
    tys: Vec<Ty>,
    cells: Vec<Prepared>,
    text: String,
    row: u32,
    rows: u64,
    notation: Notation,
    /// The cells shown as percentages, when there are.
    percent: Option<PercentCells>,
}

impl<S: RowSource> SheetReader<S> {
    fn open(
        input: &Input,
        sheet: String,
        mut source: S,
        percent: Option<PercentCells>,
    ) -> Result<SheetReader<S>, Diag> {
        let name = input.name();
        let header_at = input.options.header_row.max(1) - 1;
        let mut header: Vec<(u32, String)> = Vec::new();
        let found = loop {
            let mut cells = Vec::new();
            let row = source
                .next_row(&mut |_, c, v| cells.push((c, cell_text(v))))
                .map_err(|e| Diag::error(Code::Data, format!("{name}, sheet {sheet}: {e}")))?;
            match row {
                Some(r) if r < header_at => continue,
                Some(r) => {
                    header = cells;
                    break Some(r);
                }
                None => break None,
            }
        };
        if found != Some(header_at) {
            let where_ = format!("{name}, sheet {sheet}, row {}", header_at + 1);
            let d = Diag::error(
                Code::Data,
                format!("{where_}: the header row is empty (or the sheet is)"),
            );
            return Err(match found {
                Some(r) => d.help(format!(
                    "the first row with cells is row {}: set `header_row: {}` if the header is there",
                    r + 1,
                    r + 1
                )),
                None => d.help("check `sheet:` and `header_row:`"),
            });
        }
        let width = header.iter().map(|(c, _)| *c + 1).max().unwrap_or(0) as usize;
        let mut names = vec![String::new(); width];
        for (c, t) in header {
            names[c as usize] = t.trim().to_string();
        }
        let idx = match resolve_columns(input, &names, &names.join(" | ")) {
            Ok(idx) => idx,
            Err(d) => {
                // A title above the header: the rows below may hold it.
                let mut rows = Vec::new();
                for _ in 0..100 {
                    let mut text = String::new();
                    match source.next_row(&mut |_, _, v| {
                        text.push_str(&cell_text(v));
                        text.push('|');
                    }) {
                        Ok(Some(r)) => rows.push((r + 1, text)),
                        _ => break,
                    }
                }
                return Err(super::advice::header_below(d, input, &rows));
            }
        };
        let mut by_col = vec![Vec::new(); width];
        let mut col_of = vec![None; input.columns.len()];
        for (k, &i) in idx.iter().enumerate() {
            if i != usize::MAX {
                by_col[i].push(k);
                col_of[k] = Some(i as u32);
            }
        }
        Ok(SheetReader {
            name: name.to_string(),
            sheet,
            source,
            by_col,
            col_of,
            tys: input.columns.iter().map(|(_, t)| *t).collect(),
            cells: vec![Prepared::Null; input.columns.len()],
            text: String::new(),
            row: header_at,
            rows: 0,
            notation: Notation::of(input.options, false),
            percent,
        })
    }
}

pub struct SheetRecord<'a> {
    cells: &'a [Prepared],
    text: &'a str,
    col_of: &'a [Option<u32>],
    sheet: &'a str,
    row: u32,
}

impl Record for SheetRecord<'_> {
    #[inline]
    fn cell(&self, k: usize) -> Cell<'_> {
        match self.cells[k] {
            Prepared::Null => Cell::Null,
            Prepared::Num(d) => Cell::Num(d),
            Prepared::Bool(b) => Cell::Bool(b),
            Prepared::DateTime(t) => Cell::DateTime(t),
            Prepared::Dur(d) => Cell::Dur(d),
            Prepared::Text(s, e) => {
                Cell::Text(self.text.get(s as usize..e as usize).unwrap_or(""), s)
            }
        }
    }

    fn text(&self) -> &str {
        self.text
    }

    fn place(&self, k: usize, _label: String) -> Place {
        Place {
            location: Location::Cell {
                sheet: self.sheet.to_string(),
                row: self.row + 1,
                column: column_letter(self.col_of[k].unwrap_or(0)),
            },
            excerpt: None,
        }
    }
}

impl<S: RowSource> Format for SheetReader<S> {
    type Record<'a>
        = SheetRecord<'a>
    where
        Self: 'a;
    const HOW_TO_NULL: Option<&'static str> = Some("leave the cell empty (empty is null)");

    fn notation(&self) -> Notation {
        self.notation.clone()
    }

    fn position(&self) -> u64 {
        self.rows
    }

    fn next_record(&mut self, _tally: &mut Tally) -> Result<Next<SheetRecord<'_>>, Diag> {
        self.text.clear();
        self.cells.fill(Prepared::Null);
        let (by_col, tys, cells, text) = (&self.by_col, &self.tys, &mut self.cells, &mut self.text);
        let percent = self.percent.as_ref();
        let row = self
            .source
            .next_row(&mut |r, c, v| {
                let ks = by_col.get(c as usize).map_or(&[][..], Vec::as_slice);
                if percent.is_some_and(|p| p.contains(r, c)) {
                    for &k in ks {
                        cells[k] = prepare_shown_as_percent(v, tys[k], text);
                    }
                    return;
                }
                for &k in ks {
                    cells[k] = prepare(v, tys[k], text);
                }
            })
            .map_err(|e| {
                Diag::error(
                    Code::Data,
                    format!("{}, sheet {}: {e}", self.name, self.sheet),
                )
            })?;
        let Some(row) = row else {
            return Ok(Next::End);
        };
        self.row = row;
        self.rows += 1;
        Ok(Next::Record(SheetRecord {
            cells: &self.cells,
            text: &self.text,
            col_of: &self.col_of,
            sheet: &self.sheet,
            row,
        }))
    }
}

/// `A`, …, `Z`, `AA`, … for a 0-based column.
pub fn column_letter(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push((b'A' + r) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        let letters: Vec<String> = [0, 3, 25, 26, 27, 701, 702].map(column_letter).to_vec();
        assert_eq!(letters, ["A", "D", "Z", "AA", "AB", "ZZ", "AAA"]);
    }
}
