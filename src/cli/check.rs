//! `kpi check`: validate catalogues without reading data.

use super::{count, load, plural, report, CheckFormat};
use crate::diag::Severity;
use crate::render;

/// Every diagnostic `check` finds, sorted by place; with the KPI and source counts.
pub fn diagnose(
    paths: &[std::path::PathBuf],
) -> (crate::span::SourceMap, Vec<crate::diag::Diag>, usize, usize) {
    let front = load(paths);
    let (kpis, sources) = (front.cat.kpis.len(), front.cat.sources.len());
    let Front {
        sources: map,
        cat,
        diags,
    } = front;
    (
        map,
        crate::analysis::check_catalogue(&cat, diags.list),
        kpis,
        sources,
    )
}

pub fn run(paths: &[std::path::PathBuf], format: CheckFormat) -> i32 {
    let (map, list, kpis, sources) = diagnose(paths);
    let list = &list;
    let (errors, warnings) = (count(list, Severity::Error), count(list, Severity::Warning));
    match format {
        CheckFormat::Human => {
            report(list, &map);
            let verdict = if errors == 0 {
                "ok".to_string()
            } else {
                plural(errors, "error")
            };
            let warn = if warnings > 0 {
                format!(", {}", plural(warnings, "warning"))
            } else {
                String::new()
            };
            crate::outln!(
                "checked {} and {}: {verdict}{warn}",
                plural(kpis, "KPI"),
                plural(sources, "source")
            );
        }
        CheckFormat::Json => {
            let v: Vec<_> = list.iter().map(|d| render::json_value(d, &map)).collect();
            crate::outln!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({ "diagnostics": v }))
                    .unwrap_or_default()
            );
        }
        CheckFormat::Github => {
            for d in list {
                crate::outln!("{}", render::github(d, &map));
            }
        }
    }
    i32::from(errors > 0)
}

use super::Front;
