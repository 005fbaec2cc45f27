//! `.kpi` files → the catalogue model. `@source NAME` sets the default source of the KPIs
//! that follow; `///` lines and other `@key value` lines describe the next definition.

use super::attrs;
use super::model::{Catalogue, KpiDef, Text};
use crate::diag::{Code, Diag};
use crate::span::FileId;
use crate::syntax::parse::{parse_kpi_file, Statement};
use crate::syntax::Name;

pub fn load(cat: &mut Catalogue, file: FileId, text: &str, diags: &mut Vec<Diag>) {
    let statements = parse_kpi_file(text, file, diags);
    if statements.is_empty()
        && text
            .trim()
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        diags.push(
            Diag::error(Code::Catalogue, "this `.kpi` file defines no KPI")
                .at(crate::span::Span::new(file, 0, 0))
                .help("write a definition such as `csat = pct(satisfaction >= 4)`"),
        );
        return;
    }
    let mut source: Option<Name> = None;
    let mut docs: Vec<String> = Vec::new();
    let mut attrs_pending = Vec::new();
    for st in statements {
        match st {
            Statement::Doc(text, _) => docs.push(text),
            Statement::Attr {
                key,
                value,
                value_span,
                ..
            } if key == "source" => {
                source = Some(Name {
                    text: value,
                    span: value_span,
                })
            }
            Statement::Attr {
                key,
                key_span,
                value,
                value_span,
            } => attrs_pending.push((key, key_span, value, value_span)),
            Statement::Def {
                name,
                formula,
                formula_span,
            } => {
                let mut def = KpiDef::new(name, formula, file);
                def.formula_span = formula_span;
                def.source = source.clone();
                def.description = (!docs.is_empty()).then(|| Text::Plain(docs.join("\n")));
                docs.clear();
                for (key, key_span, value, value_span) in attrs_pending.drain(..) {
                    let span = if attrs::KPI_KEYS.contains(&key.split('.').next().unwrap_or("")) {
                        value_span
                    } else {
                        key_span
                    };
                    if matches!(key.as_str(), "formula" | "tests") {
                        diags.push(
                            Diag::error(Code::Catalogue, format!("`@{key}` cannot be written as an attribute"))
                                .at(key_span)
                                .help(if key == "tests" {
                                    "put tests in a YAML file under a top-level `tests:` mapping from KPI name to tests"
                                } else {
                                    "write the formula as `name = formula`"
                                }),
                        );
                        continue;
                    }
                    // `@unit: percent`, `@unit:percent`: a YAML habit.
                    if let Some((base, rest)) = key.split_once(':').filter(|(b, _)| {
                        attrs::KPI_KEYS.contains(&b.split('.').next().unwrap_or(""))
                    }) {
                        let value = format!("{} {value}", rest.trim()).trim().to_string();
                        diags.push(
                            Diag::error(Code::Catalogue, format!("unknown key `{key}` in a KPI"))
                                .at(key_span)
                                .help(format!(
                                    "write `@{base} {value}`: a blank, not `:`, separates the key from its value"
                                )),
                        );
                        continue;
                    }
                    if let Err(d) = attrs::set(&mut def, &key, &value, span) {
                        diags.push(d);
                    }
                }
                cat.kpis.push(def);
            }
        }
    }
    if let Some((key, key_span, ..)) = attrs_pending.first() {
        diags.push(
            Diag::error(
                Code::Catalogue,
                format!("`@{key}` is not followed by a KPI definition"),
            )
            .at(*key_span)
            .help("attributes describe the next `name = formula` line"),
        );
    }
}
