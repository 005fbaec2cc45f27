//! The grouped relations of one context (`frames.rs`) over cells (`cells.rs`): which
//! records of a source a context reads (the cell's period inside the range; every record of
//! another period; every record of a window, joined to the periods its windows end with),
//! grouped by period and `--by` keys, and `open`'s backlogs at the periods a context reads.

use super::aggregate::Records;
use super::frames::{Ctx, Span};
use super::Compiler;
use crate::ir::Node;
use crate::plan::SourcePlan;
use std::fmt::Write;

/// One grouped relation of a context: its CTE name, and the aggregates it holds.
pub(super) struct Joined {
    pub name: String,
    pub ctx: usize,
    pub aggs: Vec<usize>,
}

impl Compiler<'_, '_> {
    /// The time field of a source, as the grain key reads it.
    pub(super) fn time_of(&self, p: &SourcePlan) -> String {
        match &p.keys[0] {
            Node::Func(_, args) => self.record(p.id.0 as usize, &args[0]).0,
            other => self.record(p.id.0 as usize, other).0,
        }
    }

    /// The `--by` keys of a source.
    pub(super) fn by_keys(&self, p: &SourcePlan) -> Vec<String> {
        let skip = usize::from(self.plan.grain.is_some());
        p.keys[skip..]
            .iter()
            .map(|k| self.record(p.id.0 as usize, k).0)
            .collect()
    }

    /// The records of source `p` in context `c` (`ends`: the CTE of its windows' periods).
    pub(super) fn records_in(&self, p: &SourcePlan, ctx: &Ctx, ends: Option<&str>) -> Records {
        let s = p.id.0 as usize;
        let mut keys = Vec::new();
        let mut from = self.table(s);
        if self.plan.grain.is_some() {
            let n = self.period_number(&self.time_of(p));
            match ends {
                Some(e) => {
                    let _ = write!(
                        from,
                        "\n    JOIN {e} ON {n} BETWEEN {e}.kpi_start AND {e}.kpi_end"
                    );
                    keys.push(format!("{e}.kpi_end"));
                }
                None => keys.push(n),
            }
        }
        if !ctx.all {
            keys.extend(self.by_keys(p));
        }
        let history = self.filters_but_from(s);
        let conds = match ctx.span {
            Span::Row => self.source_filters(s),
            _ => history.clone(),
        };
        Records {
            from,
            conds,
            history,
            keys,
        }
    }

    /// The grouped relations of source `p` in context `c` holding aggregates `aggs` (and,
    /// for the cell's own context, the count of records that tells whether it has the cell).
    pub(super) fn relations_of(
        &self,
        p: &SourcePlan,
        c: usize,
        ctx: &Ctx,
        aggs: &[usize],
        ends: Option<&str>,
        ctes: &mut Vec<(String, String)>,
    ) -> Vec<Joined> {
        let an = self.an;
        let d = self.dialect;
        let prefix = if c == 0 {
            String::new()
        } else {
            format!("c{c}_")
        };
        let records = self.records_in(p, ctx, ends);
        let own = |a: usize| self.own_relation(a);
        let simple: Vec<usize> = aggs.iter().copied().filter(|&a| !own(a)).collect();
        // With --grain, `open` is summed from its steps (`open_relations`).
        let grain = self.plan.grain.is_some();
        let mut out = Vec::new();
        if !simple.is_empty() || c == 0 {
            let mut cols: Vec<String> = records
                .keys
                .iter()
                .enumerate()
                .map(|(i, k)| format!("    {k} AS k{i}"))
                .collect();
            cols.push("    COUNT(*) AS records".into());
            for &a in &simple {
                cols.push(format!("    {} AS a{a}", self.agg_spec(&an.aggs[a]).0));
            }
            let name = d.ident(&format!("{prefix}agg_{}", an.sources[p.id.0 as usize].name));
            let mut body = format!("  SELECT\n{}\n  FROM {}", cols.join(",\n"), records.from);
            if !records.conds.is_empty() {
                let _ = write!(body, "\n  WHERE {}", records.conds.join(" AND "));
            }
            if !records.keys.is_empty() {
                let _ = write!(body, "\n  GROUP BY {}", records.keys.join(", "));
            }
            ctes.push((name.clone(), body));
            out.push(Joined {
                name,
                ctx: c,
                aggs: simple,
            });
        }
        for &a in aggs
            .iter()
            .filter(|&&a| own(a) && !(grain && self.is_open(a)))
        {
            let (body, _) = self.own_select(&an.aggs[a], &records, Some(&format!("a{a}")));
            let name = d.ident(&format!("{prefix}{}", self.own_name(a)));
            ctes.push((name.clone(), format!("  {body}")));
            out.push(Joined {
                name,
                ctx: c,
                aggs: vec![a],
            });
        }
        out
    }

    /// With `--grain`: the backlogs of the `open` aggregates `aggs` of source `p` read in
    /// context `c`, at the periods the context reads.
    pub(super) fn open_relations(
        &self,
        p: &SourcePlan,
        c: usize,
        ctx: &Ctx,
        aggs: &[usize],
        ctes: &mut Vec<(String, String)>,
    ) -> Vec<Joined> {
        let d = self.dialect;
        let periods = d.ident("periods");
        let (ends, blank) = match ctx.span {
            Span::Row => (
                format!("SELECT DISTINCT k0 AS kpi_end FROM {periods}"),
                true,
            ),
            _ => (
                format!("SELECT DISTINCT t{c} AS kpi_end FROM {periods} WHERE t{c} IS NOT NULL"),
                false,
            ),
        };
        let nb = if ctx.all { 0 } else { self.by_keys(p).len() };
        let prefix = if c == 0 {
            String::new()
        } else {
            format!("c{c}_")
        };
        aggs.iter()
            .filter(|&&a| self.is_open(a))
            .map(|&a| {
                let name = d.ident(&format!("{prefix}opened_{a}"));
                let steps = d.ident(&format!("open_{a}"));
                ctes.push((name.clone(), self.open_at(a, &steps, &ends, nb, blank)));
                Joined {
                    name,
                    ctx: c,
                    aggs: vec![a],
                }
            })
            .collect()
    }
}
