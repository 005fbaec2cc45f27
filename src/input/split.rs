//! A large plain file read in byte ranges on several threads, each range into a sink of its
//! own, the sinks merged in file order. Any format that can read a byte range of a file
//! ([`RangeFormat`]) can be read so.
//!
//! The merge rule: the first range is read from the file's start, so its parse is true; a
//! range that ends exactly where a record starts proves the next range starts on a record,
//! so every range but the last must end exactly at its cut. Later ranges count lines from
//! their own start: when they reject anything, the file is read again in one pass, so that
//! every diagnostic names its true line. Any disagreement means the same re-read.

use super::progress::Progress;
use super::{read_format, sniff, Format, Input, Row, Stats};
use crate::diag::Diag;
use std::fs::File;

/// Where the records of a source go; a sink per range, merged in order.
pub trait Sink: Send {
    fn on_row(&mut self, row: &Row);
    /// Called on the thread that read, once its records are all in.
    fn finish(&mut self) {}
    /// Fold the sink of the records that follow into this one.
    fn merge(&mut self, next: Self);
}

/// A format whose records can be read from a byte range of a plain file.
pub trait RangeFormat: Format + Sized {
    /// What every range needs, found once from the file's start (CSV: the delimiter).
    type Layout: Sync;
    /// Open `path` to read the records that start in `start..end` (to the end for `None`); a
    /// range past the start takes the header from the file's start.
    fn open_range(
        input: &Input,
        path: &str,
        layout: &Self::Layout,
        start: u64,
        end: Option<u64>,
    ) -> Result<Self, Diag>;
    /// Whether a record started exactly at the range's end: only then does this range agree
    /// with a read from the file's start.
    fn ended_at_cut(&self) -> bool;
    /// The first place after byte `at` where a record may start, if near.
    fn record_start_after(file: &mut File, at: u64) -> Option<u64>;
}

/// Files smaller than this are read by one thread.
const SPLIT_MIN: u64 = 32 << 20;
/// How many ranges a large file is read in.
const PARTS: u64 = 2;

/// The size of `path` when it is a plain file (not standard input, not compressed) large
/// enough to be worth reading in ranges.
pub fn worth_splitting(path: &str) -> Option<u64> {
    if path == "-" || sniff::is_gzip_file(path) {
        return None;
    }
    let len = std::fs::metadata(path).ok()?.len();
    // KPI_SPLIT_MIN lowers the threshold so that tests can exercise the split on small files.
    let min = std::env::var("KPI_SPLIT_MIN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SPLIT_MIN);
    (len >= min).then_some(len)
}

/// What reading in ranges gave, all merged.
pub struct Done<S> {
    pub stats: Stats,
    pub sink: S,
    pub diags: Vec<Diag>,
}

/// Read `path` (`len` bytes) in ranges; `None` when it cannot be cut or the ranges disagree
/// with a read from the start (the caller then reads it in one pass).
pub fn read_split<F: RangeFormat, S: Sink>(
    input: &Input,
    path: &str,
    layout: &F::Layout,
    len: u64,
    new_sink: &(dyn Fn() -> S + Sync),
) -> Option<Done<S>> {
    let starts = cuts::<F>(path, len)?;
    let ends = starts[1..].iter().map(|&c| Some(c)).chain([None]);
    let ranges: Vec<(u64, Option<u64>)> = starts.iter().copied().zip(ends).collect();
    let parts: Vec<Option<Part<S>>> = std::thread::scope(|scope| {
        let later: Vec<_> = ranges[1..]
            .iter()
            .map(|&(start, end)| {
                scope.spawn(move || {
                    let progress = Progress::disabled();
                    read_range::<F, S>(input, path, layout, start, end, new_sink, progress)
                })
            })
            .collect();
        // The first range shows progress: the others go at the same pace.
        let (start, end) = ranges[0];
        let progress = Progress::new(input.name(), end);
        let first = read_range::<F, S>(input, path, layout, start, end, new_sink, progress);
        std::iter::once(Some(first))
            .chain(later.into_iter().map(|h| h.join().ok()))
            .collect()
    });
    merge(parts)
}

/// Where the ranges start: 0, then the first record start after each even share.
fn cuts<F: RangeFormat>(path: &str, len: u64) -> Option<Vec<u64>> {
    let mut file = File::open(path).ok()?;
    let mut starts = vec![0];
    for i in 1..PARTS {
        let at = F::record_start_after(&mut file, len * i / PARTS)?;
        if at <= *starts.last()? {
            return None;
        }
        starts.push(at);
    }
    Some(starts)
}

struct Part<S> {
    stats: Result<Stats, Diag>,
    ended_at_cut: bool,
    sink: S,
    diags: Vec<Diag>,
}

fn read_range<F: RangeFormat, S: Sink>(
    input: &Input,
    path: &str,
    layout: &F::Layout,
    start: u64,
    end: Option<u64>,
    new_sink: &(dyn Fn() -> S + Sync),
    mut progress: Progress,
) -> Part<S> {
    let mut sink = new_sink();
    let mut diags = Vec::new();
    let (stats, ended_at_cut) = match F::open_range(input, path, layout, start, end) {
        Ok(mut format) => {
            let on_row = &mut |row: &Row| sink.on_row(row);
            let stats = read_format(&mut format, input, on_row, &mut diags, &mut progress);
            (stats, format.ended_at_cut())
        }
        Err(d) => (Err(d), false),
    };
    sink.finish();
    Part {
        stats,
        ended_at_cut,
        sink,
        diags,
    }
}

/// The ranges' results as one, by the merge rule (see the top of this file).
fn merge<S: Sink>(parts: Vec<Option<Part<S>>>) -> Option<Done<S>> {
    let last = parts.len().checked_sub(1)?;
    let mut done: Option<Done<S>> = None;
    for (i, part) in parts.into_iter().enumerate() {
        let part = part?;
        let stats = part.stats.ok()?;
        if i < last && !part.ended_at_cut {
            return None;
        }
        match &mut done {
            None => {
                done = Some(Done {
                    stats,
                    sink: part.sink,
                    diags: part.diags,
                })
            }
            Some(done) => {
                if stats.rejected > 0 || !part.diags.is_empty() {
                    return None;
                }
                done.stats.records += stats.records;
                done.sink.merge(part.sink);
            }
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Count(u64);

    impl Sink for Count {
        fn on_row(&mut self, _: &Row) {
            self.0 += 1;
        }
        fn merge(&mut self, next: Self) {
            self.0 += next.0;
        }
    }

    fn part(records: u64, rejected: u64, ended_at_cut: bool, diags: usize) -> Option<Part<Count>> {
        Some(Part {
            stats: Ok(Stats { records, rejected }),
            ended_at_cut,
            sink: Count(records - rejected),
            diags: vec![Diag::error(crate::diag::Code::Data, "bad"); diags],
        })
    }

    #[test]
    fn ranges_merge_only_when_they_agree_with_one_pass() {
        let done = merge(vec![
            part(10, 1, true, 1),
            part(6, 0, true, 0),
            part(5, 0, false, 0),
        ])
        .expect("ranges agree");
        assert_eq!((done.stats.records, done.stats.rejected), (21, 1));
        assert_eq!((done.sink.0, done.diags.len()), (20, 1));
        // A range did not end where the next starts.
        assert!(merge(vec![part(10, 0, false, 0), part(5, 0, false, 0)]).is_none());
        let middle_off = vec![
            part(1, 0, true, 0),
            part(1, 0, false, 0),
            part(1, 0, true, 0),
        ];
        assert!(merge(middle_off).is_none());
        // A later range rejected a record, or said anything: its lines are not the file's.
        assert!(merge(vec![part(10, 0, true, 0), part(5, 1, false, 1)]).is_none());
        assert!(merge(vec![part(10, 0, true, 0), part(5, 0, false, 1)]).is_none());
        // A range that could not be read, or whose thread failed.
        let unread = Part {
            stats: Err(Diag::error(crate::diag::Code::Io, "gone")),
            ..part(0, 0, true, 0).unwrap()
        };
        assert!(merge(vec![part(10, 0, true, 0), Some(unread)]).is_none());
        assert!(merge(vec![part(10, 0, true, 0), None]).is_none());
    }
}
