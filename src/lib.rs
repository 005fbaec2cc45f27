//! `kpi`: a declarative language for business KPIs, its checker and its streaming evaluator.
//! See `ARCHITECTURE.md` for the stages and where each lives.
#![forbid(unsafe_code)]

pub mod diag;
pub mod render;
pub mod span;
pub mod syntax;
pub mod time;
pub mod catalogue;
pub mod ir;
pub mod value;
pub mod analysis;
pub mod cli;
pub mod eval;
pub mod output;
pub mod testing;
