//! `kpi sql`: the selected KPIs as one query for a warehouse.

use super::{cli_expr, kpis_named, load, report, report_errors, Front};
use crate::analysis::catalogue_to_ir;
use crate::diag::{Code, Diag};
use crate::ir::KpiId;
use crate::plan::{ir_to_plan, Compare, Request};
use crate::span::SourceMap;
use crate::sql::dialect::{named, DIALECTS};
use crate::sql::{inexact_kpis, leave_out_unwritable, plan_to_sql, Dialect};
use crate::syntax::{Expr, ExprKind};
use crate::time::Grain;
use crate::value::Value;

/// `--dialect NAME`: one of the registered dialects (`crate::sql::dialect::DIALECTS`).
#[derive(Clone, Copy)]
pub struct DialectArg(pub &'static dyn Dialect);

impl std::fmt::Debug for DialectArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.key())
    }
}

/// Parses `--dialect`: its help and errors list the registered names.
pub fn dialect_parser() -> impl clap::builder::TypedValueParser<Value = DialectArg> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(DIALECTS.iter().map(|d| d.key()))
        .try_map(|key| named(&key).map(DialectArg).ok_or("no such dialect"))
}

/// `kpi sql`: the flags of `design/cli.md`, eval's grouping flags included.
#[derive(clap::Args, Debug)]
pub struct SqlArgs {
    /// Catalogue files or folders (default: ./kpis, unless -e is given)
    pub paths: Vec<std::path::PathBuf>,
    /// An ad-hoc KPI: 'NAME = EXPR' (with no PATH, its sources are tables of the names it
    /// reads, `data` by default)
    #[arg(short = 'e', long = "formula", value_name = "NAME = EXPR")]
    pub formulas: Vec<String>,
    /// Only these KPIs (default: all)
    #[arg(long = "kpi", value_name = "NAME")]
    pub kpis: Vec<String>,
    #[arg(long, default_value = "duckdb", value_parser = dialect_parser())]
    pub dialect: DialectArg,
    /// Group by a record-scope expression or a named dimension; repeatable
    #[arg(long = "by", value_name = "EXPR")]
    pub by: Vec<String>,
    /// Group by each source's time field at this grain
    #[arg(long, value_enum)]
    pub grain: Option<Grain>,
    /// With --grain: add each KPI's previous value and the change (columns NAME_previous, NAME_change)
    #[arg(long, value_enum, requires = "grain")]
    pub compare: Option<Compare>,
    /// Keep records whose time field is on or after DATE
    #[arg(long, value_name = "DATE", value_parser = super::eval::parse_date_arg)]
    pub from: Option<i64>,
    /// Keep records whose time field is before DATE
    #[arg(long, value_name = "DATE", value_parser = super::eval::parse_date_arg)]
    pub to: Option<i64>,
    /// Keep records where EXPR holds (in every source that has the fields it names)
    #[arg(long = "where", value_name = "EXPR")]
    pub filter: Option<String>,
    /// With grouping, add the overall row (column `total`)
    #[arg(long)]
    pub total: bool,
    /// With grouping, keep each KPI's N highest groups (its other cells are null)
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
}

pub fn run(args: &SqlArgs) -> i32 {
    let mut front = if args.paths.is_empty() && !args.formulas.is_empty() {
        Front {
            sources: SourceMap::default(),
            cat: Default::default(),
            diags: Default::default(),
        }
    } else {
        load(&args.paths)
    };
    let mut errors: Vec<Diag> = Vec::new();
    let first_adhoc = front.cat.kpis.len();
    for (i, f) in args.formulas.iter().enumerate() {
        if let Some(def) = super::eval::adhoc(f, i, &mut front.sources, &mut errors) {
            front.cat.kpis.push(def);
        }
    }
    // Without a catalogue's sources, the ad-hoc formulas declare theirs.
    let extra_sources = if front.cat.sources.is_empty() {
        read_sources(&front.cat.kpis[first_adhoc..])
    } else {
        Vec::new()
    };
    let (an, mut analysis) = catalogue_to_ir(&front.cat, &extra_sources);
    errors.append(&mut analysis);
    errors.append(&mut front.diags.list);
    let ids = if args.kpis.is_empty() {
        let start = if first_adhoc < an.cat.kpis.len() {
            first_adhoc
        } else {
            0
        };
        (start..an.cat.kpis.len())
            .map(|i| KpiId(i as u32))
            .collect()
    } else {
        kpis_named(&an, &args.kpis, &mut errors)
    };
    let mut req = Request {
        kpis: ids,
        named: !args.kpis.is_empty() || !args.formulas.is_empty(),
        grain: args.grain,
        compare: args.compare,
        total: args.total,
        top: args.top,
        from: args.from.map(Value::DateTime),
        to: args.to.map(Value::DateTime),
        ..Default::default()
    };
    for (i, text) in args.by.iter().enumerate() {
        let name = format!("--by {}", i + 1);
        if let Some(e) = cli_expr(&name, text, &mut front.sources, &mut errors) {
            req.by.push((text.clone(), e));
        }
    }
    if let Some(w) = &args.filter {
        req.filter = cli_expr("--where", w, &mut front.sources, &mut errors);
    }
    if report_errors(&errors, &front.sources) {
        return 1;
    }
    if let Err(d) = leave_out_unwritable(&an, &mut req, &mut errors) {
        report(&[d], &front.sources);
        return 1;
    }
    let dialect = args.dialect.0;
    let mut plan = match ir_to_plan(&an, &req) {
        Ok(p) => p,
        Err(diags) => {
            report_errors(&diags, &front.sources);
            return 1;
        }
    };
    // KPIs the engine cannot compute exactly are left out, as eval leaves out those a
    // grouping cannot apply to.
    let inexact = inexact_kpis(&plan, dialect);
    if !inexact.is_empty() {
        errors.push(crate::sql::inexact_warning(&plan, &inexact, dialect));
        req.kpis.retain(|k| !inexact.contains(k));
        if req.kpis.is_empty() {
            report(&errors, &front.sources);
            report(&[no_kpi_left(dialect)], &front.sources);
            return 1;
        }
        plan = match ir_to_plan(&an, &req) {
            Ok(p) => p,
            Err(diags) => {
                report_errors(&diags, &front.sources);
                return 1;
            }
        };
    }
    crate::outln!("{}", plan_to_sql(&plan, dialect).trim_end());
    let warnings: Vec<Diag> = plan
        .diags
        .iter()
        .chain(errors.iter())
        .filter(|d| !d.is_error())
        .cloned()
        .collect();
    report(&warnings, &front.sources);
    0
}

fn no_kpi_left(d: &dyn Dialect) -> Diag {
    Diag::error(
        Code::Scope,
        format!("no selected KPI can be computed exactly in {}", d.name()),
    )
}

/// The sources ad-hoc KPIs read: the names before their aggregates (`orders.count()`),
/// and `data` for an aggregate without one (or when none is named).
pub(super) fn read_sources(kpis: &[crate::catalogue::KpiDef]) -> Vec<String> {
    fn walk(e: &Expr, named: &mut Vec<String>, bare: &mut bool) {
        match &e.kind {
            ExprKind::Call(c) => {
                if crate::registry::aggregate(&c.func.text).is_some() {
                    match &c.source {
                        Some(s) if !named.contains(&s.text) => named.push(s.text.clone()),
                        Some(_) => {}
                        None => *bare = true,
                    }
                }
                for x in c.args.iter().chain(&c.per).chain(c.filter.iter()) {
                    walk(x, named, bare);
                }
            }
            ExprKind::Unary(_, x) | ExprKind::IsNull { expr: x, .. } => walk(x, named, bare),
            ExprKind::Binary(_, a, b) => {
                walk(a, named, bare);
                walk(b, named, bare);
            }
            ExprKind::In { expr, list, .. } => {
                walk(expr, named, bare);
                list.iter().for_each(|x| walk(x, named, bare));
            }
            ExprKind::Between { expr, low, high } => {
                for x in [expr, low, high] {
                    walk(x, named, bare);
                }
            }
            ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::Lookup(..) | ExprKind::Error => {}
        }
    }
    let mut named = Vec::new();
    let mut bare = false;
    for k in kpis {
        walk(&k.formula, &mut named, &mut bare);
    }
    if bare || named.is_empty() {
        named.insert(0, "data".to_string());
    }
    named
}
