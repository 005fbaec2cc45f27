//! `kpi eval`: evaluate KPIs over record streams.

use super::{cli_expr, report, Front};
use crate::analysis::{catalogue_to_ir, Ir};
use crate::catalogue::{self, KpiDef};
use crate::diag::{Code, Diag};
use crate::eval::{self, Records};
use crate::ir::KpiId;
use crate::output::{self, Format, Lang};
use crate::plan::{ir_to_plan, Compare, Request};
use crate::span::SourceMap;
use crate::syntax::{parse_formula, Locator, Name};
use crate::time::Grain;
use crate::value::Value;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct EvalArgs {
    /// Catalogue files or folders (default: ./kpis, unless -e is given)
    pub paths: Vec<PathBuf>,
    /// Bind a source to a file: [SOURCE=]FILE (.csv .tsv .jsonl .ndjson, optionally .gz; - for stdin)
    #[arg(long = "data", value_name = "[SOURCE=]FILE")]
    pub data: Vec<String>,
    /// An ad-hoc KPI: 'NAME = EXPR'
    #[arg(short = 'e', long = "formula", value_name = "NAME = EXPR")]
    pub formulas: Vec<String>,
    /// Only these KPIs (their dependencies are computed, not shown)
    #[arg(long = "kpi", value_name = "NAME")]
    pub kpis: Vec<String>,
    /// Group by a record-scope expression or a named dimension
    #[arg(long = "by", value_name = "EXPR")]
    pub by: Vec<String>,
    /// Group by each source's time field at this grain
    #[arg(long, value_enum)]
    pub grain: Option<Grain>,
    /// With --grain: add the previous period's value and the change
    #[arg(long, value_enum, requires = "grain")]
    pub compare: Option<Compare>,
    /// Keep records whose time field is on or after DATE
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    pub from: Option<i64>,
    /// Keep records whose time field is before DATE
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    pub to: Option<i64>,
    /// Keep records where EXPR holds (in every source that has the fields it names)
    #[arg(long = "where", value_name = "EXPR")]
    pub filter: Option<String>,
    /// With grouping, add the overall row
    #[arg(long)]
    pub total: bool,
    /// With grouping, keep each KPI's N highest groups
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Labels and number formatting of the table
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    /// Exit 1 when a result misses its target
    #[arg(long)]
    pub fail_on_miss: bool,
    /// Run the catalogue's query in a database (postgres://USER@HOST:PORT/DB) instead of
    /// reading files: each source is the table of its name
    #[arg(long, value_name = "URL", value_parser = parse_db_url)]
    pub db: Option<String>,
    /// A source read option for every --data file (format, sheet, header_row, encoding,
    /// delimiter, decimal, thousands, date_format, datetime_format, true, false, null); repeatable
    #[arg(long = "read", value_name = "KEY=VALUE")]
    pub read: Vec<String>,
    /// Write every rejected record (source, file, line, field, value, reason) as CSV
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<String>,
    /// Add low/high bounds at this confidence level, in percent (e.g. 95), to the KPIs that
    /// have them: one pct/share (Wilson), one avg (Student t), a difference of two pct/share
    #[arg(long = "ci", value_name = "LEVEL", value_parser = crate::stats::parse_level)]
    pub ci: Option<rust_decimal::Decimal>,
    /// Write the results to this file instead of standard output (needed by --format xlsx)
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `kpi report`: `kpi eval --format html`.
pub fn run_report(args: &EvalArgs) -> i32 {
    let mut args = args.clone();
    args.format = Format::Html;
    run(&args)
}

pub fn run(args: &EvalArgs) -> i32 {
    let mut front = if args.paths.is_empty() && !args.formulas.is_empty() {
        Front {
            sources: SourceMap::default(),
            cat: Default::default(),
            diags: Default::default(),
        }
    } else {
        super::load(&args.paths)
    };
    let mut errors: Vec<Diag> = Vec::new();
    // Ad-hoc formulas join the catalogue.
    let first_adhoc = front.cat.kpis.len();
    for (i, f) in args.formulas.iter().enumerate() {
        if let Some(def) = adhoc(f, i, &mut front.sources, &mut errors) {
            front.cat.kpis.push(def);
        }
    }
    // --read KEY=VALUE: command-line errors (exit 2), at the flag's text.
    let mut read_settings = Vec::new();
    let mut read_errors = Vec::new();
    for (i, r) in args.read.iter().enumerate() {
        match crate::input::options::read_flag(i, r, &mut front.sources) {
            Ok(s) => read_settings.push(s),
            Err(d) => read_errors.push(d),
        }
    }
    crate::input::ReadOptions::from_settings(&read_settings, &mut read_errors);
    if args.format == Format::Xlsx && args.output.is_none() {
        read_errors.push(
            Diag::error(
                Code::Syntax,
                "--format xlsx writes a workbook: give --output FILE",
            )
            .help("e.g. --format xlsx --output results.xlsx"),
        );
    }
    if args.db.is_some() && (args.ci.is_some() || !args.read.is_empty() || args.rejects.is_some()) {
        read_errors.push(
            Diag::error(
                Code::Syntax,
                "--ci, --read and --rejects apply to files, not to a run in a database (--db)",
            )
            .help("run kpi eval over the exported files for intervals and read options"),
        );
    }
    if !read_errors.is_empty() {
        report(&read_errors, &front.sources);
        return 2;
    }
    let bindings = match parse_bindings(&args.data, &front.cat).and_then(|b| {
        // One file per source: a second --data for it would be silently ignored.
        for (i, (name, file)) in b.iter().enumerate() {
            if let Some((_, other)) = b[..i].iter().find(|(n, _)| n == name) {
                let which = name.as_deref().unwrap_or("the default source");
                return Err(Diag::error(
                    Code::Syntax,
                    format!("--data binds {which} twice: {other} and {file}"),
                )
                .help("give one file per source; concatenate the files first to read several"));
            }
        }
        Ok(b)
    }) {
        Ok(b) => b,
        Err(d) => {
            report(&[d], &front.sources);
            return 2;
        }
    };
    // With no catalogue source, --data declares the sources.
    let mut extra_sources = Vec::new();
    for (name, _) in &bindings {
        let name = name.clone().unwrap_or_else(|| "data".into());
        if front.cat.source(&name).is_none() && !extra_sources.contains(&name) {
            extra_sources.push(name);
        }
    }
    // With --db and no catalogue's sources, the ad-hoc formulas name their tables.
    if args.db.is_some() && front.cat.sources.is_empty() {
        for name in super::sql::read_sources(&front.cat.kpis[first_adhoc..]) {
            if !extra_sources.contains(&name) {
                extra_sources.push(name);
            }
        }
    }
    let cat = &front.cat;
    let (an, mut analysis) = catalogue_to_ir(cat, &extra_sources);
    errors.append(&mut analysis);
    errors.append(&mut front.diags.list);
    let shown = select(args, &an, first_adhoc, &mut errors);
    // The page needs every group (it folds the ones past --top into "others" itself) and
    // the overall row of a grouped run (its tiles); with --grain, --top keeps its meaning.
    let html = args.format == Format::Html;
    let mut req = Request {
        kpis: shown,
        named: !args.kpis.is_empty() || !args.formulas.is_empty(),
        grain: args.grain,
        compare: args.compare,
        total: args.total || (html && !args.by.is_empty()),
        top: args.top.filter(|_| !html || args.grain.is_some()),
        ci: args.ci,
        ..Default::default()
    };
    for (i, by) in args.by.iter().enumerate() {
        if let Some(e) = cli_expr(
            &format!("--by {}", i + 1),
            by,
            &mut front.sources,
            &mut errors,
        ) {
            req.by.push((by.clone(), e));
        }
    }
    if let Some(w) = &args.filter {
        req.filter = cli_expr("--where", w, &mut front.sources, &mut errors);
    }
    req.from = args.from.map(Value::DateTime);
    req.to = args.to.map(Value::DateTime);
    // How each source is read: its declared options, then --read for the --data files
    // (every source when no --data is given); with --rejects, a log per source.
    let mut reading = crate::input::Reading::from_catalogue(cat);
    let mut logs = Vec::new();
    for (i, s) in an.sources.iter().enumerate() {
        let bound = bindings.iter().any(|(n, _)| {
            n.as_deref() == Some(s.name.as_str())
                || (n.is_none() && default_source(cat, &an) == Some(i))
        });
        if an.source_def(crate::ir::SourceId(i as u32)).is_none() {
            reading.from_command_line(&s.name);
        }
        if !read_settings.is_empty() && (bound || bindings.is_empty()) {
            reading.set_command_line(&s.name, &read_settings);
        }
        if args.rejects.is_some() {
            let log = crate::input::RejectLog::default();
            reading.log_rejects(&s.name, log.clone());
            logs.push(log);
        }
    }
    // Files: --data bindings first, then each source's declared path.
    for (i, s) in an.sources.iter().enumerate() {
        let id = crate::ir::SourceId(i as u32);
        let bound = bindings.iter().find(|(n, _)| {
            n.as_deref() == Some(s.name.as_str())
                || (n.is_none() && default_source(cat, &an) == Some(i))
        });
        let declared = an
            .source_def(id)
            .and_then(|d| d.path.as_ref())
            .map(|(p, _)| catalogue::display_path(p));
        if let Some(file) = bound.map(|(_, f)| f.clone()).or(declared) {
            req.files.insert(id, file);
        }
    }
    // In a database, what the SQL cannot write yet is left out or refused, as `kpi sql` does.
    if args.db.is_some() {
        if let Err(d) = crate::sql::leave_out_unwritable(&an, &mut req, &mut errors) {
            errors.push(d);
        }
    }
    if errors.iter().any(Diag::is_error) {
        drop(an);
        report_sorted(errors, &front.sources);
        return 1;
    }
    let out = match ir_to_plan(&an, &req) {
        Ok(plan) => match &args.db {
            Some(url) => crate::sql::run_in_postgres(&plan, url),
            None => eval::evaluate(&plan, Records::Files(&reading)),
        },
        Err(diags) => crate::results::Results {
            diags,
            ..Default::default()
        },
    };
    drop(an);
    let mut diags = errors;
    diags.extend(out.diags.iter().cloned());
    if let Some(path) = &args.rejects {
        let rows: Vec<crate::input::Rejection> = logs
            .iter()
            .flat_map(|l| l.lock().map(|l| l.clone()).unwrap_or_default())
            .collect();
        if let Err(e) = std::fs::write(path, crate::input::rejections_to_csv(&rows)) {
            diags.push(Diag::error(Code::Io, format!("cannot write {path}: {e}")));
        }
    }
    let failed = diags.iter().any(Diag::is_error);
    if !(failed && out.rows.is_empty()) {
        match (args.format, &args.output) {
            (Format::Xlsx, Some(path)) => {
                if let Err(e) = output::write_xlsx(&out, &front.cat, args.lang, path) {
                    diags.push(Diag::error(
                        Code::Io,
                        format!("cannot write {}: {e}", path.display()),
                    ));
                }
            }
            (_, path) => {
                let text = if html {
                    let opts = output::html::Options {
                        top: args.top.unwrap_or(output::html::Options::default().top),
                    };
                    output::html::html(&out, &front.cat, args.lang, &opts)
                } else {
                    output::render(&out, &front.cat, args.format, args.lang)
                };
                match path {
                    Some(path) => {
                        if let Err(e) = std::fs::write(path, text.as_bytes()) {
                            diags.push(
                                Diag::error(
                                    Code::Io,
                                    format!("cannot write {}: {e}", path.display()),
                                )
                                .help("check that the folder exists and can be written"),
                            );
                        }
                    }
                    None => crate::outln!("{}", text.trim_end_matches('\n')),
                }
            }
        }
    }
    let failed = diags.iter().any(Diag::is_error);
    report_sorted(diags, &front.sources);
    let missed = args.fail_on_miss
        && out
            .rows
            .iter()
            .any(|r| output::status(&front.cat.kpis[r.kpi.0 as usize], &r.value) == Some("missed"));
    i32::from(failed || missed)
}

fn report_sorted(mut diags: Vec<Diag>, sources: &SourceMap) {
    diags.sort_by_key(|d| (d.is_error(), d.span().map(|s| (s.file, s.start))));
    report(&diags, sources);
}

/// The source that a `--data FILE` without `SOURCE=` binds: the only source, or "data".
fn default_source(cat: &catalogue::Catalogue, an: &Ir) -> Option<usize> {
    if an.sources.len() == 1 {
        return Some(0);
    }
    if cat.sources.is_empty() {
        return an.source_id("data").map(|s| s.0 as usize);
    }
    None
}

/// `[SOURCE=]FILE` pairs. A bare file binds the only source, or the one named like the file.
fn parse_bindings(
    data: &[String],
    cat: &catalogue::Catalogue,
) -> Result<Vec<(Option<String>, String)>, Diag> {
    let mut out = Vec::new();
    for d in data {
        match d.split_once('=') {
            Some((name, file)) if !name.is_empty() && crate::syntax::print::is_plain_name(name) => {
                if !cat.sources.is_empty() && cat.source(name).is_none() {
                    let e = Diag::error(
                        Code::UnknownName,
                        format!("--data {d}: the catalogue has no source `{name}`"),
                    );
                    return Err(e.suggest(
                        name,
                        cat.sources.iter().map(|s| s.name.text.as_str()),
                        None,
                    ));
                }
                out.push((Some(name.to_string()), file.to_string()));
            }
            _ => {
                // A file named like a source binds that source.
                let stem = std::path::Path::new(d)
                    .file_name()
                    .and_then(|f| f.to_str())
                    .and_then(|f| f.split('.').next())
                    .unwrap_or("");
                let named = cat.source(stem).map(|s| s.name.text.clone());
                if named.is_none() && cat.sources.len() > 1 {
                    return Err(Diag::error(
                        Code::UnknownName,
                        format!("--data {d}: which source does this file feed?"),
                    )
                    .help(format!(
                        "write --data SOURCE={d}; the sources are: {}",
                        cat.sources
                            .iter()
                            .map(|s| s.name.text.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                out.push((
                    named.or_else(|| {
                        (cat.sources.len() == 1).then(|| cat.sources[0].name.text.clone())
                    }),
                    d.clone(),
                ));
            }
        }
    }
    Ok(out)
}

fn select(args: &EvalArgs, an: &Ir, first_adhoc: usize, errors: &mut Vec<Diag>) -> Vec<KpiId> {
    if args.kpis.is_empty() {
        let start = if first_adhoc < an.cat.kpis.len() {
            first_adhoc
        } else {
            0
        };
        return (start..an.cat.kpis.len())
            .map(|i| KpiId(i as u32))
            .collect();
    }
    super::kpis_named(an, &args.kpis, errors)
}

pub(super) fn adhoc(
    text: &str,
    i: usize,
    sources: &mut SourceMap,
    errors: &mut Vec<Diag>,
) -> Option<KpiDef> {
    let id = sources.add(format!("-e {}", i + 1), text);
    let Some(eq) = text.find('=').filter(|&p| !text[p + 1..].starts_with('=')) else {
        errors.push(
            Diag::error(Code::Syntax, "an ad-hoc KPI is written `NAME = FORMULA`")
                .at(crate::span::Span::new(id, 0, text.len()))
                .help("e.g. -e 'csat = pct(satisfaction >= 4)'"),
        );
        return None;
    };
    let name = text[..eq].trim();
    let start = text.find(name).unwrap_or(0);
    if !crate::syntax::print::is_plain_name(name) {
        errors.push(
            Diag::error(Code::Syntax, format!("`{name}` is not a KPI name"))
                .at(crate::span::Span::new(id, 0, eq)),
        );
        return None;
    }
    let formula = &text[eq + 1..];
    let e = parse_formula(formula, &Locator::shifted(id, eq + 1), errors);
    let name = Name {
        text: name.to_string(),
        span: crate::span::Span::new(id, start, start + name.len()),
    };
    Some(KpiDef::new(name, e, id))
}

/// `--from`/`--to`: a date or a datetime (a command-line error otherwise: exit 2).
pub(super) fn parse_date_arg(s: &str) -> Result<i64, String> {
    crate::time::parse_datetime(s.as_bytes())
        .ok_or_else(|| format!("`{s}` is not a date: write 2025-03-01, or 2025-03-01T08:00:00"))
}

/// `--db`: a PostgreSQL URL (a command-line error otherwise: exit 2).
fn parse_db_url(s: &str) -> Result<String, String> {
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a PostgreSQL URL: write postgres://USER@HOST:PORT/DATABASE"
        ))
    }
}
