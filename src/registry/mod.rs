//! The registry: one definition per scalar function and per aggregate — name, arity,
//! parameter and result types, how it evaluates, its signature and one-line doc. Analysis
//! types calls from it, evaluation runs it, SQL writes it, and the language reference is
//! checked against it. Adding a function is one entry in the file of its family under
//! `functions/`; adding an aggregate is one file under `aggregates/`.

pub mod aggregates;
mod args;
pub mod functions;
mod params;

pub use aggregates::{aggregate, AggDef, AggKind, AggSql, AGGREGATES};
pub use args::{Args, Res};
pub use functions::{function, FuncDef, SqlForm, FUNCTIONS};
pub use params::{Param, Returns};

/// Every name a call can use, functions then aggregates (for suggestions).
pub fn all_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS
        .iter()
        .map(|f| f.name)
        .chain(AGGREGATES.iter().map(|a| a.name))
}
