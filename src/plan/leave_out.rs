//! KPIs a request cannot apply to: over a source that a `--by`, `--grain` or `--where`
//! cannot group or filter, a KPI is left out with a warning that names it, so that no KPI
//! silently mixes grouped and ungrouped, or filtered and unfiltered, records.

use crate::analysis::Ir;
use crate::diag::{Code, Diag};
use crate::ir::{KLeaf, KpiId, SourceId};

/// For each KPI (by id): the sources it reads, itself or through the KPIs it uses.
pub fn sources_of(ir: &Ir) -> Vec<Vec<SourceId>> {
    let mut sources_of = vec![Vec::<SourceId>::new(); ir.kpis.len()];
    for &k in &ir.order {
        let mut s = Vec::new();
        ir.kpi_leaves(&ir.kpis[k.0 as usize].expr, &mut |l| match l {
            KLeaf::Agg(a) => s.push(ir.aggs[a.0 as usize].source),
            KLeaf::Kpi(d) => s.extend(sources_of[d.0 as usize].iter().copied()),
            KLeaf::Inner(_) | KLeaf::Frame(_) => {}
        });
        s.sort();
        s.dedup();
        sources_of[k.0 as usize] = s;
    }
    sources_of
}

/// The asked KPIs whose sources all fit; a warning per unfit source naming the KPIs it
/// leaves out, and an error when none is left.
pub fn fitting(
    ir: &Ir,
    asked: &[KpiId],
    sources_of: &[Vec<SourceId>],
    unfit: &[(SourceId, String)],
    diags: &mut Vec<Diag>,
) -> Result<Vec<KpiId>, Vec<Diag>> {
    let reads_unfit = |k: &KpiId| {
        sources_of[k.0 as usize]
            .iter()
            .any(|s| unfit.iter().any(|u| u.0 == *s))
    };
    let (bad, shown): (Vec<KpiId>, Vec<KpiId>) = asked.iter().copied().partition(reads_unfit);
    for (s, why) in unfit {
        let names: Vec<&str> = bad
            .iter()
            .filter(|k| sources_of[k.0 as usize].contains(s))
            .map(|k| ir.cat.kpis[k.0 as usize].name.text.as_str())
            .collect();
        if !names.is_empty() {
            diags.push(
                Diag::warning(
                    Code::Scope,
                    format!(
                        "left out, because source `{}` {why}: {}",
                        ir.sources[s.0 as usize].name,
                        names.join(", ")
                    ),
                )
                .help("choose KPIs with --kpi, or group and filter by fields their sources have"),
            );
        }
    }
    if shown.is_empty() && !bad.is_empty() {
        diags.push(
            Diag::error(
                Code::Scope,
                "no selected KPI can be grouped or filtered that way",
            )
            .help("use fields of the sources the KPIs read"),
        );
        return Err(std::mem::take(diags));
    }
    Ok(shown)
}

/// Period functions need `--grain` (`kpi::grain`): a KPI asked for by name that uses one is
/// an error; in a whole-catalogue run it is left out with a warning naming it. With a grain,
/// `to_date`'s period must be coarser and hold the grain's periods whole.
pub fn needing_grain(
    ir: &Ir,
    asked: &[KpiId],
    grain: Option<crate::time::Grain>,
    named: bool,
    diags: &mut Vec<Diag>,
) -> Vec<KpiId> {
    let Some(g) = grain else {
        let (bad, kept): (Vec<KpiId>, Vec<KpiId>) = asked
            .iter()
            .partition(|k| ir.kpis[k.0 as usize].needs_grain);
        let names: Vec<&str> = bad
            .iter()
            .map(|k| ir.cat.kpis[k.0 as usize].name.text.as_str())
            .collect();
        if named {
            for k in &bad {
                let def = &ir.cat.kpis[k.0 as usize];
                diags.push(
                    Diag::error(
                        Code::Grain,
                        format!(
                            "`{}` uses a period function, which needs --grain",
                            def.name.text
                        ),
                    )
                    .at(def.name.span)
                    .help("add --grain day, week, month, quarter or year"),
                );
            }
        } else if !names.is_empty() {
            diags.push(
                Diag::warning(
                    Code::Grain,
                    format!(
                        "left out, because they use period functions, which need --grain: {}",
                        names.join(", ")
                    ),
                )
                .help("add --grain day, week, month, quarter or year to see them"),
            );
        }
        return kept;
    };
    for k in ir.closure(asked) {
        ir.kpi_leaves(&ir.kpis[k.0 as usize].expr, &mut |l| {
            let crate::ir::KLeaf::Frame(i) = l else {
                return;
            };
            if let crate::ir::FrameOp::ToDate(coarse) = ir.frames[*i as usize].op {
                if !crate::period::contains_whole(coarse, g) {
                    let def = &ir.cat.kpis[k.0 as usize];
                    diags.push(
                        Diag::error(
                            Code::Grain,
                            format!(
                                "`{}`: to_date(…, {}) needs a grain whose periods lie whole in a {}, not --grain {}",
                                def.name.text,
                                coarse.name(),
                                coarse.name(),
                                g.name()
                            ),
                        )
                        .at(def.name.span)
                        .help(if g == crate::time::Grain::Week {
                            "ISO weeks lie whole only in ISO years: use to_date(…, year)".to_string()
                        } else {
                            format!("use a --grain finer than {}", coarse.name())
                        }),
                    );
                }
            }
        });
    }
    asked.to_vec()
}
