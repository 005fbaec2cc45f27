//! What the SQL builder cannot write yet. Period functions, `total`, `rank`, `first`,
//! `last` and `open` are all written (`frames.rs`, `timed.rs`); what is left is a guard: an
//! aggregate of the registry with no SQL (`AggSql::None`) that is not written as a relation
//! of its own. `kpi sql` and `kpi eval --db` leave such KPIs out with a warning in a
//! whole-catalogue run, and refuse them when asked for by name, rather than write a query
//! that gives another number.

use crate::analysis::Ir;
use crate::diag::{Code, Diag};
use crate::ir::{AggArg, KLeaf, KpiId};
use crate::plan::Request;
use crate::registry::{AggSql, Reads};

/// Leave out of `req` the KPIs the SQL cannot compute (a warning in `warnings`); `Err` when
/// one was asked for by name, none is left, or the grouping itself cannot be written.
pub fn leave_out_unwritable(
    an: &Ir,
    req: &mut Request,
    warnings: &mut Vec<Diag>,
) -> Result<(), Diag> {
    if let Some(d) = unwritable_request(an, req) {
        return Err(d);
    }
    for (what, code, test) in [(
        "aggregates without SQL",
        Code::Grain,
        without_sql as fn(&Ir, KpiId) -> bool,
    )] {
        let (left_out, kept): (Vec<KpiId>, Vec<KpiId>) = req
            .kpis
            .iter()
            .partition(|&&k| an.closure(&[k]).into_iter().any(|d| test(an, d)));
        if left_out.is_empty() {
            continue;
        }
        let names: Vec<&str> = left_out
            .iter()
            .map(|k| an.cat.kpis[k.0 as usize].name.text.as_str())
            .collect();
        if req.named || kept.is_empty() {
            return Err(Diag::error(
                code,
                format!("kpi sql cannot write {what} yet: {}", names.join(", ")),
            )
            .help("evaluate these KPIs with `kpi eval`, or leave them out with --kpi"));
        }
        warnings.push(
            Diag::warning(
                code,
                format!(
                    "left out, because kpi sql cannot write {what} yet: {}",
                    names.join(", ")
                ),
            )
            .help("evaluate these KPIs with `kpi eval`"),
        );
        req.kpis = kept;
    }
    Ok(())
}

/// A grouping or filter the SQL cannot write, whatever the KPIs.
fn unwritable_request(_an: &Ir, _req: &Request) -> Option<Diag> {
    None
}

/// It uses an aggregate that has no SQL and is not a relation of its own (`timed.rs`:
/// `first`, `last`, `open` read the time or two bounds; `per` is in `aggregate.rs`).
fn without_sql(an: &Ir, k: KpiId) -> bool {
    let mut uses = false;
    an.kpi_leaves(&an.kpis[k.0 as usize].expr, &mut |l| {
        if let KLeaf::Agg(a) = l {
            let spec = &an.aggs[a.0 as usize];
            uses |= spec.func.sql == AggSql::None
                && spec.func.reads == Reads::Value
                && !matches!(spec.arg, Some(AggArg::Per(_)));
        }
    });
    uses
}
