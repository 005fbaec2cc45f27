//! `open(start, end)`: the records opened before the end of the period and not closed by
//! then — `start < B <= end`, B the period's exclusive upper bound (or `--to` when it comes
//! first), a null `end` meaning still open (periods-lookups brief §13). With `--grain`, a
//! record adds 1 at its start's period and takes 1 away at its end's, and each period's value
//! is the sum of every period up to it (the backlog); without, the records open at `--to`
//! (or still open at the end of the data). It reads records before `--from` too.

use super::{Acc, AggDef, AggSql, Reads};
use crate::registry::{Param, Returns};
use crate::types::Ty;
use crate::value::Value;
use rust_decimal::Decimal;

pub const DEF: AggDef = AggDef {
    name: "open",
    min: 2,
    max: 2,
    per_alone: false,
    arg: Param::Time,
    returns: Returns::Fixed(Ty::Num),
    fraction: false,
    reads: Reads::Span,
    signature: &["open(start, end)"],
    doc: "the records open at the end of the period: started before it ends, not ended by then",
    new: || Acc::Net(0),
    value: |acc, _| match acc {
        Acc::Net(n) => Ok(Value::Num(Decimal::from(*n))),
        _ => unreachable!("open runs on a net count"),
    },
    sql: AggSql::None,
};
