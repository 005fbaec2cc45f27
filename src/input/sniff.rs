//! What a file is, in one place: its compression, its format and (for CSV) its delimiter,
//! from the file's name, its first bytes and the source's options (`format`, `delimiter`,
//! `header_row`). A new format registers its extensions here.

use super::options::{FileFormat, ReadOptions};
use super::Input;
use crate::diag::{Code, Diag};

/// The formats a file can be read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Delimited text: `,` `;` or tab.
    Csv { delimiter: u8 },
    /// One JSON object per line.
    Jsonl,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whether a file is gzip-compressed, by its name (standard input has none: see
/// [`is_gzip_stream`]).
pub fn is_gzip_file(path: &str) -> bool {
    path != "-" && path.to_ascii_lowercase().ends_with(".gz")
}

/// Whether a stream without a name starts as gzip does.
pub fn is_gzip_stream(head: &[u8]) -> bool {
    head.starts_with(&GZIP_MAGIC)
}

/// The format of the file at `path` (`-`: standard input), given its first bytes once
/// decompressed: by extension, and for standard input by its first character.
pub fn sniff(path: &str, head: &[u8]) -> Kind {
    let lower = path.to_ascii_lowercase();
    let name = lower.strip_suffix(".gz").unwrap_or(&lower);
    let head = head.strip_prefix(UTF8_BOM).unwrap_or(head);
    let first = head.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let jsonl = [".jsonl", ".ndjson", ".json"]
        .iter()
        .any(|e| name.ends_with(e))
        || (path == "-" && first == Some(b'{'));
    if jsonl {
        return Kind::Jsonl;
    }
    let delimiter = if name.ends_with(".tsv") || name.ends_with(".tab") {
        b'\t'
    } else {
        sniff_delimiter(head)
    };
    Kind::Csv { delimiter }
}

/// The workbook format of a file, when it is one: by `format:`, else by its extension
/// (`.xlsx`, `.xls`, `.ods`). A workbook named as a text file is an error that says which
/// `format:` to declare, not columns of zip bytes.
pub fn workbook(path: &str, head: &[u8], input: &Input) -> Result<Option<FileFormat>, Diag> {
    if let Some(f) = input.options.format {
        return Ok(f.is_workbook().then_some(f));
    }
    let lower = path.to_ascii_lowercase();
    for (ext, f) in [
        (".xlsx", FileFormat::Xlsx),
        (".xlsm", FileFormat::Xlsx),
        (".xls", FileFormat::Xls),
        (".ods", FileFormat::Ods),
    ] {
        if lower.ends_with(ext) {
            return Ok(Some(f));
        }
    }
    let magic = if head.starts_with(b"PK\x03\x04") {
        "xlsx"
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        "xls"
    } else {
        return Ok(None);
    };
    let name = input.name();
    Err(Diag::error(
        Code::Data,
        format!(
            "{name} is a workbook ({}), not a text file",
            if magic == "xls" {
                "an Excel 97-2003 file"
            } else {
                "a zip archive: .xlsx or .ods"
            }
        ),
    )
    .help(format!(
        "{}, or name the file .{magic}",
        super::advice::workbook_as_text(input, magic)
    )))
}

/// The text format of a file: by `format:` (and `delimiter:`), else by its name and first
/// bytes (see [`sniff`]). The delimiter is sniffed on the header line (`header_row`).
pub fn text_kind(path: &str, head: &[u8], options: &ReadOptions) -> Kind {
    let mut header = head;
    for _ in 1..options.header_row.max(1) {
        match header.iter().position(|&b| b == b'\n') {
            Some(i) => header = &header[i + 1..],
            None => break,
        }
    }
    let kind = match options.format {
        Some(FileFormat::Jsonl) => Kind::Jsonl,
        Some(FileFormat::Tsv) => Kind::Csv { delimiter: b'\t' },
        Some(FileFormat::Csv) => match sniff(path, header) {
            Kind::Jsonl => Kind::Csv {
                delimiter: sniff_delimiter(header),
            },
            k => k,
        },
        _ => sniff(path, header),
    };
    match (kind, options.delimiter) {
        (Kind::Csv { .. }, Some(d)) => Kind::Csv { delimiter: d },
        (k, _) => k,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_and_first_bytes() {
        assert_eq!(
            sniff("a.csv", b"x;y;z\n1;2;3"),
            Kind::Csv { delimiter: b';' }
        );
        assert_eq!(sniff("a.CSV.GZ", b"x,y\n"), Kind::Csv { delimiter: b',' });
        assert_eq!(sniff("a.tsv", b"x,y\n"), Kind::Csv { delimiter: b'\t' });
        assert_eq!(
            sniff("a.txt", b"\"a;b\",c\n"),
            Kind::Csv { delimiter: b',' }
        );
        assert_eq!(sniff("a.ndjson.gz", b""), Kind::Jsonl);
        assert_eq!(sniff("-", b"\xEF\xBB\xBF  {\"a\": 1}"), Kind::Jsonl);
        assert_eq!(sniff("-", b"a\tb\n"), Kind::Csv { delimiter: b'\t' });
        assert!(is_gzip_file("x.csv.GZ") && !is_gzip_file("-") && !is_gzip_file("x.csv"));
    }
}
