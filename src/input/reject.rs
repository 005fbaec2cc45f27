//! Rejected records: counted, the first few reported in full, the rest summed up.

use super::Stats;
use crate::diag::{Code, Diag};

/// Data errors shown in full per file; past this, only counted.
pub const MAX_SHOWN: u64 = 10;

/// The records of one read and what was said about the rejected ones.
pub struct Tally<'d> {
    pub stats: Stats,
    diags: &'d mut Vec<Diag>,
    shown: u64,
}

impl<'d> Tally<'d> {
    pub fn new(diags: &'d mut Vec<Diag>, shown: u64) -> Tally<'d> {
        Tally {
            stats: Stats::default(),
            diags,
            shown,
        }
    }

    /// Reject a record; `make` says why (only called while few were rejected).
    pub fn reject(&mut self, make: impl FnOnce() -> Diag) {
        self.stats.rejected += 1;
        self.also(make);
    }

    /// Count a record that cannot be read as one, and reject it.
    pub fn reject_record(&mut self, make: impl FnOnce() -> Diag) {
        self.stats.records += 1;
        self.reject(make);
    }

    /// Something more about the record just rejected.
    pub fn also(&mut self, make: impl FnOnce() -> Diag) {
        if self.stats.rejected <= self.shown {
            self.diags.push(make());
        }
    }

    /// One line for the rejections not shown.
    pub fn summarize(&mut self, name: &str) {
        if self.stats.rejected > self.shown {
            self.diags.push(
                Diag::error(
                    Code::Data,
                    format!(
                        "{} more records of {name} were rejected (not shown)",
                        self.stats.rejected - self.shown,
                    ),
                )
                .help("fix the first ones shown above; the others are likely alike"),
            );
        }
    }
}
