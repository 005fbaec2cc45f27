//! CSV files read whole and in ranges: records, rejections and their diagnostics as shown.

use super::super::split::{read_split_in, RangeFormat, Sink};
use super::super::{read_records, Data, Input, ReadOptions, Row};
use super::Csv;
use crate::analysis::Ty;
use crate::ir::Col;
use crate::render::{human_all, Style};
use crate::span::SourceMap;

/// A file in a temporary folder of this test run.
pub fn temp_file(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("kpi-input-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

/// The rows read, each value as its debug text.
#[derive(Default)]
pub struct Rows(pub Vec<String>);

impl Sink for Rows {
    fn on_row(&mut self, row: &Row) {
        let values: Vec<String> = (0..row.slots.len())
            .map(|k| format!("{:?}", row.get(Col(k as u32))))
            .collect();
        self.0.push(values.join(" "));
    }
    fn merge(&mut self, next: Self) {
        self.0.extend(next.0);
    }
}

/// What reading gave: records, rejected, rows, and the diagnostics rendered (or the error
/// that stopped it).
#[derive(Debug, PartialEq)]
pub struct Read {
    pub records: u64,
    pub rejected: u64,
    pub rows: Vec<String>,
    pub shown: String,
}

pub fn columns(names: &[(&str, Ty)]) -> Vec<(String, Ty)> {
    names.iter().map(|(n, t)| (n.to_string(), *t)).collect()
}

/// The diagnostics as shown, the file called FILE (before wrapping lines).
fn shown(diags: &[crate::diag::Diag], path: &str) -> String {
    let diags: Vec<crate::diag::Diag> = diags
        .iter()
        .cloned()
        .map(|mut d| {
            d.message = d.message.replace(path, "FILE");
            if let Some(x) = &mut d.excerpt {
                x.file = x.file.replace(path, "FILE");
            }
            d
        })
        .collect();
    human_all(&diags, &SourceMap::default(), Style::PLAIN)
}

/// Read `path` whole, in one pass.
pub fn read_whole(path: &str, columns: &[(String, Ty)]) -> Read {
    let needed = vec![true; columns.len()];
    // Declared UTF-8: each row is checked (undeclared, a file that is not UTF-8 is one
    // error before any row is read, see `decode.rs`).
    let options = ReadOptions {
        encoding: Some(encoding_rs::UTF_8),
        ..ReadOptions::default()
    };
    let input = Input {
        source: "s",
        data: Data::File(path),
        columns,
        needed: &needed,
        declared: None,
        options: &options,
    };
    let mut diags = Vec::new();
    let mut rows = Rows::default();
    let stats = read_records(&input, &mut |row| rows.on_row(row), &mut diags);
    match stats {
        Ok(stats) => Read {
            records: stats.records,
            rejected: stats.rejected,
            rows: rows.0,
            shown: shown(&diags, path),
        },
        Err(d) => Read {
            records: 0,
            rejected: 0,
            rows: vec![],
            shown: shown(&[diags, vec![d]].concat(), path),
        },
    }
}

/// Read `path` (CSV, `delimiter`) in `parts` ranges; `None` when the split gave up.
pub fn read_parts(
    path: &str,
    columns: &[(String, Ty)],
    delimiter: u8,
    parts: usize,
) -> Option<Read> {
    read_parts_as::<Csv>(path, columns, &delimiter, parts)
}

/// Read `path` in `parts` ranges as format `F`; `None` when the split gave up.
pub fn read_parts_as<F: RangeFormat>(
    path: &str,
    columns: &[(String, Ty)],
    layout: &F::Layout,
    parts: usize,
) -> Option<Read> {
    let needed = vec![true; columns.len()];
    // Declared UTF-8: each row is checked (undeclared, a file that is not UTF-8 is one
    // error before any row is read, see `decode.rs`).
    let options = ReadOptions {
        encoding: Some(encoding_rs::UTF_8),
        ..ReadOptions::default()
    };
    let input = Input {
        source: "s",
        data: Data::File(path),
        columns,
        needed: &needed,
        declared: None,
        options: &options,
    };
    let len = std::fs::metadata(path).unwrap().len();
    let done = read_split_in::<F, Rows>(&input, path, layout, len, parts, &Rows::default)?;
    Some(Read {
        records: done.stats.records,
        rejected: done.stats.rejected,
        rows: done.sink.0,
        shown: shown(&done.diags, path),
    })
}

/// A row whose fields are UTF-8 only once joined (`\xC3` `,` `\xA9`) is not text.
#[test]
fn a_row_whose_fields_split_a_character_is_not_text() {
    let path = temp_file("split_char.csv", b"a,b,c\n1,\xC3,\xA9\n2,x,y\n");
    let cols = columns(&[("a", Ty::Num), ("b", Ty::Str), ("c", Ty::Str)]);
    let read = read_whole(&path, &cols);
    assert_eq!((read.records, read.rejected, read.rows.len()), (2, 1, 1));
    insta::assert_snapshot!(read.shown, @r"
    kpi::data

      × FILE:2: this row is not UTF-8 text
      help: save the file as UTF-8
    ");
}

fn xs() -> Vec<(String, Ty)> {
    columns(&[("x", Ty::Num), ("s", Ty::Str)])
}

/// Issue 9, defect 1: a quote that never closes stops the reading at the line it opened
/// on, whole or in ranges, instead of swallowing the rows after it.
#[test]
fn a_quote_that_never_closes_stops_the_file_where_it_opened() {
    let path = temp_file("unclosed.csv", b"x,s\n1,\"a\n2,b\n3,c\n");
    let read = read_whole(&path, &xs());
    assert_eq!(read.rows, Vec::<String>::new());
    insta::assert_snapshot!(read.shown, @r#"
    kpi::data

      × FILE:2: this quote opens a value that never closes: the file cannot be read past it
       ╭─[FILE:2:3]
     2 │ 1,"a
       ·   ┬
       ·   ╰── opened here
       ╰────
      help: close the quoted value with a quote, or write a quote inside it twice (`""`)
    "#);
    for parts in 2..5 {
        assert!(read_parts(&path, &xs(), b',', parts).is_none(), "{parts}");
    }
}

/// Issue 9, defect 1: a closing quote followed by more than a delimiter or a line end is an
/// error at that record, which runs to the end of the line of the bad quote; reading goes on.
#[test]
fn a_quote_closed_too_early_rejects_its_record() {
    let cols = columns(&[("s", Ty::Str), ("x", Ty::Num)]);
    let path = temp_file("early.csv", b"s,x\n\"a,1\n\"b,2\nc,3\n\"d\"e,4\n");
    let read = read_whole(&path, &cols);
    assert_eq!((read.records, read.rejected), (3, 2));
    assert_eq!(read.rows, vec![r#"Str("c") Num(3)"#]);
    insta::assert_snapshot!(read.shown, @r#"
    kpi::data

      × FILE:3: a closing quote is followed by `b`, not by a delimiter or a line end (the quoted value
      │ opened on line 2)
       ╭─[FILE:3:2]
     3 │ "b,2
       ·  ┬
       ·  ╰── after a closing quote
       ╰────
      help: write a quote inside a quoted value twice (`""`); the record was left out
    kpi::data

      × FILE:5: a closing quote is followed by `e`, not by a delimiter or a line end
       ╭─[FILE:5:4]
     5 │ "d"e,4
       ·    ┬
       ·    ╰── after a closing quote
       ╰────
      help: write a quote inside a quoted value twice (`""`); the record was left out
    "#);
    assert_eq!(read_parts(&path, &cols, b',', 3), Some(read));
}

/// Issue 8, defect 6: lines are the file's own, CRLF and blank lines included; a value on
/// the second line of a quoted record is on that line; columns count characters.
#[test]
fn lines_and_columns_are_the_files_own() {
    let path = temp_file("crlf.csv", b"a,b\r\n1,2\r\n2,3\r\n3,x");
    insta::assert_snapshot!(read_whole(&path, &columns(&[("b", Ty::Num)])).shown, @r"
    kpi::data

      × FILE:4: field `b`: `x` is not a number
       ╭─[FILE:4:3]
     4 │ 3,x
       ·   ┬
       ·   ╰── expected a number
       ╰────
      help: fix the value or leave the cell blank (blank is null); the record was left out
    ");
    let text = "s,x\n\n\"é\n\"\"é\"\"\",zz\r\n\r\n\"ü\",1\n";
    let path = temp_file("lines.csv", text.as_bytes());
    let read = read_whole(&path, &xs());
    assert_eq!(read.rows, vec![r#"Num(1) Str("ü")"#]);
    insta::assert_snapshot!(read.shown, @r#"
    kpi::data

      × FILE:4: field `x`: `zz` is not a number
       ╭─[FILE:4:8]
     4 │ ""é""",zz
       ·        ─┬
       ·         ╰── expected a number
       ╰────
      help: fix the value or leave the cell blank (blank is null); the record was left out
    "#);
}

/// Doubled quotes are one quote in the value; delimiters and line breaks may be quoted.
#[test]
fn quoted_values_are_read_as_written() {
    let text = "\u{feff}s;x\r\n\"a;\"\"b\"\"\r\nc\";1,5\r\n\"\";2\r\n5\" screen;3\r\n";
    let path = temp_file("quoted.csv", text.as_bytes());
    let read = read_whole(&path, &xs());
    assert_eq!(
        read.rows,
        vec![
            "Num(1.5) Str(\"a;\\\"b\\\"\\r\\nc\")",
            "Num(2) Null",
            "Num(3) Str(\"5\\\" screen\")"
        ]
    );
    assert_eq!((read.rejected, read.shown.as_str()), (0, ""));
}

/// Issue 9, defect 10: only the file's first bytes can be a BOM; a record that starts with
/// U+FEFF keeps it, whole or in ranges.
#[test]
fn only_the_files_start_is_a_bom() {
    let mut text = String::from("\u{feff}s,x\n");
    for i in 0..40 {
        text.push_str(&format!("\u{feff}bom,{i}\nbom,{i}\n"));
    }
    let path = temp_file("boms.csv", text.as_bytes());
    let read = read_whole(&path, &xs());
    let distinct: std::collections::BTreeSet<&String> = read.rows.iter().collect();
    assert_eq!(read.rows.len(), 80);
    assert!(
        read.rows[0].ends_with("Str(\"\\u{feff}bom\")"),
        "{}",
        read.rows[0]
    );
    assert_eq!(distinct.len(), 80);
    for parts in 2..6 {
        assert_eq!(
            read_parts(&path, &xs(), b',', parts).as_ref(),
            Some(&read),
            "{parts}"
        );
    }
}

/// Buffers are checked for UTF-8 whole: reads that cut a character in two, and a bad row
/// far into the file, leave every other row as written, whole or in ranges.
#[test]
fn characters_cut_by_the_buffer_and_a_bad_row_far_in() {
    let mut data = b"x,s\n".to_vec();
    for i in 0..40_000 {
        if i == 31_000 {
            data.extend_from_slice(b"31000,caf\xE9\n");
            continue;
        }
        data.extend_from_slice(format!("{i},é{}ü€\n", "à".repeat(i % 7)).as_bytes());
    }
    let path = temp_file("cut_chars.csv", &data);
    let whole = read_whole(&path, &xs());
    assert_eq!((whole.records, whole.rejected), (40_000, 1));
    assert!(whole
        .shown
        .contains("FILE:31002: this row is not UTF-8 text"));
    for (n, row) in whole.rows.iter().enumerate() {
        let i = if n < 31_000 { n } else { n + 1 };
        let text = format!("é{}ü€", "à".repeat(i % 7));
        assert!(row.ends_with(&format!("{text:?})")), "{row} {text}");
    }
    let split = read_parts(&path, &xs(), b',', 3).expect("split");
    assert_eq!(split.rows, whole.rows);
    assert_eq!((split.records, split.rejected), (40_000, 1));
}
