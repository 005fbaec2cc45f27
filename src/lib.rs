//! `kpi`: a declarative language for business KPIs, its checker and its streaming evaluator.
//! See `ARCHITECTURE.md` for the stages and where each lives.
#![forbid(unsafe_code)]
// Diagnostics are rich (spans, labels, help) and travel only on cold error paths.
#![allow(clippy::result_large_err)]

pub mod analysis;
pub mod catalogue;
pub mod cli;
pub mod diag;
pub mod doc;
pub mod eval;
pub mod fast_decimal;
pub mod fmt;
pub mod input;
pub mod ir;
pub mod keytable;
pub mod lsp;
pub mod op;
pub mod output;
pub mod period;
pub mod plan;
pub mod registry;
pub mod render;
pub mod results;
pub mod schema;
pub mod span;
pub mod sql;
pub mod stats;
pub mod syntax;
pub mod testing;
pub mod time;
pub mod types;
pub mod value;

/// End to end: the same KPIs over an export in each of its forms (issue 8's fixtures).
#[cfg(test)]
mod export_tests;
