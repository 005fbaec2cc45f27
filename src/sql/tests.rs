//! The SQL of every registered dialect for one KPI of each aggregate kind, a KPI over two
//! sources, a `--by`, and eval's grouping flags (`--grain`, `--compare`, `--where`,
//! `--from`/`--to`, `--top`, `--total`), period functions, `total`, `rank`, `first`, `last`
//! and `open` (file snapshots, one per dialect:
//! `snapshots/kpi__sql__tests__NAME.snap`); the standard forms an engine without `FILTER` or
//! double quotes gets; shared KPIs in a deep "diamond"; KPIs an engine cannot compute
//! exactly.

use super::dialect::{named, Dialect, Period, DIALECTS};
use super::plan_to_sql;
use crate::analysis::catalogue_to_ir;
use crate::catalogue;
use crate::ir::KpiId;
use crate::plan::{ir_to_plan, Compare, Request};
use crate::span::SourceMap;
use crate::time::Grain;
use std::fmt::Write;

const CATALOGUE: &str = r#"sources:
  orders:
    time: placed_at
    fields:
      order_id: string
      customer: string
      region: string
      placed_at: datetime
      shipped_at: datetime
      due: date
      paid: date
      amount: number
      lines: number
      status: string
      express: bool
      handling: duration
    lookups: {customers: customer}
  refunds:
    fields:
      order_id: string
      region: string
      refunded_at: datetime
      amount: number
  customers:
    key: customer_id
    fields: {customer_id: string, segment: string, since: date}
kpis:
  orders_total:
    formula: orders.count()
  express_orders:
    formula: orders.count(express)
  revenue:
    formula: orders.sum(amount where status == "paid")
  avg_lines:
    formula: orders.avg(lines)
  smallest_order:
    formula: orders.min(amount)
  largest_order:
    formula: orders.max(amount where region in ("north", "south"))
  median_amount:
    formula: orders.median(amount)
  p90_ship_time:
    formula: orders.percentile(shipped_at - placed_at, 0.9 where shipped_at is not null)
  customers:
    formula: orders.distinct(customer)
  late_share:
    formula: orders.pct(paid > due where paid is not null)
  express_share:
    formula: orders.share(express)
  orders_per_customer:
    formula: orders.avg(count() per customer where status != "cancelled")
  refund_rate:
    formula: refunds.sum(amount) / orders.sum(amount)
  functions:
    formula: >-
      orders.count(week(placed_at) == "2024-W01" or month(placed_at) == "2024-01"
      or quarter(placed_at) == "2024-Q1" or year(placed_at) == "2024"
      or hour(placed_at) between 9 and 17 or day(placed_at) == 1 or weekday(placed_at) >= 6
      or date(placed_at) == 2024-01-02 or placed_at + 1h > 2024-01-02T10:00:00
      or shipped_at - 30min < placed_at or 2d + placed_at < shipped_at
      or due - paid > 1d or contains(lower(customer), "acme") or starts_with(upper(trim(region)), "N")
      or ends_with(status, "'d") or len(order_id) > abs(-3) or round(amount, 2) > floor(amount)
      or ceil(amount) < least(lines, 3) or greatest(lines, 1) > coalesce(amount, 0)
      or if(express, 1, 2) == 1 or not express or status is null or region not in ("x"))
  refunded_in_window:
    formula: refunds.count(refunded_at >= 2024-01-01T00:00:00 and refunded_at < 2024-02-01T00:00:00.5)
  segment_revenue:
    formula: orders.sum(amount where customers.segment == "smb")
  revenue_3m:
    formula: rolling(revenue / orders_total, 3)
  orders_ytd:
    formula: to_date(orders_total, year)
  orders_so_far:
    formula: cumulative(orders_per_customer)
  orders_2_before:
    formula: previous(orders_total, 2)
  orders_year_ago:
    formula: year_ago(orders_total)
  region_share:
    formula: 100 * orders.sum(amount) / total(orders.sum(amount))
  region_rank:
    formula: rank(orders.sum(amount))
  first_amount:
    formula: orders.first(amount)
  last_amount:
    formula: orders.last(amount where express)
  open_orders:
    formula: orders.open(placed_at, shipped_at where status != "cancelled")
"#;

/// What a case shows, its KPIs, its `--by` keys, its other flags (`grain=month
/// compare=previous where=express from=2024-01-01 to=2024-07-01 top=2 total`).
type Case = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);

const CASES: &[Case] = &[
    ("count", &["orders_total"], &[], ""),
    ("count of a condition", &["express_orders"], &[], ""),
    ("sum with where", &["revenue"], &[], ""),
    ("avg", &["avg_lines"], &[], ""),
    ("min and max", &["smallest_order", "largest_order"], &[], ""),
    (
        "median, percentile of a duration",
        &["median_amount", "p90_ship_time"],
        &[],
        "",
    ),
    ("distinct", &["customers"], &[], ""),
    ("pct and share", &["late_share", "express_share"], &[], ""),
    ("per", &["orders_per_customer"], &[], ""),
    ("two sources", &["refund_rate"], &[], ""),
    (
        "--by",
        &["orders_total", "refund_rate", "orders_per_customer"],
        &["region"],
        "",
    ),
    (
        "functions, literals, date arithmetic",
        &["functions", "refunded_in_window"],
        &[],
        "",
    ),
    (
        "--grain week --compare previous --total",
        &["orders_total", "revenue"],
        &[],
        "grain=week compare=previous total",
    ),
    (
        "--grain day --compare year --where, --from, --to",
        &["avg_lines"],
        &[],
        "grain=day compare=year where=express from=2024-01-01 to=2024-07-01",
    ),
    (
        "--grain month and quarter --compare previous",
        &["orders_total"],
        &["quarter(placed_at)"],
        "grain=month compare=previous",
    ),
    (
        "--by over two sources --top --total",
        &["orders_total", "refund_rate"],
        &["region"],
        "top=2 total",
    ),
    (
        "lookup fields in a KPI, --by and --where",
        &["orders_total", "segment_revenue"],
        &["customers.segment"],
        "where=customers.since<2024-01-01",
    ),
    (
        "period functions: rolling, to_date, cumulative (of a per), previous, year_ago",
        &[
            "revenue_3m",
            "orders_ytd",
            "orders_so_far",
            "orders_2_before",
            "orders_year_ago",
        ],
        &["region"],
        "grain=month from=2024-01-01",
    ),
    (
        "total and rank",
        &["region_share", "region_rank"],
        &["region"],
        "total",
    ),
    (
        "first, last, open at --to",
        &["first_amount", "last_amount", "open_orders"],
        &["region"],
        "to=2024-07-01",
    ),
    (
        "open at each period's end, first and last by period",
        &["open_orders", "last_amount"],
        &[],
        "grain=quarter",
    ),
];

/// `kpi sql --kpi K… --by B… FLAGS` over `CATALOGUE` in `dialect`.
fn sql(dialect: &dyn Dialect, kpis: &[&str], by: &[&str], flags: &str) -> String {
    sql_over(CATALOGUE, dialect, kpis, by, flags)
}

fn sql_over(
    catalogue: &str,
    dialect: &dyn Dialect,
    kpis: &[&str],
    by: &[&str],
    flags: &str,
) -> String {
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    let cat = catalogue::load_text("orders.yaml", catalogue, false, &mut sources, &mut diags);
    let (an, analysis) = catalogue_to_ir(&cat, &[]);
    assert!(
        diags.is_empty() && !analysis.iter().any(|d| d.is_error()),
        "the catalogue checks: {analysis:?}"
    );
    let ids: Vec<KpiId> = kpis
        .iter()
        .map(|name| {
            let i = cat.kpis.iter().position(|k| k.name.text == *name);
            KpiId(i.expect("a KPI of the catalogue") as u32)
        })
        .collect();
    let expr = |b: &str, diags: &mut Vec<_>| {
        crate::syntax::parse_formula(
            b,
            &crate::syntax::Locator::shifted(crate::span::FileId(u32::MAX), 0),
            diags,
        )
    };
    let by = by
        .iter()
        .map(|b| (b.to_string(), expr(b, &mut diags)))
        .collect();
    let mut req = Request {
        kpis: ids,
        by,
        ..Default::default()
    };
    let time = |t: &str| {
        let micros = crate::time::parse_datetime(t.as_bytes()).expect("a date");
        Some(crate::value::Value::DateTime(micros))
    };
    for flag in flags.split_whitespace() {
        let (name, value) = flag.split_once('=').unwrap_or((flag, ""));
        match name {
            "grain" => {
                req.grain = Grain::ALL.iter().copied().find(|g| g.name() == value);
            }
            "compare" => req.compare = Compare::ALL.iter().copied().find(|c| c.name() == value),
            "where" => req.filter = Some(expr(value, &mut diags)),
            "from" => req.from = time(value),
            "to" => req.to = time(value),
            "top" => req.top = value.parse().ok(),
            "total" => req.total = true,
            other => panic!("no flag {other}"),
        }
    }
    let plan = ir_to_plan(&an, &req).expect("keys every source has");
    plan_to_sql(&plan, dialect)
}

fn cases(dialect: &dyn Dialect, cases: &[Case]) -> String {
    let mut out = String::new();
    for (what, kpis, by, flags) in cases {
        let _ = writeln!(out, "---- {what}\n{}", sql(dialect, kpis, by, flags));
    }
    out
}

#[test]
fn sql_of_each_aggregate_kind_in_each_dialect() {
    for d in DIALECTS {
        insta::assert_snapshot!(d.key(), cases(*d, CASES));
    }
}

#[test]
fn dialects_by_name() {
    assert_eq!(named("postgres").map(|d| d.name()), Some("PostgreSQL"));
    assert!(named("PostgreSQL").is_none());
    let mut keys: Vec<&str> = DIALECTS.iter().map(|d| d.key()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), DIALECTS.len(), "one key per dialect");
}

/// An engine with back-quoted names and no `FILTER` clause, written with the defaults
/// only: filters move into the aggregates' arguments.
struct NoFilter;

impl Dialect for NoFilter {
    fn key(&self) -> &'static str {
        "nofilter"
    }
    fn name(&self) -> &'static str {
        "no FILTER"
    }
    fn ident_quote(&self) -> char {
        '`'
    }
    fn supports_filter(&self) -> bool {
        false
    }
    fn period_label(&self, _: Period, t: &str) -> String {
        format!("period({t})")
    }
}

#[test]
fn filters_as_case_when_without_filter_clause() {
    let kinds: Vec<Case> = CASES
        .iter()
        .filter(|c| {
            matches!(
                c.0,
                "count of a condition" | "sum with where" | "pct and share" | "per"
            )
        })
        .copied()
        .collect();
    insta::assert_snapshot!(cases(&NoFilter, &kinds));
}

/// `k0 = k1 + k1`, `k1 = k2 + k2`… `k{depth} = orders.count()`.
fn diamond(depth: usize) -> String {
    let mut c = String::from("sources:\n  orders:\n    fields: {amount: number}\nkpis:\n");
    for i in 0..depth {
        let _ = writeln!(c, "  k{i}:\n    formula: k{0} + k{0}", i + 1);
    }
    let _ = writeln!(c, "  k{depth}:\n    formula: orders.count()");
    c
}

#[test]
fn kpis_used_twice_are_shared_not_copied() {
    // 21 levels: each KPI written out in full would double the text per level (18.9 MB).
    let deep = diamond(21);
    for d in DIALECTS {
        let sql = sql_over(&deep, *d, &["k0"], &[], "");
        assert!(sql.len() < 8_000, "{}: {} bytes", d.key(), sql.len());
        let grouped = sql_over(&deep, *d, &["k0", "k5"], &["amount"], "total");
        assert!(
            grouped.len() < 16_000,
            "{}: {} bytes",
            d.key(),
            grouped.len()
        );
    }
    insta::assert_snapshot!(sql_over(
        &diamond(6),
        named("duckdb").expect("DuckDB"),
        &["k0", "k3"],
        &[],
        ""
    ));
}

#[test]
fn kpis_an_engine_cannot_compute_exactly_are_named() {
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    let cat = catalogue::load_text("orders.yaml", CATALOGUE, false, &mut sources, &mut diags);
    let (an, _) = catalogue_to_ir(&cat, &[]);
    let req = Request {
        kpis: (0..cat.kpis.len() as u32).map(KpiId).collect(),
        ..Default::default()
    };
    let plan = ir_to_plan(&an, &req).expect("a plan");
    let sqlite = named("sqlite").expect("the SQLite dialect");
    let left_out = super::inexact_kpis(&plan, sqlite);
    let warning = super::inexact_warning(&plan, &left_out, sqlite);
    let rendered = crate::render::human(
        &warning,
        &sources,
        crate::render::Style {
            color: false,
            width: 100,
        },
    );
    insta::assert_snapshot!(rendered);
    assert!(super::inexact_kpis(&plan, named("duckdb").expect("DuckDB")).is_empty());
}
