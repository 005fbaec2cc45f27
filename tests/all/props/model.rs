//! The reference model: what docs/language.md says a formula's value is, computed with
//! exact fractions (`frac::Q`) on records held in memory. It shares no code with kpi.
//!
//! kpi computes with 28-digit decimals, so a division (`1 / 3`, `avg`, `pct`) is rounded
//! there. The model keeps the exact value and, beside it, a bound on how far kpi's decimal
//! may be from it (`N::err`, zero for every value that is exact in kpi). A decision that
//! the rounding could flip (a comparison, `floor`, a distinct count, a key closer than the
//! bound) is `Skip::Fragile`: that KPI is left out of the comparison and counted, never
//! compared with a guess.

use super::ast::{Bin, Func, E, MICROS_PER_DAY};
use super::frac::Q;
use std::cmp::Ordering;

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
    /// Microseconds.
    Time(i64),
    /// Seconds: only a duration literal, added to a date or a datetime.
    Dur(i64),
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

pub(super) fn q<T>(r: Option<T>) -> R<T> {
    r.ok_or(Skip::Range)
}

/// The rounding of a result that kpi may not hold exactly: `q` when it is a short decimal
/// computed from exact operands, else within about one unit of the 28th digit.
pub(super) fn rounded(q: Q, err: f64) -> N {
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
/// The smallest (`want`: `Less`) or largest of `vals`, the first among equals; null when
/// there is none (`min`/`max`, `least`/`greatest`).
pub fn best_of(vals: impl IntoIterator<Item = V>, want: Ordering) -> R<V> {
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
    Ok(best.unwrap_or(V::Null))
}

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
        (V::Date(x), V::Date(y)) | (V::Time(x), V::Time(y)) => x.cmp(y),
        // a date is its midnight
        (V::Date(x), V::Time(y)) => (x * MICROS_PER_DAY).cmp(y),
        (V::Time(x), V::Date(y)) => x.cmp(&(y * MICROS_PER_DAY)),
        _ => panic!("model: comparing {a:?} with {b:?}"),
    }))
}

pub(super) fn arith(op: Bin, a: V, b: V) -> R<V> {
    let (x, y) = match (a, b) {
        (V::Null, _) | (_, V::Null) => return Ok(V::Null),
        (V::Date(d), V::Dur(secs)) => {
            // only whole days: a date stays a date
            let k = secs / 86_400;
            return Ok(V::Date(if op == Bin::Add { d + k } else { d - k }));
        }
        (V::Time(t), V::Dur(secs)) => {
            let k = secs * 1_000_000;
            return Ok(V::Time(if op == Bin::Add { t + k } else { t - k }));
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
        E::Time(t) => V::Time(*t),
        E::Dur(secs) => V::Dur(*secs),
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
            let mut vals = Vec::with_capacity(args.len());
            for i in 0..args.len() {
                match arg(i)? {
                    V::Null => {}
                    v => vals.push(v),
                }
            }
            best_of(vals, want)?
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
        Func::Day | Func::Weekday | Func::Hour | Func::DateOf => {
            let (d, us) = match arg(0)? {
                V::Date(d) => (d, 0),
                V::Time(t) => (t.div_euclid(MICROS_PER_DAY), t.rem_euclid(MICROS_PER_DAY)),
                _ => return Ok(V::Null),
            };
            match f {
                Func::Day => num(Q::int(day_of_month(d))),
                Func::Weekday => num(Q::int(weekday(d))),
                Func::Hour => num(Q::int(us / 3_600_000_000)),
                _ => V::Date(d),
            }
        }
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
            super::aggregate::aggregate(*a, arg.as_deref(), per, filter.as_deref(), recs, ctx)
        }
        other => panic!("model: {other:?} in KPI scope"),
    })
}
