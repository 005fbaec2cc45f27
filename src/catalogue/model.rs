//! The catalogue model that both file forms load into.

use crate::catalogue::yaml::Node;
use crate::span::{FileId, Span};
use crate::syntax::{Expr, Name};
use rust_decimal::Decimal;
use std::path::PathBuf;

#[derive(Debug, Default)]
pub struct Catalogue {
    pub sources: Vec<SourceDef>,
    pub kpis: Vec<KpiDef>,
    /// Catalogue files loaded, in load order.
    pub files: Vec<FileId>,
    /// Top-level `tests:` of YAML files, for KPIs that may be defined in another file.
    pub extra_tests: Vec<(Name, Vec<TestDef>)>,
}

impl Catalogue {
    pub fn source(&self, name: &str) -> Option<&SourceDef> {
        self.sources.iter().find(|s| s.name.text == name)
    }
    pub fn kpi(&self, name: &str) -> Option<&KpiDef> {
        self.kpis.iter().find(|k| k.name.text == name)
    }
}

/// The type names of the language (§3) as declared in `fields:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    String,
    Number,
    Bool,
    Date,
    DateTime,
    Duration,
}

impl FieldType {
    pub const NAMES: [&'static str; 6] =
        ["string", "number", "bool", "date", "datetime", "duration"];
    /// Other spellings `parse` takes (`kpi schema` lists them too).
    pub const ALIASES: [&'static str; 5] = ["text", "decimal", "integer", "boolean", "timestamp"];
    pub fn name(self) -> &'static str {
        FieldType::NAMES[self as usize]
    }
    pub fn parse(s: &str) -> Option<FieldType> {
        Some(match s {
            "string" | "text" => FieldType::String,
            "number" | "decimal" | "integer" => FieldType::Number,
            "bool" | "boolean" => FieldType::Bool,
            "date" => FieldType::Date,
            "datetime" | "timestamp" => FieldType::DateTime,
            "duration" => FieldType::Duration,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct FieldDef {
    pub name: Name,
    pub ty: FieldType,
}

#[derive(Clone, Debug)]
pub struct SourceDef {
    pub name: Name,
    /// The declared data file, resolved against the catalogue file's folder.
    pub path: Option<(PathBuf, Span)>,
    pub time: Option<Name>,
    /// Empty when no schema is declared: any field name is then accepted.
    pub fields: Vec<FieldDef>,
    pub has_schema: bool,
    pub dimensions: Vec<(Name, Expr)>,
    /// A lookup table's unique key field (`key: agent`).
    pub key: Option<Name>,
    /// The lookup tables this source refers to: (table, this source's field holding its key).
    pub lookups: Vec<(Name, Name)>,
    /// How its files are written (`encoding: windows-1252`, `null: [N/A]`…), as written:
    /// `input/options.rs` gives them their meaning and checks their values.
    pub read: Vec<ReadSetting>,
}

/// The keys of a source that say how its files are read (`design/inputs.md`).
pub const READ_KEYS: [&str; 12] = [
    "format",
    "sheet",
    "header_row",
    "encoding",
    "delimiter",
    "decimal",
    "thousands",
    "date_format",
    "datetime_format",
    "true",
    "false",
    "null",
];
/// The read keys that take a list of words (or one word).
pub const READ_LIST_KEYS: [&str; 3] = ["true", "false", "null"];

/// One read option of a source, as written in the catalogue or on the command line.
#[derive(Clone, Debug)]
pub struct ReadSetting {
    pub key: Name,
    /// One value for a single-valued key; the words of a list key.
    pub values: Vec<SettingValue>,
}

#[derive(Clone, Debug)]
pub struct SettingValue {
    pub text: String,
    pub span: Span,
    /// Written without quotes (a YAML plain scalar, or a command-line value): `sheet: 2` is
    /// a number, `sheet: "2"` a name.
    pub plain: bool,
}

impl SourceDef {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name.text == name)
    }
}

/// A label or description: one text, or one per language.
#[derive(Clone, Debug, PartialEq)]
pub enum Text {
    Plain(String),
    Langs(Vec<(String, String)>),
}

impl Text {
    /// The text in `lang`, else English, else the first one given.
    pub fn get(&self, lang: &str) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Langs(l) => l
                .iter()
                .find(|(k, _)| k == lang)
                .or_else(|| l.iter().find(|(k, _)| k == "en"))
                .or(l.first())
                .map_or("", |(_, v)| v),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Count,
    Percent,
    Points,
    Ratio,
    Number,
    Currency,
    Seconds,
    Duration,
}

impl Unit {
    pub const NAMES: [&'static str; 8] = [
        "count", "percent", "points", "ratio", "number", "currency", "seconds", "duration",
    ];
    /// Other spellings `parse` takes (`kpi schema` lists them too).
    pub const ALIASES: [&'static str; 1] = ["%"];
    pub fn parse(s: &str) -> Option<Unit> {
        Some(match s {
            "count" => Unit::Count,
            "percent" | "%" => Unit::Percent,
            "points" => Unit::Points,
            "ratio" => Unit::Ratio,
            "number" => Unit::Number,
            "currency" => Unit::Currency,
            "seconds" => Unit::Seconds,
            "duration" => Unit::Duration,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        Unit::NAMES[self as usize]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TargetOp {
    Ge(Decimal),
    Gt(Decimal),
    Le(Decimal),
    Lt(Decimal),
    Eq(Decimal),
    Between(Decimal, Decimal),
}

#[derive(Clone, Debug)]
pub struct Target {
    pub op: TargetOp,
    /// As written, for output.
    pub text: String,
    pub span: Span,
}

impl Target {
    pub fn met(&self, v: Decimal) -> bool {
        match &self.op {
            TargetOp::Ge(t) => v >= *t,
            TargetOp::Gt(t) => v > *t,
            TargetOp::Le(t) => v <= *t,
            TargetOp::Lt(t) => v < *t,
            TargetOp::Eq(t) => v == *t,
            TargetOp::Between(a, b) => *a <= v && v <= *b,
        }
    }
}

/// How a formula is written in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FormulaForm {
    /// The text itself (a `.kpi` definition, a command-line formula).
    #[default]
    Bare,
    /// A YAML scalar of this style.
    Yaml(crate::catalogue::yaml::Style),
}

#[derive(Clone, Debug)]
pub struct KpiDef {
    pub name: Name,
    /// The default source of its aggregates.
    pub source: Option<Name>,
    pub label: Option<Text>,
    pub description: Option<Text>,
    pub formula: Expr,
    /// Span of the formula text in its file (for `fmt`).
    pub formula_span: Span,
    /// How the formula is written there (for `fmt`).
    pub formula_form: FormulaForm,
    pub unit: Option<Unit>,
    pub currency: Option<String>,
    pub decimals: Option<u32>,
    pub target: Option<Target>,
    /// `min_sample`: results computed from fewer records are marked "low sample".
    pub min_sample: Option<u64>,
    pub tests: Vec<TestDef>,
    pub file: FileId,
}

impl KpiDef {
    /// A KPI with its name and formula and nothing else declared yet.
    pub fn new(name: Name, formula: Expr, file: FileId) -> KpiDef {
        KpiDef {
            formula_span: formula.span,
            formula,
            name,
            source: None,
            label: None,
            description: None,
            formula_form: FormulaForm::default(),
            unit: None,
            currency: None,
            decimals: None,
            target: None,
            min_sample: None,
            tests: Vec::new(),
            file,
        }
    }
}

/// One catalogue test (§9): inline records and the expected value.
#[derive(Clone, Debug)]
pub struct TestDef {
    pub name: String,
    pub span: Span,
    /// Records per source (`None`: the KPI's default source).
    pub data: Vec<(Option<Name>, Vec<Node>)>,
    pub by: Vec<Expr>,
    /// `grain:`, `from:`, `to:`: the test's records grouped by period, and its range.
    pub grain: Option<crate::time::Grain>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub expect: Node,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name and alias parses; nothing else listed is missing.
    #[test]
    fn names_and_aliases_parse() {
        for n in Unit::NAMES.iter().chain(&Unit::ALIASES) {
            assert!(Unit::parse(n).is_some(), "{n}");
        }
        for n in FieldType::NAMES.iter().chain(&FieldType::ALIASES) {
            assert!(FieldType::parse(n).is_some(), "{n}");
        }
        for n in Unit::NAMES {
            assert_eq!(Unit::parse(n).map(Unit::as_str), Some(n));
        }
    }
}
