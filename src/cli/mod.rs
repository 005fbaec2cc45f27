//! The command line (`design/cli.md`): argument parsing and the commands. Exit codes:
//! 0 success, 1 the catalogue, data or tests are wrong, 2 the command line is wrong.

pub mod check;
mod diff;
mod eval;
mod explain;
mod fmt;
mod sql;
mod test;
mod values;

use crate::catalogue::{self, Catalogue};
use crate::diag::{Diag, Diags, Severity};
use crate::render::{self, Style};
use crate::span::SourceMap;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "kpi",
    version,
    about = "Business KPIs as code: check, evaluate, test and document them"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate catalogues without reading data: syntax, names, scopes, types, cycles
    Check {
        /// Catalogue files or folders (default: ./kpis)
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: CheckFormat,
    },
    /// Evaluate KPIs over record streams
    Eval(Box<eval::EvalArgs>),
    /// A self-contained HTML dashboard of an evaluation (eval's flags; --output FILE.html)
    Report(Box<eval::EvalArgs>),
    /// Run the tests embedded in catalogues
    Test {
        /// Catalogue files or folders (default: ./kpis)
        paths: Vec<PathBuf>,
    },
    /// Canonical formatting of formulas, in .kpi files and inside YAML
    Fmt {
        /// Catalogue files or folders (default: ./kpis)
        paths: Vec<PathBuf>,
        /// Print the files that would change and exit 1, without writing
        #[arg(long)]
        check: bool,
    },
    /// What changed in the catalogue since git revision REV
    Diff {
        /// A git revision: HEAD~1, main, a tag…
        rev: String,
        /// Catalogue files or folders (default: ./kpis)
        paths: Vec<PathBuf>,
    },
    /// Compile KPIs to SQL for a warehouse (each source is a table of the same name)
    Sql(Box<sql::SqlArgs>),
    /// JSON Schema of the YAML catalogue format
    Schema,
    /// Language server for editors (LSP on standard input and output)
    Lsp,
    /// The catalogue as documentation (Markdown, or one HTML page)
    Doc {
        /// Catalogue files or folders (default: ./kpis)
        paths: Vec<PathBuf>,
        /// Language of labels and headings
        #[arg(long, value_enum, default_value = "en")]
        lang: crate::output::Lang,
        #[arg(long, value_enum, default_value = "markdown")]
        format: DocFormat,
    },
    /// Show the expression tree, dependencies and evaluation plan of a KPI
    Explain {
        /// The KPI
        name: String,
        /// Catalogue files or folders (default: ./kpis)
        paths: Vec<PathBuf>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocFormat {
    Markdown,
    Html,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFormat {
    Human,
    Json,
    Github,
}

/// Run the command line; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Check { paths, format } => check::run(&paths, format),
        Command::Explain { name, paths } => explain::run(&name, &paths),
        Command::Eval(args) => eval::run(&args),
        Command::Report(args) => eval::run_report(&args),
        Command::Test { paths } => test::run(&paths),
        Command::Fmt { paths, check } => fmt::run(&paths, check),
        Command::Diff { rev, paths } => diff::run(&rev, &paths),
        Command::Sql(args) => sql::run(&args),
        Command::Lsp => crate::lsp::run(),
        Command::Schema => {
            crate::outln!(
                "{}",
                serde_json::to_string_pretty(&crate::schema::catalogue_schema())
                    .unwrap_or_default()
            );
            0
        }
        Command::Doc {
            paths,
            lang,
            format,
        } => {
            let front = load(&paths);
            let (ir, diags) = crate::analysis::catalogue_to_ir(&front.cat, &[]);
            let text = match format {
                DocFormat::Markdown => crate::doc::markdown(&ir, &front.sources, lang),
                DocFormat::Html => crate::doc::html::html(&ir, &front.sources, lang),
            };
            if report_errors(front.diags.list.iter().chain(&diags), &front.sources) {
                return 1;
            }
            crate::outln!("{}", text.trim_end());
            0
        }
    }
}

/// Write to standard output, ignoring a closed pipe (`kpi ... | head` must not panic).
#[macro_export]
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// The style of reports on standard error: colour only on a terminal and without NO_COLOR.
pub use check::diagnose;
pub use explain::tree as explain_tree;

pub fn stderr_style() -> Style {
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    Style { color, width: 100 }
}

/// Print diagnostics to standard error.
pub fn report(diags: &[Diag], sources: &SourceMap) {
    let style = stderr_style();
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = err.write_all(render::human(d, sources, style).as_bytes());
        let _ = err.write_all(b"\n");
    }
}

/// The KPIs `--kpi` names; an unknown name is an error with a suggestion.
pub fn kpis_named(
    an: &crate::analysis::Ir,
    names: &[String],
    errors: &mut Vec<Diag>,
) -> Vec<crate::ir::KpiId> {
    let mut ids = Vec::new();
    for name in names {
        match an.kpi_id(name) {
            Some(id) => ids.push(id),
            None => {
                let d = Diag::error(
                    crate::diag::Code::UnknownName,
                    format!("--kpi {name}: no such KPI"),
                );
                errors.push(d.suggest(
                    name,
                    an.cat.kpis.iter().map(|k| k.name.text.as_str()),
                    Some("`kpi check` lists the catalogue; `kpi doc` documents it".into()),
                ));
            }
        }
    }
    // Shown in catalogue order.
    ids.sort();
    ids.dedup();
    ids
}

/// Report the errors among `diags` (sorted by place); `true` when there were any.
pub fn report_errors<'d>(diags: impl IntoIterator<Item = &'d Diag>, sources: &SourceMap) -> bool {
    let mut errors: Vec<Diag> = diags
        .into_iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    errors.sort_by_key(|d| d.span().map(|s| (s.file, s.start)));
    report(&errors, sources);
    !errors.is_empty()
}

/// A loaded and analysed catalogue.
pub struct Front {
    pub sources: SourceMap,
    pub cat: Catalogue,
    pub diags: Diags,
}

pub fn default_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from("kpis")]
    } else {
        paths.to_vec()
    }
}

pub fn load(paths: &[PathBuf]) -> Front {
    let mut sources = SourceMap::default();
    let mut list = Vec::new();
    let cat = catalogue::load(&default_paths(paths), &mut sources, &mut list);
    // Each source's read options (`encoding:`, `date_format:`…), checked at their keys.
    crate::input::options::check_catalogue(&cat, &mut list);
    Front {
        sources,
        cat,
        diags: Diags { list },
    }
}

/// Analyse everything; diagnostics are added to `front.diags`.
pub fn analyze(front: &mut Front) -> crate::analysis::Ir<'_> {
    let (ir, diags) = crate::analysis::catalogue_to_ir(&front.cat, &[]);
    front.diags.extend(diags);
    ir
}

pub fn count(diags: &[Diag], sev: Severity) -> usize {
    diags.iter().filter(|d| d.severity == sev).count()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// An expression given on the command line, kept in the source map for diagnostics.
pub fn cli_expr(
    name: &str,
    text: &str,
    sources: &mut SourceMap,
    errors: &mut Vec<Diag>,
) -> Option<crate::syntax::Expr> {
    let id = sources.add(name, text);
    let e = crate::syntax::parse_formula(text, &crate::syntax::Locator::shifted(id, 0), errors);
    (!matches!(e.kind, crate::syntax::ExprKind::Error)).then_some(e)
}
