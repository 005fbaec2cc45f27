//! Opening data: a file or standard input, decompressed when gzip, behind one large buffer
//! whose first fill is what sniffing looks at.

use super::sniff;
use crate::diag::{Code, Diag};
use std::io::{BufRead, BufReader, Read};

pub struct Opened {
    pub reader: BufReader<Box<dyn Read>>,
    /// The file's size, when its bytes are read as they are on disk (not standard input,
    /// not compressed).
    pub len: Option<u64>,
}

impl Opened {
    /// The first bytes, once decompressed.
    pub fn head(&self) -> &[u8] {
        self.reader.buffer()
    }
}

pub fn io_error(path: &str, e: std::io::Error) -> Diag {
    Diag::error(Code::Io, format!("cannot read {path}: {e}"))
}

/// Open `path` (`-`: standard input) and read its first bytes.
pub fn open(path: &str) -> Result<Opened, Diag> {
    let (raw, len) = open_raw(path)?;
    let mut reader = BufReader::with_capacity(1 << 20, raw);
    reader.fill_buf().map_err(|e| io_error(path, e))?;
    Ok(Opened { reader, len })
}

/// The file as a stream of its (decompressed) bytes, with its size when read as it is.
fn open_raw(path: &str) -> Result<(Box<dyn Read>, Option<u64>), Diag> {
    if path == "-" {
        // Standard input has no name to tell: gzip is recognised by its magic bytes.
        let mut buffered = BufReader::new(std::io::stdin().lock());
        let head = buffered.fill_buf().map_err(|e| io_error(path, e))?;
        if sniff::is_gzip_stream(head) {
            return Ok((Box::new(flate2::read::MultiGzDecoder::new(buffered)), None));
        }
        return Ok((Box::new(buffered), None));
    }
    let f = open_file(path)?;
    if sniff::is_gzip_file(path) {
        return Ok((Box::new(flate2::read::MultiGzDecoder::new(f)), None));
    }
    let len = f.metadata().ok().map(|m| m.len());
    Ok((Box::new(f), len))
}

/// A plain file, with the advice to check the path when there is none.
pub fn open_file(path: &str) -> Result<std::fs::File, Diag> {
    std::fs::File::open(path).map_err(|e| {
        let d = io_error(path, e);
        if std::path::Path::new(path).exists() {
            d
        } else {
            d.help("check the path, or bind another file with --data SOURCE=FILE")
        }
    })
}
