//! Analysis of long KPI chains and cycles.

use super::*;
use crate::span::SourceMap;

/// Analysis recurses along KPI chains: tests run it on a stack as roomy as the binary's.
fn on_a_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("a test thread")
        .join()
        .expect("the test passes");
}

fn chain(n: usize, cyclic: bool) -> Vec<Diag> {
    let mut text = String::from("@source s\n");
    for i in 0..n {
        let next = if cyclic { (i + 1) % n } else { i + 1 };
        text.push_str(&format!("k{i} = k{next} + 1\n"));
    }
    if !cyclic {
        text.push_str(&format!("k{n} = s.count()\n"));
    }
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    let cat = crate::catalogue::load_text("c.kpi", &text, true, &mut sources, &mut diags);
    let (_, found) = catalogue_to_ir(&cat, &["s".to_string()]);
    found
}

#[test]
fn a_chain_deeper_than_the_bound_is_an_error_not_a_crash() {
    on_a_big_stack(|| {
        assert!(chain(1_500, false).is_empty());
        let found = chain(MAX_KPI_DEPTH + 10, false);
        assert!(
            found
                .iter()
                .any(|d| d.message.contains("more than 2000 deep")),
            "{found:?}"
        );
    });
}

#[test]
fn a_long_cycle_is_shown_by_its_ends_with_a_few_labels() {
    on_a_big_stack(a_long_cycle);
}

fn a_long_cycle() {
    // Every label costs the renderer a scan of the file: 10,000 of them took seconds.
    let n = 1000;
    let found = chain(n, true);
    let cycle = found
        .iter()
        .find(|d| d.code == Code::Cycle)
        .expect("a cycle");
    assert!(
        cycle.message.contains("`k7` → … 984 more … → `k992`"),
        "{}",
        cycle.message
    );
    assert!(cycle.labels.len() <= 9, "{} labels", cycle.labels.len());
}
