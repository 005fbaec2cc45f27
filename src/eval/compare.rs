//! `--compare`: beside each period's value, the value of the period before or of the same
//! period a year before.

use crate::ir::KpiId;
use crate::keytable::encode_key;
use crate::plan::Compare;
use crate::results::{compare_keys, ResultRow};
use crate::time::Grain;
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::cmp::Ordering;

/// Set `previous` on every period row; `empty_values` are the KPIs over no records.
pub fn attach_previous(
    rows: &mut [ResultRow],
    g: Grain,
    c: Compare,
    empty_values: &[Value<'static>],
) {
    let first_period = rows
        .iter()
        .filter(|r| !r.total)
        .map(|r| r.key[0].clone())
        .min_by(|a, b| compare_keys(std::slice::from_ref(a), std::slice::from_ref(b)));
    let index: FxHashMap<(KpiId, Vec<u8>), usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.total)
        .map(|(i, r)| ((r.kpi, key_bytes(&r.key)), i))
        .collect();
    for i in 0..rows.len() {
        if rows[i].total {
            continue;
        }
        let mut key = rows[i].key.clone();
        let Some(prev) = previous_period(&key[0], g, c) else {
            continue;
        };
        key[0] = prev;
        let found = index
            .get(&(rows[i].kpi, key_bytes(&key)))
            .map(|&j| rows[j].value.clone());
        // A period inside the data with no record is an empty group (a count of 0);
        // before the first period read, there is nothing to compare with.
        let inside = first_period
            .as_ref()
            .is_some_and(|f| compare_keys(&key[..1], std::slice::from_ref(f)) != Ordering::Less);
        let empty = || {
            if inside {
                empty_values[rows[i].kpi.0 as usize].clone()
            } else {
                Value::Null
            }
        };
        rows[i].previous = Some(found.unwrap_or_else(empty));
    }
}

fn key_bytes(key: &[Value]) -> Vec<u8> {
    let mut b = Vec::new();
    for v in key {
        encode_key(v, &mut b);
    }
    b
}

/// The period before `p` (a key made by the grain's function), or the same period a year before.
fn previous_period(p: &Value, g: Grain, c: Compare) -> Option<Value<'static>> {
    use crate::time;
    let s = match p {
        Value::Str(s) => s.to_string(),
        Value::Date(d) => {
            let (y, m, day) = time::civil_from_days(*d);
            return Some(Value::Date(match c {
                Compare::Previous => d - 1,
                Compare::Year => {
                    let day = day.min(if m == 2 { 28 } else { day });
                    time::days_from_civil(y - 1, m, day)
                }
            }));
        }
        _ => return None,
    };
    let year: i64 = s.get(..4)?.parse().ok()?;
    let out = match (g, c) {
        (_, Compare::Year) => format!("{:04}{}", year - 1, &s[4..]),
        (Grain::Year, _) => format!("{:04}", year - 1),
        (Grain::Quarter, _) => {
            let q: u32 = s.get(6..)?.parse().ok()?;
            if q == 1 {
                format!("{:04}-Q4", year - 1)
            } else {
                format!("{year:04}-Q{}", q - 1)
            }
        }
        (Grain::Month, _) => {
            let m: u32 = s.get(5..)?.parse().ok()?;
            if m == 1 {
                format!("{:04}-12", year - 1)
            } else {
                format!("{year:04}-{:02}", m - 1)
            }
        }
        (Grain::Week, _) => {
            let w: i64 = s.get(6..)?.parse().ok()?;
            // The Monday of that ISO week, minus seven days.
            let jan4 = time::days_from_civil(year, 1, 4);
            let monday = jan4 - (time::weekday(jan4) as i64 - 1) + (w - 1) * 7;
            time::iso_week(monday - 7)
        }
        (Grain::Day, _) => return None,
    };
    Some(Value::Str(out.into()))
}
