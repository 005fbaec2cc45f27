//! Aggregates of the plan as SQL: one call per aggregate of a source's row (its `where`
//! as the dialect's filter), `per` as a grouped subquery, and KPIs over them.

use super::dialect::Aggregate;
use super::expr::Typed;
use super::Compiler;
use crate::analysis::Ty;
use crate::ir::{AggArg, AggSpec, KLeaf, Node};
use crate::registry::{AggDef, AggSql, Returns};
use crate::value::Value;
use rust_decimal::Decimal;

/// The records one relation aggregates: a source's table (with its lookups, maybe joined
/// to the periods its windows end with), the conditions they pass, and the group keys
/// (`k0`, `k1`… in the output).
pub(super) struct Records {
    pub from: String,
    pub conds: Vec<String>,
    /// The conditions but `--from`, for `open`, which reads the records before it.
    pub history: Vec<String>,
    pub keys: Vec<String>,
}

/// Whether the aggregate's value is a number whatever its argument (else: its argument's
/// type, as for `min`, `sum`, `median`).
fn counts(f: &AggDef) -> bool {
    matches!(f.returns, Returns::Fixed(_))
}

impl Compiler<'_, '_> {
    /// One aggregate over the rows that pass `filter`, applied to `arg`.
    fn aggregate(
        &self,
        f: &AggDef,
        arg: Option<&str>,
        fraction: Option<String>,
        filter: Option<&str>,
    ) -> String {
        let d = self.dialect;
        let true_sql = d.boolean(true);
        let x = arg.unwrap_or(&true_sql);
        let over = |agg: Aggregate| d.filtered_aggregate(agg, filter);
        // The rows that pass the filter and, for `count(cond)` and `pct`, the condition.
        let passing = |cond: &str| {
            let both = filter.map(|w| format!("{w} AND {cond}"));
            d.filtered_aggregate(Aggregate::CountRows, Some(both.as_deref().unwrap_or(cond)))
        };
        match f.sql {
            AggSql::Count if arg.is_none() => d.cast_numeric(over(Aggregate::CountRows)),
            AggSql::Count => d.cast_numeric(passing(x)),
            AggSql::Sum => format!("COALESCE({}, 0)", over(Aggregate::Sum(x))),
            AggSql::Avg => over(Aggregate::Avg(x)),
            AggSql::Min => over(Aggregate::Min(x)),
            AggSql::Max => over(Aggregate::Max(x)),
            AggSql::Percentile => {
                let fraction = fraction.unwrap_or_else(|| "0.5".into());
                over(Aggregate::Percentile {
                    fraction: &fraction,
                    of: x,
                })
            }
            AggSql::CountDistinct => d.cast_numeric(over(Aggregate::CountDistinct(x))),
            // `kpi sql` refuses the KPIs that use these before writing anything.
            AggSql::None => "NULL".into(),
            AggSql::Ratio { scale } => {
                let answered = over(Aggregate::Count(x));
                // The registry writes the scale as a decimal; the dialect writes its literal.
                // Counts are cast where `/` of integers would truncate.
                let count = d.cast_numeric(passing(x));
                let count = match scale.parse::<Decimal>() {
                    Ok(n) if n == Decimal::ONE => count,
                    Ok(n) => format!("{} * {count}", d.number(n)),
                    Err(_) => format!("{scale} * {count}"),
                };
                d.divide(&count, &answered)
            }
        }
    }

    /// The SQL of one aggregate of the plan, as a value of its source's row, with its type.
    pub(super) fn agg_spec(&self, spec: &AggSpec) -> Typed {
        let s = spec.source.0 as usize;
        let filter = spec.filter.as_ref().map(|w| self.record(s, w).0);
        let fraction = spec.fraction.map(|p| p.normalize().to_string());
        match &spec.arg {
            None => (
                self.aggregate(spec.func, None, fraction, filter.as_deref()),
                Ty::Num,
            ),
            Some(AggArg::Record(e)) => {
                let (x, t) = self.record(s, e);
                (
                    self.aggregate(spec.func, Some(&x), fraction, filter.as_deref()),
                    if counts(spec.func) { Ty::Num } else { t },
                )
            }
            // Relations of their own (`timed.rs`); as a value, a subquery.
            Some(AggArg::Pair(..)) | Some(AggArg::Per(_)) => {
                let (body, t) = self.own_select(spec, &self.records_of(s, &[]), None);
                (format!("({body})"), t)
            }
        }
    }

    /// The records of source `s` a relation reads, grouped by `keys`.
    pub(super) fn records_of(&self, s: usize, keys: &[String]) -> Records {
        Records {
            from: self.table(s),
            conds: self.source_filters(s),
            history: self.filters_but_from(s),
            keys: keys.to_vec(),
        }
    }

    /// A `per` aggregate as a query: inner aggregates per entity (and group) in a grouped
    /// subquery, then the outer aggregate over the entities, per group when `records` has
    /// keys (their columns come out as `k0`, `k1`…).
    pub(super) fn per_select_over(
        &self,
        spec: &AggSpec,
        records: &Records,
        alias: Option<&str>,
    ) -> Typed {
        let Some(AggArg::Per(per)) = &spec.arg else {
            unreachable!("a per aggregate")
        };
        let s = spec.source.0 as usize;
        let (table, keys) = (&records.from, &records.keys);
        let filter = spec.filter.as_ref().map(|w| self.record(s, w).0);
        let fraction = spec.fraction.map(|p| p.normalize().to_string());
        let entity_keys: Vec<String> = per.keys.iter().map(|k| self.record(s, k).0).collect();
        let mut conds: Vec<String> = records.conds.clone();
        conds.extend(filter);
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
        (body, if counts(spec.func) { Ty::Num } else { t })
    }
}
