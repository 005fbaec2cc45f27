//! Result formats: an aligned table for people (units, rounding, French number formatting),
//! CSV, JSON, JSON Lines and Markdown (machine formats carry exact values), and the HTML
//! report (`html/`: tiles and charts, `kpi report`). A workbook (`xlsx`) is written to a
//! file (`write_xlsx`), not rendered as text.

mod csv;
pub mod html;
mod json;
pub mod number;
mod table;
mod xlsx;

use crate::catalogue::{Catalogue, KpiDef};
pub use crate::results::plain_value;
use crate::results::Results as Output;
use crate::value::Value;
pub use json::{json_str, json_value};
pub use number::display_value;
pub use xlsx::write_xlsx;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Jsonl,
    Markdown,
    /// A workbook, written to `--output FILE`.
    Xlsx,
    Html,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Table,
        Format::Csv,
        Format::Json,
        Format::Jsonl,
        Format::Markdown,
        Format::Xlsx,
        Format::Html,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Markdown => "markdown",
            Format::Xlsx => "xlsx",
            Format::Html => "html",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];
    pub fn name(self) -> &'static str {
        self.code()
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

/// A result's target status: `met`, `missed`, or none (no target, or no value).
pub fn status(def: &KpiDef, v: &Value) -> Option<&'static str> {
    let t = def.target.as_ref()?;
    let d = v.decimal()?;
    Some(if t.met(d) { "met" } else { "missed" })
}

pub fn render(out: &Output, cat: &Catalogue, format: Format, lang: Lang) -> String {
    match format {
        Format::Table => table::table(out, cat, lang, false),
        Format::Markdown => table::table(out, cat, lang, true),
        Format::Csv => csv::csv(out, cat, lang),
        Format::Json => json::json(out, cat),
        Format::Jsonl => json::jsonl(out, cat),
        // A workbook is bytes in a file: the caller writes it with `write_xlsx`.
        Format::Xlsx => String::new(),
        Format::Html => html::html(out, cat, lang, &html::Options::default()),
    }
}

/// The margin shown as `± m`: the larger distance from the value to a bound (so that the
/// value ± m covers the interval, which is not centred on the value for a proportion).
pub fn margin(r: &crate::results::ResultRow) -> Option<Value<'static>> {
    let (low, high) = r.bounds.as_ref()?;
    let v = r.value.decimal()?;
    let m = (v - low.decimal()?)
        .max(high.decimal()? - v)
        .max(rust_decimal::Decimal::ZERO);
    Some(match r.value {
        Value::Dur(_) => Value::Dur(m),
        _ => Value::Num(m),
    })
}

/// Whether the rows carry `--compare`'s previous values.
fn has_compare(out: &Output) -> bool {
    out.rows.iter().any(|r| r.previous.is_some())
}
