//! The reference model: what docs/language.md says a formula's value is, computed with
//! exact fractions (`frac::Q`) on records held in memory. It shares no code with kpi.
//!
//! kpi computes with 28-digit decimals, so a division (`1 / 3`, `avg`, `pct`) is rounded
//! there. The model keeps the exact value and, beside it, a bound on how far kpi's decimal
//! may be from it (`N::err`, zero for every value that is exact in kpi). A decision that
//! the rounding could flip (a comparison, `floor`, a distinct count, a key closer than the
//! bound) is `Skip::Fragile`: that KPI is left out of the comparison and counted, never
//! compared with a guess.

use super::ast::{Agg, Bin, Func, E};
use super::frac::Q;
use std::cmp::Ordering;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug)]
pub struct N {
    pub q: Q,
    /// How far kpi's decimal may be from `q` (0: equal).
    pub err: f64,
}

#[derive(Clone, Debug)]
pub enum V {
    Null,
    Bool(bool),
    Num(N),
    Str(String),
    Date(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// kpi's rounding could change the answer.
    Fragile,
    /// The model's fractions ran out of range.
    Range,
}

pub type R<T> = Result<T, Skip>;

pub fn num(q: Q) -> V {
    V::Num(N { q, err: 0.0 })
}

fn q<T>(r: Option<T>) -> R<T> {
    r.ok_or(Skip::Range)
}

/// The rounding of a result that kpi may not hold exactly: `q` when it is a short decimal
/// computed from exact operands, else within about one unit of the 28th digit.
fn rounded(q: Q, err: f64) -> N {
    if err == 0.0 && q.is_short_decimal(27) {
        return N { q, err: 0.0 };
    }
    N {
        q,
        err: err + q.to_f64().abs() * 1e-26 + 1e-26,
    }
}

/// One record: its typed values and the text of its cells (`None` for a blank cell).
#[derive(Clone, Debug)]
pub struct Rec {
    pub vals: Vec<V>,
    pub texts: Vec<Option<String>>,
}

/// What evaluation needs besides the records.
pub struct Ctx<'a> {
    /// Fields read as the source declares them (`fields:`), or per use.
    pub declared: bool,
    /// The values of the KPIs computed before, in the current group.
    pub kpis: &'a [R<V>],
}

pub fn truth(v: &V) -> Option<bool> {
    match v {
        V::Bool(b) => Some(*b),
        _ => None,
    }
}

fn from_truth(t: Option<bool>) -> V {
    t.map_or(V::Null, V::Bool)
}

fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Order of two values (`None` when either is null); `Fragile` when kpi's rounding could
/// change it.
pub fn compare(a: &V, b: &V) -> R<Option<Ordering>> {
    Ok(Some(match (a, b) {
        (V::Null, _) | (_, V::Null) => return Ok(None),
        (V::Num(x), V::Num(y)) => {
            let o = q(x.q.try_cmp(y.q))?;
            let slack = x.err + y.err;
            if slack > 0.0 && q(x.q.dist(y.q))? <= 2.0 * slack {
                return Err(Skip::Fragile);
            }
            o
        }
        (V::Str(x), V::Str(y)) => x.cmp(y),
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        (V::Date(x), V::Date(y)) => x.cmp(y),
        _ => panic!("model: comparing {a:?} with {b:?}"),
    }))
}

fn arith(op: Bin, a: V, b: V) -> R<V> {
    let (x, y) = match (a, b) {
        (V::Null, _) | (_, V::Null) => return Ok(V::Null),
        (V::Date(d), V::Num(n)) if op == Bin::Add || op == Bin::Sub => {
            // only `date ± Nd`: the model passes whole days as a number
            let days = n.q.floor();
            let k = q(days.text().parse::<i64>().ok())?;
            return Ok(V::Date(if op == Bin::Add { d + k } else { d - k }));
        }
        (V::Num(x), V::Num(y)) => (x, y),
        (a, b) => panic!("model: {op:?} on {a:?} and {b:?}"),
    };
    let err = x.err + y.err;
    Ok(V::Num(match op {
        Bin::Add => rounded(q(x.q.add(y.q))?, err),
        Bin::Sub => rounded(q(x.q.sub(y.q))?, err),
        Bin::Mul => {
            let (ax, ay) = (x.q.to_f64().abs(), y.q.to_f64().abs());
            rounded(q(x.q.mul(y.q))?, ax * y.err + ay * x.err + x.err * y.err)
        }
        Bin::Div => {
            if y.q.is_zero() && y.err == 0.0 {
                return Ok(V::Null);
            }
            let ay = y.q.to_f64().abs();
            if y.err > 0.0 && ay <= 2.0 * y.err {
                return Err(Skip::Fragile);
            }
            let ax = x.q.to_f64().abs();
            let e = (ax * y.err + ay * x.err) / (ay * (ay - y.err));
            let r = q(x.q.div(y.q))?;
            N {
                q: r,
                err: e + r.to_f64().abs() * 1e-26 + 1e-26,
            }
        }
        _ => unreachable!(),
    }))
}

/// `floor`, `ceil` and `round` of an inexact value: `Fragile` near the boundary.
fn rounding_fn(f: Func, x: N, places: u32) -> R<V> {
    let r = match f {
        Func::Floor => x.q.floor(),
        Func::Ceil => x.q.ceil(),
        _ => q(x.q.round(places))?,
    };
    if x.err > 0.0 {
        let scale = 10f64.powi(places as i32);
        let v = x.q.to_f64() * scale;
        let e = x.err * scale * 4.0 + 1e-9;
        let boundary = match f {
            Func::Floor | Func::Ceil => (v - v.round()).abs(),
            _ => (v.abs() - v.abs().floor() - 0.5).abs(),
        };
        if boundary <= e {
            return Err(Skip::Fragile);
        }
    }
    Ok(V::Num(N { q: r, err: 0.0 }))
}

/// Weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7) + 1
}

/// Day of the month of a day number.
fn day_of_month(days: i64) -> i64 {
    super::ast::date_text(days)[8..].parse().unwrap_or(0)
}

/// Evaluates `e`; `leaf` gives the value of a field, an aggregate or a KPI.
pub fn eval(e: &E, leaf: &dyn Fn(&E) -> R<V>) -> R<V> {
    Ok(match e {
        E::Field(_) | E::Agg(..) | E::Kpi(_) => leaf(e)?,
        E::Num(n) => num(*n),
        E::Days(n) => num(Q::int(*n)),
        E::Bool(b) => V::Bool(*b),
        E::Str(s) => V::Str(s.clone()),
        E::Date(d) => V::Date(*d),
        E::Null => V::Null,
        E::Neg(x) => match eval(x, leaf)? {
            V::Num(n) => V::Num(N {
                q: n.q.neg(),
                err: n.err,
            }),
            _ => V::Null,
        },
        E::Not(x) => from_truth(truth(&eval(x, leaf)?).map(|b| !b)),
        E::Bin(Bin::And, a, b) => {
            let x = truth(&eval(a, leaf)?);
            if x == Some(false) {
                return Ok(V::Bool(false));
            }
            from_truth(and(x, truth(&eval(b, leaf)?)))
        }
        E::Bin(Bin::Or, a, b) => {
            let x = truth(&eval(a, leaf)?);
            if x == Some(true) {
                return Ok(V::Bool(true));
            }
            from_truth(or(x, truth(&eval(b, leaf)?)))
        }
        E::Bin(op, a, b) if op.is_comparison() => {
            let o = compare(&eval(a, leaf)?, &eval(b, leaf)?)?;
            from_truth(o.map(|o| match op {
                Bin::Eq => o == Ordering::Equal,
                Bin::Ne => o != Ordering::Equal,
                Bin::Lt => o == Ordering::Less,
                Bin::Le => o != Ordering::Greater,
                Bin::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }))
        }
        E::Bin(op, a, b) => arith(*op, eval(a, leaf)?, eval(b, leaf)?)?,
        E::IsNull(x, negated) => V::Bool(matches!(eval(x, leaf)?, V::Null) != *negated),
        E::In(x, items, negated) => {
            let v = eval(x, leaf)?;
            if matches!(v, V::Null) {
                return Ok(V::Null);
            }
            let mut saw_null = false;
            for item in items {
                match compare(&v, &eval(item, leaf)?)? {
                    Some(Ordering::Equal) => return Ok(V::Bool(!*negated)),
                    None => saw_null = true,
                    _ => {}
                }
            }
            if saw_null {
                V::Null
            } else {
                V::Bool(*negated)
            }
        }
        E::Between(x, lo, hi) => {
            let v = eval(x, leaf)?;
            let ge = compare(&v, &eval(lo, leaf)?)?.map(|o| o != Ordering::Less);
            let le = compare(&v, &eval(hi, leaf)?)?.map(|o| o != Ordering::Greater);
            from_truth(and(ge, le))
        }
        E::Call(f, args) => call(*f, args, leaf)?,
    })
}

fn call(f: Func, args: &[E], leaf: &dyn Fn(&E) -> R<V>) -> R<V> {
    let arg = |i: usize| eval(&args[i], leaf);
    Ok(match f {
        Func::If => {
            if truth(&arg(0)?) == Some(true) {
                arg(1)?
            } else {
                arg(2)?
            }
        }
        Func::Coalesce => {
            for i in 0..args.len() {
                let v = arg(i)?;
                if !matches!(v, V::Null) {
                    return Ok(v);
                }
            }
            V::Null
        }
        Func::Least | Func::Greatest => {
            let want = if f == Func::Least {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            let mut best: Option<V> = None;
            for i in 0..args.len() {
                let v = arg(i)?;
                if matches!(v, V::Null) {
                    continue;
                }
                let better = match &best {
                    None => true,
                    Some(b) => compare(&v, b)? == Some(want),
                };
                if better {
                    best = Some(v);
                }
            }
            best.unwrap_or(V::Null)
        }
        Func::Abs | Func::Floor | Func::Ceil | Func::Round => {
            let x = match arg(0)? {
                V::Num(n) => n,
                _ => return Ok(V::Null),
            };
            let places = if args.len() > 1 {
                match arg(1)? {
                    V::Num(p) => q(p.q.text().parse::<u32>().ok())?,
                    _ => return Ok(V::Null),
                }
            } else {
                0
            };
            if f == Func::Abs {
                V::Num(N {
                    q: x.q.abs(),
                    err: x.err,
                })
            } else {
                rounding_fn(f, x, places)?
            }
        }
        Func::Lower | Func::Upper | Func::Trim | Func::Len => match arg(0)? {
            V::Str(s) => match f {
                Func::Lower => V::Str(s.to_lowercase()),
                Func::Upper => V::Str(s.to_uppercase()),
                Func::Trim => V::Str(s.trim().to_string()),
                _ => num(Q::int(s.chars().count() as i64)),
            },
            _ => V::Null,
        },
        Func::Contains | Func::StartsWith | Func::EndsWith => match (arg(0)?, arg(1)?) {
            (V::Str(s), V::Str(p)) => V::Bool(match f {
                Func::Contains => s.contains(&p),
                Func::StartsWith => s.starts_with(&p),
                _ => s.ends_with(&p),
            }),
            _ => V::Null,
        },
        Func::Day | Func::Weekday => match arg(0)? {
            V::Date(d) => num(Q::int(if f == Func::Day {
                day_of_month(d)
            } else {
                weekday(d)
            })),
            _ => V::Null,
        },
    })
}

/// A record-scope expression on one record. In a source without `fields:`, a bare field
/// used as a `per` or `--by` key is read as its text (`as_key`).
pub fn eval_record(e: &E, rec: &Rec, declared: bool, as_key: bool) -> R<V> {
    if let (E::Field(i), true, false) = (e, as_key, declared) {
        return Ok(rec.texts[*i].clone().map_or(V::Null, V::Str));
    }
    eval(e, &|leaf| match leaf {
        E::Field(i) => Ok(rec.vals[*i].clone()),
        other => panic!("model: {other:?} in record scope"),
    })
}

/// A KPI-scope expression over some records.
pub fn eval_kpi(e: &E, recs: &[&Rec], ctx: &Ctx) -> R<V> {
    eval(e, &|leaf| match leaf {
        E::Kpi(i) => ctx.kpis[*i].clone(),
        E::Agg(a, arg, per, filter) => {
            aggregate(*a, arg.as_deref(), per, filter.as_deref(), recs, ctx)
        }
        other => panic!("model: {other:?} in KPI scope"),
    })
}

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
    }))
}

fn aggregate(
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
        Agg::Median => {
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
            let m = ns.len() / 2;
            if ns.len() % 2 == 1 {
                V::Num(ns[m])
            } else {
                let two = arith(Bin::Add, V::Num(ns[m - 1]), V::Num(ns[m]))?;
                arith(Bin::Div, two, num(Q::int(2)))?
            }
        }
        Agg::Min | Agg::Max => {
            let want = if a == Agg::Min {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            let mut best: Option<V> = None;
            for v in vals {
                let better = match &best {
                    None => true,
                    Some(b) => compare(&v, b)? == Some(want),
                };
                if better {
                    best = Some(v);
                }
            }
            best.unwrap_or(V::Null)
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
