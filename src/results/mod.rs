//! Results of an evaluation: one row per KPI and group, what each source read, and the
//! warnings and errors met on the way. Evaluation produces them; the output formats, the
//! catalogue tests and the reports read them.

use crate::diag::{Diag, Scalar};
use crate::ir::KpiId;
use crate::op::BinOp;
use crate::time;
use crate::value::{self, Value};
use std::cmp::Ordering;

/// Everything one evaluation gives.
#[derive(Default)]
pub struct Results {
    /// The group key names: the grain first, then each `--by` as written.
    pub key_names: Vec<String>,
    pub rows: Vec<ResultRow>,
    pub sources: Vec<SourceReport>,
    /// Warnings and errors found while evaluating (data errors included).
    pub diags: Vec<Diag>,
    /// `--grain`, when the first key is the period.
    pub grain: Option<crate::time::Grain>,
    /// `--ci`'s confidence level, in percent: rows of KPIs with an interval carry bounds.
    pub ci: Option<rust_decimal::Decimal>,
}

#[derive(Clone, Debug)]
pub struct ResultRow {
    pub kpi: KpiId,
    /// One value per key name; empty for an ungrouped result.
    pub key: Vec<Value<'static>>,
    /// The overall row of a grouped run.
    pub total: bool,
    pub value: Value<'static>,
    pub previous: Option<Value<'static>>,
    /// With `--ci`, the interval's low and high bounds (KPIs that have one).
    pub bounds: Option<(Value<'static>, Value<'static>)>,
    /// The records the result is computed from, when asked (`--ci`, `min_sample`).
    pub sample: Option<u64>,
}

impl ResultRow {
    /// Computed from fewer records than the KPI's `min_sample`.
    pub fn low_sample(&self, min_sample: Option<u64>) -> bool {
        matches!((self.sample, min_sample), (Some(n), Some(m)) if n < m)
    }
}

/// What one source read.
#[derive(Clone, Debug)]
pub struct SourceReport {
    pub name: String,
    pub file: String,
    pub records: u64,
    pub rejected: u64,
}

/// The change from the previous value: a difference (in points for percentages).
pub fn change(v: &Value, prev: &Value) -> Value<'static> {
    value::binary(BinOp::Sub, v.clone(), prev.clone())
        .map(Value::into_owned)
        .unwrap_or(Value::Null)
}

/// Values highest first, nulls last (and equal to each other): `rank`, `--top`.
pub fn descending(a: &Value, b: &Value) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => value::compare(b, a)
            .ok()
            .flatten()
            .unwrap_or(Ordering::Equal),
    }
}

/// Group keys in order: each key ascending, nulls last.
pub fn compare_keys(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => value::compare(x, y)
                .ok()
                .flatten()
                .unwrap_or_else(|| x.type_name().cmp(y.type_name())),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// A value as plain text: exact digits, ISO dates, nothing for null.
pub fn plain_value(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Num(d) | Value::Dur(d) => d.normalize().to_string(),
        Value::Str(s) => s.to_string(),
        Value::Date(d) => time::format_date(*d),
        Value::DateTime(t) => time::format_datetime(*t),
    }
}

/// A group key's value as a diagnostic's context carries it.
pub fn scalar(v: &Value) -> Scalar {
    match v {
        Value::Null => Scalar::Null,
        Value::Bool(b) => Scalar::Bool(*b),
        Value::Num(d) | Value::Dur(d) => Scalar::Number(d.normalize().to_string()),
        _ => Scalar::Text(plain_value(v)),
    }
}
