//! The grid of `--grain` (periods-lookups brief §11): each source's first and last period
//! (`span_S`, records before `--from` and `open`'s steps included), the range (`bounds`:
//! `--from`/`--to`, else the sources' spans), and its periods (`periods`: a series of
//! period numbers, plus the blank period of records without a time when there are some),
//! with, for each context but the cell's own, the period it reads (`tN`) and the start of
//! its window (`wN`).

use super::frames::{Ctx, Span};
use super::Compiler;
use crate::plan::SourcePlan;

impl Compiler<'_, '_> {
    /// The CTE of a source's first and last period.
    pub(super) fn span_name(&self, p: &SourcePlan) -> String {
        self.dialect
            .ident(&format!("span_{}", self.an.sources[p.id.0 as usize].name))
    }

    /// The spans, the range, its periods (`periods`) with each context's period and
    /// window start; the names of the periods' columns.
    pub(super) fn periods(&self, ctxs: &[Ctx], ctes: &mut Vec<(String, String)>) -> Vec<String> {
        let (plan, d) = (self.plan, self.dialect);
        let mut spans = Vec::new();
        let mut nulls = Vec::new();
        for p in &plan.sources {
            let agg = d.ident(&format!("agg_{}", self.an.sources[p.id.0 as usize].name));
            // The periods of `open`'s steps extend the span.
            let steps: Vec<String> = p
                .aggs
                .iter()
                .map(|a| a.0 as usize)
                .filter(|&a| self.is_open(a))
                .map(|a| {
                    format!(
                        " UNION ALL SELECT k0 FROM {}",
                        d.ident(&format!("open_{a}"))
                    )
                })
                .collect();
            let body = if p.from.is_some() {
                let conds = self.filters_but_from(p.id.0 as usize);
                let filter = if conds.is_empty() {
                    String::new()
                } else {
                    format!(" WHERE {}", conds.join(" AND "))
                };
                let n = self.period_number(&self.time_of(p));
                format!(
                    "SELECT {n} AS k0 FROM {}{filter}",
                    self.table(p.id.0 as usize)
                )
            } else {
                format!("SELECT k0 FROM {agg}")
            };
            let body = format!(
                "  SELECT MIN(k0) AS lo, MAX(k0) AS hi FROM ({body}{}) AS seen",
                steps.concat()
            );
            let name = self.span_name(p);
            spans.push(format!("SELECT lo, hi FROM {name}"));
            nulls.push(format!("SELECT k0 FROM {agg} WHERE k0 IS NULL"));
            ctes.push((name, body));
        }
        let first = match plan.from {
            Some(t) => format!("MIN({})", self.bound_period(t, false)),
            None => "MIN(lo)".into(),
        };
        let last = match plan.to {
            Some(t) => format!("MAX({})", self.bound_period(t, true)),
            None => "MAX(hi)".into(),
        };
        let bounds = d.ident("bounds");
        ctes.push((
            bounds.clone(),
            format!(
                "  SELECT {first} AS first_period, {last} AS last_period FROM (\n    {}\n  ) AS spans",
                spans.join("\n    UNION ALL\n    ")
            ),
        ));
        let series = d.ident("series");
        ctes.push((
            series.clone(),
            format!("  {}", d.integer_series(&series, &bounds)),
        ));
        let mut names = vec!["k0".to_string()];
        let mut cols = vec!["n AS k0".to_string()];
        let mut blank = vec!["NULL AS k0".to_string()];
        for (ci, ctx) in ctxs.iter().enumerate().skip(1) {
            let mut t = "n".to_string();
            for s in ctx.shifts() {
                t = self.shifted(&t, *s);
            }
            cols.push(format!("{t} AS t{ci}"));
            blank.push(format!("NULL AS t{ci}"));
            names.push(format!("t{ci}"));
            if let Span::Window(win, _) = ctx.span {
                cols.push(format!(
                    "{} AS w{ci}",
                    self.window_start(&t, win, &format!("{bounds}.first_period"))
                ));
                blank.push(format!("NULL AS w{ci}"));
                names.push(format!("w{ci}"));
            }
        }
        ctes.push((
            d.ident("periods"),
            format!(
                "  SELECT {} FROM {series} CROSS JOIN {bounds}\n  UNION ALL\n  SELECT {} FROM (SELECT COUNT(*) AS n FROM (\n    {}\n  ) AS blank) AS counted WHERE counted.n > 0",
                cols.join(", "),
                blank.join(", "),
                nulls.join("\n    UNION ALL\n    ")
            ),
        ));
        names
    }
}
