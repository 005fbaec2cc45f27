//! A large plain file read in byte ranges on every core, each range into a sink of its own,
//! the sinks merged in file order. Any format that can read a byte range of a file
//! ([`RangeFormat`]) can be read so.
//!
//! The merge rule: the first range is read from the file's start, so its parse is true. A
//! range stops before the first record that starts at or after its end, and says where that
//! was: when the next range started exactly there, it started on a record, so its parse is
//! true too; when not (its cut fell inside a quoted line break), it is read again from
//! there, after the others. Line numbers: the first range counts them from the file's start;
//! the others count from their own start, and tell how many line breaks they read, so the
//! line each range starts on is known once the ranges before it are read. A later range
//! counts its rejected records without reporting them; while fewer than [`MAX_SHOWN`] were
//! reported before it, it is read again from its true line to report them. A range that
//! cannot be read, with its predecessors agreeing, makes the caller read the whole file in
//! one pass (for its error).

use super::progress::Progress;
use super::reject::MAX_SHOWN;
use super::{read_format, sniff, Format, Input, Row, Stats, Tally};
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
    /// Open `path` to read the records that start in `start..end` (to the end for `None`),
    /// the first of them on line `line`; a range past the start takes the header from the
    /// file's start.
    fn open_range(
        input: &Input,
        path: &str,
        layout: &Self::Layout,
        start: u64,
        end: Option<u64>,
        line: u64,
    ) -> Result<Self, Diag>;
    /// Once read: where the next record starts (at or after the range's end), or the file's
    /// length.
    fn stopped_at(&self) -> u64;
    /// Once read: the line the next record starts on.
    fn line(&self) -> u64;
    /// The first place after byte `at` where a record may start, if any.
    fn record_start_after(file: &mut File, at: u64) -> Option<u64>;
}

/// Files smaller than this are read by one thread.
const SPLIT_MIN: u64 = 32 << 20;
/// At most this many ranges.
const MAX_PARTS: usize = 64;

/// The size of `path` when it is a plain file (not standard input, not compressed) large
/// enough to be worth reading in ranges.
pub fn worth_splitting(path: &str) -> Option<u64> {
    if path == "-" || sniff::is_gzip_file(path) {
        return None;
    }
    let len = std::fs::metadata(path).ok()?.len();
    // KPI_SPLIT_MIN lowers the threshold so that tests can exercise the split on small files.
    let min = env_number("KPI_SPLIT_MIN").unwrap_or(SPLIT_MIN);
    (len >= min && parts() > 1).then_some(len)
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

/// How many ranges: one per core (`KPI_SPLIT_PARTS` sets it, for tests).
fn parts() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts = env_number("KPI_SPLIT_PARTS").map_or(cores, |n| n as usize);
    parts.clamp(1, MAX_PARTS)
}

/// What reading in ranges gave, all merged.
pub struct Done<S> {
    pub stats: Stats,
    pub sink: S,
    pub diags: Vec<Diag>,
}

/// Read `path` (`len` bytes) in ranges; `None` when it cannot be cut, or a range cannot be
/// read (the caller then reads it in one pass).
pub fn read_split<F: RangeFormat, S: Sink>(
    input: &Input,
    path: &str,
    layout: &F::Layout,
    len: u64,
    new_sink: &(dyn Fn() -> S + Sync),
) -> Option<Done<S>> {
    read_split_in::<F, S>(input, path, layout, len, parts(), new_sink)
}

/// [`read_split`] in `parts` ranges.
pub fn read_split_in<F: RangeFormat, S: Sink>(
    input: &Input,
    path: &str,
    layout: &F::Layout,
    len: u64,
    parts: usize,
    new_sink: &(dyn Fn() -> S + Sync),
) -> Option<Done<S>> {
    let starts = cuts::<F>(path, len, parts)?;
    let ends: Vec<Option<u64>> = starts[1..].iter().map(|&c| Some(c)).chain([None]).collect();
    let read = |k: usize, start: u64, line: u64, before: u64, progress: Progress| {
        let shown = if k == 0 || line > 0 { MAX_SHOWN } else { 0 };
        let line = line.max(1);
        read_range::<F, S>(
            input,
            path,
            layout,
            (start, ends[k]),
            line,
            (before, shown),
            new_sink,
            progress,
        )
    };
    let first: Vec<Option<Part<S>>> = std::thread::scope(|scope| {
        let later: Vec<_> = (1..starts.len())
            .map(|k| {
                let (read, start) = (&read, starts[k]);
                // Line 0: not known yet; counted from 1, its rejections not reported.
                scope.spawn(move || read(k, start, 0, 0, Progress::disabled()))
            })
            .collect();
        // The first range shows progress: the others go at the same pace.
        let progress = Progress::new(input.name(), ends[0]);
        std::iter::once(Some(read(0, 0, 1, 0, progress)))
            .chain(later.into_iter().map(|h| h.join().ok()))
            .collect()
    });
    let mut done = merge(first, &starts, |k, start, line, before| {
        read(k, start, line, before, Progress::disabled())
    })?;
    if done.stopped_at != len {
        return None;
    }
    let mut tally = Tally::new(&mut done.diags, MAX_SHOWN);
    tally.stats = done.stats.clone();
    tally.summarize(input.name());
    Some(Done {
        stats: done.stats,
        sink: done.sink,
        diags: done.diags,
    })
}

/// Where the ranges start: 0, then the first record start after each even share.
fn cuts<F: RangeFormat>(path: &str, len: u64, parts: usize) -> Option<Vec<u64>> {
    let mut file = File::open(path).ok()?;
    let mut starts = vec![0];
    let parts = parts as u64;
    for i in 1..parts {
        let Some(at) = F::record_start_after(&mut file, len * i / parts) else {
            break;
        };
        if at > *starts.last()? && at < len {
            starts.push(at);
        }
    }
    (starts.len() > 1).then_some(starts)
}

/// One range, read.
struct Part<S> {
    /// Where it started.
    start: u64,
    stats: Result<Stats, Diag>,
    /// Where the next record starts, and the line breaks read up to there.
    stopped_at: u64,
    lines: u64,
    sink: S,
    diags: Vec<Diag>,
}

/// Read the range `start..end` from line `line`, with `before` records rejected before it
/// of which `shown` at most are reported.
#[allow(clippy::too_many_arguments)]
fn read_range<F: RangeFormat, S: Sink>(
    input: &Input,
    path: &str,
    layout: &F::Layout,
    (start, end): (u64, Option<u64>),
    line: u64,
    (before, shown): (u64, u64),
    new_sink: &(dyn Fn() -> S + Sync),
    mut progress: Progress,
) -> Part<S> {
    let mut sink = new_sink();
    let mut diags = Vec::new();
    let mut tally = Tally::new(&mut diags, shown);
    tally.stats.rejected = before;
    let (stats, stopped_at, lines) = match F::open_range(input, path, layout, start, end, line) {
        Ok(mut format) => {
            let on_row = &mut |row: &Row| sink.on_row(row);
            let read = read_format(&mut format, input, on_row, &mut tally, &mut progress);
            let stats = read.map(|()| Stats {
                records: tally.stats.records,
                rejected: tally.stats.rejected - before,
            });
            (stats, format.stopped_at(), format.line() - line)
        }
        Err(d) => (Err(d), 0, 0),
    };
    sink.finish();
    Part {
        start,
        stats,
        stopped_at,
        lines,
        sink,
        diags,
    }
}

/// The merged ranges and where the last one stopped.
struct Merged<S> {
    stats: Stats,
    sink: S,
    diags: Vec<Diag>,
    stopped_at: u64,
}

/// The ranges' results as one, by the merge rule (see the top of this file). `reread(k,
/// start, line, rejected before)` reads range `k` again from `start`, its true line known.
fn merge<S: Sink>(
    parts: Vec<Option<Part<S>>>,
    starts: &[u64],
    mut reread: impl FnMut(usize, u64, u64, u64) -> Part<S>,
) -> Option<Merged<S>> {
    let mut done: Option<Merged<S>> = None;
    let (mut expected, mut line) = (0u64, 1u64);
    for (k, part) in parts.into_iter().enumerate() {
        let rejected = done.as_ref().map_or(0, |d| d.stats.rejected);
        let mut part = part.filter(|p| p.start == starts[k])?;
        let moved = part.start != expected;
        let unreported =
            k > 0 && rejected < MAX_SHOWN && part.stats.as_ref().is_ok_and(|s| s.rejected > 0);
        if moved || unreported {
            part = reread(k, expected, line, rejected);
        }
        let stats = part.stats.ok()?;
        expected = part.stopped_at;
        line += part.lines;
        match &mut done {
            None => {
                done = Some(Merged {
                    stats,
                    sink: part.sink,
                    diags: part.diags,
                    stopped_at: expected,
                })
            }
            Some(done) => {
                done.stats.records += stats.records;
                done.stats.rejected += stats.rejected;
                done.diags.extend(part.diags);
                done.sink.merge(part.sink);
                done.stopped_at = expected;
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

    /// A range read from `start` to `stopped_at`, with `records` of which `rejected`.
    fn part(start: u64, stopped_at: u64, records: u64, rejected: u64) -> Option<Part<Count>> {
        Some(Part {
            start,
            stats: Ok(Stats { records, rejected }),
            stopped_at,
            lines: stopped_at - start,
            sink: Count(records - rejected),
            diags: vec![Diag::error(crate::diag::Code::Data, "bad"); rejected.min(1) as usize],
        })
    }

    /// Records, rejected, rows, diagnostics, where the last range stopped.
    type Totals = (u64, u64, u64, usize, u64);
    /// A range read again: which, from where, from which line, after how many rejections.
    type Again = (usize, u64, u64, u64);

    /// Merge `parts` cut at `starts`, noting which ranges were read again, from where.
    fn merged(parts: Vec<Option<Part<Count>>>, starts: &[u64]) -> (Option<Totals>, Vec<Again>) {
        let mut again = Vec::new();
        let done = merge(parts, starts, |k, start, line, before| {
            again.push((k, start, line, before));
            // Read again: one record per byte up to the next cut, none rejected.
            let end = starts.get(k + 1).copied().unwrap_or(100).max(start);
            part(start, end, end - start, 0).unwrap()
        });
        let done = done.map(|d| {
            (
                d.stats.records,
                d.stats.rejected,
                d.sink.0,
                d.diags.len(),
                d.stopped_at,
            )
        });
        (done, again)
    }

    #[test]
    fn ranges_that_start_where_the_one_before_stopped_merge_as_they_are() {
        let (done, again) = merged(
            vec![part(0, 10, 10, 1), part(10, 16, 6, 0), part(16, 100, 5, 0)],
            &[0, 10, 16],
        );
        assert_eq!(done, Some((21, 1, 20, 1, 100)));
        assert!(again.is_empty());
    }

    #[test]
    fn a_range_that_started_inside_a_record_is_read_again_from_its_true_start() {
        // The first range's last record ran to byte 12, past the cut at 10.
        let (done, again) = merged(
            vec![part(0, 12, 10, 0), part(10, 16, 6, 0), part(16, 100, 5, 0)],
            &[0, 10, 16],
        );
        // Read again from 12, on line 1 + 12 line breaks.
        assert_eq!(again, vec![(1, 12, 13, 0)]);
        assert_eq!(done, Some((19, 0, 19, 0, 100)));
    }

    #[test]
    fn later_rejections_are_read_again_for_their_lines_while_few_were_shown() {
        let (done, again) = merged(
            vec![part(0, 10, 10, 1), part(10, 16, 6, 2), part(16, 100, 5, 0)],
            &[0, 10, 16],
        );
        assert_eq!(again, vec![(1, 10, 11, 1)]);
        assert_eq!(done.map(|d| d.0), Some(10 + 6 + 5));
        // Past the ones shown, later rejections are only counted.
        let (done, again) = merged(
            vec![part(0, 10, 20, MAX_SHOWN), part(10, 100, 6, 2)],
            &[0, 10],
        );
        assert!(again.is_empty());
        assert_eq!(done.map(|d| (d.1, d.3)), Some((MAX_SHOWN + 2, 2)));
    }

    #[test]
    fn a_range_that_cannot_be_read_gives_up_the_split() {
        let unread = Part {
            stats: Err(Diag::error(crate::diag::Code::Io, "gone")),
            ..part(10, 10, 0, 0).unwrap()
        };
        assert_eq!(
            merged(vec![part(0, 10, 10, 0), Some(unread)], &[0, 10]).0,
            None
        );
        // Its thread failed.
        assert_eq!(merged(vec![part(0, 10, 10, 0), None], &[0, 10]).0, None);
    }
}
