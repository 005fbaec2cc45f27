//! Property (issue 9): a file read whole and read in ranges gives the same records, the same
//! rejections and the same diagnostics, on random files with quotes, doubled quotes, quoted
//! line breaks near the cuts, BOMs, CRLF, blank lines, ragged rows, bad quotes, bad numbers,
//! non-UTF-8 bytes and the odd quote that never closes. A quick budget by default; set
//! `KPI_PROPTEST_CASES=N` for a long run of N files, `KPI_PROPTEST_START=S` to begin at file S.

use super::tests::{columns, read_parts, read_whole, temp_file};
use crate::analysis::Ty;

/// A small seeded generator (SplitMix64): the same seed, the same files.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True one time in `n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const WORD: &[&str] = &["a", "b", "z", "é", "ü", "\u{feff}", " ", "1", "x\"y", "bom"];

/// One field's bytes.
fn field(rng: &mut Rng, delimiter: u8, number: bool) -> Vec<u8> {
    let mut out = Vec::new();
    match rng.below(20) {
        0..=9 if number => {
            let n = format!("{}.{}", rng.below(1000) as i64 - 500, rng.below(100));
            out.extend_from_slice(n.as_bytes());
        }
        0..=11 => {
            for _ in 0..rng.below(5) {
                out.extend_from_slice(rng.pick(WORD).as_bytes());
            }
            if out.first() == Some(&b'"') {
                out.insert(0, b'q');
            }
        }
        12..=16 => {
            out.push(b'"');
            for _ in 0..rng.below(6) {
                let d = [delimiter];
                let part: &[u8] = match rng.below(7) {
                    0 => &d,
                    1 => b"\"\"",
                    2 => b"\n",
                    3 => b"\r\n",
                    4 => "\u{feff}".as_bytes(),
                    _ => rng.pick(WORD).as_bytes(),
                };
                out.extend_from_slice(part);
            }
            if number && rng.one_in(2) {
                out.truncate(1);
                out.extend_from_slice(b"42");
            }
            out.push(b'"');
        }
        17 => out.extend_from_slice(b"\"ab\"c"),
        18 => out.extend_from_slice(b"\xff\xfe"),
        _ => out.extend_from_slice(b"oops"),
    }
    out
}

/// A random CSV file with columns `s`, `x` (a number) and `n`, and its delimiter.
fn file(rng: &mut Rng) -> (Vec<u8>, u8) {
    let delimiter = *rng.pick(b",;\t");
    let mut out = Vec::new();
    if rng.one_in(3) {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let d = delimiter as char;
    out.extend_from_slice(format!("s{d}\"x\"{d}n\n").as_bytes());
    let rows = rng.below(60);
    let unclosed = rng.one_in(25).then(|| rng.below(rows + 1));
    for r in 0..rows {
        if rng.one_in(12) {
            out.extend_from_slice(if rng.one_in(2) { b"\n" } else { b"\r\n" });
            continue;
        }
        let n = match rng.below(15) {
            0 => 2,
            1 => 4,
            _ => 3,
        };
        for i in 0..n {
            if i > 0 {
                out.push(delimiter);
            }
            out.extend_from_slice(&field(rng, delimiter, i == 1));
        }
        if unclosed == Some(r) {
            out.extend_from_slice(b"\"open");
        }
        if r + 1 < rows || rng.one_in(2) {
            out.extend_from_slice(if rng.one_in(3) { b"\r\n" } else { b"\n" });
        }
    }
    (out, delimiter)
}

#[test]
fn reading_in_ranges_is_reading_whole() {
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse().ok());
    let cases: u64 = var("KPI_PROPTEST_CASES").unwrap_or(300);
    // One stream of files: a later start generates the files before it and skips them.
    let start: u64 = var("KPI_PROPTEST_START").unwrap_or(0);
    let cols = columns(&[("s", Ty::Str), ("x", Ty::Num)]);
    let mut rng = Rng(0x6b70_6921);
    let (mut split, mut rejecting, mut stopping) = (0, 0, 0);
    for case in 0..start + cases {
        let (bytes, delimiter) = file(&mut rng);
        if case < start {
            continue;
        }
        let path = temp_file(&format!("random-{}.csv", case % 8), &bytes);
        let whole = read_whole(&path, &cols);
        let stopped = whole.shown.contains("never closes");
        rejecting += u64::from(whole.rejected > 0);
        stopping += u64::from(stopped);
        for parts in 2..=5usize {
            let shown = || String::from_utf8_lossy(&bytes).into_owned();
            match read_parts(&path, &cols, delimiter, parts) {
                Some(read) => {
                    assert!(!stopped, "case {case}, {parts} parts: {}", shown());
                    assert_eq!(read, whole, "case {case}, {parts} parts: {}", shown());
                    split += 1;
                }
                // The split gives up on a file it cannot read past, or cannot cut.
                None => {
                    let len = bytes.len();
                    let cuttable = (1..parts).any(|i| {
                        let at = len * i / parts;
                        let nl = bytes[at..].iter().position(|&b| b == b'\n');
                        nl.is_some_and(|k| at + k + 1 < len)
                    });
                    assert!(
                        stopped || !cuttable,
                        "case {case}, {parts} parts: {}",
                        shown()
                    );
                }
            }
        }
    }
    eprintln!(
        "{cases} files from {start}: {split} split reads, {rejecting} with rejections, {stopping} stopped"
    );
    // The files are varied: most split, many reject records, a few stop (not checked on a
    // rerun of a few files).
    if cases >= 300 {
        assert!(split > cases, "{split} splits in {cases} cases");
        assert!(
            rejecting > cases / 3 && stopping > 0,
            "{rejecting} rejecting, {stopping} stopping"
        );
    }
}
