//! The reference model's aggregates: filtered by `where`, grouped by `per` (an inner
//! KPI-scope value per entity), then folded as docs/language.md says, nulls skipped.

use super::ast::{Agg, Bin, E};
use super::frac::Q;
use super::model::{
    arith, best_of, compare, eval_kpi, eval_record, num, q, rounded, truth, Ctx, Rec, Skip, N, R, V,
};
use std::cmp::Ordering;
use std::collections::HashMap;

/// A value as a key for grouping and distinct counts: `Fragile` for inexact numbers, whose
/// equality kpi's rounding could change.
pub fn key(v: &V) -> R<Option<String>> {
    Ok(Some(match v {
        V::Null => return Ok(None),
        V::Bool(b) => format!("b:{b}"),
        V::Num(n) if n.err > 0.0 => return Err(Skip::Fragile),
        V::Num(n) => format!("n:{}", n.q.text()),
        V::Str(s) => format!("s:{s}"),
        V::Date(d) => format!("d:{d}"),
        V::Time(t) => format!("t:{t}"),
        V::Dur(s) => format!("u:{s}"),
    }))
}

pub fn aggregate(
    a: Agg,
    arg: Option<&E>,
    per: &[E],
    filter: Option<&E>,
    recs: &[&Rec],
    ctx: &Ctx,
) -> R<V> {
    let mut kept = Vec::new();
    for r in recs {
        if let Some(c) = filter {
            if truth(&eval_record(c, r, ctx.declared, false)?) != Some(true) {
                continue;
            }
        }
        kept.push(*r);
    }
    let values: Vec<V> = if per.is_empty() {
        match arg {
            None => vec![V::Null; kept.len()],
            Some(x) => kept
                .iter()
                .map(|r| eval_record(x, r, ctx.declared, false))
                .collect::<R<_>>()?,
        }
    } else {
        let mut order: Vec<String> = Vec::new();
        let mut groups: HashMap<String, Vec<&Rec>> = HashMap::new();
        'records: for r in &kept {
            let mut k = String::new();
            for p in per {
                match key(&eval_record(p, r, ctx.declared, true)?)? {
                    None => continue 'records,
                    Some(s) => {
                        k.push_str(&s);
                        k.push('\u{1}');
                    }
                }
            }
            let g = groups.entry(k.clone()).or_default();
            if g.is_empty() {
                order.push(k);
            }
            g.push(r);
        }
        let inner = Ctx {
            declared: ctx.declared,
            kpis: &[],
        };
        match arg {
            None => vec![V::Null; order.len()],
            Some(x) => order
                .iter()
                .map(|k| eval_kpi(x, &groups[k], &inner))
                .collect::<R<_>>()?,
        }
    };
    fold(a, arg.is_some(), values)
}

/// An aggregate over the values of its records (or of its entities, with `per`).
fn fold(a: Agg, has_arg: bool, values: Vec<V>) -> R<V> {
    let n_items = values.len();
    let vals: Vec<V> = values
        .into_iter()
        .filter(|v| !matches!(v, V::Null))
        .collect();
    let nums = || -> Vec<N> {
        vals.iter()
            .map(|v| match v {
                V::Num(n) => *n,
                v => panic!("model: a number aggregate over {v:?}"),
            })
            .collect()
    };
    let sum = |ns: &[N]| -> R<N> {
        let mut total = Q::ZERO;
        let mut err = 0.0;
        for n in ns {
            total = q(total.add(n.q))?;
            err += n.err;
        }
        Ok(rounded(total, err))
    };
    Ok(match a {
        Agg::Count => {
            if !has_arg {
                // count() or count(per k): every record or entity
                num(Q::int(n_items as i64))
            } else {
                num(Q::int(
                    vals.iter().filter(|v| truth(v) == Some(true)).count() as i64,
                ))
            }
        }
        Agg::Sum => V::Num(sum(&nums())?),
        Agg::Avg => {
            let ns = nums();
            if ns.is_empty() {
                return Ok(V::Null);
            }
            let s = sum(&ns)?;
            arith(Bin::Div, V::Num(s), num(Q::int(ns.len() as i64)))?
        }
        Agg::Median | Agg::Percentile(_) => {
            let mut ns = nums();
            if ns.is_empty() {
                return Ok(V::Null);
            }
            for (i, x) in ns.iter().enumerate() {
                for y in &ns[i + 1..] {
                    q(x.q.try_cmp(y.q))?;
                }
            }
            ns.sort_by(|x, y| x.q.try_cmp(y.q).unwrap_or(Ordering::Equal));
            for w in ns.windows(2) {
                // neighbours that kpi's rounding could swap
                compare(&V::Num(w[0]), &V::Num(w[1]))?;
            }
            // rank p × (n - 1), linear between the closest ranks
            let p = match a {
                Agg::Percentile(p) => p,
                _ => q(Q::new(1, 2))?,
            };
            let rank = q(p.mul(Q::int(ns.len() as i64 - 1)))?;
            let lo = rank.floor();
            let frac = q(rank.sub(lo))?;
            let i = q(lo.text().parse::<usize>().ok())?;
            if frac.is_zero() {
                V::Num(ns[i])
            } else {
                let (x, y) = (ns[i], ns[i + 1]);
                let v = q(y
                    .q
                    .sub(x.q)
                    .and_then(|s| s.mul(frac))
                    .and_then(|s| s.add(x.q)))?;
                V::Num(rounded(v, x.err + y.err))
            }
        }
        Agg::Min | Agg::Max => {
            let want = if a == Agg::Min {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            best_of(vals, want)?
        }
        Agg::Pct | Agg::Share => {
            let t = vals.iter().filter(|v| truth(v) == Some(true)).count();
            if vals.is_empty() {
                return Ok(V::Null);
            }
            let hundred = if a == Agg::Pct { 100 } else { 1 };
            let r = q(Q::new(t as i128 * hundred, vals.len() as i128))?;
            V::Num(rounded(r, 0.0))
        }
        Agg::Distinct => {
            let mut seen: Vec<String> = Vec::new();
            let mut inexact: Vec<N> = Vec::new();
            for v in &vals {
                match v {
                    V::Num(n) if n.err > 0.0 => inexact.push(*n),
                    v => {
                        let k = key(v)?.unwrap_or_default();
                        if !seen.contains(&k) {
                            seen.push(k);
                        }
                    }
                }
            }
            if !inexact.is_empty() {
                // inexact numbers count only when no rounding could make two of them equal
                let all: Vec<N> = vals
                    .iter()
                    .filter_map(|v| match v {
                        V::Num(n) => Some(*n),
                        _ => None,
                    })
                    .collect();
                for (i, x) in all.iter().enumerate() {
                    for y in &all[i + 1..] {
                        if x.err + y.err > 0.0 {
                            compare(&V::Num(*x), &V::Num(*y))?;
                        }
                    }
                }
                let mut exact: Vec<Q> = Vec::new();
                for n in all {
                    if !exact.contains(&n.q) {
                        exact.push(n.q);
                    }
                }
                return Ok(num(Q::int(exact.len() as i64)));
            }
            num(Q::int(seen.len() as i64))
        }
    })
}
