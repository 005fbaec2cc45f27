//! The plan as text, for `kpi explain`: what each source is read for, then the KPIs in the
//! order they are computed.

use super::Plan;
use crate::ir::AggArg;
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
        if !p.filters.is_empty() {
            let _ = writeln!(out, "    {} record filter(s)", p.filters.len());
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
    out
}
