//! Period functions (`previous`, `year_ago`, `rolling`, `to_date`, `cumulative`, which need
//! `--grain`), `total` and `rank`: KPI-scope functions that evaluate their argument in
//! another frame — other periods' records, or every group's (periods-lookups brief §12, §15).
//! Their `eval` is never called: the KPI evaluator runs them (`eval/frames.rs`).

use super::{FrameFn, FuncDef, SqlForm};
use crate::registry::params::{Param, Returns};
use crate::types::Ty;
use crate::value::OpError;

macro_rules! frame {
    ($name:literal, $fn:ident, $min:literal, $max:literal, $params:expr, $returns:expr, $sig:expr, $doc:literal) => {
        FuncDef {
            name: $name,
            min: $min,
            max: $max,
            params: $params,
            returns: $returns,
            signature: $sig,
            doc: $doc,
            eval: |_| {
                Err(OpError::Type(
                    concat!("`", $name, "` is evaluated in frames").into(),
                ))
            },
            sql: SqlForm::Standard(|_| "NULL".into()),
            frame: Some(FrameFn::$fn),
        }
    };
}

pub const DEFS: &[FuncDef] = &[
    frame!(
        "previous",
        Previous,
        1,
        2,
        &[Param::Same, Param::Number("a number of periods")],
        Returns::First,
        &["previous(x)", "previous(x, n)"],
        "x in the period before (or n periods before)"
    ),
    frame!(
        "year_ago",
        YearAgo,
        1,
        1,
        &[Param::Same],
        Returns::First,
        &["year_ago(x)"],
        "x in the same period a year before (same date, ISO week, month or quarter)"
    ),
    frame!(
        "rolling",
        Rolling,
        2,
        2,
        &[Param::Same, Param::Number("a number of periods")],
        Returns::First,
        &["rolling(x, n)"],
        "x recomputed over the records of the n periods ending with this one"
    ),
    frame!(
        "to_date",
        ToDate,
        2,
        2,
        &[Param::Same, Param::Text],
        Returns::First,
        &["to_date(x, year)"],
        "x recomputed from the start of the enclosing week, month, quarter or year"
    ),
    frame!(
        "cumulative",
        Cumulative,
        1,
        1,
        &[Param::Same],
        Returns::First,
        &["cumulative(x)"],
        "x recomputed over the records from the start of the range"
    ),
    frame!(
        "total",
        Total,
        1,
        1,
        &[Param::Same],
        Returns::First,
        &["total(x)"],
        "x over all groups together (within the same period)"
    ),
    frame!(
        "rank",
        Rank,
        1,
        1,
        &[Param::Same],
        Returns::Fixed(Ty::Num),
        &["rank(x)"],
        "1 for the group with the highest x among the groups; ties share a rank"
    ),
];
