//! `kpi eval --db postgres://…`: the plan's query run in PostgreSQL, its rows read back as
//! the results a file run gives (then the same outputs, targets, statuses and
//! `--fail-on-miss`). Each source is the table of its name.
//!
//! The client is the `postgres` crate (pure Rust, synchronous over `tokio-postgres`: no
//! libpq, no C toolchain, TLS left out). The query is sent with the simple protocol, so
//! every value comes back as PostgreSQL's text — `NUMERIC` with all its digits — and is
//! read by the KPI's type, as exact decimals.

use super::dialect::named;
use super::{plan_to_sql_marked, Compiler};
use crate::analysis::Ty;
use crate::diag::{Code, Diag};
use crate::plan::Plan;
use crate::results::{compare_keys, descending, ResultRow, Results};
use crate::time;
use crate::value::Value;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::str::FromStr;

/// Run the plan in the PostgreSQL database at `url`.
pub fn run_in_postgres(plan: &Plan, url: &str) -> Results {
    let mut out = Results {
        key_names: plan.key_names.clone(),
        diags: plan.diags.clone(),
        ..Default::default()
    };
    let dialect = named("postgres").expect("the PostgreSQL dialect");
    let sql = plan_to_sql_marked(plan, dialect);
    for &k in &plan.shown {
        let def = &plan.ir.cat.kpis[k.0 as usize];
        if def.min_sample.is_some() {
            out.diags.push(Diag::warning(
                Code::Suspicious,
                format!("`{}` has min_sample, which a run in a database does not check: its low samples are not marked", def.name.text),
            ));
        }
    }
    let fail = |what: &str, e: postgres::Error| {
        Diag::error(Code::Io, format!("{what}: {e}"))
            .help("check the URL (postgres://USER@HOST:PORT/DATABASE) and that each source is a table of its name")
    };
    let mut client = match postgres::Client::connect(url, postgres::NoTls) {
        Ok(c) => c,
        Err(e) => {
            out.diags.push(fail(
                &format!("cannot connect to {}", without_password(url)),
                e,
            ));
            return out;
        }
    };
    let messages = match client.simple_query(&sql) {
        Ok(m) => m,
        Err(e) => {
            out.diags.push(fail("the query failed", e));
            return out;
        }
    };
    let rows: Vec<Vec<Option<String>>> = messages
        .iter()
        .filter_map(|m| match m {
            postgres::SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
            }
            _ => None,
        })
        .collect();
    out.rows = result_rows(plan, &rows);
    out
}

/// The query's rows (text cells, null as `None`) as result rows, ordered as eval orders
/// them: KPIs as shown, groups ascending (`--top`: highest first), the total last.
fn result_rows(plan: &Plan, rows: &[Vec<Option<String>>]) -> Vec<ResultRow> {
    let (key_types, kpi_types) = column_types(plan);
    let nk = key_types.len();
    let compare = plan.grain.is_some() && plan.compare.is_some();
    let per_kpi = if compare { 4 } else { 2 };
    let total_col = nk + per_kpi * plan.shown.len();
    let has_total = plan.total && plan.grouped();
    let mut out = Vec::new();
    for (i, &k) in plan.shown.iter().enumerate() {
        let col = nk + per_kpi * i;
        let ty = kpi_types[i];
        let mut mine: Vec<ResultRow> = Vec::new();
        for r in rows {
            let cell = |j: usize| r.get(j).cloned().flatten();
            if !matches!(cell(col + per_kpi - 1).as_deref(), Some("t" | "true")) {
                continue;
            }
            let total = has_total && matches!(cell(total_col).as_deref(), Some("t" | "true"));
            let key = if total {
                Vec::new()
            } else {
                (0..nk)
                    .map(|j| text_to_value(cell(j), key_types[j]))
                    .collect()
            };
            let previous = (compare && !total).then(|| text_to_value(cell(col + 1), ty));
            mine.push(ResultRow {
                kpi: k,
                key,
                total,
                value: text_to_value(cell(col), ty),
                previous,
                bounds: None,
                sample: None,
            });
        }
        mine.sort_by(|a, b| {
            a.total
                .cmp(&b.total)
                .then_with(|| compare_keys(&a.key, &b.key))
        });
        if plan.top.is_some() && plan.grouped() {
            mine.sort_by(|a, b| match (a.total, b.total) {
                (false, true) => Ordering::Less,
                (true, false) => Ordering::Greater,
                _ => descending(&a.value, &b.value),
            });
        }
        out.extend(mine);
    }
    out
}

/// The language types of the group keys and of the shown KPIs.
fn column_types(plan: &Plan) -> (Vec<Ty>, Vec<Ty>) {
    let d = named("postgres").expect("the PostgreSQL dialect");
    let c = Compiler::new(plan, d);
    let keys = match plan.sources.iter().find(|p| !p.keys.is_empty()) {
        Some(p) => p
            .keys
            .iter()
            .map(|k| c.record(p.id.0 as usize, k).1)
            .collect(),
        None => vec![Ty::Any; plan.key_names.len()],
    };
    let texts = c.kpi_texts(None);
    let kpis = plan.shown.iter().map(|&k| texts.read(k).1).collect();
    (keys, kpis)
}

/// A cell of PostgreSQL's text output as a value of type `ty`.
fn text_to_value(cell: Option<String>, ty: Ty) -> Value<'static> {
    let Some(s) = cell else {
        return Value::Null;
    };
    let number = |s: &str| {
        Decimal::from_str(s)
            .or_else(|_| Decimal::from_scientific(s))
            .ok()
            .map(|d| d.normalize())
    };
    let parsed = match ty {
        Ty::Num => number(&s).map(Value::Num),
        Ty::Dur => number(&s).map(Value::Dur),
        Ty::Bool => match s.as_str() {
            "t" | "true" => Some(Value::Bool(true)),
            "f" | "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Ty::Date => time::parse_date(s.as_bytes()).map(Value::Date),
        Ty::DateTime => time::parse_datetime(s.as_bytes()).map(Value::DateTime),
        _ => None,
    };
    parsed.unwrap_or_else(|| match ty {
        Ty::Str => Value::Str(s.into()),
        _ => number(&s).map_or_else(|| Value::Str(s.clone().into()), Value::Num),
    })
}

/// A URL without its password, for messages.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = &url[scheme + 3..at];
            match user.split_once(':') {
                Some((name, _)) => format!("{}{name}:…{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_by_type() {
        assert_eq!(
            text_to_value(Some("12.5000".into()), Ty::Num),
            Value::Num(Decimal::new(125, 1))
        );
        assert_eq!(text_to_value(Some("t".into()), Ty::Bool), Value::Bool(true));
        assert_eq!(text_to_value(None, Ty::Num), Value::Null);
        assert_eq!(
            text_to_value(Some("2025-03-01".into()), Ty::Date),
            Value::Date(time::parse_date(b"2025-03-01").unwrap())
        );
        assert_eq!(
            text_to_value(Some("2025-W09".into()), Ty::Str),
            Value::Str("2025-W09".into())
        );
    }

    #[test]
    fn a_database_that_cannot_be_reached_is_a_diagnostic() {
        let mut sources = crate::span::SourceMap::default();
        let mut diags = Vec::new();
        let cat = crate::catalogue::load_text(
            "c.yaml",
            "sources:\n  calls:\n    fields: {answered: bool}\nkpis:\n  n:\n    formula: calls.count()\n",
            false,
            &mut sources,
            &mut diags,
        );
        let (ir, _) = crate::analysis::catalogue_to_ir(&cat, &[]);
        let req = crate::plan::Request {
            kpis: vec![crate::ir::KpiId(0)],
            ..Default::default()
        };
        let plan = crate::plan::ir_to_plan(&ir, &req).expect("a plan");
        let url = "postgres://kpi:secret@localhost:5432/x?host=/nonexistent/kpi-test-socket";
        let out = run_in_postgres(&plan, url);
        assert!(out.rows.is_empty());
        let style = crate::render::Style {
            color: false,
            width: 100,
        };
        let text: Vec<String> = out
            .diags
            .iter()
            .map(|d| crate::render::human(d, &sources, style))
            .collect();
        insta::assert_snapshot!(text.join("\n"));
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            without_password("postgres://kpi:secret@db:5432/x"),
            "postgres://kpi:…@db:5432/x"
        );
        assert_eq!(
            without_password("postgres://kpi@db/x"),
            "postgres://kpi@db/x"
        );
    }
}
