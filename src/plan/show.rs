//! The plan as text, for `kpi explain`: what each source is read for, then the KPIs in the
//! order they are computed.

use super::Plan;
use crate::ir::{AggArg, FrameOp};
use std::fmt::Write;

pub fn plan_to_text(plan: &Plan) -> String {
    let ir = &plan.ir;
    let mut out = String::new();
    for p in &plan.sources {
        let src = &ir.sources[p.id.0 as usize];
        let cols: Vec<String> = src
            .columns
            .iter()
            .zip(&p.needed)
            .filter(|(_, n)| **n)
            .map(|(c, _)| format!("{} ({})", c.name, c.ty))
            .collect();
        let _ = writeln!(
            out,
            "  read {}: {}",
            src.name,
            if cols.is_empty() {
                "records only".into()
            } else {
                cols.join(", ")
            }
        );
        if !plan.key_names.is_empty() {
            let _ = writeln!(out, "    group by {}", plan.key_names.join(", "));
        }
        for f in &p.filter_texts {
            let _ = writeln!(out, "    keep records: {f}");
        }
        for a in &p.aggs {
            let spec = &ir.aggs[a.0 as usize];
            let _ = write!(out, "    aggregate #{}: {}", a.0, spec.text);
            if let Some(AggArg::Per(per)) = &spec.arg {
                let _ = write!(
                    out,
                    " (two levels: {} per-entity aggregate(s), then {:?})",
                    per.inner_aggs.len(),
                    spec.func
                );
            }
            out.push('\n');
        }
    }
    let order: Vec<&str> = plan.order.iter().map(|k| plan.kpi_name(*k)).collect();
    let _ = writeln!(out, "  compute {}", order.join(", "));
    for &k in &plan.order {
        ir.kpi_leaves(&ir.kpis[k.0 as usize].expr, &mut |l| {
            if let crate::ir::KLeaf::Frame(i) = l {
                let what = match ir.frames[*i as usize].op {
                    FrameOp::Previous(n) => format!("the value {n} period(s) before"),
                    FrameOp::YearAgo => "the value a year before".into(),
                    FrameOp::Rolling(n) => format!("aggregates merged over {n} periods"),
                    FrameOp::ToDate(g) => format!("aggregates merged since the {} began", g.name()),
                    FrameOp::Cumulative => "aggregates merged since the range began".into(),
                    FrameOp::Total => "aggregates merged over every group".into(),
                    FrameOp::Rank => "ranked among the groups".into(),
                };
                let _ = writeln!(out, "    {}: {what}", plan.kpi_name(k));
            }
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::analysis::catalogue_to_ir;
    use crate::catalogue;
    use crate::ir::KpiId;
    use crate::plan::{ir_to_plan, plan_to_text, Request};
    use crate::span::{FileId, SourceMap};
    use crate::syntax::{parse_formula, Locator};
    use crate::time::Grain;

    const CATALOGUE: &str = r#"
sources:
  calls:
    time: started_at
    fields: {started_at: datetime, agent: string, answered: bool, wait: number}
  agents:
    fields: {agent: string, team: string}
source: calls
kpis:
  pickup: pct(answered)
  wait: avg(wait where answered)
  busy: pickup - 10
  heads: agents.count()
"#;

    /// The plan of `kpis` grouped by `by`, filtered by `filter`, at `grain`, as text.
    fn plan(kpis: &[u32], by: &[&str], filter: Option<&str>, grain: Option<Grain>) -> String {
        let mut sources = SourceMap::default();
        let mut diags = Vec::new();
        let cat = catalogue::load_text("c.yaml", CATALOGUE, false, &mut sources, &mut diags);
        let (ir, analysis) = catalogue_to_ir(&cat, &[]);
        assert!(diags.is_empty() && analysis.is_empty(), "{analysis:?}");
        let expr = |t: &str| parse_formula(t, &Locator::shifted(FileId(u32::MAX), 0), &mut vec![]);
        let req = Request {
            kpis: kpis.iter().map(|k| KpiId(*k)).collect(),
            by: by.iter().map(|b| (b.to_string(), expr(b))).collect(),
            filter: filter.map(expr),
            grain,
            from: Some(crate::value::Value::Date(20089)),
            ..Default::default()
        };
        match ir_to_plan(&ir, &req) {
            Ok(p) => {
                let warnings: Vec<&str> = p.diags.iter().map(|d| d.message.as_str()).collect();
                format!("{}warnings: {warnings:?}", plan_to_text(&p))
            }
            Err(d) => format!(
                "error: {:?}",
                d.iter().map(|d| &d.message).collect::<Vec<_>>()
            ),
        }
    }

    #[test]
    fn plans_show_what_each_source_is_read_for() {
        insta::assert_snapshot!(plan(&[2, 1, 3], &["agent"], Some("wait > 5"), Some(Grain::Month)), @r#"
          read calls: answered (bool), wait (number), started_at (datetime), agent (string)
            group by month, agent
            keep records: --where wait > 5
            keep records: --from 2025-01-01 (earlier records apart, for offsets and windows)
            aggregate #0: calls.pct(answered)
            aggregate #1: calls.avg(wait where answered)
          compute pickup, wait, busy
        warnings: ["source `agents` has no `time` field: --from and --to do not filter it", "left out, because source `agents` has no `time` field for --grain: heads", "left out, because source `agents` has no field for --where `wait > 5`: heads"]
        "#);
        insta::assert_snapshot!(plan(&[3], &["team"], None, None), @r#"
  read agents: team (string)
    group by team
    aggregate #2: agents.count()
  compute heads
warnings: ["source `agents` has no `time` field: --from and --to do not filter it"]
"#);
    }
}
