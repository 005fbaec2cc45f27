//! Text in other encodings: a `Read` adapter that decodes a stream to UTF-8 through
//! `encoding_rs`, applied where a text file is opened, when the source declares an
//! `encoding:` or the file starts with a UTF-16 byte order mark. A file that declares none
//! and is not UTF-8 gets one diagnostic naming the encoding to declare, before any of it is
//! read as records.

use super::open::{io_error, Opened};
use super::Input;
use crate::diag::{Code, Diag, Excerpt};
use encoding_rs::{CoderResult, Decoder, Encoding, UTF_8};
use std::io::{BufRead, BufReader, Read};

/// The stream of `opened`, decoded to UTF-8 as the source declares (or its byte order mark
/// says); `Err` when it declares nothing and is not UTF-8.
pub fn decode(opened: Opened, input: &Input) -> Result<Opened, Diag> {
    let head = opened.head();
    let encoding = match input.options.encoding {
        Some(e) => Some(e),
        None => match Encoding::for_bom(head) {
            Some((e, _)) if e != UTF_8 => Some(e),
            _ => {
                check_utf8(head, input)?;
                None
            }
        },
    };
    let Some(encoding) = encoding.filter(|&e| e != UTF_8) else {
        return Ok(opened);
    };
    let path = input.name().to_string();
    let decoded = Decode {
        inner: opened.reader,
        decoder: encoding.new_decoder_with_bom_removal(),
        out: Vec::new(),
        at: 0,
        done: false,
    };
    let mut reader: BufReader<Box<dyn Read>> = BufReader::with_capacity(1 << 20, Box::new(decoded));
    reader.fill_buf().map_err(|e| io_error(&path, e))?;
    Ok(Opened {
        reader,
        len: opened.len,
    })
}

/// Whether a file's first bytes can be read without declaring an encoding: UTF-8 (a
/// character cut at the end of the buffer is fine), and no UTF-16 byte order mark.
pub fn plain_utf8(head: &[u8]) -> bool {
    !matches!(Encoding::for_bom(head), Some((e, _)) if e != UTF_8) && utf8_error(head).is_none()
}

/// The first byte that is not UTF-8, if any (an incomplete character at the end is not).
fn utf8_error(head: &[u8]) -> Option<usize> {
    match std::str::from_utf8(head) {
        Ok(_) => None,
        Err(e) if e.error_len().is_none() => None,
        Err(e) => Some(e.valid_up_to()),
    }
}

/// One diagnostic for a file that is not UTF-8: where, and the encoding to declare.
fn check_utf8(head: &[u8], input: &Input) -> Result<(), Diag> {
    let Some(at) = utf8_error(head) else {
        return Ok(());
    };
    let line_start = head[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = head[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(head.len(), |i| at + i);
    let line_no = head[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let raw = &head[line_start..line_end];
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    // Shown as Windows-1252 reads it: what the user sees in a spreadsheet.
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(raw);
    let before = encoding_rs::WINDOWS_1252
        .decode(&raw[..(at - line_start).min(raw.len())])
        .0
        .len();
    let ch = text[before..].chars().next().map_or(1, char::len_utf8);
    let name = input.name();
    let line = super::advice::option_line(input, "encoding", "windows-1252");
    Err(Diag::error(
        Code::Data,
        format!(
            "{name}:{line_no}: the file is not UTF-8 text (byte 0x{:02X}); it looks like Windows-1252 (Latin-1), as Excel saves CSV files",
            head[at]
        ),
    )
    .excerpt(Excerpt {
        file: name.to_string(),
        line: line_no,
        text: text.chars().take(300).collect(),
        range: Some((before, before + ch)).filter(|r| r.1 <= text.chars().take(300).map(char::len_utf8).sum()),
        label: Some("read as Windows-1252".into()),
    })
    .help(format!("{line}, or save the file as UTF-8")))
}

/// A stream decoded to UTF-8.
struct Decode<R: Read> {
    inner: R,
    decoder: Decoder,
    out: Vec<u8>,
    at: usize,
    done: bool,
}

impl<R: Read> Read for Decode<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.out.len() {
            if self.done {
                return Ok(0);
            }
            let mut raw = [0u8; 64 * 1024];
            let n = self.inner.read(&mut raw)?;
            let last = n == 0;
            self.out.clear();
            self.at = 0;
            let mut input = &raw[..n];
            loop {
                let need = self
                    .decoder
                    .max_utf8_buffer_length(input.len())
                    .unwrap_or(input.len() * 3 + 16);
                let start = self.out.len();
                self.out.resize(start + need, 0);
                let (result, read, written, _) =
                    self.decoder
                        .decode_to_utf8(input, &mut self.out[start..], last);
                self.out.truncate(start + written);
                input = &input[read..];
                if result == CoderResult::InputEmpty {
                    break;
                }
            }
            self.done = last;
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8], encoding: &'static Encoding) -> String {
        let mut d = Decode {
            inner: bytes,
            decoder: encoding.new_decoder_with_bom_removal(),
            out: Vec::new(),
            at: 0,
            done: false,
        };
        let mut s = String::new();
        d.read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn streams_decode() {
        assert_eq!(
            decoded(b"D\xE9croch\xE9;Oui\r\n", encoding_rs::WINDOWS_1252),
            "Décroché;Oui\r\n"
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("é,x\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decoded(&utf16, encoding_rs::UTF_16LE), "é,x\n");
        let long: Vec<u8> = std::iter::repeat_n(0xE9u8, 200_000).collect();
        assert_eq!(
            decoded(&long, encoding_rs::WINDOWS_1252).chars().count(),
            200_000
        );
        assert!(plain_utf8("é".as_bytes()) && plain_utf8(&"é".as_bytes()[..1]));
        assert!(!plain_utf8(b"D\xE9croch\xE9") && !plain_utf8(&utf16));
    }
}
