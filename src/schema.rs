//! `kpi schema`: the JSON Schema of the YAML catalogue format, for editors (completion,
//! validation as you type). It mirrors what `catalogue/load_yaml.rs` accepts.

use crate::catalogue::{FieldType, Unit};
use serde_json::{json, Value};

pub fn catalogue_schema() -> Value {
    let text = json!({
        "oneOf": [
            { "type": "string" },
            { "type": "object", "additionalProperties": { "type": "string" }, "description": "text per language, e.g. {en: ..., fr: ...}" }
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
            "name": { "type": "string" },
            "data": {
                "description": "records of the KPI's default source, or a map from source name to records",
                "oneOf": [records, { "type": "object", "additionalProperties": records }]
            },
            "by": { "oneOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }], "description": "group-by expressions" },
            "expect": {
                "description": "the expected value (null for none), or grouped rows {by: {...}, value: ...}",
                "oneOf": [
                    scalar,
                    { "type": "array", "items": { "type": "object", "required": ["value"], "properties": { "by": { "type": "object" }, "value": scalar } } }
                ]
            }
        }
    });
    let tests = json!({ "type": "array", "items": test });
    let kpi = json!({
        "oneOf": [
            { "type": "string", "description": "short form: just the formula" },
            {
                "type": "object",
                "required": ["formula"],
                "additionalProperties": false,
                "properties": {
                    "formula": { "type": "string", "description": "e.g. pct(recommend >= 9) - pct(recommend <= 6)" },
                    "label": text,
                    "description": text,
                    "unit": { "enum": Unit::NAMES },
                    "currency": { "type": "string", "description": "ISO code, e.g. EUR" },
                    "decimals": { "type": "integer", "minimum": 0, "maximum": 12 },
                    "target": { "type": ["string", "number"], "description": ">= 30, <= 5, between 80 and 90, <= 4h" },
                    "source": { "type": "string", "description": "default source of this KPI's aggregates" },
                    "tests": tests
                }
            }
        ]
    });
    let source = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "path": { "type": "string", "description": "default data file, relative to this YAML file" },
            "time": { "type": "string", "description": "the field --grain, --from and --to use" },
            "fields": { "type": "object", "additionalProperties": { "enum": FieldType::NAMES } },
            "dimensions": { "type": "object", "additionalProperties": { "type": "string" }, "description": "named group-by expressions" },
            "description": { "type": "string" },
            "label": { "type": "string" }
        }
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "kpi catalogue file",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "source": { "type": "string", "description": "default source of the KPIs in this file" },
            "sources": { "type": "object", "additionalProperties": source },
            "kpis": { "type": "object", "additionalProperties": kpi },
            "tests": { "type": "object", "additionalProperties": tests, "description": "tests of KPIs defined in other files (.kpi)" }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema names exactly the keys the YAML loader accepts.
    #[test]
    fn schema_keys_match_the_loader() {
        let s = catalogue_schema();
        let kpi = &s["properties"]["kpis"]["additionalProperties"]["oneOf"][1]["properties"];
        let mut keys: Vec<&str> = kpi
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = crate::catalogue::KPI_KEYS.to_vec();
        keys.sort_unstable();
        want.sort_unstable();
        assert_eq!(keys, want);
        let top: Vec<&str> = s["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(top.len(), 4);
    }
}
