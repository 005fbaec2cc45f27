//! The files of a generated case: its data (CSV or JSON Lines), its catalogue (YAML) and
//! its formulas and arguments as text.

use super::ast::{quote_name, Printer, Ty};
use super::gen::Case;
use super::model::V;
use super::rng::Rng;

fn json_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn yaml_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn csv_cell(s: &str, delimiter: char) -> String {
    if s.contains([delimiter, '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Case {
    pub fn field_names(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.name.clone()).collect()
    }

    pub fn kpi_names(&self) -> Vec<String> {
        self.kpis.iter().map(|k| k.name.clone()).collect()
    }

    /// The formulas as text, written with the printer's choices from `seed`.
    pub fn formulas(&self, seed: u64) -> Vec<String> {
        self.formulas_with(seed, false)
    }

    /// The formulas, with `ast::BREAK` where a line may break when `breaks`.
    pub fn formulas_with(&self, seed: u64, breaks: bool) -> Vec<String> {
        let fields = self.field_names();
        let kpis = self.kpi_names();
        let mut p = Printer {
            fields: &fields,
            kpis: &kpis,
            rng: Rng::new(seed),
            breaks,
        };
        self.kpis.iter().map(|k| p.print(&k.e)).collect()
    }

    /// The data file's name.
    pub fn data_file(&self) -> &'static str {
        if self.delimiter.is_some() {
            "data.csv"
        } else {
            "data.jsonl"
        }
    }

    /// The data file: CSV, or JSON Lines (a null now a `null`, now a missing key).
    pub fn data(&self) -> String {
        let Some(d) = self.delimiter else {
            let mut out = String::new();
            for (n, r) in self.recs.iter().enumerate() {
                let mut cells = Vec::new();
                for (i, f) in self.fields.iter().enumerate() {
                    let cell = match (&r.vals[i], &r.texts[i]) {
                        (V::Null, _) if (n + i) % 2 == 0 => continue,
                        (V::Null, _) | (_, None) => "null".to_string(),
                        (V::Num(_), Some(t)) | (V::Bool(_), Some(t)) => t.clone(),
                        (_, Some(t)) => json_string(t),
                    };
                    cells.push(format!("{}: {cell}", json_string(&f.name)));
                }
                out.push_str(&format!("{{{}}}\n", cells.join(", ")));
            }
            return out;
        };
        let line = |cells: Vec<String>| cells.join(&d.to_string()) + "\n";
        let mut out = line(self.fields.iter().map(|f| csv_cell(&f.name, d)).collect());
        for r in &self.recs {
            out.push_str(&line(
                r.texts
                    .iter()
                    .map(|t| t.as_deref().map_or(String::new(), |t| csv_cell(t, d)))
                    .collect(),
            ));
        }
        out
    }

    /// The catalogue in YAML, the source reading `data_file`.
    pub fn yaml(&self, formulas: &[String]) -> String {
        let data_file = self.data_file();
        let mut y = format!("sources:\n  calls:\n    path: {data_file}\n");
        if self.declared {
            y.push_str("    fields:\n");
            for f in &self.fields {
                let ty = match f.ty {
                    Ty::Num => "number",
                    Ty::Bool => "bool",
                    Ty::Str => "string",
                    Ty::Date => "date",
                    Ty::Time => "datetime",
                };
                y.push_str(&format!("      {}: {ty}\n", yaml_quote(&f.name)));
            }
        }
        y.push_str("kpis:\n");
        for (k, f) in self.kpis.iter().zip(formulas) {
            y.push_str(&format!("  {}: {}\n", yaml_quote(&k.name), yaml_quote(f)));
        }
        y
    }

    /// The `--by` argument, as a formula names the field.
    pub fn by_arg(&self) -> Option<String> {
        self.by.map(|i| quote_name(&self.fields[i].name))
    }

    /// The `--where` argument, written with the printer's choices from `seed`.
    pub fn filter_arg(&self, seed: u64) -> Option<String> {
        let fields = self.field_names();
        let mut p = Printer {
            fields: &fields,
            kpis: &[],
            rng: Rng::new(seed),
            breaks: false,
        };
        self.filter.as_ref().map(|f| p.print(f))
    }
}
