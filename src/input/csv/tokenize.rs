//! The CSV tokenizer: one record at a time out of a byte buffer, as RFC 4180 writes them,
//! strictly where a mistake would change the data.
//!
//! * Fields are separated by the delimiter; a record ends at `\n` (a `\r` before it is
//!   dropped), or at the end of the data.
//! * A field that starts with `"` is quoted: it runs to the next `"` that is not doubled
//!   (`""` is a quote in the value) and may hold delimiters and line breaks. That closing
//!   quote must be followed by a delimiter, a line end or the end of the data: anything else
//!   is [`Step::BadQuote`]. A quote that never closes is [`Step::Unclosed`].
//! * A `"` inside an unquoted field is an ordinary character (`12" screen`).
//!
//! The fast path reads the buffer in blocks of 64 bytes, each turned into bit masks of its
//! delimiters and line breaks (16 bytes per vector compare). A record with a quote, or in
//! the last partial block of the buffer, goes through the byte-by-byte path, which searches
//! quotes with `memchr`.

/// A field of the record just read: its value's byte range, from the record's first byte
/// (inside the quotes for a quoted field).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Field {
    pub start: u32,
    pub end: u32,
}

/// What the next bytes of the buffer are.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// A record `buf[start..end]` (its line end left out); the next starts at `next`.
    /// `breaks` counts the line breaks read: its own, and those inside quoted values.
    Record {
        end: usize,
        next: usize,
        breaks: u64,
    },
    /// The record runs past the bytes given and the data goes on: give more.
    NeedMore,
    /// A closing quote is followed by the byte at `at`, not by a delimiter or a line end.
    /// The record is broken up to the end of that line; the next starts at `next`.
    BadQuote { at: usize, next: usize, breaks: u64 },
    /// The quote at `at` opens a value that runs to the end of the data.
    Unclosed { at: usize },
}

pub struct Tokenizer {
    delimiter: u8,
    /// The masks of the block the last record ended in.
    block: Block,
    /// The fields of the last record.
    pub fields: Vec<Field>,
    /// The fields of the last record that hold a doubled quote (`""`).
    pub escaped: Vec<u32>,
    /// The first quote at or after the last record searched from (`usize::MAX`: none
    /// there); `None` once the buffer changed ([`Tokenizer::reset`]).
    next_quote: Option<usize>,
}

/// The bytes a [`Block`] covers.
const BLOCK: usize = 64;

/// Where the delimiters and line ends are in 64 bytes of the buffer: bit `i` of `seps` is
/// set when byte `base + i` is either, bit `i` of `lines` when it is a `\n`.
#[derive(Clone, Copy)]
struct Block {
    base: usize,
    seps: u64,
    lines: u64,
}

impl Block {
    const NONE: Block = Block {
        base: usize::MAX,
        seps: 0,
        lines: 0,
    };

    /// The block of `buf[base..base + 64]`; `None` past the last whole block.
    #[inline]
    fn at(buf: &[u8], base: usize, delimiter: u8) -> Option<Block> {
        let bytes: &[u8; BLOCK] = buf.get(base..base + BLOCK)?.try_into().ok()?;
        let (delimiters, lines) = masks(bytes, delimiter);
        Some(Block {
            base,
            seps: delimiters | lines,
            lines,
        })
    }
}

/// The masks of the delimiters and of the `\n`s in 64 bytes: 16 at a time with SSE2,
/// which every x86-64 processor has (`safe_arch` wraps its intrinsics in safe functions).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn masks(bytes: &[u8; BLOCK], delimiter: u8) -> (u64, u64) {
    use safe_arch::set_splat_i8_m128i as splat;
    use safe_arch::{cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i};
    let (d, n) = (splat(delimiter as i8), splat(b'\n' as i8));
    let (mut delimiters, mut lines) = (0u64, 0u64);
    for (k, lane) in bytes.chunks_exact(16).enumerate() {
        let v = load_unaligned_m128i(lane.try_into().unwrap());
        let dm = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, d)) as u16;
        let nm = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, n)) as u16;
        delimiters |= u64::from(dm) << (16 * k);
        lines |= u64::from(nm) << (16 * k);
    }
    (delimiters, lines)
}

/// The masks of the delimiters and of the `\n`s in 64 bytes, a byte at a time.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn masks(bytes: &[u8; BLOCK], delimiter: u8) -> (u64, u64) {
    let (mut delimiters, mut lines) = (0u64, 0u64);
    for (i, &b) in bytes.iter().enumerate() {
        delimiters |= u64::from(b == delimiter) << i;
        lines |= u64::from(b == b'\n') << i;
    }
    (delimiters, lines)
}

impl Tokenizer {
    pub fn new(delimiter: u8) -> Tokenizer {
        Tokenizer {
            delimiter,
            block: Block::NONE,
            fields: Vec::with_capacity(32),
            escaped: Vec::new(),
            next_quote: None,
        }
    }

    /// The buffer given to [`Tokenizer::step`] changed (refilled, moved).
    pub fn reset(&mut self) {
        self.next_quote = None;
        self.block = Block::NONE;
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Read the record that starts at `buf[start]` (`start < buf.len()`). `eof`: the data
    /// ends with `buf`.
    #[inline]
    pub fn step(&mut self, buf: &[u8], start: usize, eof: bool) -> Step {
        self.fields.clear();
        self.escaped.clear();
        if let Some(line_end) = self.fast(buf, start) {
            // The end of the record is the end of its last field (a `\r` left out).
            let last = self.fields.last().map_or(0, |f| f.end as usize);
            return Step::Record {
                end: start + last,
                next: line_end + 1,
                breaks: 1,
            };
        }
        self.fields.clear();
        self.slow(buf, start, eof)
    }

    #[inline]
    fn push(&mut self, start: usize, end: usize, record: usize) {
        self.fields.push(Field {
            start: (start - record) as u32,
            end: (end - record) as u32,
        });
    }

    /// A record with no quote, read from the separator masks of 64-byte blocks: its
    /// fields, and where its `\n` is; `None` when it has a quote or runs into the last
    /// (partial) block of `buf`. The next quote in the buffer is found once with `memchr`.
    /// The masks of the block a record ends in are kept for the next record, so each byte
    /// is compared once. (A plain index comes back in registers; a [`Step`] would come back
    /// through memory, written in parts and read whole: a stall on every record.)
    #[inline]
    fn fast(&mut self, buf: &[u8], start: usize) -> Option<usize> {
        let quote = match self.next_quote {
            Some(q) if q >= start => q,
            _ => {
                let q = memchr::memchr(b'"', &buf[start..]).map_or(usize::MAX, |k| start + k);
                self.next_quote = Some(q);
                q
            }
        };
        let mut base = start & !(BLOCK - 1);
        if self.block.base != base {
            self.block = Block::at(buf, base, self.delimiter)?;
        }
        let mut seps = self.block.seps & (!0u64 << (start - base));
        let mut field = start;
        loop {
            while seps != 0 {
                let bit = seps.trailing_zeros();
                let j = base + bit as usize;
                if j > quote {
                    return None;
                }
                if self.block.lines >> bit & 1 != 0 {
                    let end = if j > field && buf[j - 1] == b'\r' {
                        j - 1
                    } else {
                        j
                    };
                    self.push(field, end, start);
                    return Some(j);
                }
                self.push(field, j, start);
                field = j + 1;
                seps &= seps - 1;
            }
            base += BLOCK;
            self.block = Block::at(buf, base, self.delimiter)?;
            seps = self.block.seps;
        }
    }

    /// Any record, a byte at a time between the delimiters, line breaks and quotes that
    /// `memchr` finds.
    fn slow(&mut self, buf: &[u8], start: usize, eof: bool) -> Step {
        let delimiter = self.delimiter;
        let len = buf.len();
        let mut breaks = 0u64;
        let mut i = start;
        loop {
            // At the start of a field.
            if i < len && buf[i] == b'"' {
                let open = i;
                let mut j = i + 1;
                let mut escaped = false;
                let close = loop {
                    let Some(q) = memchr::memchr(b'"', &buf[j..]).map(|k| j + k) else {
                        return if eof {
                            Step::Unclosed { at: open }
                        } else {
                            Step::NeedMore
                        };
                    };
                    if q + 1 < len && buf[q + 1] == b'"' {
                        escaped = true;
                        j = q + 2;
                        continue;
                    }
                    if q + 1 == len && !eof {
                        return Step::NeedMore;
                    }
                    break q;
                };
                breaks += count_breaks(&buf[open..close]);
                if escaped {
                    self.escaped.push(self.fields.len() as u32);
                }
                self.push(open + 1, close, start);
                let after = close + 1;
                match buf.get(after) {
                    None => return record(len, len, breaks),
                    Some(&b) if b == delimiter => i = after + 1,
                    Some(b'\n') => return record(after, after + 1, breaks + 1),
                    Some(b'\r') => match buf.get(after + 1) {
                        Some(b'\n') => return record(after, after + 2, breaks + 1),
                        None if eof => return record(after, len, breaks),
                        None => return Step::NeedMore,
                        Some(_) => return bad_quote(buf, start, after, eof),
                    },
                    Some(_) => return bad_quote(buf, start, after, eof),
                }
            } else {
                match memchr::memchr2(delimiter, b'\n', &buf[i..]).map(|k| i + k) {
                    Some(e) if buf[e] == delimiter => {
                        self.push(i, e, start);
                        i = e + 1;
                    }
                    Some(e) => {
                        let end = if e > i && buf[e - 1] == b'\r' {
                            e - 1
                        } else {
                            e
                        };
                        self.push(i, end, start);
                        return record(end, e + 1, breaks + 1);
                    }
                    None if eof => {
                        let end = if len > i && buf[len - 1] == b'\r' {
                            len - 1
                        } else {
                            len
                        };
                        self.push(i, end, start);
                        return record(end, len, breaks);
                    }
                    None => return Step::NeedMore,
                }
            }
        }
    }
}

fn record(end: usize, next: usize, breaks: u64) -> Step {
    Step::Record { end, next, breaks }
}

/// A closing quote followed by `buf[at]`: the broken record runs to the end of that line.
fn bad_quote(buf: &[u8], start: usize, at: usize, eof: bool) -> Step {
    let next = match memchr::memchr(b'\n', &buf[at..]) {
        Some(k) => at + k + 1,
        None if eof => buf.len(),
        None => return Step::NeedMore,
    };
    Step::BadQuote {
        at,
        next,
        breaks: count_breaks(&buf[start..next]),
    }
}

/// How many line breaks `bytes` hold.
pub fn count_breaks(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `data`, as field texts, or the step that stopped the reading.
    fn records(data: &[u8], delimiter: u8) -> Vec<Result<Vec<String>, String>> {
        let mut t = Tokenizer::new(delimiter);
        let mut out = Vec::new();
        let mut at = 0;
        while at < data.len() {
            match t.step(data, at, true) {
                Step::Record { next, .. } => {
                    let fields = t
                        .fields
                        .iter()
                        .map(|f| {
                            let s = &data[at + f.start as usize..at + f.end as usize];
                            String::from_utf8_lossy(s).into_owned()
                        })
                        .collect();
                    out.push(Ok(fields));
                    at = next;
                }
                Step::BadQuote { at: bad, next, .. } => {
                    out.push(Err(format!("bad quote at {bad}")));
                    at = next;
                }
                other => {
                    out.push(Err(format!("{other:?}")));
                    break;
                }
            }
        }
        out
    }

    fn ok(fields: &[&str]) -> Result<Vec<String>, String> {
        Ok(fields.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn plain_quoted_and_crlf_records() {
        let data = b"a,b,c\r\n1,\"x,\"\"y\"\"\nz\",3\n,,\n\"\"\nlong field number one,2,3";
        assert_eq!(
            records(data, b','),
            vec![
                ok(&["a", "b", "c"]),
                ok(&["1", "x,\"\"y\"\"\nz", "3"]),
                ok(&["", "", ""]),
                ok(&[""]),
                ok(&["long field number one", "2", "3"]),
            ]
        );
        assert_eq!(records(b"x;y\n\n5\" screen;2\r\n", b';').len(), 3);
    }

    #[test]
    fn quotes_that_do_not_close_or_close_early_are_errors() {
        assert_eq!(
            records(b"1,\"a\n2,b\n3,c\n", b','),
            vec![Err("Unclosed { at: 2 }".to_string())]
        );
        assert_eq!(
            records(b"\"a,1\n\"b,2\nc,3\n", b','),
            vec![Err("bad quote at 6".to_string()), ok(&["c", "3"])]
        );
        assert_eq!(
            records(b"\"a\"\rb\n", b','),
            vec![Err("bad quote at 3".to_string())]
        );
    }

    #[test]
    fn incomplete_records_ask_for_more() {
        let mut t = Tokenizer::new(b',');
        for data in [&b"a,b"[..], b"a,\"b\n", b"a,\"b\"", b"\"b\"\r", b"\"a\"x"] {
            t.reset();
            assert_eq!(t.step(data, 0, false), Step::NeedMore, "{data:?}");
        }
        t.reset();
        assert_eq!(
            t.step(b"a,\"b\"", 0, true),
            Step::Record {
                end: 5,
                next: 5,
                breaks: 0
            }
        );
    }

    /// The block path gives what the byte-by-byte path gives, record by record, on random
    /// buffers of short records (several to a block, some across blocks), quotes, `\r`,
    /// empty fields and lines, non-ASCII bytes, as one whole buffer or the data so far.
    #[test]
    fn blocks_read_as_the_byte_path_does() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let alphabet: &[&[u8]] = &[
            b"a",
            b"7",
            b",",
            b",",
            b";",
            b"\n",
            b"\r\n",
            b"\"",
            b"\xc3\xa9",
            b"  ",
        ];
        let cases = std::env::var("KPI_PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok());
        let (mut records, mut by_blocks) = (0, 0);
        for _ in 0..cases.unwrap_or(400) {
            let mut data = Vec::new();
            let len = next(1500);
            // Half the buffers have no quote: their records take the block path.
            let quotes = next(2) == 0;
            while (data.len() as u64) < len {
                let token = alphabet[next(alphabet.len() as u64) as usize];
                data.extend_from_slice(if token == b"\"" && !quotes {
                    b"b"
                } else {
                    token
                });
            }
            let delimiter = if next(4) == 0 { b';' } else { b',' };
            let eof = next(3) != 0;
            let (mut fast, mut slow) = (Tokenizer::new(delimiter), Tokenizer::new(delimiter));
            let mut at = 0;
            while at < data.len() {
                by_blocks += usize::from(Tokenizer::new(delimiter).fast(&data, at).is_some());
                records += 1;
                let got = fast.step(&data, at, eof);
                slow.fields.clear();
                slow.escaped.clear();
                let want = slow.slow(&data, at, eof);
                let shown = String::from_utf8_lossy(&data);
                assert_eq!(got, want, "at {at} of {shown:?}");
                assert_eq!(fast.fields, slow.fields, "at {at} of {shown:?}");
                assert_eq!(fast.escaped, slow.escaped, "at {at} of {shown:?}");
                at = match got {
                    Step::Record { next, .. } | Step::BadQuote { next, .. } => next,
                    Step::NeedMore | Step::Unclosed { .. } => break,
                };
            }
        }
        assert!(
            by_blocks * 4 > records,
            "{by_blocks} of {records} records by blocks"
        );
    }

    #[test]
    fn block_masks_find_exactly_the_delimiters_and_line_ends() {
        let mut bytes = [b'a'; BLOCK];
        for (i, b) in [
            (0, b','),
            (7, b'\n'),
            (15, b','),
            (16, b','),
            (40, 0x8c),
            (63, b'\n'),
        ] {
            bytes[i] = b;
        }
        let (delimiters, lines) = masks(&bytes, b',');
        assert_eq!(delimiters, 1 | 1 << 15 | 1 << 16);
        assert_eq!(lines, 1 << 7 | 1 << 63);
    }
}
