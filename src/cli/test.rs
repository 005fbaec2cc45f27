//! `kpi test`: run the tests embedded in catalogues; one line per test, then the tally.

use super::{load, report};
use crate::analysis::catalogue_to_ir;
use crate::testing;

pub fn run(paths: &[std::path::PathBuf]) -> i32 {
    let front = load(paths);
    let (an, diags) = catalogue_to_ir(&front.cat, &[]);
    if super::report_errors(front.diags.list.iter().chain(&diags), &front.sources) {
        crate::outln!("0 passed, 0 failed (the catalogue has errors: `kpi check` shows them)");
        return 1;
    }
    let outcomes = testing::run_all(&front.cat, &an);
    drop(an);
    let mut failures = Vec::new();
    for o in &outcomes {
        crate::outln!(
            "{} {} › {}",
            if o.passed { "ok  " } else { "FAIL" },
            o.kpi,
            o.test
        );
        if !o.passed {
            failures.extend(o.diags.iter().cloned());
        }
    }
    report(&failures, &front.sources);
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    let untested = front.cat.kpis.iter().filter(|k| k.tests.is_empty()).count();
    if untested > 0 {
        crate::outln!("{untested} KPIs have no test");
    }
    crate::outln!("{} passed, {} failed", outcomes.len() - failed, failed);
    i32::from(failed > 0)
}
