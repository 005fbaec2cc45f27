//! `kpi sql`: checked KPIs compiled to one SQL query for a warehouse (DuckDB or
//! PostgreSQL). Each source is a table of the same name; each becomes one row of aggregates
//! (a CTE whose aggregates carry their `where` as `FILTER`), `per` becomes a grouped
//! subquery, and the KPI arithmetic runs in the final `SELECT`.
//!
//! Numbers follow the warehouse's types: exact `NUMERIC` in PostgreSQL; in DuckDB, divisions
//! give `DOUBLE`. Null, three-valued logic, `pct` denominators and empty inputs keep the
//! language's meaning (`sum` of nothing is 0, a division by zero is null).

use crate::analysis::{Analyzer, Ty};
use crate::ir::{AggArg, AggFunc, AggSpec, Col, Func, KLeaf, KpiId, Node, RExpr};
use crate::syntax::{BinOp, UnOp};
use crate::time;
use crate::value::Value;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    Duckdb,
    Postgres,
}

/// Quote an identifier.
fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Value::Num(d) => d.normalize().to_string(),
        Value::Str(s) => string(s),
        Value::Date(d) => format!("DATE '{}'", time::format_date(*d)),
        Value::DateTime(t) => format!(
            "TIMESTAMP '{}'",
            time::format_datetime(*t).replace('T', " ")
        ),
        Value::Dur(d) => format!("INTERVAL '{} seconds'", d.normalize()),
    }
}

struct Compiler<'a, 'c> {
    an: &'a Analyzer<'c>,
    dialect: Dialect,
    grouped: bool,
}

/// SQL text with the language type of its value.
type Typed = (String, Ty);

fn lit_type(v: &Value) -> Ty {
    match v {
        Value::Null => Ty::Null,
        Value::Bool(_) => Ty::Bool,
        Value::Num(_) => Ty::Num,
        Value::Str(_) => Ty::Str,
        Value::Date(_) => Ty::Date,
        Value::DateTime(_) => Ty::DateTime,
        Value::Dur(_) => Ty::Dur,
    }
}

impl Compiler<'_, '_> {
    /// An expression over leaves rendered by `leaf`. Durations are numbers of seconds in
    /// the SQL (warehouses average intervals inexactly): date differences are converted, and
    /// `datetime ± duration` goes through `INTERVAL '1 second'`.
    fn expr<L>(&self, e: &Node<L>, leaf: &dyn Fn(&L) -> Typed) -> Typed {
        let bool = |s: String| (s, Ty::Bool);
        match e {
            Node::Lit(Value::Dur(d)) => (d.normalize().to_string(), Ty::Dur),
            Node::Lit(v) => (literal(v), lit_type(v)),
            Node::Leaf(l) => leaf(l),
            Node::Unary(UnOp::Not, x) => bool(format!("(NOT {})", self.expr(x, leaf).0)),
            Node::Unary(UnOp::Neg, x) => {
                let (s, t) = self.expr(x, leaf);
                (format!("(-{s})"), t)
            }
            Node::Binary(op, a, b) => {
                let ((x, ta), (y, tb)) = (self.expr(a, leaf), self.expr(b, leaf));
                let time = |t: Ty| matches!(t, Ty::Date | Ty::DateTime);
                let ty = if op.is_comparison() || matches!(op, BinOp::And | BinOp::Or) {
                    Ty::Bool
                } else {
                    crate::analysis::types::arithmetic(*op, ta, tb).unwrap_or(Ty::Any)
                };
                let sql = match op {
                    BinOp::Sub if ta == Ty::Date && tb == Ty::Date => {
                        format!("(({x} - {y}) * 86400)")
                    }
                    BinOp::Sub if time(ta) && time(tb) => {
                        format!(
                            "EXTRACT(EPOCH FROM (CAST({x} AS TIMESTAMP) - CAST({y} AS TIMESTAMP)))"
                        )
                    }
                    BinOp::Add | BinOp::Sub if time(ta) && tb == Ty::Dur => {
                        format!("({x} {} {y} * INTERVAL '1 second')", op.symbol())
                    }
                    BinOp::Add if ta == Ty::Dur && time(tb) => {
                        format!("({y} + {x} * INTERVAL '1 second')")
                    }
                    BinOp::Div => format!("({x} / NULLIF({y}, 0))"),
                    BinOp::Eq => format!("({x} = {y})"),
                    BinOp::Ne => format!("({x} <> {y})"),
                    BinOp::Or => format!("({x} OR {y})"),
                    BinOp::And => format!("({x} AND {y})"),
                    other => format!("({x} {} {y})", other.symbol()),
                };
                (sql, ty)
            }
            Node::IsNull(x, negated) => bool(format!(
                "({} IS {}NULL)",
                self.expr(x, leaf).0,
                if *negated { "NOT " } else { "" }
            )),
            Node::In(x, list, negated) => {
                let items: Vec<String> = list.iter().map(|i| self.expr(i, leaf).0).collect();
                bool(format!(
                    "({} {}IN ({}))",
                    self.expr(x, leaf).0,
                    if *negated { "NOT " } else { "" },
                    items.join(", ")
                ))
            }
            Node::Between(x, lo, hi) => bool(format!(
                "({} BETWEEN {} AND {})",
                self.expr(x, leaf).0,
                self.expr(lo, leaf).0,
                self.expr(hi, leaf).0
            )),
            Node::Func(f, args) => {
                let typed: Vec<Typed> = args.iter().map(|a| self.expr(a, leaf)).collect();
                let texts: Vec<String> = typed.iter().map(|t| t.0.clone()).collect();
                let first_known = typed
                    .iter()
                    .map(|t| t.1)
                    .find(|t| t.known())
                    .unwrap_or(Ty::Any);
                let ty = match f {
                    Func::Date => Ty::Date,
                    Func::Week
                    | Func::Month
                    | Func::Quarter
                    | Func::Year
                    | Func::Lower
                    | Func::Upper
                    | Func::Trim => Ty::Str,
                    Func::Hour | Func::Day | Func::Weekday | Func::Len => Ty::Num,
                    Func::Contains | Func::StartsWith | Func::EndsWith => Ty::Bool,
                    Func::If => typed[1..]
                        .iter()
                        .map(|t| t.1)
                        .find(|t| t.known())
                        .unwrap_or(Ty::Any),
                    _ => first_known,
                };
                (self.func(*f, &texts), ty)
            }
        }
    }

    fn func(&self, f: Func, a: &[String]) -> String {
        let pg = self.dialect == Dialect::Postgres;
        let fmt = |duck: &str, post: &str| {
            if pg {
                format!("to_char({}, '{post}')", a[0])
            } else {
                format!("strftime({}, '{duck}')", a[0])
            }
        };
        match f {
            Func::Abs => format!("ABS({})", a[0]),
            Func::Floor => format!("FLOOR({})", a[0]),
            Func::Ceil => format!("CEIL({})", a[0]),
            Func::Round => format!("ROUND({}, {})", a[0], a.get(1).map_or("0", String::as_str)),
            Func::Least => format!("LEAST({})", a.join(", ")),
            Func::Greatest => format!("GREATEST({})", a.join(", ")),
            Func::If => format!("(CASE WHEN {} THEN {} ELSE {} END)", a[0], a[1], a[2]),
            Func::Coalesce => format!("COALESCE({})", a.join(", ")),
            Func::Lower => format!("LOWER({})", a[0]),
            Func::Upper => format!("UPPER({})", a[0]),
            Func::Trim => format!("TRIM({})", a[0]),
            Func::Len => format!("LENGTH({})", a[0]),
            Func::Contains => format!("(POSITION({} IN {}) > 0)", a[1], a[0]),
            Func::StartsWith => format!("(LEFT({0}, LENGTH({1})) = {1})", a[0], a[1]),
            Func::EndsWith => format!("(RIGHT({0}, LENGTH({1})) = {1})", a[0], a[1]),
            Func::Date => format!("CAST({} AS DATE)", a[0]),
            Func::Week => fmt("%G-W%V", "IYYY\"-W\"IW"),
            Func::Month => fmt("%Y-%m", "YYYY-MM"),
            Func::Quarter if pg => fmt("", "YYYY\"-Q\"Q"),
            Func::Quarter => format!(
                "(strftime({0}, '%Y-Q') || CAST(EXTRACT(QUARTER FROM {0}) AS VARCHAR))",
                a[0]
            ),
            Func::Year => fmt("%Y", "YYYY"),
            Func::Hour => format!("EXTRACT(HOUR FROM {})", a[0]),
            Func::Day => format!("EXTRACT(DAY FROM {})", a[0]),
            Func::Weekday => format!("EXTRACT(ISODOW FROM {})", a[0]),
        }
    }

    /// A field of `source` (a `duration` field holds seconds, as durations do here).
    fn column(&self, source: usize, c: &Col) -> Typed {
        let col = &self.an.sources[source].columns[c.0 as usize];
        (ident(&col.name), col.ty)
    }

    fn record(&self, source: usize, e: &RExpr) -> Typed {
        self.expr(e, &|c: &Col| self.column(source, c))
    }

    /// One aggregate over the rows that pass `filter`, applied to `arg`.
    fn aggregate(
        &self,
        f: AggFunc,
        arg: Option<&str>,
        fraction: Option<String>,
        filter: Option<&str>,
    ) -> String {
        let pass = |cond: Option<&str>| -> String {
            match (filter, cond) {
                (None, None) => String::new(),
                (Some(w), None) | (None, Some(w)) => format!(" FILTER (WHERE {w})"),
                (Some(w), Some(c)) => format!(" FILTER (WHERE {w} AND {c})"),
            }
        };
        let x = arg.unwrap_or("TRUE");
        let numeric = |s: String| {
            if self.dialect == Dialect::Postgres {
                format!("CAST({s} AS NUMERIC)")
            } else {
                s
            }
        };
        match f {
            AggFunc::Count if arg.is_none() => numeric(format!("COUNT(*){}", pass(None))),
            AggFunc::Count => numeric(format!("COUNT(*){}", pass(Some(x)))),
            AggFunc::Sum => format!("COALESCE(SUM({x}){}, 0)", pass(None)),
            AggFunc::Avg => format!("AVG({x}){}", pass(None)),
            AggFunc::Min => format!("MIN({x}){}", pass(None)),
            AggFunc::Max => format!("MAX({x}){}", pass(None)),
            AggFunc::Median | AggFunc::Percentile => {
                let p = fraction.unwrap_or_else(|| "0.5".into());
                format!(
                    "PERCENTILE_CONT({p}) WITHIN GROUP (ORDER BY {x}){}",
                    pass(None)
                )
            }
            AggFunc::Distinct => numeric(format!("COUNT(DISTINCT {x}){}", pass(None))),
            AggFunc::Pct | AggFunc::Share => {
                let scale = if f == AggFunc::Pct {
                    "100.0 * "
                } else {
                    "1.0 * "
                };
                format!(
                    "({scale}COUNT(*){} / NULLIF(COUNT({x}){}, 0))",
                    pass(Some(x)),
                    pass(None)
                )
            }
        }
    }

    /// The SQL of one aggregate of the plan, as a value of its source's row, with its type.
    fn agg_spec(&self, spec: &AggSpec) -> Typed {
        let s = spec.source.0 as usize;

        let filter = spec.filter.as_ref().map(|w| self.record(s, w).0);
        let fraction = spec.fraction.map(|p| p.normalize().to_string());
        let result_type = |arg: Ty| match spec.func {
            AggFunc::Count | AggFunc::Distinct | AggFunc::Pct | AggFunc::Share => Ty::Num,
            _ => arg,
        };
        match &spec.arg {
            None => (
                self.aggregate(spec.func, None, fraction, filter.as_deref()),
                Ty::Num,
            ),
            Some(AggArg::Record(e)) => {
                let (x, t) = self.record(s, e);
                (
                    self.aggregate(spec.func, Some(&x), fraction, filter.as_deref()),
                    result_type(t),
                )
            }
            Some(AggArg::Per(_)) => {
                let (body, t) = self.per_select(spec, &[], None);
                (format!("({body})"), t)
            }
        }
    }

    /// A `per` aggregate as a query: inner aggregates per entity (and group) in a grouped
    /// subquery, then the outer aggregate over the entities, per group when `keys` are given
    /// (their columns come out as `k0`, `k1`…).
    fn per_select(&self, spec: &AggSpec, keys: &[String], alias: Option<&str>) -> Typed {
        let Some(AggArg::Per(per)) = &spec.arg else {
            unreachable!("a per aggregate")
        };
        let s = spec.source.0 as usize;
        let table = ident(&self.an.sources[s].name);
        let filter = spec.filter.as_ref().map(|w| self.record(s, w).0);
        let fraction = spec.fraction.map(|p| p.normalize().to_string());
        let entity_keys: Vec<String> = per.keys.iter().map(|k| self.record(s, k).0).collect();
        let mut conds: Vec<String> = filter.into_iter().collect();
        conds.extend(entity_keys.iter().map(|k| format!("{k} IS NOT NULL")));
        let inner: Vec<Typed> = per.inner_aggs.iter().map(|a| self.agg_spec(a)).collect();
        let (value, t) = self.expr(&per.inner, &|l: &KLeaf| match l {
            KLeaf::Inner(i) => (format!("i{i}"), inner[*i as usize].1),
            _ => unreachable!("inner expressions only refer to inner aggregates"),
        });
        let counts_entities = matches!(per.inner, Node::Lit(Value::Bool(true)));
        let mut outer = self.aggregate(
            spec.func,
            (!counts_entities).then_some(value.as_str()),
            fraction,
            None,
        );
        if let Some(a) = alias {
            outer = format!("{outer} AS {a}");
        }
        let mut select: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{k} AS k{i}"))
            .collect();
        select.extend(
            inner
                .iter()
                .enumerate()
                .map(|(i, (sql, _))| format!("{sql} AS i{i}")),
        );
        if select.is_empty() {
            select.push("1 AS i".into());
        }
        let group: Vec<String> = keys.iter().chain(&entity_keys).cloned().collect();
        let key_cols: Vec<String> = (0..keys.len()).map(|i| format!("k{i}")).collect();
        let (head, tail) = if keys.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!("{}, ", key_cols.join(", ")),
                format!(" GROUP BY {}", key_cols.join(", ")),
            )
        };
        let body = format!(
            "SELECT {head}{outer} FROM (SELECT {} FROM {table} WHERE {} GROUP BY {}) AS entities{tail}",
            select.join(", "),
            conds.join(" AND "),
            group.join(", ")
        );
        let ty = match spec.func {
            AggFunc::Count | AggFunc::Distinct | AggFunc::Pct | AggFunc::Share => Ty::Num,
            _ => t,
        };
        (body, ty)
    }

    fn kpi(&self, k: KpiId) -> Typed {
        let info = &self.an.kpis[k.0 as usize];
        self.expr(&info.expr, &|l: &KLeaf| match l {
            KLeaf::Agg(a) => {
                let spec = &self.an.aggs[a.0 as usize];
                let cte = match &spec.arg {
                    Some(AggArg::Per(_)) => ident(&format!("per_{}", a.0)),
                    _ => ident(&format!(
                        "agg_{}",
                        self.an.sources[spec.source.0 as usize].name
                    )),
                };
                let value = format!("{cte}.a{}", a.0);
                // A group absent from a source: count, sum and distinct of nothing are 0.
                let value = if self.grouped
                    && matches!(spec.func, AggFunc::Count | AggFunc::Sum | AggFunc::Distinct)
                {
                    format!("COALESCE({value}, 0)")
                } else {
                    value
                };
                (value, self.agg_spec(spec).1)
            }
            KLeaf::Kpi(d) => self.kpi(*d),
            KLeaf::Inner(_) => unreachable!("KPI expressions refer to plan aggregates"),
        })
    }
}

/// Group-by keys for `kpi sql --by`: their labels, and their record expressions per source.
pub struct Grouping {
    pub labels: Vec<String>,
    pub keys: std::collections::HashMap<crate::ir::SourceId, Vec<RExpr>>,
}

/// One query computing `kpis` (and what they depend on), one column per KPI; with
/// `grouping`, one row per group key, keys first.
pub fn compile(
    an: &Analyzer,
    kpis: &[KpiId],
    dialect: Dialect,
    grouping: Option<&Grouping>,
) -> String {
    let c = Compiler {
        an,
        dialect,
        grouped: grouping.is_some(),
    };
    // The aggregates the KPIs need, through their dependencies.
    let mut needed = vec![false; an.aggs.len()];
    for a in an.aggregates_of(&an.closure(kpis)) {
        needed[a.0 as usize] = true;
    }
    let names: Vec<&str> = kpis
        .iter()
        .map(|k| an.cat.kpis[k.0 as usize].name.text.as_str())
        .collect();
    let dialect_name = match dialect {
        Dialect::Duckdb => "DuckDB",
        Dialect::Postgres => "PostgreSQL",
    };
    let mut sql = format!("-- kpi sql ({dialect_name}): {}\n", names.join(", "));
    if let Some(g) = grouping {
        let _ = writeln!(sql, "-- by {}", g.labels.join(", "));
    }
    let key_count = grouping.map_or(0, |g| g.labels.len());
    let key_cols: Vec<String> = (0..key_count).map(|i| format!("k{i}")).collect();
    let keys_of = |s: usize| -> Vec<String> {
        grouping
            .and_then(|g| g.keys.get(&crate::ir::SourceId(s as u32)))
            .map(|ks| ks.iter().map(|k| c.record(s, k).0).collect())
            .unwrap_or_default()
    };
    let mut ctes: Vec<(String, String)> = Vec::new();
    for (s, src) in an.sources.iter().enumerate() {
        let keys = keys_of(s);
        let simple: Vec<usize> = (0..an.aggs.len())
            .filter(|&a| {
                needed[a]
                    && an.aggs[a].source.0 as usize == s
                    && !matches!(an.aggs[a].arg, Some(AggArg::Per(_)))
            })
            .collect();
        let mut columns: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("    {k} AS k{i}"))
            .collect();
        columns.push("    COUNT(*) AS records".into());
        columns.extend(
            simple
                .iter()
                .map(|&a| format!("    {} AS a{a}", c.agg_spec(&an.aggs[a]).0)),
        );
        if !simple.is_empty() {
            let group = if keys.is_empty() {
                String::new()
            } else {
                format!("\n  GROUP BY {}", keys.join(", "))
            };
            ctes.push((
                ident(&format!("agg_{}", src.name)),
                format!(
                    "  SELECT\n{}\n  FROM {}{group}",
                    columns.join(",\n"),
                    ident(&src.name)
                ),
            ));
        }
        for a in (0..an.aggs.len()).filter(|&a| needed[a] && an.aggs[a].source.0 as usize == s) {
            if matches!(an.aggs[a].arg, Some(AggArg::Per(_))) {
                let (body, _) = c.per_select(&an.aggs[a], &keys, Some(&format!("a{a}")));
                ctes.push((ident(&format!("per_{a}")), format!("  {body}")));
            }
        }
    }
    if key_count > 0 && !ctes.is_empty() {
        let union: Vec<String> = ctes
            .iter()
            .map(|(n, _)| format!("SELECT {} FROM {n}", key_cols.join(", ")))
            .collect();
        ctes.push((
            "\"keys\"".into(),
            format!("  {}", union.join("\n  UNION\n  ")),
        ));
    }
    if !ctes.is_empty() {
        sql.push_str("WITH\n");
        let parts: Vec<String> = ctes
            .iter()
            .map(|(n, body)| format!("{n} AS (\n{body}\n)"))
            .collect();
        sql.push_str(&parts.join(",\n"));
        sql.push('\n');
    }
    sql.push_str("SELECT\n");
    let mut cols: Vec<String> = Vec::new();
    if let Some(g) = grouping {
        cols.extend(
            g.labels
                .iter()
                .enumerate()
                .map(|(i, l)| format!("  \"keys\".k{i} AS {}", ident(l))),
        );
    }
    // Durations come out as seconds, as in `kpi eval`'s JSON.
    cols.extend(kpis.iter().map(|&k| {
        format!(
            "  {} AS {}",
            c.kpi(k).0,
            ident(&an.cat.kpis[k.0 as usize].name.text)
        )
    }));
    sql.push_str(&cols.join(",\n"));
    let data_ctes: Vec<&String> = ctes
        .iter()
        .map(|(n, _)| n)
        .filter(|n| n.as_str() != "\"keys\"")
        .collect();
    if key_count > 0 && !data_ctes.is_empty() {
        sql.push_str("\nFROM \"keys\"");
        for n in &data_ctes {
            let on: Vec<String> = key_cols
                .iter()
                .map(|k| format!("{n}.{k} IS NOT DISTINCT FROM \"keys\".{k}"))
                .collect();
            let _ = write!(sql, "\n  LEFT JOIN {n} ON {}", on.join(" AND "));
        }
        let order: Vec<String> = (1..=key_count).map(|i| format!("{i} NULLS LAST")).collect();
        let _ = write!(sql, "\nORDER BY {}", order.join(", "));
    } else if !data_ctes.is_empty() {
        let _ = write!(
            sql,
            "\nFROM {}",
            data_ctes
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    sql.push_str(";\n");
    sql
}
