//! A progress line on standard error, only when it is a terminal and the read is long.

use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Progress {
    name: String,
    total: Option<u64>,
    start: Instant,
    shown: bool,
    enabled: bool,
}

impl Progress {
    /// Progress through `total` bytes (`None`: unknown, as for standard input or gzip).
    pub fn new(name: &str, total: Option<u64>) -> Progress {
        let enabled = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Progress {
            name: name.to_string(),
            total,
            start: Instant::now(),
            shown: false,
            enabled,
        }
    }

    /// No progress shown (records from the catalogue; the other ranges of a split file,
    /// which go at the pace of the first).
    pub fn disabled() -> Progress {
        Progress {
            enabled: false,
            ..Progress::new("", None)
        }
    }

    pub fn tick(&mut self, bytes: u64) {
        if !self.enabled || self.start.elapsed().as_millis() < 500 {
            return;
        }
        self.shown = true;
        let mb = bytes as f64 / 1e6; // display only
        let line = match self.total {
            Some(t) if t > 0 => {
                let frac = (bytes as f64 / t as f64).min(1.0);
                let filled = (frac * 30.0) as usize;
                format!(
                    "\r{} [{}{}] {:>3.0}% {mb:.0} MB",
                    self.name,
                    "#".repeat(filled),
                    "-".repeat(30 - filled),
                    frac * 100.0
                )
            }
            _ => format!("\r{} {mb:.0} MB", self.name),
        };
        let _ = std::io::stderr().write_all(line.as_bytes());
    }

    pub fn finish(&mut self) {
        if self.shown {
            let _ = std::io::stderr().write_all(b"\r\x1b[2K");
        }
    }
}
