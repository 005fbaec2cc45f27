//! Rejected records: counted, the first few reported in full, the rest summed up; with
//! `--rejects`, every one logged (source, file, line, field, value, reason).

use super::Stats;
use crate::diag::{Code, Diag};
use std::sync::{Arc, Mutex};

/// Data errors shown in full per file; past this, only counted.
pub const MAX_SHOWN: u64 = 10;

/// One rejected record, as `--rejects` writes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rejection {
    pub source: String,
    pub file: String,
    /// The line of a text file, or the row of a sheet (with its name: `Appels!17`).
    pub line: String,
    /// The field whose value was refused (blank when the record as a whole was).
    pub field: String,
    pub value: String,
    pub reason: String,
}

/// Where a run's rejected records go, shared by the threads that read a source.
pub type RejectLog = Arc<Mutex<Vec<Rejection>>>;

/// The records of one read and what was said about the rejected ones.
pub struct Tally<'d> {
    pub stats: Stats,
    diags: &'d mut Vec<Diag>,
    shown: u64,
    /// With `--rejects`: the log, and the source and file its entries name.
    log: Option<(RejectLog, String, String)>,
}

impl<'d> Tally<'d> {
    pub fn new(diags: &'d mut Vec<Diag>, shown: u64) -> Tally<'d> {
        Tally {
            stats: Stats::default(),
            diags,
            shown,
            log: None,
        }
    }

    /// Log every rejected record of `source`'s `file` in `log`.
    pub fn logging(mut self, log: Option<&RejectLog>, source: &str, file: &str) -> Tally<'d> {
        self.log = log.map(|l| (l.clone(), source.to_string(), file.to_string()));
        self
    }

    /// Reject a record; `make` says why (only called while few were rejected, or when every
    /// rejection is logged).
    pub fn reject(&mut self, make: impl FnOnce() -> Diag) {
        self.stats.rejected += 1;
        if self.log.is_some() {
            let d = make();
            let entry = self.entry_of(&d);
            self.log_entry(entry);
            self.also(|| d);
        } else {
            self.also(make);
        }
    }

    /// Reject a record for a value of one field (what the log says of it is given, not
    /// read back from the message).
    pub fn reject_value(
        &mut self,
        make: impl FnOnce() -> Diag,
        entry: impl FnOnce() -> (String, String, String, String),
    ) {
        self.stats.rejected += 1;
        if self.log.is_some() {
            let (line, field, value, reason) = entry();
            let (source, file) = self.names();
            self.log_entry(Rejection {
                source,
                file,
                line,
                field,
                value,
                reason,
            });
        }
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

    fn names(&self) -> (String, String) {
        self.log
            .as_ref()
            .map(|(_, s, f)| (s.clone(), f.clone()))
            .unwrap_or_default()
    }

    fn log_entry(&mut self, entry: Rejection) {
        if let Some((log, _, _)) = &self.log {
            if let Ok(mut l) = log.lock() {
                l.push(entry);
            }
        }
    }

    /// A record rejected as a whole (a ragged row, broken JSON): its line and reason from
    /// the message `file:LINE: reason`, its text from the excerpt.
    fn entry_of(&self, d: &Diag) -> Rejection {
        let (source, file) = self.names();
        let rest = d.message.strip_prefix(file.as_str()).unwrap_or(&d.message);
        let (line, reason) = match rest.strip_prefix(':').and_then(|r| r.split_once(": ")) {
            Some((l, reason)) if l.bytes().all(|b| b.is_ascii_digit()) => (l.to_string(), reason),
            _ => (
                d.excerpt
                    .as_ref()
                    .map_or(String::new(), |x| x.line.to_string()),
                d.message.as_str(),
            ),
        };
        Rejection {
            source,
            file,
            line,
            field: String::new(),
            value: d.excerpt.as_ref().map_or(String::new(), |x| x.text.clone()),
            reason: reason.to_string(),
        }
    }
}

/// The rejections as CSV: a header, then one row per record, in the order read.
pub fn rejections_to_csv(rows: &[Rejection]) -> String {
    let mut out = String::from("source,file,line,field,value,reason\n");
    for r in rows {
        let cells = [&r.source, &r.file, &r.line, &r.field, &r.value, &r.reason];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
