//! A window on a stream of bytes for the text readers (CSV, JSON Lines): a buffer refilled
//! from the stream, in which a reader parses records in place.
//!
//! Each fill checks the whole buffer for UTF-8 at once (far faster than record by record)
//! and, when it all is, keeps it as a `String`: a reader then slices records out of it as
//! text without checking them again ([`Bytes::text`]). A buffer with a byte that is not
//! UTF-8 (or a character cut by the end of a read) stays bytes, and its records are
//! checked one by one, so that the bad ones are reported where they are.

use super::open::io_error;
use crate::diag::Diag;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

/// The buffer's size; it grows (doubling) while one record does not fit.
const CAPACITY: usize = 256 << 10;
/// No record is longer than this: past it, a reader reports the record and stops.
pub const MAX_RECORD: usize = 64 << 20;

pub struct Bytes {
    reader: Box<dyn Read>,
    name: String,
    buf: Store,
    /// The size the buffer is read to (it doubles while one record does not fit).
    size: usize,
    /// Where the unread records start in `buf`.
    pub pos: usize,
    /// How much of `buf` holds data.
    filled: usize,
    /// The stream has no more bytes than `buf[..filled]`.
    pub eof: bool,
    /// The offset of `buf[0]` in the stream (in the file, for a range of one).
    base: u64,
}

/// The buffer: its first `filled` bytes hold data.
enum Store {
    Raw(Vec<u8>),
    /// The buffer as a whole is UTF-8 (`filled` bytes long).
    Text(String),
}

impl Store {
    fn into_bytes(self) -> Vec<u8> {
        match self {
            Store::Raw(v) => v,
            Store::Text(s) => s.into_bytes(),
        }
    }
}

impl Bytes {
    /// The bytes of `reader`, which starts at offset `base` of the data called `name`.
    pub fn new(reader: Box<dyn Read>, name: &str, base: u64) -> Bytes {
        Bytes {
            reader,
            name: name.to_string(),
            buf: Store::Raw(Vec::new()),
            size: CAPACITY,
            pos: 0,
            filled: 0,
            eof: false,
            base,
        }
    }

    /// The data read and not yet consumed starts at `self.pos` in this.
    #[inline]
    pub fn data(&self) -> &[u8] {
        match &self.buf {
            Store::Raw(v) => &v[..self.filled],
            Store::Text(s) => s.as_bytes(),
        }
    }

    /// [`Bytes::data`] as text, when it is all UTF-8.
    #[inline]
    pub fn text(&self) -> Option<&str> {
        match &self.buf {
            Store::Text(s) => Some(s),
            Store::Raw(_) => None,
        }
    }

    /// The offset in the stream of `buf[at]`.
    #[inline]
    pub fn offset(&self, at: usize) -> u64 {
        self.base + at as u64
    }

    /// Whether every byte is consumed and the stream is over.
    pub fn at_end(&self) -> bool {
        self.eof && self.pos >= self.filled
    }

    /// Whether the unconsumed bytes are one record too long to read more of it.
    pub fn full(&self) -> bool {
        self.filled - self.pos >= MAX_RECORD
    }

    /// Read more of the stream, keeping the unconsumed bytes (they move to the buffer's
    /// start; the buffer grows when they fill it). `Ok(false)` at the end of the stream.
    pub fn fill(&mut self) -> Result<bool, Diag> {
        if self.eof {
            return Ok(false);
        }
        let mut buf = std::mem::replace(&mut self.buf, Store::Raw(Vec::new())).into_bytes();
        if self.pos > 0 {
            buf.copy_within(self.pos..self.filled, 0);
            self.filled -= self.pos;
            self.base += self.pos as u64;
            self.pos = 0;
        }
        if self.filled == self.size {
            self.size *= 2;
        }
        // Only the bytes past the last fill's end are zeroed: the read overwrites the rest.
        buf.resize(self.size, 0);
        let read = loop {
            match self.reader.read(&mut buf[self.filled..]) {
                Ok(n) => break Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(io_error(&self.name, e)),
            }
        };
        let n = *read.as_ref().unwrap_or(&0);
        self.filled += n;
        self.eof = matches!(read, Ok(0));
        buf.truncate(self.filled);
        // A buffer grown for one long record is refilled many times before the record is
        // whole (from a pipe, a read at a time): checking it all again on each fill would
        // cost the square of its length, so its record is checked once, when read (and so
        // are the records after it: the buffer keeps its size).
        self.buf = if self.size > CAPACITY {
            Store::Raw(buf)
        } else {
            match String::from_utf8(buf) {
                Ok(text) => Store::Text(text),
                Err(e) => Store::Raw(e.into_bytes()),
            }
        };
        read.map(|n| n > 0)
    }

    /// Fill until at least `n` unconsumed bytes are there, or the stream ends.
    pub fn fill_to(&mut self, n: usize) -> Result<(), Diag> {
        while self.filled - self.pos < n && self.fill()? {}
        Ok(())
    }
}

/// The first line start after byte `at` of `file`, if one is within 64 MiB.
pub fn line_start_after(file: &mut File, at: u64) -> Option<u64> {
    file.seek(SeekFrom::Start(at)).ok()?;
    let mut buf = vec![0u8; 64 << 10];
    let mut read = 0u64;
    while read < MAX_RECORD as u64 {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(nl) = memchr::memchr(b'\n', &buf[..n]) {
            return Some(at + read + nl as u64 + 1);
        }
        read += n as u64;
    }
    None
}
