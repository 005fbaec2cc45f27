//! The usual JSON Lines object, picked without `serde_json`: one level of keys whose values
//! are plain strings (no escape), numbers, `true`, `false` or `null`. Anything else — an
//! escape, a list, a nested object, a byte JSON does not allow here — makes it give up
//! (`false`), and the line is parsed again by `pick.rs`, which also words every error. So
//! what this accepts, it reads exactly as `pick.rs` would; what it refuses costs one more
//! parse, never a different result.

use super::pick::{column_named, Picked, ValueAt};
use crate::value::{skip_digits, skip_exponent};

/// Pick the needed values of `line` into `into` when it is a flat object; `false` (with
/// `into` left to be overwritten) when the line needs the full parser.
#[inline]
pub fn pick_flat(line: &str, into: &mut Picked) -> bool {
    into.text.clear();
    into.ranges.fill(None);
    let b = line.as_bytes();
    let mut i = skip_space(b, 0);
    if b.get(i) != Some(&b'{') {
        return false;
    }
    i = skip_space(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return skip_space(b, i + 1) == b.len();
    }
    let mut n_keys = 0;
    loop {
        // "key": the previous object's key at this place, or any other.
        let (column, key_to) = match into.order.same_key(n_keys, b, i) {
            Some(known) => known,
            None => {
                let Some((key_from, key_to)) = string(b, i) else {
                    return false;
                };
                let column = into.order.column(n_keys, &b[key_from..key_to], into.fields);
                (column, key_to)
            }
        };
        n_keys += 1;
        i = skip_space(b, key_to + 1);
        if b.get(i) != Some(&b':') {
            return false;
        }
        i = skip_space(b, i + 1);
        // The value: its text (without a string's quotes), whether it is a string, and the
        // byte after it.
        let (from, to, is_string, next) = match b.get(i) {
            Some(b'"') => match string(b, i) {
                Some((from, to)) => (from, to, true, to + 1),
                None => return false,
            },
            Some(b'n') if b[i..].starts_with(b"null") => (i, i, false, i + 4),
            Some(b't') if b[i..].starts_with(b"true") => (i, i + 4, false, i + 4),
            Some(b'f') if b[i..].starts_with(b"false") => (i, i + 5, false, i + 5),
            Some(b'-' | b'0'..=b'9') => match number(b, i) {
                Some(end) => (i, end, false, end),
                None => return false,
            },
            _ => return false,
        };
        if let Some(k) = column {
            into.ranges[k] = if b[i] == b'n' {
                None
            } else {
                let start = into.text.len() as u32;
                into.text.push_str(&line[from..to]);
                Some(ValueAt {
                    start,
                    end: into.text.len() as u32,
                    string: is_string,
                })
            };
        }
        i = skip_space(b, next);
        match b.get(i) {
            Some(b',') => i = skip_space(b, i + 1),
            Some(b'}') => break,
            _ => return false,
        }
    }
    if skip_space(b, i + 1) != b.len() {
        return false;
    }
    into.copy_same();
    true
}

/// The first byte at or after `i` that is not JSON white space.
#[inline]
fn skip_space(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// A string starting at `i` (its opening quote) without escapes or control characters:
/// the range of its contents (the closing quote is at the end of the range).
#[inline]
fn string(b: &[u8], i: usize) -> Option<(usize, usize)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let from = i + 1;
    // Values are short: a byte loop beats a vector search's set-up.
    let mut to = from;
    loop {
        match *b.get(to)? {
            b'"' => return Some((from, to)),
            b'\\' | 0..0x20 => return None,
            _ => to += 1,
        }
    }
}

/// The keys of the previous object in order, each with the column it names: lines of one
/// file usually write their keys in one order, so a key is checked against one name
/// rather than looked up among all of them.
#[derive(Default)]
pub struct KeyOrder {
    keys: Vec<([u8; KEY_MAX], u8, Option<usize>)>,
}

/// Whether two byte strings of one length (at most `KEY_MAX`) are equal, compared a word
/// at a time: keys are a few bytes, for which a call to `memcmp` costs more than the work.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().expect("8"));
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().expect("4"));
    match n {
        0..4 => a.iter().zip(b).all(|(x, y)| x == y),
        4..8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => {
            let mut at = 0;
            while at + 8 < n {
                if word(a, at) != word(b, at) {
                    return false;
                }
                at += 8;
            }
            word(a, n - 8) == word(b, n - 8)
        }
    }
}

/// Keys longer than this are looked up each time.
const KEY_MAX: usize = 32;

impl KeyOrder {
    /// When the string at `i` is key number `n` of the previous object: the column it
    /// names and where its closing quote is. (A cached key has no quote, backslash or
    /// control character, so the bytes and the quote after them make the whole string.)
    #[inline]
    fn same_key(&self, n: usize, b: &[u8], i: usize) -> Option<(Option<usize>, usize)> {
        let (name, len, column) = self.keys.get(n)?;
        let len = usize::from(*len);
        let from = i + 1;
        let after = b.get(i..from + len + 1)?;
        (after[0] == b'"' && same_bytes(&after[1..=len], &name[..len]) && after[len + 1] == b'"')
            .then_some((*column, from + len))
    }

    /// The needed column that key number `n` of an object names, when it is not the
    /// previous object's key at that place (`same_key`); remembered for the next object.
    #[inline(never)]
    fn column(&mut self, n: usize, key: &[u8], fields: &[Option<String>]) -> Option<usize> {
        let column = column_named(fields, key);
        if key.len() <= KEY_MAX && n <= self.keys.len() && n < 1024 {
            let mut name = [0; KEY_MAX];
            name[..key.len()].copy_from_slice(key);
            let entry = (name, key.len() as u8, column);
            match self.keys.get_mut(n) {
                Some(e) => *e = entry,
                None => self.keys.push(entry),
            }
        }
        column
    }
}

/// A JSON number starting at `i`: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`;
/// the byte after it.
#[inline]
fn number(b: &[u8], mut i: usize) -> Option<usize> {
    if b[i] == b'-' {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            skip_digits(b, &mut i);
        }
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if skip_digits(b, &mut i) == 0 {
            return None;
        }
    }
    if !skip_exponent(b, &mut i) {
        return None;
    }
    // A number runs up to a separator: `1x` or `01` is for the full parser to word.
    match b.get(i) {
        None | Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b'}') => Some(i),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::pick::parse;
    use super::*;

    #[test]
    fn bytes_compared_by_words_as_by_bytes() {
        let text = b"abcdefghijklmnopqrstuvwxyz0123456789";
        for n in 0..=KEY_MAX {
            for k in 0..n {
                let a = &text[..n];
                let mut b = a.to_vec();
                assert!(same_bytes(a, &b));
                b[k] = b'!';
                assert!(!same_bytes(a, &b), "{n} {k}");
            }
        }
    }

    /// What a line gives: the picked values (as text, strings quoted) or `None` when it
    /// is an error.
    fn outcome(line: &str, names: &[&str], flat: bool) -> Option<Vec<Option<(String, bool)>>> {
        let fields: Vec<Option<String>> = names.iter().map(|n| Some(n.to_string())).collect();
        let same = [(0, names.len() - 1)];
        let mut text = String::new();
        let mut ranges = vec![None; names.len()];
        let mut order = KeyOrder::default();
        let mut into = Picked {
            order: &mut order,
            fields: &fields,
            same: &same,
            text: &mut text,
            ranges: &mut ranges,
        };
        let ok = if flat {
            pick_flat(line, &mut into)
        } else {
            parse(line, into).is_ok()
        };
        ok.then(|| {
            ranges
                .iter()
                .map(|r| r.map(|v| (text[v.start as usize..v.end as usize].into(), v.string)))
                .collect()
        })
    }

    #[test]
    fn takes_flat_objects_as_the_parser_does() {
        let names = ["a", "b", "c", "zz", "a"];
        for line in [
            r#"{"a": 1, "b": "x y", "c": true}"#,
            r#" { "a" :-0.50e+3 ,"b":"","c":false,"d":null } "#,
            r#"{"a": null, "b": "é, ü", "a": 2}"#,
            r#"{"a": 1, "a": null}"#,
            "{}",
            "{\t\"c\":\r0}\r",
            r#"{"x": 1E400, "b": "\u00e9"}"#,
        ] {
            let full = outcome(line, &names, false).expect(line);
            if let Some(flat) = outcome(line, &names, true) {
                assert_eq!(flat, full, "{line}");
            }
        }
        assert!(outcome(r#"{"a": 1, "b": "x y", "c": true}"#, &names, true).is_some());
    }

    #[test]
    fn keys_in_another_order_are_still_found() {
        let fields: Vec<Option<String>> = ["ab", "a", "x", "b"]
            .iter()
            .map(|n| (*n != "x").then(|| n.to_string()))
            .collect();
        let mut order = KeyOrder::default();
        for line in [
            r#"{"a": 1, "ab": 2, "b": 3}"#,
            r#"{"ab": 4, "a": 5, "b": 6}"#,
            r#"{"a": 7, "abc": 8, "b": 9}"#,
            r#"{"a": 10, "ab": 11}"#,
            r#"{"x": 12, "a": 13, "ab": 14, "b": 15}"#,
            r#"{"a": 16, "ab": 17, "b": 18}"#,
        ] {
            let (mut text, mut full_text) = (String::new(), String::new());
            let (mut ranges, mut full) = (vec![None; 4], vec![None; 4]);
            let mut into = Picked {
                order: &mut order,
                fields: &fields,
                same: &[],
                text: &mut text,
                ranges: &mut ranges,
            };
            assert!(pick_flat(line, &mut into), "{line}");
            let mut fresh = KeyOrder::default();
            let into = Picked {
                order: &mut fresh,
                fields: &fields,
                same: &[],
                text: &mut full_text,
                ranges: &mut full,
            };
            parse(line, into).unwrap();
            let values = |t: &str, r: &[Option<ValueAt>]| -> Vec<Option<String>> {
                r.iter()
                    .map(|v| v.map(|v| t[v.start as usize..v.end as usize].to_string()))
                    .collect()
            };
            assert_eq!(values(&text, &ranges), values(&full_text, &full), "{line}");
        }
    }

    #[test]
    fn leaves_the_rest_to_the_parser() {
        let names = ["a", "a"];
        for line in [
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": .5}"#,
            r#"{"a": +1}"#,
            r#"{"a": -}"#,
            r#"{"a": 1x}"#,
            r#"{"a": tru}"#,
            r#"{"a": "x\"y"}"#,
            "{\"a\": \"tab\there\"}",
            r#"{"a": [1]}"#,
            r#"{"a": {"b": 1}}"#,
            r#"{"a": 1,}"#,
            r#"{"a": 1} x"#,
            r#"{"a" 1}"#,
            r#"{a: 1}"#,
            r#"[1]"#,
            r#"{"a": 1"#,
            "",
        ] {
            assert_eq!(outcome(line, &names, true), None, "{line}");
        }
    }
}
