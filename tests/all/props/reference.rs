//! Property 1: `kpi eval` agrees with the reference model on random catalogues and records.
//! A disagreement is shrunk (records taken away while it stays) and reported with the
//! catalogue, the data and both values.

use super::ast::{date_text, datetime_text};
use super::frac::Q;
use super::gen::{Case, Gen};
use super::model::{eval_kpi, eval_record, truth, Ctx, Skip, R, V};
use super::rng::case_seed;
use super::{case_dir, cases, rerun, run_kpi};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// Cases in the quick budget (`cargo test`).
const QUICK: u64 = 120;

#[derive(Default)]
struct Tally {
    cases: u64,
    values: u64,
    fragile: u64,
    out_of_range: u64,
}

#[test]
fn kpi_agrees_with_the_reference_model() {
    let mut tally = Tally::default();
    for i in cases(QUICK) {
        let seed = case_seed("reference", i);
        let case = Gen::new(seed).case();
        let dir = case_dir("reference", i);
        match check(&case, seed, &dir) {
            Ok(t) => {
                tally.values += t.values;
                tally.fragile += t.fragile;
                tally.out_of_range += t.out_of_range;
                if std::env::var_os("KPI_PROPTEST_KEEP").is_none() {
                    let _ = std::fs::remove_dir_all(&dir);
                }
            }
            Err(first) => {
                let (case, why) = shrink(case, seed, &dir, first);
                let formulas = case.formulas(seed);
                let mut listing = String::new();
                for (k, f) in case.kpis.iter().zip(&formulas) {
                    listing.push_str(&format!("  {} = {f}\n", k.name));
                }
                panic!(
                    "reference case {i}: {why}\nKPIs:\n{listing}data ({}):\n{}\nfiles: {}\nrerun: {}",
                    if case.declared { "declared fields" } else { "no fields:" },
                    case.data(),
                    dir.display(),
                    rerun("reference", "kpi_agrees_with_the_reference_model", i)
                );
            }
        }
        tally.cases += 1;
    }
    println!(
        "props::reference: {} cases, {} values equal to the model's; {} left out as fragile \
         (kpi's 28-digit rounding could decide them), {} beyond the model's range",
        tally.cases, tally.values, tally.fragile, tally.out_of_range
    );
}

/// Case 62918 of the long run: `--by nom --where 'n / 1 == abs(n)'`, a filter the model
/// cannot decide (a quotient is inexact for it). The case is left out; the model used to
/// expect a row without a group, and the property failed where kpi was right.
#[test]
fn a_filter_the_model_cannot_decide_leaves_a_grouped_case_out() {
    let seed = case_seed("reference", 62918);
    let case = Gen::new(seed).case();
    assert!(case.by.is_some() && case.filter.is_some());
    let dir = case_dir("reference-undecided", 62918);
    let tally = check(&case, seed, &dir).unwrap_or_else(|why| panic!("{why}"));
    assert_eq!(tally.values, 0);
    assert_eq!(tally.fragile, case.kpis.len() as u64);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Takes records away, one at a time, while the case still disagrees.
fn shrink(mut case: Case, seed: u64, dir: &Path, mut why: String) -> (Case, String) {
    let mut i = 0;
    while i < case.recs.len() {
        let rec = case.recs.remove(i);
        match check(&case, seed, dir) {
            Err(w) => why = w,
            Ok(_) => {
                case.recs.insert(i, rec);
                i += 1;
            }
        }
    }
    // Leave the files of the smallest case behind.
    let _ = check(&case, seed, dir);
    (case, why)
}

/// A group key as text, the same from the model and from kpi's JSON.
fn key_of_value(v: &V) -> String {
    match v {
        V::Null => "null".into(),
        V::Bool(b) => format!("b:{b}"),
        V::Num(n) => format!("n:{}", n.q.text()),
        V::Str(s) => format!("s:{s}"),
        V::Date(d) => format!("s:{}", date_text(*d)),
        V::Time(t) => format!("s:{}", datetime_text(*t)),
        V::Dur(_) => unreachable!("no KPI is a duration"),
    }
}

fn key_of_json(j: &Json) -> String {
    match j {
        Json::Null => "null".into(),
        Json::Bool(b) => format!("b:{b}"),
        Json::Number(n) => format!(
            "n:{}",
            Q::parse(&n.to_string()).map_or_else(|| n.to_string(), Q::text)
        ),
        Json::String(s) => format!("s:{s}"),
        other => format!("?{other}"),
    }
}

/// The model's values of one group: its key and a value per KPI.
type Group = (String, Vec<R<V>>);

/// The model's values, per group; `Err` when the model cannot decide the `--where` filter on
/// a record, so the whole case is left out.
fn model(case: &Case) -> Result<Vec<Group>, Skip> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<&super::model::Rec>> = HashMap::new();
    let mut kept = Vec::new();
    for r in &case.recs {
        if let Some(f) = &case.filter {
            match eval_record(f, r, case.declared, false) {
                Ok(v) if truth(&v) == Some(true) => {}
                Ok(_) => continue,
                // the whole case hangs on this record: no KPI can be compared
                Err(e) => return Err(e),
            }
        }
        kept.push(r);
    }
    for r in kept.iter().copied() {
        let k = match case.by {
            None => "{}".to_string(),
            Some(i) => match eval_record(&super::ast::E::Field(i), r, case.declared, true) {
                Ok(v) => key_of_value(&v),
                Err(_) => unreachable!("a field is exact"),
            },
        };
        let g = groups.entry(k.clone()).or_default();
        if g.is_empty() {
            order.push(k);
        }
        g.push(r);
    }
    if case.by.is_none() && order.is_empty() {
        order.push("{}".into());
    }
    // A grouped run in which no KPI reads the source has no group at all (kpi reads no
    // file), so a KPI of constants, shown in every group, has no row.
    if case.by.is_some() && !case.kpis.iter().any(|k| has_aggregate(&k.e)) {
        order.clear();
    }
    if case.total {
        order.push("{total}".into());
        groups.insert("{total}".into(), kept);
    }
    Ok(order
        .into_iter()
        .map(|k| {
            let recs = groups.remove(&k).unwrap_or_default();
            let mut values: Vec<R<V>> = Vec::new();
            for kpi in &case.kpis {
                let v = eval_kpi(
                    &kpi.e,
                    &recs,
                    &Ctx {
                        declared: case.declared,
                        kpis: &values,
                    },
                );
                values.push(v);
            }
            (k, values)
        })
        .collect())
}

fn has_aggregate(e: &super::ast::E) -> bool {
    use super::ast::E;
    match e {
        E::Agg(..) => true,
        E::Neg(x) | E::Not(x) | E::IsNull(x, _) => has_aggregate(x),
        E::Bin(_, a, b) => has_aggregate(a) || has_aggregate(b),
        E::Between(a, b, c) => has_aggregate(a) || has_aggregate(b) || has_aggregate(c),
        E::In(x, items, _) => has_aggregate(x) || items.iter().any(has_aggregate),
        E::Call(_, args) => args.iter().any(has_aggregate),
        _ => false,
    }
}

/// Whether kpi's JSON value is the model's (within the model's rounding bound).
fn same(model: &V, got: &Json) -> bool {
    match (model, got) {
        (V::Null, Json::Null) => true,
        (V::Bool(a), Json::Bool(b)) => a == b,
        (V::Str(a), Json::String(b)) => a == b,
        (V::Date(a), Json::String(b)) => date_text(*a) == *b,
        (V::Time(a), Json::String(b)) => datetime_text(*a) == *b,
        (V::Num(n), Json::Number(j)) => {
            let Some(g) = Q::parse(&j.to_string()) else {
                return false;
            };
            if n.err == 0.0 {
                return g == n.q;
            }
            g.dist(n.q).is_some_and(|d| d <= 2.0 * n.err)
        }
        _ => false,
    }
}

fn show(v: &V) -> String {
    match v {
        V::Num(n) if n.err > 0.0 => format!("{} (± {:e})", n.q.text(), n.err),
        V::Num(n) => n.q.text(),
        V::Date(d) => date_text(*d),
        V::Time(t) => datetime_text(*t),
        other => format!("{other:?}"),
    }
}

/// Runs one case through kpi and the model.
fn check(case: &Case, seed: u64, dir: &Path) -> Result<Tally, String> {
    let formulas = case.formulas(seed);
    std::fs::write(dir.join(case.data_file()), case.data()).expect("write data");
    std::fs::write(dir.join("catalogue.yaml"), case.yaml(&formulas)).expect("write catalogue");
    let by = case.by_arg();
    let filter = case.filter_arg(seed ^ 1);
    let by = by.map(|b| format!("--by={b}"));
    let filter = filter.map(|f| format!("--where={f}"));
    let mut args = vec!["eval", "catalogue.yaml", "--format", "json"];
    args.extend(by.as_deref());
    if case.total {
        args.push("--total");
    }
    args.extend(filter.as_deref());
    let run = run_kpi(dir, &args, None, Duration::from_secs(30));
    let cmd = format!("kpi {}", args.join(" "));
    if run.code != Some(0) {
        return Err(format!(
            "`{cmd}` exited {:?}{}\n{}",
            run.code,
            if run.timed_out { " (timed out)" } else { "" },
            run.stderr
        ));
    }
    let json: Json = serde_json::from_str(&run.stdout)
        .map_err(|e| format!("`{cmd}`: not JSON ({e}):\n{}", run.stdout))?;
    let mut got: HashMap<(String, String), Json> = HashMap::new();
    for row in json["results"].as_array().into_iter().flatten() {
        let kpi = row["kpi"].as_str().unwrap_or_default().to_string();
        let by = row["by"].as_object();
        let key = match by.and_then(|o| o.values().next()) {
            None if row["total"] == Json::Bool(true) => "{total}".to_string(),
            None => "{}".to_string(),
            Some(v) => key_of_json(v),
        };
        if got
            .insert((kpi.clone(), key.clone()), row["value"].clone())
            .is_some()
        {
            return Err(format!("`{cmd}`: two rows for {kpi} in group {key}"));
        }
    }
    let mut tally = Tally::default();
    let expected = match model(case) {
        Ok(expected) => expected,
        // The model cannot decide the filter on a record: no value can be compared (kpi
        // still had to end with exit 0 and JSON).
        Err(skip) => {
            let left_out = case.kpis.len() as u64;
            match skip {
                Skip::Fragile => tally.fragile += left_out,
                Skip::Range => tally.out_of_range += left_out,
            }
            return Ok(tally);
        }
    };
    let n_rows: usize = expected.iter().map(|(_, v)| v.len()).sum();
    if n_rows != got.len() {
        let mut keys: Vec<_> = got.keys().collect();
        keys.sort();
        return Err(format!(
            "`{cmd}`: {} rows, the model has {n_rows} (groups {:?}); kpi's: {keys:?}",
            got.len(),
            expected.iter().map(|(k, _)| k).collect::<Vec<_>>()
        ));
    }
    for (group, values) in &expected {
        for (kpi, v) in case.kpis.iter().zip(values) {
            let Some(g) = got.get(&(kpi.name.clone(), group.clone())) else {
                return Err(format!("`{cmd}`: no row for {} in group {group}", kpi.name));
            };
            match v {
                Err(Skip::Fragile) => tally.fragile += 1,
                Err(Skip::Range) => tally.out_of_range += 1,
                Ok(v) if same(v, g) => tally.values += 1,
                Ok(v) => {
                    return Err(format!(
                        "`{cmd}`: {} in group {group}: kpi gives {g}, the model {}",
                        kpi.name,
                        show(v)
                    ))
                }
            }
        }
    }
    Ok(tally)
}
