//! YAML catalogue files → the catalogue model. Every key is checked: a misspelt key is an
//! error with a suggestion, never silently ignored.

use super::attrs::{self, unknown_key};
use super::model::{
    Catalogue, FieldDef, FieldType, KpiDef, ReadSetting, SettingValue, SourceDef, TestDef, Text,
    READ_KEYS, READ_LIST_KEYS,
};
use super::yaml::{self, Node, NodeKind};
use crate::diag::{did_you_mean, Code, Diag};
use crate::span::FileId;
use crate::syntax::{parse_formula, Expr, ExprKind, Name};
use std::path::Path;

const FILE_KEYS: &[&str] = &["source", "sources", "kpis", "tests"];
/// A source's keys besides the read keys ([`READ_KEYS`]).
const SOURCE_KEYS: &[&str] = &[
    "path",
    "time",
    "fields",
    "dimensions",
    "description",
    "label",
    "key",
    "lookups",
];
const TEST_KEYS: &[&str] = &["name", "data", "by", "grain", "from", "to", "expect"];

pub fn load(cat: &mut Catalogue, file: FileId, text: &str, dir: &Path, diags: &mut Vec<Diag>) {
    match yaml::parse(file, text) {
        Ok(root) => {
            load_root(cat, file, &root, dir, diags);
        }
        Err(d) => diags.push(d),
    }
}

/// A parsed YAML catalogue file → `cat`: its top-level keys in order, then the KPIs of its
/// `kpis` (each with [`load_kpi`]). Returns the file's default source (`source:`), for KPIs
/// loaded apart (`kpi lsp` loads again only the KPIs an edit touched).
pub fn load_root(
    cat: &mut Catalogue,
    file: FileId,
    root: &Node,
    dir: &Path,
    diags: &mut Vec<Diag>,
) -> Option<Name> {
    if root.is_null() {
        diags.push(
            Diag::error(Code::Catalogue, "this catalogue file is empty")
                .at(root.span)
                .help("add `kpis:` with at least one KPI, or `sources:`"),
        );
        return None;
    }
    let entries = mapping(root, "a catalogue file", diags)?;
    let mut default_source = None;
    let mut kpi_maps = Vec::new();
    for (k, v) in entries {
        match k.as_str().unwrap_or("") {
            "source" => {
                default_source = string(v, "`source`", diags).map(|s| Name {
                    text: s,
                    span: v.span,
                })
            }
            "sources" => {
                for (name, def) in mapping(v, "`sources`", diags).unwrap_or(&[]) {
                    if let Some(s) = source(name, def, dir, diags) {
                        cat.sources.push(s);
                    }
                }
            }
            "kpis" => {
                if matches!(v.kind, NodeKind::Seq(_)) {
                    diags.push(
                        Diag::error(
                            Code::Catalogue,
                            "`kpis` is a list; it must be a mapping from KPI name to definition",
                        )
                        .at(v.span)
                        .help("write `kpis:` then `  nps:` and the KPI's keys indented below it"),
                    );
                    continue;
                }
                kpi_maps.push(v);
            }
            "tests" => {
                for (name, list) in mapping(v, "`tests`", diags).unwrap_or(&[]) {
                    let Some(kpi_name) = name.as_str() else {
                        continue;
                    };
                    let tests = tests(list, diags);
                    cat.extra_tests.push((
                        Name {
                            text: kpi_name.into(),
                            span: name.span,
                        },
                        tests,
                    ));
                }
            }
            other => diags.push(unknown_key(other, FILE_KEYS, "a catalogue file", k.span)),
        }
    }
    for v in kpi_maps {
        for (name, def) in mapping(v, "`kpis`", diags).unwrap_or(&[]) {
            if let Some(k) = load_kpi(name, def, default_source.clone(), file, diags) {
                cat.kpis.push(k);
            }
        }
    }
    default_source
}

fn mapping<'a>(n: &'a Node, what: &str, diags: &mut Vec<Diag>) -> Option<&'a [(Node, Node)]> {
    match &n.kind {
        NodeKind::Map(e) => Some(e),
        _ if n.is_null() => Some(&[]),
        _ => {
            diags.push(
                Diag::error(
                    Code::Catalogue,
                    format!("{what} must be a mapping, not {}", n.describe()),
                )
                .at(n.span),
            );
            None
        }
    }
}

fn string(n: &Node, what: &str, diags: &mut Vec<Diag>) -> Option<String> {
    match n.as_str() {
        Some(s) if !n.is_null() => Some(s.to_string()),
        _ => {
            diags.push(
                Diag::error(
                    Code::Catalogue,
                    format!("{what} must be a text, not {}", n.describe()),
                )
                .at(n.span),
            );
            None
        }
    }
}

fn name_of(k: &Node) -> Name {
    Name {
        text: k.as_str().unwrap_or("").to_string(),
        span: k.span,
    }
}

fn text(n: &Node, what: &str, diags: &mut Vec<Diag>) -> Option<Text> {
    if let NodeKind::Map(entries) = &n.kind {
        let langs = entries
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), string(v, what, diags)?)))
            .collect();
        return Some(Text::Langs(langs));
    }
    string(n, what, diags).map(Text::Plain)
}

fn source(k: &Node, v: &Node, dir: &Path, diags: &mut Vec<Diag>) -> Option<SourceDef> {
    let mut s = SourceDef {
        name: name_of(k),
        path: None,
        time: None,
        fields: Vec::new(),
        has_schema: false,
        dimensions: Vec::new(),
        key: None,
        lookups: Vec::new(),
        read: Vec::new(),
    };
    for (key, val) in mapping(v, &format!("source `{}`", s.name.text), diags)? {
        match key.as_str().unwrap_or("") {
            k if READ_KEYS.contains(&k) => s.read.extend(read_setting(key, val, diags)),
            "path" => {
                s.path = string(val, "`path`", diags).map(|p| (super::join_path(dir, &p), val.span))
            }
            "time" => {
                s.time = string(val, "`time`", diags).map(|t| Name {
                    text: t,
                    span: val.span,
                })
            }
            // Read as a KPI's are (a text, or one per language), though only shown by editors.
            "description" => {
                text(val, "`description`", diags);
            }
            "label" => {
                text(val, "`label`", diags);
            }
            "fields" => {
                s.has_schema = true;
                for (fk, fv) in mapping(val, "`fields`", diags).unwrap_or(&[]) {
                    let Some(ty_name) = string(fv, "a field type", diags) else {
                        continue;
                    };
                    match FieldType::parse(&ty_name) {
                        Some(ty) => s.fields.push(FieldDef {
                            name: name_of(fk),
                            ty,
                        }),
                        None => {
                            let d =
                                Diag::error(Code::Catalogue, format!("unknown type `{ty_name}`"))
                                    .at(fv.span);
                            diags.push(d.suggest(
                                &ty_name,
                                FieldType::NAMES,
                                Some(format!("the types are {}", FieldType::NAMES.join(", "))),
                            ));
                        }
                    }
                }
            }
            "key" => {
                s.key = string(val, "`key`", diags).map(|t| Name {
                    text: t,
                    span: val.span,
                })
            }
            "lookups" => {
                for (lk, lv) in mapping(val, "`lookups`", diags).unwrap_or(&[]) {
                    if let Some(field) = string(lv, "a field name", diags) {
                        let field = Name {
                            text: field,
                            span: lv.span,
                        };
                        s.lookups.push((name_of(lk), field));
                    }
                }
            }
            "dimensions" => {
                for (dk, dv) in mapping(val, "`dimensions`", diags).unwrap_or(&[]) {
                    if let Some(e) = formula(dv, diags) {
                        s.dimensions.push((name_of(dk), e));
                    }
                }
            }
            other => {
                let keys: Vec<&str> = SOURCE_KEYS.iter().chain(&READ_KEYS).copied().collect();
                diags.push(unknown_key(other, &keys, "a source", key.span))
            }
        }
    }
    Some(s)
}

/// A read option, as written: a single value, or for `true`, `false` and `null` one word
/// or a list of words. Values are texts as written (`true: [Oui]`, `null: [N/A, "-"]`,
/// `false: [no]`), never YAML booleans or nulls; `input/options.rs` checks what they mean.
fn read_setting(key: &Node, val: &Node, diags: &mut Vec<Diag>) -> Option<ReadSetting> {
    let name = name_of(key);
    let value = |n: &Node, diags: &mut Vec<Diag>| match n.as_scalar() {
        Some(s) if !n.is_null() => Some(SettingValue {
            text: s.value.clone(),
            span: n.span,
            plain: s.plain,
        }),
        Some(s) if !s.value.is_empty() => {
            diags.push(
                Diag::error(
                    Code::Catalogue,
                    format!("`{}` here is YAML's null, not a word", s.value),
                )
                .at(n.span)
                .help(format!("quote it to mean the word: \"{}\"", s.value)),
            );
            None
        }
        Some(_) => {
            diags.push(
                Diag::error(Code::Catalogue, format!("`{}` has no value", name.text))
                    .at(n.span)
                    .help(format!(
                        "write a value after `{}:`, or remove it",
                        name.text
                    )),
            );
            None
        }
        None => {
            diags.push(
                Diag::error(
                    Code::Catalogue,
                    format!(
                        "`{}` must be a single value, not {}",
                        name.text,
                        n.describe()
                    ),
                )
                .at(n.span),
            );
            None
        }
    };
    let values = match &val.kind {
        NodeKind::Seq(items) if READ_LIST_KEYS.contains(&name.text.as_str()) => {
            let mut values = Vec::new();
            for item in items {
                values.push(value(item, diags)?);
            }
            values
        }
        _ => vec![value(val, diags)?],
    };
    Some(ReadSetting { key: name, values })
}

fn formula(n: &Node, diags: &mut Vec<Diag>) -> Option<Expr> {
    let text = string(n, "a formula", diags)?;
    Some(parse_formula(&text, &n.locator(), diags))
}

/// One entry of `kpis:` (`name: formula`, or `name:` and its keys) → a KPI of `file`.
pub fn load_kpi(
    k: &Node,
    v: &Node,
    default_source: Option<Name>,
    file: FileId,
    diags: &mut Vec<Diag>,
) -> Option<KpiDef> {
    let name = name_of(k);
    let mut def = KpiDef::new(name.clone(), Expr::new(ExprKind::Error, k.span), file);
    def.source = default_source;
    // `name: formula` is the short form of a KPI with nothing but a formula.
    if v.as_scalar().is_some() && !v.is_null() {
        def.formula = formula(v, diags)?;
        def.formula_span = v.span;
        def.formula_form = form(v);
        return Some(def);
    }
    let mut has_formula = false;
    let mut formula_typo = false;
    for (key, val) in mapping(v, &format!("KPI `{}`", name.text), diags)? {
        let key_text = key.as_str().unwrap_or("");
        match key_text {
            "formula" => {
                has_formula = true;
                if let Some(e) = formula(val, diags) {
                    def.formula = e;
                    def.formula_span = val.span;
                    def.formula_form = form(val);
                }
            }
            "label" => def.label = text(val, "`label`", diags),
            "description" => def.description = text(val, "`description`", diags),
            "tests" => def.tests = tests(val, diags),
            _ => {
                formula_typo |= did_you_mean(key_text, ["formula"]).is_some();
                let Some(s) = val.as_scalar().filter(|_| !val.is_null()) else {
                    diags.push(if attrs::KPI_KEYS.contains(&key_text) && val.is_null() {
                        Diag::error(Code::Catalogue, format!("`{key_text}` has no value"))
                            .at(key.span)
                            .help(format!(
                                "write a value after `{key_text}:`, or remove the key"
                            ))
                    } else if attrs::KPI_KEYS.contains(&key_text) {
                        Diag::error(
                            Code::Catalogue,
                            format!(
                                "`{key_text}` must be a single value, not {}",
                                val.describe()
                            ),
                        )
                        .at(val.span)
                    } else {
                        unknown_key(key_text, attrs::KPI_KEYS, "a KPI", key.span)
                    });
                    continue;
                };
                let span = if attrs::KPI_KEYS.contains(&key_text) {
                    val.span
                } else {
                    key.span
                };
                if let Err(d) = attrs::set(&mut def, key_text, &s.value, span) {
                    diags.push(d);
                }
            }
        }
    }
    // A misspelt `formula` key already has its own error.
    if !has_formula && !formula_typo {
        diags.push(
            Diag::error(
                Code::Catalogue,
                format!("KPI `{}` has no formula", name.text),
            )
            .at(name.span)
            .help("add `formula: ...` under it"),
        );
        // Kept (with an error formula) so that references to it do not cascade.
    }
    Some(def)
}

fn form(n: &Node) -> crate::catalogue::FormulaForm {
    crate::catalogue::FormulaForm::Yaml(n.as_scalar().map_or(yaml::Style::Block, |s| s.style))
}

fn tests(n: &Node, diags: &mut Vec<Diag>) -> Vec<TestDef> {
    let NodeKind::Seq(items) = &n.kind else {
        diags.push(
            Diag::error(
                Code::Catalogue,
                format!("`tests` must be a list, not {}", n.describe()),
            )
            .at(n.span),
        );
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, t)| test(t, i, diags))
        .collect()
}

fn test(n: &Node, index: usize, diags: &mut Vec<Diag>) -> Option<TestDef> {
    let mut t = TestDef {
        name: String::new(),
        span: n.span,
        data: Vec::new(),
        by: Vec::new(),
        grain: None,
        from: None,
        to: None,
        expect: n.clone(),
    };
    let mut has_expect = false;
    for (k, v) in mapping(n, "a test", diags)? {
        match k.as_str().unwrap_or("") {
            "name" => t.name = string(v, "a test's `name`", diags).unwrap_or_default(),
            "expect" => {
                has_expect = true;
                check_expect(v, diags);
                t.expect = v.clone();
            }
            "by" => match &v.kind {
                NodeKind::Seq(items) => {
                    t.by = items.iter().filter_map(|i| formula(i, diags)).collect()
                }
                _ => t.by = formula(v, diags).into_iter().collect(),
            },
            "grain" => {
                let text = string(v, "`grain`", diags).unwrap_or_default();
                t.grain = crate::time::Grain::ALL
                    .into_iter()
                    .find(|g| g.name() == text.as_str());
                if t.grain.is_none() {
                    diags.push(
                        Diag::error(Code::Catalogue, format!("`{text}` is not a grain"))
                            .at(v.span)
                            .help("a test's grain is day, week, month, quarter or year"),
                    );
                }
            }
            key @ ("from" | "to") => {
                let text = string(v, "a date", diags).unwrap_or_default();
                let at = crate::time::parse_datetime(text.as_bytes());
                if at.is_none() {
                    diags.push(
                        Diag::error(Code::Catalogue, format!("`{text}` is not a date"))
                            .at(v.span)
                            .help("write 2025-03-01, or 2025-03-01T08:00:00"),
                    );
                }
                if key == "from" {
                    t.from = at;
                } else {
                    t.to = at;
                }
            }
            "data" => match &v.kind {
                NodeKind::Seq(records) => {
                    check_records(records, diags);
                    t.data.push((None, records.clone()))
                }
                NodeKind::Map(per_source) => {
                    for (sk, sv) in per_source {
                        match &sv.kind {
                            NodeKind::Seq(records) => {
                                check_records(records, diags);
                                t.data.push((Some(name_of(sk)), records.clone()))
                            }
                            _ if sv.is_null() => t.data.push((Some(name_of(sk)), Vec::new())),
                            _ => diags.push(
                                Diag::error(
                                    Code::Catalogue,
                                    format!("the records of `{}` must be a list", name_of(sk).text),
                                )
                                .at(sv.span),
                            ),
                        }
                    }
                }
                _ if v.is_null() => t.data.push((None, Vec::new())),
                _ => diags.push(
                    Diag::error(
                        Code::Catalogue,
                        "`data` is a list of records, or a mapping from source to records",
                    )
                    .at(v.span),
                ),
            },
            other => diags.push(unknown_key(other, TEST_KEYS, "a test", k.span)),
        }
    }
    if t.name.is_empty() {
        t.name = format!("test {}", index + 1);
    }
    if !has_expect {
        diags.push(
            Diag::error(Code::Catalogue, "this test has no `expect`")
                .at(n.span)
                .help("add `expect: VALUE`"),
        );
        return None;
    }
    Some(t)
}

/// A test's records: mappings from field to one value (`kpi test` reads them; `kpi check`
/// and `kpi schema` refuse other shapes up front).
fn check_records(records: &[Node], diags: &mut Vec<Diag>) {
    for r in records {
        let NodeKind::Map(entries) = &r.kind else {
            diags.push(
                Diag::error(
                    Code::Catalogue,
                    format!(
                        "a test record is a mapping of field to value, not {}",
                        r.describe()
                    ),
                )
                .at(r.span)
                .help("write a record as `{field: value, other: value}`"),
            );
            continue;
        };
        for (k, v) in entries {
            single_value(k, v, diags);
        }
    }
}

/// A value that must be one scalar (null included).
fn single_value(key: &Node, v: &Node, diags: &mut Vec<Diag>) {
    if v.as_scalar().is_none() {
        diags.push(
            Diag::error(
                Code::Catalogue,
                format!(
                    "`{}` must be a single value, not {}",
                    key.as_str().unwrap_or(""),
                    v.describe()
                ),
            )
            .at(v.span),
        );
    }
}

/// `expect`: one value, or a list of rows `{by: {key: value, ...}, value: VALUE}`.
fn check_expect(n: &Node, diags: &mut Vec<Diag>) {
    const ROW_KEYS: &[&str] = &["by", "value"];
    let rows = match &n.kind {
        NodeKind::Scalar(_) => return,
        NodeKind::Seq(rows) => rows,
        NodeKind::Map(_) => return diags.push(
            Diag::error(
                Code::Catalogue,
                "`expect` is one value, or a list of rows `{by: {...}, value: ...}`, not a mapping",
            )
            .at(n.span)
            .help("for grouped results write `expect:` then `- {by: {channel: phone}, value: 3}`"),
        ),
    };
    for row in rows {
        let NodeKind::Map(entries) = &row.kind else {
            diags.push(
                Diag::error(
                    Code::Catalogue,
                    format!(
                        "an expected row is a mapping `{{by: {{...}}, value: ...}}`, not {}",
                        row.describe()
                    ),
                )
                .at(row.span),
            );
            continue;
        };
        if !entries.iter().any(|(k, _)| k.as_str() == Some("value")) {
            diags.push(
                Diag::error(Code::Catalogue, "this expected row has no `value`")
                    .at(row.span)
                    .help("add `value: VALUE`"),
            );
        }
        for (k, v) in entries {
            match k.as_str().unwrap_or("") {
                "value" => single_value(k, v, diags),
                "by" => match &v.kind {
                    NodeKind::Map(keys) => {
                        for (kk, kv) in keys {
                            single_value(kk, kv, diags);
                        }
                    }
                    _ => diags.push(
                        Diag::error(
                            Code::Catalogue,
                            format!(
                                "`by` of an expected row maps each group key to its value, not {}",
                                v.describe()
                            ),
                        )
                        .at(v.span),
                    ),
                },
                other => diags.push(unknown_key(other, ROW_KEYS, "an expected row", k.span)),
            }
        }
    }
}
