//! Scalar functions (language brief §7), one family per file.

mod logic;
mod math;
mod periods;
mod text;
mod time;

use super::args::{Args, Res};
use super::params::{Param, Returns};
use crate::time::{DatePart, Period};

/// One scalar function.
pub struct FuncDef {
    pub name: &'static str,
    /// Fewest and most arguments (`usize::MAX`: any number).
    pub min: usize,
    pub max: usize,
    /// Parameter types by position; the last one repeats for extra arguments.
    pub params: &'static [Param],
    pub returns: Returns,
    /// How to write a call, e.g. `round(x)` and `round(x, decimals)`.
    pub signature: &'static [&'static str],
    pub doc: &'static str,
    pub eval: for<'a> fn(&mut dyn Args<'a>) -> Res<'a>,
    /// How SQL writes it (a dialect may still write it its own way).
    pub sql: SqlForm,
    /// A period function, `total` or `rank`: it evaluates its argument in another frame
    /// (other periods, all groups), so analysis and evaluation treat it apart.
    pub frame: Option<FrameFn>,
}

/// The functions that evaluate their argument in another frame (KPI scope only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameFn {
    Previous,
    YearAgo,
    Rolling,
    ToDate,
    Cumulative,
    Total,
    Rank,
}

/// How a function is written in SQL.
#[derive(Clone, Copy)]
pub enum SqlForm {
    /// The standard form, from the rendered arguments.
    Standard(fn(&[String]) -> String),
    /// The label of the period holding the argument: each engine formats it.
    Period(Period),
    /// A number read off the argument: each engine extracts it.
    Part(DatePart),
}

impl std::fmt::Debug for FuncDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for FuncDef {
    fn eq(&self, other: &FuncDef) -> bool {
        self.name == other.name
    }
}

impl FuncDef {
    /// The type parameter `i` takes.
    pub fn param(&self, i: usize) -> Param {
        self.params[i.min(self.params.len() - 1)]
    }
}

/// Every scalar function.
pub static FUNCTIONS: std::sync::LazyLock<Vec<&'static FuncDef>> = std::sync::LazyLock::new(|| {
    [
        math::DEFS,
        logic::DEFS,
        text::DEFS,
        time::DEFS,
        periods::DEFS,
    ]
    .into_iter()
    .flatten()
    .collect()
});

/// The function of this name (names are case-insensitive).
pub fn function(name: &str) -> Option<&'static FuncDef> {
    let lower = name.to_lowercase();
    FUNCTIONS.iter().copied().find(|f| f.name == lower)
}
