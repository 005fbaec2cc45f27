//! Diagnostics: one type for every error and warning, with a stable code, labelled spans
//! and help. Helpers build span-less messages; callers attach the span they know.
//! Rendering (miette's graphical report, JSON, GitHub workflow commands) is in `render`.

use crate::span::{SourceMap, Span};
use std::fmt;

/// The stable codes of the language brief (§10). Part of the public interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Syntax,
    UnknownName,
    Type,
    Arity,
    Scope,
    NestedAggregate,
    Cycle,
    Duplicate,
    Catalogue,
    Data,
    Io,
    TestFailed,
    DivisionByZero,
    Unused,
    Overflow,
    Suspicious,
    Grain,
    Lookup,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "kpi::syntax",
            Code::UnknownName => "kpi::unknown_name",
            Code::Type => "kpi::type",
            Code::Arity => "kpi::arity",
            Code::Scope => "kpi::scope",
            Code::NestedAggregate => "kpi::nested_aggregate",
            Code::Cycle => "kpi::cycle",
            Code::Duplicate => "kpi::duplicate",
            Code::Catalogue => "kpi::catalogue",
            Code::Data => "kpi::data",
            Code::Io => "kpi::io",
            Code::TestFailed => "kpi::test_failed",
            Code::DivisionByZero => "kpi::division_by_zero",
            Code::Unused => "kpi::unused",
            Code::Overflow => "kpi::overflow",
            Code::Suspicious => "kpi::suspicious",
            Code::Grain => "kpi::grain",
            Code::Lookup => "kpi::lookup",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub text: Option<String>,
}

/// A place in a file that is not in the [`SourceMap`] (a data file): its name, the line, and
/// the text of that line so that the report can show it.
#[derive(Clone, Debug)]
pub struct Excerpt {
    pub file: String,
    pub line: u64,
    pub text: String,
    /// Byte range inside `text` to underline.
    pub range: Option<(usize, usize)>,
    pub label: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Diag {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub excerpt: Option<Excerpt>,
    /// For evaluation warnings: the KPI and the group they concern.
    pub kpi: Option<KpiContext>,
}

/// The KPI and group an evaluation warning concerns: the KPI's name and each group key's
/// name and value.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiContext {
    pub kpi: String,
    pub by: Vec<(String, Scalar)>,
}

/// A group key's value as machine outputs write it: numbers stay numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    /// Exact decimal digits (durations in seconds).
    Number(String),
    Text(String),
}

impl Diag {
    pub fn error(code: Code, message: impl Into<String>) -> Diag {
        Diag {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            excerpt: None,
            kpi: None,
        }
    }
    pub fn warning(code: Code, message: impl Into<String>) -> Diag {
        Diag {
            severity: Severity::Warning,
            ..Diag::error(code, message)
        }
    }
    /// Attach the primary location, without a label text.
    pub fn at(mut self, span: Span) -> Diag {
        self.labels.insert(0, Label { span, text: None });
        self
    }
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Diag {
        self.labels.push(Label {
            span,
            text: Some(text.into()),
        });
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Diag {
        self.help = Some(help.into());
        self
    }
    /// Help naming the closest of `candidates` to `name` ("did you mean `x`?"), or
    /// `otherwise` when none is close enough.
    pub fn suggest<'a>(
        self,
        name: &str,
        candidates: impl IntoIterator<Item = &'a str>,
        otherwise: Option<String>,
    ) -> Diag {
        match (did_you_mean(name, candidates), otherwise) {
            (Some(s), _) => self.help(format!("did you mean `{s}`?")),
            (None, Some(h)) => self.help(h),
            (None, None) => self,
        }
    }

    pub fn excerpt(mut self, excerpt: Excerpt) -> Diag {
        self.excerpt = Some(excerpt);
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
    /// The primary span, if any.
    pub fn span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }
}

/// Diagnostics collected over a whole run: every error found is reported, not just the first.
#[derive(Debug, Default)]
pub struct Diags {
    pub list: Vec<Diag>,
}

impl Diags {
    pub fn push(&mut self, d: Diag) {
        self.list.push(d);
    }
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diag::is_error)
    }
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diag>) {
        self.list.extend(other);
    }
    /// Order by file and position so output is stable whatever order passes ran in.
    /// The same diagnostic reached twice (e.g. a bad `@source` shared by several KPIs) is shown once.
    pub fn sort(&mut self) {
        self.list
            .sort_by_key(|d| d.span().map(|s| (s.file, s.start, s.end)));
        self.list
            .dedup_by(|a, b| a.code == b.code && a.message == b.message && a.span() == b.span());
    }
}

/// "did you mean `x`?" — the closest candidate by edit distance, if close enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Names longer than this are not typos of a name: no suggestion, and no quadratic work
    // on, say, a whole data line taken for a header.
    const LONGEST: usize = 200;
    let len = name.chars().count();
    if len > LONGEST {
        return None;
    }
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let clen = c.chars().count();
        // One edit per three characters; none for one- or two-letter names (noise).
        let longest = len.max(clen);
        let limit = if longest < 3 { 0 } else { (longest / 3).max(1) };
        if clen > LONGEST || clen.abs_diff(len) > limit {
            continue;
        }
        let d = edit_distance(&lower, &c.to_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance where swapping two neighbours counts as one edit (`unti` → `unit`).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Location of a diagnostic as (file name, line, column), for machine outputs.
pub fn location(d: &Diag, sources: &SourceMap) -> Option<(String, usize, usize)> {
    if let Some(span) = d.span() {
        let f = sources.get(span.file);
        let (line, col) = f.line_col(span.start as usize);
        return Some((f.name.clone(), line, col));
    }
    d.excerpt.as_ref().map(|e| {
        let col = e.range.map_or(1, |(s, _)| {
            e.text[..s.min(e.text.len())].chars().count() + 1
        });
        (e.file.clone(), e.line as usize, col)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["recommend", "satisfaction", "effort"];
        assert_eq!(did_you_mean("recomend", names), Some("recommend"));
        assert_eq!(did_you_mean("Effort", names), Some("effort"));
        assert_eq!(did_you_mean("zzz", names), None);
        assert_eq!(did_you_mean("unti", ["unit", "label"]), Some("unit"));
    }
}
