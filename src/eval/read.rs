//! Readers: CSV (`,` `;` or tab, quoted fields, CRLF, UTF-8 BOM), TSV, JSON Lines, each
//! optionally gzip-compressed, from a file or standard input. Only the columns the plan
//! needs are parsed, each to its type, into slots reused for every record.

use super::row::{parse_cell, Row, Slot};
use crate::analysis::Ty;
use crate::diag::{did_you_mean, Code, Diag, Excerpt};
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::time::Instant;

/// What was read from one file.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub records: u64,
    pub rejected: u64,
}

/// Data errors shown in full per file; past this, only counted.
const MAX_SHOWN: u64 = 10;

pub struct Input<'a> {
    pub source: &'a str,
    /// The file as given (`-` for standard input).
    pub path: &'a str,
    /// The columns of the source's rows, with the type their use needs.
    pub columns: &'a [(String, Ty)],
    /// Which of them this run reads (the others stay null and need not exist in the file).
    pub needed: &'a [bool],
    /// The declared fields of the source, when it has a schema.
    pub declared: Option<&'a [&'a str]>,
}

/// Read every record, calling `on_row` with the typed row; bad records are counted,
/// reported in `diags`, and skipped. Returns an error when the file cannot be read at all.
pub fn read(
    input: &Input,
    diags: &mut Vec<Diag>,
    on_row: &mut dyn FnMut(&Row),
) -> Result<Stats, Diag> {
    let (reader, total) = open(input.path)?;
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let inner = input
        .path
        .strip_suffix(".gz")
        .unwrap_or(input.path)
        .to_ascii_lowercase();
    let peek = reader.fill_buf().map_err(|e| io_error(input.path, e))?;
    let peek = peek.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(peek);
    let first = peek.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let jsonl = inner.ends_with(".jsonl")
        || inner.ends_with(".ndjson")
        || inner.ends_with(".json")
        || (input.path == "-" && first == Some(b'{'));
    let mut progress = Progress::new(input.path, total);
    if jsonl {
        read_jsonl(input, reader, diags, on_row, &mut progress)
    } else {
        let delimiter = if inner.ends_with(".tsv") || inner.ends_with(".tab") {
            b'\t'
        } else {
            sniff_delimiter(peek)
        };
        read_csv(input, reader, delimiter, diags, on_row, &mut progress)
    }
}

fn io_error(path: &str, e: std::io::Error) -> Diag {
    Diag::error(Code::Io, format!("cannot read {path}: {e}"))
}

fn open(path: &str) -> Result<(Box<dyn Read>, Option<u64>), Diag> {
    let (raw, total): (Box<dyn Read>, Option<u64>) = if path == "-" {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let f = std::fs::File::open(path).map_err(|e| {
            let d = io_error(path, e);
            if std::path::Path::new(path).exists() {
                d
            } else {
                d.help("check the path, or bind another file with --data SOURCE=FILE")
            }
        })?;
        let len = f.metadata().ok().map(|m| m.len());
        (Box::new(f), len)
    };
    if path.ends_with(".gz") {
        return Ok((Box::new(flate2::read::MultiGzDecoder::new(raw)), None));
    }
    if path == "-" {
        // Standard input has no name to tell: gzip is recognised by its magic bytes.
        let mut buffered = BufReader::new(raw);
        let head = buffered.fill_buf().map_err(|e| io_error(path, e))?;
        if head.starts_with(&[0x1f, 0x8b]) {
            return Ok((Box::new(flate2::read::MultiGzDecoder::new(buffered)), None));
        }
        return Ok((Box::new(buffered), None));
    }
    Ok((raw, total))
}

/// The delimiter that splits the header line into the most fields.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let count = |d: u8| {
        let mut quoted = false;
        line.iter()
            .filter(|&&b| {
                if b == b'"' {
                    quoted = !quoted;
                }
                !quoted && b == d
            })
            .count()
    };
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (count(d), d == b','))
        .unwrap_or(b',')
}

/// Where each needed column sits in the file's header.
fn resolve_columns(
    input: &Input,
    header: &[String],
    header_line: &str,
) -> Result<Vec<usize>, Diag> {
    input
        .columns
        .iter()
        .zip(input.needed)
        .map(|((name, _), needed)| {
            if !needed {
                return Ok(usize::MAX);
            }
            if header.iter().filter(|h| *h == name).count() > 1 {
                return Err(Diag::error(
                    Code::Data,
                    format!("{} names the column `{name}` twice: which one source `{}` reads is unclear", input.path, input.source),
                )
                .excerpt(Excerpt { file: input.path.to_string(), line: 1, text: header_line.to_string(), range: None, label: Some("the header row".into()) })
                .help("rename one of the columns"));
            }
            header
                .iter()
                .position(|h| h == name)
                .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
                .ok_or_else(|| {
                    let d = Diag::error(
                        Code::Data,
                        format!(
                            "{} has no column `{name}`, which source `{}` needs",
                            input.path, input.source
                        ),
                    )
                    .excerpt(Excerpt {
                        file: input.path.to_string(),
                        line: 1,
                        text: header_line.to_string(),
                        range: None,
                        label: Some("the header row".into()),
                    });
                    match did_you_mean(name, header.iter().map(String::as_str)) {
                        Some(h) => d.help(format!(
                            "did you mean `{h}`? Rename the column or the field"
                        )),
                        None => d.help(format!("the columns are: {}", header.join(", "))),
                    }
                })
        })
        .collect()
}

fn reject(stats: &mut Stats, diags: &mut Vec<Diag>, make: impl FnOnce() -> Diag) {
    stats.rejected += 1;
    if stats.rejected <= MAX_SHOWN {
        diags.push(make());
    }
}

fn summarize_rejections(input: &Input, stats: &Stats, diags: &mut Vec<Diag>) {
    if stats.rejected > MAX_SHOWN {
        diags.push(
            Diag::error(
                Code::Data,
                format!(
                    "{} more records of {} were rejected (not shown)",
                    stats.rejected - MAX_SHOWN,
                    input.path
                ),
            )
            .help("fix the first ones shown above; the others are likely alike"),
        );
    }
}

/// Which records of a CSV stream to read.
#[derive(Clone, Copy, Default)]
struct Part {
    /// Stop before the first record that starts at or after this byte.
    stop_at: Option<u64>,
    /// The stream starts after the header (the second half of a split file): the header is
    /// read from the file's start instead.
    headless: bool,
}

fn read_csv(
    input: &Input,
    reader: impl Read,
    delimiter: u8,
    diags: &mut Vec<Diag>,
    on_row: &mut dyn FnMut(&Row),
    progress: &mut Progress,
) -> Result<Stats, Diag> {
    read_csv_part(
        input,
        reader,
        delimiter,
        Part::default(),
        diags,
        on_row,
        progress,
    )
    .map(|(s, _)| s)
}

/// Read a CSV stream; also says whether a record started exactly at `part.stop_at`.
fn read_csv_part(
    input: &Input,
    reader: impl Read,
    delimiter: u8,
    part: Part,
    diags: &mut Vec<Diag>,
    on_row: &mut dyn FnMut(&Row),
    progress: &mut Progress,
) -> Result<(Stats, bool), Diag> {
    let builder = || {
        let mut b = csv::ReaderBuilder::new();
        b.delimiter(delimiter).has_headers(false).flexible(true);
        b
    };
    let mut rec = csv::ByteRecord::new();
    let mut csv = builder().from_reader(reader);
    if part.headless {
        // The header is the first line of the file, not of this stream.
        let f = std::fs::File::open(input.path).map_err(|e| io_error(input.path, e))?;
        let read = builder().from_reader(f).read_byte_record(&mut rec);
        if !read.map_err(|e| Diag::error(Code::Data, format!("{}: {e}", input.path)))? {
            return Err(Diag::error(
                Code::Data,
                format!("{} is empty: a header row is expected", input.path),
            ));
        }
    }
    let read_err = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        Diag::error(
            Code::Data,
            format!("{}:{line}: the file cannot be read as CSV: {e}", input.path),
        )
    };
    if !part.headless && !csv.read_byte_record(&mut rec).map_err(read_err)? {
        return Err(Diag::error(
            Code::Data,
            format!("{} is empty: a header row is expected", input.path),
        )
        .help(format!(
            "the first row names the columns, e.g. {}",
            input
                .columns
                .iter()
                .map(|c| c.0.as_str())
                .collect::<Vec<_>>()
                .join(",")
        )));
    }
    let header: Vec<String> = rec
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = String::from_utf8_lossy(h);
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                &h
            };
            h.trim().to_string()
        })
        .collect();
    let header_line = header.join(&(delimiter as char).to_string());
    let idx = resolve_columns(input, &header, &header_line)?;
    let decimal_comma = delimiter != b',';
    let mut slots = vec![Slot::Null; idx.len()];
    let mut stats = Stats::default();
    let mut boundary_ok = part.stop_at.is_none();
    loop {
        if let Some(stop) = part.stop_at {
            let at = csv.position().byte();
            if at >= stop {
                boundary_ok = at == stop;
                break;
            }
        }
        match csv.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                if let csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. } =
                    e.kind()
                {
                } else if e.is_io_error() {
                    return Err(read_err(e));
                }
                let line = e.position().map_or(0, |p| p.line());
                reject(&mut stats, diags, || {
                    Diag::error(Code::Data, format!("{}:{line}: {e}", input.path))
                });
                continue;
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        stats.records += 1;
        if stats.records & 0xFFFF == 0 {
            progress.tick(rec.position().map_or(0, |p| p.byte()));
        }
        if rec.len() != header.len() {
            // A blank line is no record.
            if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
                stats.records -= 1;
                continue;
            }
            reject(&mut stats, diags, || {
                Diag::error(
                    Code::Data,
                    format!(
                        "{}:{line}: this row has {} fields, the header has {}",
                        input.path,
                        rec.len(),
                        header.len()
                    ),
                )
                .excerpt(record_excerpt(
                    input.path, line, &rec, delimiter, None, None,
                ))
                .help(
                    "each row needs one value per column; quote values that contain the delimiter",
                )
            });
            continue;
        }
        let text = rec.as_slice();
        let Ok(text) = std::str::from_utf8(text) else {
            reject(&mut stats, diags, || {
                Diag::error(
                    Code::Data,
                    format!("{}:{line}: this row is not UTF-8 text", input.path),
                )
                .help("save the file as UTF-8")
            });
            continue;
        };
        let mut bad = None;
        for (k, &i) in idx.iter().enumerate() {
            if i == usize::MAX {
                continue;
            }
            let r = rec.range(i).expect("row length checked against the header");
            let cell = &text[r.clone()];
            match parse_cell(
                cell,
                (r.start as u32, r.end as u32),
                input.columns[k].1,
                decimal_comma,
            ) {
                Ok(s) => slots[k] = s,
                Err(expected) => {
                    bad = Some((k, i, expected));
                    break;
                }
            }
        }
        if let Some((k, i, expected)) = bad {
            reject(&mut stats, diags, || {
                let cell = String::from_utf8_lossy(rec.get(i).unwrap_or_default()).into_owned();
                let field = &input.columns[k].0;
                Diag::error(Code::Data, format!("{}:{line}: field `{field}`: `{cell}` is not {expected}", input.path))
                    .excerpt(record_excerpt(input.path, line, &rec, delimiter, Some(i), Some(format!("expected {expected}"))))
                    .help("fix the value or leave the cell blank (blank is null); the record was left out")
            });
            continue;
        }
        on_row(&Row {
            slots: &slots,
            text,
        });
    }
    if part
        .stop_at
        .is_some_and(|stop| csv.position().byte() == stop)
    {
        boundary_ok = true;
    }
    progress.finish();
    summarize_rejections(input, &stats, diags);
    Ok((stats, boundary_ok))
}

/// Files smaller than this are read by one thread.
const SPLIT_MIN: u64 = 32 << 20;

/// Where a plain CSV file large enough to be worth it can be cut in two for reading in
/// parallel: the start of the first line after the middle. `None` for standard input,
/// compressed files, JSON Lines and small files.
pub fn split_point(path: &str) -> Option<u64> {
    let lower = path.to_ascii_lowercase();
    if path == "-"
        || lower.ends_with(".gz")
        || lower.ends_with(".jsonl")
        || lower.ends_with(".ndjson")
        || lower.ends_with(".json")
    {
        return None;
    }
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    // KPI_SPLIT_MIN lowers the threshold so that tests can exercise the split on small files.
    let min = std::env::var("KPI_SPLIT_MIN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SPLIT_MIN);
    if len < min {
        return None;
    }
    use std::io::Seek;
    f.seek(std::io::SeekFrom::Start(len / 2)).ok()?;
    let mut buf = [0u8; 64 * 1024];
    let n = f.read(&mut buf).ok()?;
    let nl = buf[..n].iter().position(|&b| b == b'\n')?;
    Some(len / 2 + nl as u64 + 1)
}

/// The delimiter of a plain CSV file, from its header line.
fn file_delimiter(path: &str) -> Result<u8, Diag> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".tsv") || lower.ends_with(".tab") {
        return Ok(b'\t');
    }
    let mut f = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut buf = vec![0u8; 64 * 1024];
    let n = f.read(&mut buf).map_err(|e| io_error(path, e))?;
    Ok(sniff_delimiter(
        buf[..n].strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf[..n]),
    ))
}

/// Half of a file split at byte `at` (a line start, from [`split_point`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// The records that start before `at`; the flag returned says whether a record starts
    /// exactly at `at` in this true (from the start) parse: only then is the split valid.
    First,
    /// The records from `at` to the end. Line numbers in its diagnostics count from `at`:
    /// callers re-read sequentially when it rejects anything.
    Second,
}

/// Read one half of a plain CSV file.
pub fn read_half(
    input: &Input,
    at: u64,
    half: Half,
    diags: &mut Vec<Diag>,
    on_row: &mut dyn FnMut(&Row),
) -> Result<(Stats, bool), Diag> {
    use std::io::Seek;
    let delimiter = file_delimiter(input.path)?;
    let mut f = std::fs::File::open(input.path).map_err(|e| io_error(input.path, e))?;
    // The first half shows progress: the other goes at the same pace.
    let mut progress = Progress::new(input.path, Some(at));
    let part = match half {
        Half::First => Part {
            stop_at: Some(at),
            headless: false,
        },
        Half::Second => {
            f.seek(std::io::SeekFrom::Start(at))
                .map_err(|e| io_error(input.path, e))?;
            progress.enabled = false;
            Part {
                stop_at: None,
                headless: true,
            }
        }
    };
    read_csv_part(
        input,
        BufReader::with_capacity(1 << 20, f),
        delimiter,
        part,
        diags,
        on_row,
        &mut progress,
    )
}

/// The record's text, re-joined, with the byte range of field `at` to underline.
fn record_excerpt(
    path: &str,
    line: u64,
    rec: &csv::ByteRecord,
    delimiter: u8,
    at: Option<usize>,
    label: Option<String>,
) -> Excerpt {
    let mut text = String::new();
    let mut range = None;
    for (i, f) in rec.iter().enumerate() {
        if i > 0 {
            text.push(delimiter as char);
        }
        let start = text.len();
        text.push_str(&String::from_utf8_lossy(f));
        if Some(i) == at {
            range = Some((start, text.len()));
        }
    }
    if text.len() > 300 {
        range = range.filter(|r| r.1 <= 300);
        let mut cut = 300;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    Excerpt {
        file: path.to_string(),
        line,
        text,
        range,
        label,
    }
}

fn read_jsonl(
    input: &Input,
    mut reader: impl BufRead,
    diags: &mut Vec<Diag>,
    on_row: &mut dyn FnMut(&Row),
    progress: &mut Progress,
) -> Result<Stats, Diag> {
    let mut line_buf = String::new();
    let mut text = String::new();
    let mut slots = vec![Slot::Null; input.columns.len()];
    let mut stats = Stats::default();
    let mut line_no = 0u64;
    let mut bytes = 0u64;
    loop {
        line_buf.clear();
        let n = reader
            .read_line(&mut line_buf)
            .map_err(|e| io_error(input.path, e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        bytes += n as u64;
        let line = line_buf.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        stats.records += 1;
        if stats.records & 0x3FFF == 0 {
            progress.tick(bytes);
        }
        let obj: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(line) {
            Ok(o) => o,
            Err(e) => {
                let col = e.column();
                reject(&mut stats, diags, || {
                    let at = line
                        .char_indices()
                        .nth(col.saturating_sub(1))
                        .map_or(line.len(), |(i, _)| i);
                    Diag::error(
                        Code::Data,
                        format!("{}:{line_no}: not a JSON object: {e}", input.path),
                    )
                    .excerpt(Excerpt {
                        file: input.path.into(),
                        line: line_no,
                        text: line.chars().take(300).collect(),
                        range: Some((at.min(300), (at + 1).min(300))),
                        label: Some("here".into()),
                    })
                    .help("JSON Lines holds one object `{...}` per line")
                });
                continue;
            }
        };
        text.clear();
        let mut bad = None;
        for (k, (name, ty)) in input.columns.iter().enumerate() {
            if !input.needed[k] {
                continue;
            }
            let cell: std::borrow::Cow<str> = match obj.get(name) {
                None | Some(serde_json::Value::Null) => {
                    slots[k] = Slot::Null;
                    continue;
                }
                Some(serde_json::Value::String(s)) => s.as_str().into(),
                Some(serde_json::Value::Number(n)) => n.to_string().into(),
                Some(serde_json::Value::Bool(b)) => (if *b { "true" } else { "false" }).into(),
                Some(v) => v.to_string().into(),
            };
            let start = text.len() as u32;
            text.push_str(&cell);
            match parse_cell(&cell, (start, text.len() as u32), *ty, false) {
                Ok(s) => slots[k] = s,
                Err(expected) => {
                    bad = Some((k, cell.into_owned(), expected));
                    break;
                }
            }
        }
        if let Some((k, cell, expected)) = bad {
            reject(&mut stats, diags, || {
                let field = &input.columns[k].0;
                let at = line.find(&format!("\"{field}\"")).unwrap_or(0);
                Diag::error(
                    Code::Data,
                    format!(
                        "{}:{line_no}: field `{field}`: `{cell}` is not {expected}",
                        input.path
                    ),
                )
                .excerpt(Excerpt {
                    file: input.path.into(),
                    line: line_no,
                    text: line.to_string(),
                    range: Some((at, at + field.len() + 2)),
                    label: Some(format!("expected {expected}")),
                })
                .help("fix the value or make it null; the record was left out")
            });
            continue;
        }
        on_row(&Row {
            slots: &slots,
            text: &text,
        });
    }
    progress.finish();
    summarize_rejections(input, &stats, diags);
    Ok(stats)
}

/// A progress line on standard error, only when it is a terminal and the read is long.
struct Progress {
    name: String,
    total: Option<u64>,
    start: Instant,
    shown: bool,
    enabled: bool,
}

impl Progress {
    fn new(name: &str, total: Option<u64>) -> Progress {
        let enabled = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Progress {
            name: name.to_string(),
            total,
            start: Instant::now(),
            shown: false,
            enabled,
        }
    }

    fn tick(&mut self, bytes: u64) {
        if !self.enabled || self.start.elapsed().as_millis() < 500 {
            return;
        }
        self.shown = true;
        let mb = bytes as f64 / 1e6; // display only
        let line = match self.total {
            Some(t) if t > 0 => {
                let frac = (bytes as f64 / t as f64).min(1.0);
                let filled = (frac * 30.0) as usize;
                format!(
                    "\r{} [{}{}] {:>3.0}% {mb:.0} MB",
                    self.name,
                    "#".repeat(filled),
                    "-".repeat(30 - filled),
                    frac * 100.0
                )
            }
            _ => format!("\r{} {mb:.0} MB", self.name),
        };
        let _ = std::io::stderr().write_all(line.as_bytes());
    }

    fn finish(&mut self) {
        if self.shown {
            let _ = std::io::stderr().write_all(b"\r\x1b[2K");
        }
    }
}
