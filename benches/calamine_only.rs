//! `calamine` alone on a workbook: open it, stream every cell of its first sheet, and sum the
//! numbers and count the non-empty cells — the floor under `kpi eval` on an `.xlsx`.
//! Built by `cargo build --release --example calamine_only`; run by `benches/xlsx_vs.py`.

use calamine::{DataRef, Reader, Xlsx};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: calamine_only FILE.xlsx");
    let mut wb: Xlsx<_> = calamine::open_workbook(&path).expect("an .xlsx file");
    let sheet = wb.sheet_names()[0].clone();
    let mut cells = wb.worksheet_cells_reader(&sheet).expect("a sheet");
    let (mut count, mut rows, mut sum, mut last_row) = (0u64, 0u64, 0f64, u32::MAX);
    while let Some(c) = cells.next_cell().expect("a cell") {
        let (r, _) = c.get_position();
        if r != last_row {
            rows += 1;
            last_row = r;
        }
        match c.get_value() {
            DataRef::Empty => continue,
            DataRef::Int(i) => sum += *i as f64,
            DataRef::Float(f) => sum += f,
            DataRef::DateTime(t) => sum += t.as_f64(),
            _ => {}
        }
        count += 1;
    }
    println!("{{\"rows\": {rows}, \"cells\": {count}, \"sum\": {sum}}}");
}
