//! `kpi schema`: the JSON Schema of the YAML catalogue format, for editors (completion,
//! validation as you type). It mirrors what `catalogue/load_yaml.rs` accepts.

use crate::catalogue::{FieldType, Unit, TARGET_PATTERN};
use crate::input::options::{
    FileFormat, DECIMALS, DELIMITERS, ENCODINGS, ENCODING_ALIASES, THOUSANDS,
};
use crate::input::pattern::SCHEMA_PATTERNS;
use serde_json::{json, Value};

pub fn catalogue_schema() -> Value {
    // Where the loader reads a text, YAML numbers and booleans are read as written
    // (`label: 2024`, `formula: 1`); only nothing (null) is refused.
    let text_scalar = json!({ "type": ["string", "number", "boolean"] });
    let text = json!({
        "oneOf": [
            text_scalar,
            { "type": "object", "additionalProperties": text_scalar, "description": "text per language, e.g. {en: ..., fr: ...}" }
        ]
    });
    let scalar = json!({ "type": ["string", "number", "boolean", "null"] });
    let record = json!({ "type": "object", "additionalProperties": scalar });
    let records = json!({ "type": ["array", "null"], "items": record });
    let test = json!({
        "type": "object",
        "required": ["expect"],
        "additionalProperties": false,
        "properties": {
            "name": text_scalar,
            "data": {
                "description": "records of the KPI's default source, or a map from source name to records",
                "oneOf": [records, { "type": "object", "additionalProperties": records }]
            },
            "by": { "oneOf": [text_scalar, { "type": "array", "items": text_scalar }], "description": "group-by expressions" },
            "grain": { "enum": ["day", "week", "month", "quarter", "year"], "description": "group the test's records by period (for period functions)" },
            "from": { "type": "string", "description": "keep the records on or after this date (records before are read for offsets and windows)" },
            "to": { "type": "string", "description": "keep the records before this date" },
            "expect": {
                "description": "the expected value (null for none), or grouped rows {by: {...}, value: ...}",
                "oneOf": [
                    scalar,
                    { "type": "array", "items": {
                        "type": "object",
                        "required": ["value"],
                        "additionalProperties": false,
                        "properties": { "by": { "type": "object", "additionalProperties": scalar }, "value": scalar }
                    } }
                ]
            }
        }
    });
    let tests = json!({ "type": "array", "items": test });
    let units: Vec<&str> = Unit::NAMES.iter().chain(&Unit::ALIASES).copied().collect();
    let types: Vec<&str> = FieldType::NAMES
        .iter()
        .chain(&FieldType::ALIASES)
        .copied()
        .collect();
    let kpi = json!({
        "oneOf": [
            { "type": ["string", "number", "boolean"], "description": "short form: just the formula" },
            {
                "type": "object",
                "required": ["formula"],
                "additionalProperties": false,
                "properties": {
                    "formula": { "type": ["string", "number", "boolean"], "description": "e.g. pct(recommend >= 9) - pct(recommend <= 6)" },
                    "label": text,
                    "description": text,
                    "unit": { "enum": units },
                    "currency": { "type": ["string", "number", "boolean"], "description": "ISO code, e.g. EUR" },
                    "decimals": {
                        "oneOf": [
                            { "type": "integer", "minimum": 0, "maximum": 12 },
                            { "type": "string", "pattern": "^\\s*\\+?0*([0-9]|1[0-2])\\s*$" }
                        ]
                    },
                    "target": {
                        "type": "string",
                        "pattern": TARGET_PATTERN,
                        "description": ">= 30, <= 5, between 80 and 90, <= 4h (a bare number says no direction: write >= 90)"
                    },
                    "min_sample": {
                        "description": "results computed from fewer records are marked \"low sample\"",
                        "oneOf": [
                            { "type": "integer", "minimum": 1 },
                            { "type": "string", "pattern": "^\\s*\\+?0*[1-9][0-9]*\\s*$" }
                        ]
                    },
                    "source": { "type": ["string", "number", "boolean"], "description": "default source of this KPI's aggregates" },
                    "tests": tests
                }
            }
        ]
    });
    // Read options (`design/inputs.md`, `input/options.rs`): words are texts as written.
    let words = json!({
        "oneOf": [text_scalar, { "type": "array", "items": text_scalar }],
        "description": "a word or a list of words, matched in any case"
    });
    let encodings: Vec<&str> = ENCODINGS.iter().chain(&ENCODING_ALIASES).copied().collect();
    let date_pattern = |what: &str| {
        json!({
            "type": "string",
            "allOf": SCHEMA_PATTERNS.iter().map(|p| json!({ "pattern": p })).collect::<Vec<_>>(),
            "description": format!("{what}: a strftime-style pattern with a day, a month and a year (%d %e %m %b %B %Y %y %H %I %p %M %S %f %T %%)")
        })
    };
    let source = json!({
        "type": ["object", "null"],
        "additionalProperties": false,
        "properties": {
            "path": { "type": ["string", "number", "boolean"], "description": "default data file, relative to this YAML file" },
            "time": { "type": ["string", "number", "boolean"], "description": "the field --grain, --from and --to use" },
            "fields": { "type": ["object", "null"], "additionalProperties": { "enum": types } },
            "dimensions": { "type": ["object", "null"], "additionalProperties": text_scalar, "description": "named group-by expressions" },
            "description": text,
            "label": text,
            "key": { "type": ["string", "number", "boolean"], "description": "a lookup table's unique key field" },
            "lookups": { "type": ["object", "null"], "additionalProperties": { "type": ["string", "number", "boolean"] }, "description": "lookup tables this source refers to: table name → the field holding its key" },
            "format": { "enum": FileFormat::NAMES, "description": "default: from the file's extension" },
            "sheet": { "type": ["string", "integer"], "minimum": 1, "description": "a workbook's sheet: 2 is the second, \"2\" the one named 2 (default: the first)" },
            "header_row": { "type": "integer", "minimum": 1, "maximum": 1_048_576, "description": "the row (line) of the header; rows above it are skipped" },
            "encoding": { "enum": encodings, "description": "default utf-8 (a byte order mark decides)" },
            "delimiter": { "enum": DELIMITERS, "description": "default: sniffed from the header" },
            "decimal": { "enum": DECIMALS, "description": "default . (and , in ;- and tab-separated files)" },
            "thousands": { "enum": THOUSANDS, "description": "a separator ignored inside numbers; \" \" also matches no-break spaces" },
            "date_format": date_pattern("how dates are written, e.g. %d/%m/%Y"),
            "datetime_format": date_pattern("how datetimes are written, e.g. %d/%m/%Y %H:%M"),
            "true": words,
            "false": words,
            "null": words
        }
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "kpi catalogue file",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "source": { "type": ["string", "number", "boolean"], "description": "default source of the KPIs in this file" },
            "sources": { "type": ["object", "null"], "additionalProperties": source },
            "kpis": { "type": ["object", "null"], "additionalProperties": kpi },
            "tests": { "type": ["object", "null"], "additionalProperties": tests, "description": "tests of KPIs defined in other files (.kpi)" }
        }
    })
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod validate;
