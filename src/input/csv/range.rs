//! A byte range of a plain CSV file, read alone (see `split.rs`): the header comes from the
//! file's start, the records from the range.

use super::super::bytes::{line_start_after, Bytes};
use super::super::open::{io_error, open_file};
use super::super::split::RangeFormat;
use super::super::Input;
use super::{read_header, skip_bom, Csv, Tokenizer};
use crate::diag::Diag;
use std::fs::File;
use std::io::{Seek, SeekFrom};

impl RangeFormat for Csv {
    type Layout = u8;

    fn open_range(
        input: &Input,
        path: &str,
        delimiter: &u8,
        start: u64,
        end: Option<u64>,
        line: u64,
    ) -> Result<Self, Diag> {
        let mut tok = Tokenizer::new(*delimiter);
        let mut bytes = Bytes::new(Box::new(open_file(path)?), input.name(), 0);
        skip_bom(&mut bytes)?;
        let (names, breaks) = read_header(input, &mut bytes, &mut tok)?;
        let mut line = line;
        if start > 0 {
            // The header is the first line of the file, not of this range.
            let mut file = open_file(path)?;
            file.seek(SeekFrom::Start(start))
                .map_err(|e| io_error(path, e))?;
            bytes = Bytes::new(Box::new(file), input.name(), start);
        } else {
            line += breaks;
        }
        let mut format = Csv::with_header(input, bytes, tok, &names, line)?;
        format.stop_at = end;
        Ok(format)
    }

    fn stopped_at(&self) -> u64 {
        self.bytes.offset(self.bytes.pos)
    }

    fn line(&self) -> u64 {
        self.line
    }

    /// A record may start after any line break (and a quoted line break is caught by the
    /// range before, which does not stop at the cut).
    fn record_start_after(file: &mut File, at: u64) -> Option<u64> {
        line_start_after(file, at)
    }
}
