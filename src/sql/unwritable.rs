//! What the SQL builder cannot write yet: period functions, `total`, `rank`, `first`,
//! `last`, `open`, lookup fields, and `--compare` with `--from` (eval reads the periods
//! before `--from` for the comparison). `kpi sql` and `kpi eval --db` leave such KPIs out
//! with a warning in a whole-catalogue run, and refuse them when asked for by name, rather
//! than write a query that gives another number.

use crate::analysis::{walk_names, Ir};
use crate::diag::{Code, Diag};
use crate::ir::{AggArg, AggSpec, Col, KLeaf, KpiId};
use crate::plan::Request;

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
    for (what, code, test) in [
        (
            "period functions, `total`, `rank`, `first`, `last` or `open`",
            Code::Grain,
            framed as fn(&Ir, KpiId) -> bool,
        ),
        ("lookup fields (`agents.team`)", Code::Lookup, looks_up),
    ] {
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
fn unwritable_request(an: &Ir, req: &Request) -> Option<Diag> {
    let mut lookup = None;
    let exprs = req.by.iter().map(|(_, e)| e).chain(req.filter.iter());
    for e in exprs {
        walk_names(e, &mut |n| {
            if let Some((table, _)) = n.text.split_once('.') {
                let is_lookup = an
                    .cat
                    .sources
                    .iter()
                    .any(|s| s.lookups.iter().any(|(t, _)| t.text == table));
                if is_lookup && lookup.is_none() {
                    lookup = Some(n.text.clone());
                }
            }
        });
    }
    if let Some(name) = lookup {
        return Some(
            Diag::error(
                Code::Lookup,
                format!("kpi sql cannot write lookup fields yet: `{name}` in --by or --where"),
            )
            .help("evaluate with `kpi eval`, which reads the lookup table"),
        );
    }
    if req.compare.is_some() && req.from.is_some() {
        return Some(
            Diag::error(
                Code::Grain,
                "kpi sql cannot write --compare with --from yet: the comparison reads the periods before --from",
            )
            .help("evaluate with `kpi eval`, or leave out --from and keep the periods you need"),
        );
    }
    None
}

/// It uses a period function, `total`, `rank`, or an aggregate without SQL.
fn framed(an: &Ir, k: KpiId) -> bool {
    let mut uses = false;
    an.kpi_leaves(&an.kpis[k.0 as usize].expr, &mut |l| {
        uses |= match l {
            KLeaf::Frame(_) => true,
            KLeaf::Agg(a) => an.aggs[a.0 as usize].func.sql == crate::registry::AggSql::None,
            _ => false,
        }
    });
    uses
}

/// One of its aggregates reads a lookup field.
fn looks_up(an: &Ir, k: KpiId) -> bool {
    an.aggregates_of(&[k]).iter().any(|a| {
        let agg = &an.aggs[a.0 as usize];
        let columns = &an.sources[agg.source.0 as usize].columns;
        let mut found = false;
        agg_columns(agg, &mut |c| {
            found |= columns[c.0 as usize].lookup.is_some()
        });
        found
    })
}

/// Every column an aggregate reads (its argument, its filter, `per` keys and inner
/// aggregates).
fn agg_columns(a: &AggSpec, f: &mut impl FnMut(&Col)) {
    if let Some(w) = &a.filter {
        w.leaves(f);
    }
    match &a.arg {
        Some(AggArg::Record(e)) => e.leaves(f),
        Some(AggArg::Pair(x, y)) => {
            x.leaves(f);
            y.leaves(f);
        }
        Some(AggArg::Per(p)) => {
            p.keys.iter().for_each(|k| k.leaves(f));
            p.inner_aggs.iter().for_each(|i| agg_columns(i, f));
        }
        None => {}
    }
}
