//! The integration tests, linked as one binary (`cargo test --test all`): one link of the
//! `kpi` library and its dependencies instead of one per file. Each module is one area;
//! their snapshots are in `tests/all/snapshots/`, named `all__<module>__<name>.snap`.
//! Relative paths (`tests/fixtures/...`, `README.md`) resolve from the crate root, where
//! cargo runs the tests.

mod common;

mod cli;
mod docs;
mod eval_table;
mod fixtures;
mod grouped_per;
mod inputs;
mod large;
mod lsp;
mod report;
mod sql;
mod trends;
