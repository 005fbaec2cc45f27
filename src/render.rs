//! Rendering diagnostics: miette's graphical report for people, JSON and GitHub workflow
//! commands for machines. The core never renders; only the CLI and tests call this.

use crate::diag::{location, Diag, Severity};
use crate::span::SourceMap;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// How the human report looks.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    /// No colour, fixed width: what snapshot tests see.
    pub const PLAIN: Style = Style {
        color: false,
        width: 100,
    };
}

/// Render one diagnostic as the text a user sees.
pub fn human(d: &Diag, sources: &SourceMap, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    let view = View::new(d, sources);
    if handler.render_report(&mut out, &view).is_err() {
        out = format!("{}: {}\n", d.code, d.message);
    }
    out
}

/// Render many diagnostics, one after the other.
pub fn human_all(ds: &[Diag], sources: &SourceMap, style: Style) -> String {
    ds.iter()
        .map(|d| human(d, sources, style))
        .collect::<Vec<_>>()
        .join("")
}

/// `{"severity", "code", "message", "file", "line", "column", "help"}` as `cli.md` says.
pub fn json_value(d: &Diag, sources: &SourceMap) -> serde_json::Value {
    let loc = location(d, sources);
    serde_json::json!({
        "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "code": d.code.as_str(),
        "message": d.message,
        "file": loc.as_ref().map(|l| l.0.clone()),
        "line": loc.as_ref().map(|l| l.1),
        "column": loc.as_ref().map(|l| l.2),
        "help": d.help,
    })
}

/// One GitHub Actions workflow command line.
pub fn github(d: &Diag, sources: &SourceMap) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut msg = d.message.clone();
    if let Some(h) = &d.help {
        msg.push_str("\nhelp: ");
        msg.push_str(h);
    }
    let msg = msg
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    let prop = |s: &str| {
        s.replace('%', "%25")
            .replace(',', "%2C")
            .replace(':', "%3A")
    };
    match location(d, sources) {
        Some((file, line, col)) => {
            format!(
                "::{kind} file={},line={line},col={col},title={}::{msg}",
                prop(&file),
                prop(d.code.as_str())
            )
        }
        None => format!("::{kind} title={}::{msg}", prop(d.code.as_str())),
    }
}

/// The adaptor that lets miette draw a [`Diag`].
struct View<'a> {
    diag: &'a Diag,
    source: Option<Source<'a>>,
    /// When a very long line is cut to a window: the file offset where the shown text
    /// starts, and how many bytes of marker precede it.
    window: Option<(usize, usize, usize)>,
}

/// Lines longer than this are shown as a window around the span.
const MAX_LINE: usize = 400;

enum Source<'a> {
    File {
        name: &'a str,
        text: &'a str,
    },
    Excerpt {
        name: String,
        text: std::borrow::Cow<'a, str>,
        line: usize,
        /// Columns in characters (a data file's excerpt), not as miette counts them (the
        /// window of a long catalogue line keeps its columns).
        char_columns: bool,
    },
}

impl<'a> View<'a> {
    fn new(diag: &'a Diag, sources: &'a SourceMap) -> View<'a> {
        let mut window = None;
        let source = if let Some(span) = diag.span() {
            let f = sources.get(span.file);
            let at = (span.start as usize).min(f.text.len());
            let line_start = f.text[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = f.text[at..].find('\n').map_or(f.text.len(), |i| at + i);
            if line_end - line_start > MAX_LINE {
                let mut from = at.saturating_sub(120).max(line_start);
                let mut to = (at + 200).min(line_end);
                while !f.text.is_char_boundary(from) {
                    from -= 1;
                }
                while !f.text.is_char_boundary(to) {
                    to += 1;
                }
                let (pre, post) = (
                    if from > line_start { "…" } else { "" },
                    if to < line_end { "…" } else { "" },
                );
                let text = format!("{pre}{}{post}", &f.text[from..to]);
                let (line, _) = f.line_col(at);
                window = Some((from, to, pre.len()));
                Some(Source::Excerpt {
                    name: f.name.clone(),
                    text: text.into(),
                    line: line - 1,
                    char_columns: false,
                })
            } else {
                Some(Source::File {
                    name: &f.name,
                    text: &f.text,
                })
            }
        } else {
            diag.excerpt.as_ref().map(|e| Source::Excerpt {
                name: e.file.clone(),
                text: e.text.as_str().into(),
                line: e.line.saturating_sub(1) as usize,
                char_columns: true,
            })
        };
        View {
            diag,
            source,
            window,
        }
    }
}

/// A span over more lines than this is drawn over its first ones only: a whole file read
/// as one value would otherwise be drawn whole.
const MAX_SPAN_LINES: usize = 8;

impl View<'_> {
    /// Where a span from `start` to `end` of the file is cut to be drawn: at the end of its
    /// [`MAX_SPAN_LINES`]th line, if it runs past it.
    fn first_lines(&self, start: usize, end: usize) -> usize {
        let Some(Source::File { text, .. }) = &self.source else {
            return end;
        };
        let (start, end) = (start.min(text.len()), end.min(text.len()));
        match text.as_bytes()[start..end]
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .nth(MAX_SPAN_LINES - 1)
        {
            Some((i, _)) => start + i,
            None => end,
        }
    }
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for View<'_> {}

impl Diagnostic for View<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diag.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.diag.span().is_some() {
            let file = self.diag.span().map(|s| s.file);
            let window = self.window;
            let labels = self
                .diag
                .labels
                .iter()
                .filter(move |l| Some(l.span.file) == file)
                .filter(move |l| {
                    window.is_none_or(|(from, to, _)| {
                        l.span.start as usize >= from && l.span.start as usize <= to
                    })
                })
                .enumerate()
                .map(move |(i, l)| {
                    let (start, len) = match window {
                        Some((from, to, pre)) => (
                            l.span.start as usize - from + pre,
                            (l.span.end as usize).min(to) - l.span.start as usize,
                        ),
                        None => {
                            let start = l.span.start as usize;
                            (start, self.first_lines(start, l.span.end as usize) - start)
                        }
                    };
                    let span = SourceSpan::new(start.into(), len);
                    if i == 0 {
                        LabeledSpan::new_primary_with_span(l.text.clone(), span)
                    } else {
                        LabeledSpan::new_with_span(l.text.clone(), span)
                    }
                });
            return Some(Box::new(labels));
        }
        let e = self.diag.excerpt.as_ref()?;
        let (s, end) = e.range.unwrap_or((0, 0));
        let span = SourceSpan::new(s.into(), end.saturating_sub(s));
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(e.label.clone(), span),
        )))
    }
}

/// The 0-based column of a byte offset, in characters (miette counts bytes), so that the
/// report's `line:column` matches the JSON output and what an editor shows.
fn char_column(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text.get(line_start..offset)
        .map_or(0, |s| s.chars().count())
}

impl SourceCode for Source<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        match self {
            Source::File { name, text } => {
                let c = text.read_span(span, before, after)?;
                Ok(Box::new(MietteSpanContents::new_named(
                    name.to_string(),
                    c.data(),
                    *c.span(),
                    c.line(),
                    char_column(text, c.span().offset()),
                    c.line_count(),
                )))
            }
            Source::Excerpt {
                name,
                text,
                line,
                char_columns,
            } => {
                let c = text.read_span(span, before, after)?;
                Ok(Box::new(MietteSpanContents::new_named(
                    name.clone(),
                    c.data(),
                    *c.span(),
                    c.line() + line,
                    if *char_columns {
                        char_column(text, c.span().offset())
                    } else {
                        c.column()
                    },
                    c.line_count(),
                )))
            }
        }
    }
}
