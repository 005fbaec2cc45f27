//! The results of one KPI, shaped for the page: the headline (the last period with
//! `--grain`, the overall row with `--by`, else the one row), the periods, the groups, and
//! each group's periods with both.

use super::words::{self, Words};
use super::{point, Point};
use crate::catalogue::KpiDef;
use crate::output::Lang;
use crate::results::{change, ResultRow, Results};
use crate::value::Value;

pub struct KpiView<'r> {
    pub def: &'r KpiDef,
    /// The row the tile shows, and the label of its period (with `--grain`).
    pub headline: Option<(&'r ResultRow, Option<String>)>,
    /// The change from the period before the headline's, and that period's label.
    pub change: Option<(Value<'static>, String)>,
    /// With `--grain` and no `--by`: one point per period.
    pub periods: Vec<Point>,
    /// With `--by` and no `--grain`: one point per group, highest first.
    pub groups: Vec<Point>,
    /// With both: each group's periods.
    pub multiples: Vec<(String, Vec<Point>)>,
    /// Every row, for the table of values.
    pub rows: Vec<&'r ResultRow>,
}

/// The rows of each KPI, in the order the results give them.
pub fn by_kpi(out: &Results) -> Vec<Vec<&ResultRow>> {
    let mut order: Vec<crate::ir::KpiId> = Vec::new();
    for r in &out.rows {
        if !order.contains(&r.kpi) {
            order.push(r.kpi);
        }
    }
    order
        .iter()
        .map(|k| out.rows.iter().filter(|r| r.kpi == *k).collect())
        .collect()
}

/// A row's group, the period left out.
fn group_key(row: &ResultRow, grain: bool) -> &[Value<'static>] {
    &row.key[usize::from(grain).min(row.key.len())..]
}

pub fn view<'r>(
    rows: Vec<&'r ResultRow>,
    def: &'r KpiDef,
    out: &'r Results,
    lang: Lang,
) -> KpiView<'r> {
    let w: &Words = words::words(lang);
    let grain = out.grain.is_some();
    let by = out.key_names.len() > usize::from(grain);
    let mut v = KpiView {
        def,
        headline: None,
        change: None,
        periods: Vec::new(),
        groups: Vec::new(),
        multiples: Vec::new(),
        rows: rows.clone(),
    };
    let plain: Vec<&ResultRow> = rows.iter().copied().filter(|r| !r.total).collect();
    let period_rows = |rs: &[&'r ResultRow]| -> Vec<&'r ResultRow> {
        rs.iter()
            .copied()
            .filter(|r| r.key.first().is_some_and(|p| !p.is_null()))
            .collect()
    };
    match (grain, by) {
        (true, false) => {
            let ps = period_rows(&plain);
            v.periods = ps
                .iter()
                .map(|r| point(r, words::period(&r.key[0], w), def, out, lang))
                .collect();
            // The last period with a value (the range may end on an empty one).
            if let Some(i) = ps.iter().rposition(|r| !r.value.is_null()) {
                let r = ps[i];
                v.headline = Some((r, Some(words::period(&r.key[0], w))));
                if i > 0 && !ps[i - 1].value.is_null() {
                    v.change = Some((
                        change(&r.value, &ps[i - 1].value),
                        words::period(&ps[i - 1].key[0], w),
                    ));
                }
            } else if let Some(r) = ps.last() {
                v.headline = Some((r, Some(words::period(&r.key[0], w))));
            }
        }
        (false, true) => {
            let mut gs: Vec<&ResultRow> = plain.clone();
            // Highest first, nulls last.
            gs.sort_by(|a, b| match (a.value.decimal(), b.value.decimal()) {
                (Some(x), Some(y)) => y.cmp(&x),
                (x, y) => y.is_some().cmp(&x.is_some()),
            });
            v.groups = gs
                .iter()
                .map(|r| point(r, words::group(group_key(r, false), w), def, out, lang))
                .collect();
            v.headline = rows.iter().find(|r| r.total).map(|r| (*r, None));
        }
        (true, true) => {
            let ps = period_rows(&plain);
            let mut keys: Vec<&[Value<'static>]> = Vec::new();
            for r in &ps {
                if !keys.contains(&group_key(r, true)) {
                    keys.push(group_key(r, true));
                }
            }
            for k in keys {
                let points = ps
                    .iter()
                    .filter(|r| group_key(r, true) == k)
                    .map(|r| point(r, words::period(&r.key[0], w), def, out, lang))
                    .collect();
                v.multiples.push((words::group(k, w), points));
            }
            v.headline = rows.iter().find(|r| r.total).map(|r| (*r, None));
        }
        (false, false) => v.headline = rows.first().map(|r| (*r, None)),
    }
    v
}
