//! The grouped relation over cells, as `kpi eval` builds its rows (`eval/rows.rs`) —
//! written when the query has `--grain` or a period function, `total` or `rank` over
//! groups:
//!
//! * `groups`: every group any source has (records before `--from` included), with
//!   whether each source has it (`sN`);
//! * with `--grain`, each source's first and last period (`span_S`, records before
//!   `--from` included), the range (`bounds`: `--from`/`--to`, else the sources' spans),
//!   its periods (`periods`: a series of period numbers, plus the blank period of records
//!   without a time), and for each other context the period it reads (`tN`) and the start
//!   of its window (`wN`);
//! * `cells`: every period of the range for every group (§11);
//! * one grouped relation per source and context (`agg_S` for the cell's own records,
//!   `cN_agg_S` and `cN_per_A` for the others), left-joined to the cells in `vals`, where
//!   each aggregate read in a context is a column: null for a period outside its source's
//!   span, its empty value (a count of 0) for a period inside it without records;
//! * `layer_N`: shared KPIs and ranks (`frames.rs`).

use super::contexts::Joined;
use super::frames::{agg_column, rank_column, Ctx, Span, Written};
use super::kpis::shared_column;
use super::relation::Relation;
use super::Compiler;
use crate::ir::{KLeaf, SourceId};
use crate::plan::{Compare, Plan, SourcePlan};
use std::fmt::Write;

/// Whether a grouped plan is written over cells.
pub(super) fn over_cells(plan: &Plan) -> bool {
    if !plan.grouped() {
        return false;
    }
    if plan.grain.is_some() {
        return true;
    }
    let ir = &plan.ir;
    plan.order.iter().any(|k| {
        let mut framed = false;
        ir.kpis[k.0 as usize]
            .expr
            .leaves(&mut |l| framed |= matches!(l, KLeaf::Frame(_)));
        framed
    })
}

impl Compiler<'_, '_> {
    /// The grouped relation over cells, its KPIs written in it.
    pub(super) fn cells_relation(&self) -> Relation {
        let w = Written::new();
        let c = Compiler {
            written: Some(&w),
            layered: true,
            ..*self
        };
        c.write_cells(&w)
    }

    fn write_cells(&self, w: &Written) -> Relation {
        let (plan, an, d) = (self.plan, self.an, self.dialect);
        let grain = plan.grain.is_some();
        let kpis = self.kpi_texts(None);
        // `--compare`: each shown KPI in the period before, or a year before.
        let previous: Option<Vec<_>> = plan.grain.zip(plan.compare).map(|(_, cmp)| {
            let shift = match cmp {
                Compare::Previous => super::periods::Shift::Back(1),
                Compare::Year => super::periods::Shift::YearAgo,
            };
            let ctx = w.ctx_id(Ctx {
                all: false,
                span: Span::Point(vec![shift]),
            });
            plan.shown
                .iter()
                .map(|&k| self.kpi_in(k, ctx, w).0 .0)
                .collect()
        });
        let mut ctes: Vec<(String, String)> = Vec::new();
        let ctxs = w.ctxs.borrow().clone();
        let used = w.aggs.borrow().clone();
        let of = |c: usize, s: SourceId| -> Vec<usize> {
            let mut v: Vec<usize> = used
                .iter()
                .filter(|(x, a)| *x == c && an.aggs[*a].source == s)
                .map(|(_, a)| *a)
                .collect();
            v.sort_unstable();
            v
        };
        let nb = plan.key_names.len() - usize::from(grain);
        let by_cols: Vec<String> = (0..nb)
            .map(|i| format!("k{}", i + usize::from(grain)))
            .collect();
        let agg_name =
            |p: &SourcePlan| d.ident(&format!("agg_{}", an.sources[p.id.0 as usize].name));
        // The cell's own records, per source.
        let mut joined: Vec<Joined> = Vec::new();
        for p in &plan.sources {
            joined.extend(self.relations_of(p, 0, &Ctx::ROW, &of(0, p.id), None, &mut ctes));
            // With --grain, the steps of each `open` (`timed.rs`).
            for a in p
                .aggs
                .iter()
                .map(|a| a.0 as usize)
                .filter(|&a| grain && self.is_open(a))
            {
                let body =
                    self.open_steps(&an.aggs[a], &self.table(p.id.0 as usize), &self.by_keys(p));
                ctes.push((d.ident(&format!("open_{a}")), body));
            }
        }
        // Every group, and which sources have it.
        let mut seen = Vec::new();
        for (i, p) in plan.sources.iter().enumerate() {
            let flags: Vec<String> = (0..plan.sources.len())
                .map(|j| format!("{} AS s{j}", u8::from(i == j)))
                .collect();
            let mut cols: Vec<String> = Vec::new();
            if p.from.is_some() {
                cols.extend(
                    self.by_keys(p)
                        .iter()
                        .zip(&by_cols)
                        .map(|(k, c)| format!("{k} AS {c}")),
                );
                cols.extend(flags);
                let conds = self.filters_but_from(p.id.0 as usize);
                let filter = if conds.is_empty() {
                    String::new()
                } else {
                    format!(" WHERE {}", conds.join(" AND "))
                };
                seen.push(format!(
                    "SELECT {} FROM {}{filter}",
                    cols.join(", "),
                    self.table(p.id.0 as usize)
                ));
            } else {
                cols.extend(by_cols.iter().cloned());
                cols.extend(flags);
                seen.push(format!("SELECT {} FROM {}", cols.join(", "), agg_name(p)));
            }
        }
        let flag_max: Vec<String> = (0..plan.sources.len())
            .map(|j| format!("MAX(s{j}) AS s{j}"))
            .collect();
        let mut groups = format!(
            "  SELECT {} FROM (\n    {}\n  ) AS seen",
            by_cols
                .iter()
                .cloned()
                .chain(flag_max)
                .collect::<Vec<_>>()
                .join(", "),
            seen.join("\n    UNION ALL\n    ")
        );
        if !by_cols.is_empty() {
            let _ = write!(groups, " GROUP BY {}", by_cols.join(", "));
        }
        let groups_cte = d.ident("groups");
        ctes.push((groups_cte.clone(), groups));
        let cells = if grain {
            let periods = self.periods(&ctxs, &mut ctes);
            let name = d.ident("cells");
            // Aliased: some engines name a column `periods.k0`.
            let cols: Vec<String> = periods
                .iter()
                .map(|c| format!("{}.{c} AS {c}", d.ident("periods")))
                .chain(
                    by_cols
                        .iter()
                        .cloned()
                        .chain((0..plan.sources.len()).map(|j| format!("s{j}")))
                        .map(|c| format!("{groups_cte}.{c} AS {c}")),
                )
                .collect();
            ctes.push((
                name.clone(),
                format!(
                    "  SELECT {} FROM {} CROSS JOIN {groups_cte}",
                    cols.join(", "),
                    d.ident("periods")
                ),
            ));
            name
        } else {
            groups_cte
        };
        // `open` in the cell's own context, then the other contexts' relations.
        if grain {
            for p in &plan.sources {
                joined.extend(self.open_relations(p, 0, &Ctx::ROW, &of(0, p.id), &mut ctes));
            }
        }
        for (ci, ctx) in ctxs.iter().enumerate().skip(1) {
            let ends = match ctx.span {
                Span::Window(..) => {
                    let name = d.ident(&format!("ends_{ci}"));
                    ctes.push((
                        name.clone(),
                        format!(
                            "  SELECT DISTINCT t{ci} AS kpi_end, w{ci} AS kpi_start FROM {} WHERE t{ci} IS NOT NULL",
                            d.ident("periods")
                        ),
                    ));
                    Some(name)
                }
                _ => None,
            };
            for p in &plan.sources {
                let aggs = of(ci, p.id);
                if !aggs.is_empty() {
                    joined.extend(self.relations_of(p, ci, ctx, &aggs, ends.as_deref(), &mut ctes));
                    if grain {
                        joined.extend(self.open_relations(p, ci, ctx, &aggs, &mut ctes));
                    }
                }
            }
        }
        // `vals`: the cells, whether each source has them, and each aggregate in each context.
        let mut cols: Vec<String> = (0..plan.key_names.len())
            .map(|i| format!("{cells}.k{i} AS k{i}"))
            .collect();
        for (j, p) in plan.sources.iter().enumerate() {
            let has_row = format!("({}.records IS NOT NULL)", agg_name(p));
            cols.push(if grain {
                format!("CASE WHEN {cells}.k0 IS NULL THEN {has_row} ELSE ({cells}.s{j} = 1) END AS e{}", p.id.0)
            } else {
                format!("{has_row} AS e{}", p.id.0)
            });
        }
        let mut from = format!("\n  FROM {cells}");
        for j in &joined {
            let ctx = &ctxs[j.ctx];
            let mut on: Vec<String> = Vec::new();
            if grain {
                on.push(match ctx.span {
                    Span::Row => d.null_safe_eq(&format!("{}.k0", j.name), &format!("{cells}.k0")),
                    _ => format!("{}.k0 = {cells}.t{}", j.name, j.ctx),
                });
            }
            if !ctx.all {
                for (i, k) in by_cols.iter().enumerate() {
                    let rel = format!("{}.k{}", j.name, i + usize::from(grain));
                    on.push(d.null_safe_eq(&rel, &format!("{cells}.{k}")));
                }
            }
            if on.is_empty() {
                let _ = write!(from, "\n    CROSS JOIN {}", j.name);
            } else {
                let _ = write!(from, "\n    LEFT JOIN {} ON {}", j.name, on.join(" AND "));
            }
            for &a in &j.aggs {
                cols.push(format!(
                    "{} AS {}",
                    self.wrapped(&j.name, a, j.ctx, ctx, &cells),
                    agg_column(j.ctx, a)
                ));
            }
        }
        if grain {
            for p in &plan.sources {
                let _ = write!(from, "\n    CROSS JOIN {}", self.span_name(p));
            }
        }
        let vals = d.ident("vals");
        ctes.push((
            vals.clone(),
            format!("  SELECT\n    {}{from}", cols.join(",\n    ")),
        ));
        // Layers: shared KPIs and ranks.
        let ranks = w.ranks.borrow();
        let depth = kpis
            .layers
            .len()
            .max(ranks.iter().map(|r| r.layer).max().unwrap_or(0));
        let mut last = vals;
        for layer in 1..=depth {
            let mut cols: Vec<String> = Vec::new();
            for k in kpis.layers.get(layer - 1).into_iter().flatten() {
                let t = kpis.by_id[k.0 as usize].as_ref().expect("a written KPI");
                cols.push(format!("{} AS {}", t.sql, shared_column(*k)));
            }
            for (i, r) in ranks.iter().enumerate().filter(|(_, r)| r.layer == layer) {
                cols.push(format!("{} AS {}", r.sql, rank_column(i)));
            }
            let name = d.ident(&format!("layer_{layer}"));
            ctes.push((
                name.clone(),
                format!("  SELECT *, {} FROM {last}", cols.join(", ")),
            ));
            last = name;
        }
        let mut keys: Vec<String> = (0..plan.key_names.len()).map(|i| format!("k{i}")).collect();
        if grain {
            keys[0] = self.period_label_of("k0");
        }
        Relation {
            ctes,
            kpis,
            keys,
            from: format!("\nFROM {last}"),
            joined: true,
            previous,
        }
    }

    /// Aggregate `a` of relation `rel` as context `ctx` reads it in a cell: null for a
    /// period outside its source's span, its empty value where the relation has no row.
    fn wrapped(&self, rel: &str, a: usize, c: usize, ctx: &Ctx, cells: &str) -> String {
        let spec = &self.an.aggs[a];
        let v = format!("{rel}.a{a}");
        if self.plan.grain.is_none() && ctx.all {
            return v;
        }
        let v = if spec.func.empty().is_null() {
            v
        } else {
            format!("COALESCE({v}, 0)")
        };
        let Some(p) = self.plan.source(spec.source) else {
            return v;
        };
        if self.plan.grain.is_none() {
            return v;
        }
        let span = self.span_name(p);
        // `open` is a stock: its value at a period sums every step up to it.
        let cond = match ctx.span {
            Span::Row if self.is_open(a) => format!("{cells}.k0 IS NULL OR {cells}.k0 >= {span}.lo"),
            _ if self.is_open(a) => format!("{cells}.t{c} >= {span}.lo"),
            Span::Row => format!("{cells}.k0 IS NULL OR {cells}.k0 BETWEEN {span}.lo AND {span}.hi"),
            Span::Point(_) => format!("{cells}.t{c} BETWEEN {span}.lo AND {span}.hi"),
            Span::Window(..) => format!(
                "{cells}.w{c} <= {cells}.t{c} AND {cells}.w{c} <= {span}.hi AND {cells}.t{c} >= {span}.lo"
            ),
        };
        format!("CASE WHEN {cond} THEN {v} END")
    }
}
