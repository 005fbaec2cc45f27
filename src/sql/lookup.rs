//! Lookup fields (`agents.team`, periods-lookups brief §14): a source whose aggregates,
//! keys or filters read fields of a lookup table is read through a subquery that
//! left-joins the table on its key, compared as text (`007` is not `7`), and names each
//! field it adds as the column of the lookup field (`"agents.team"`). A record whose key is
//! null or has no match reads null there, as in `kpi eval`.
//!
//! The table is taken one row per key (the smallest by its fields), so that a repeated key,
//! which `kpi eval` reports as an error, never multiplies the source's records.

use super::Compiler;
use crate::analysis::Ty;
use crate::ir::SourceId;

impl Compiler<'_, '_> {
    /// The table of source `s` as a `FROM` item: its name, or with lookups the subquery
    /// that adds the lookup fields it reads (aliased as the source).
    pub(super) fn table(&self, s: usize) -> String {
        let d = self.dialect;
        let name = d.ident(&self.an.sources[s].name);
        let Some(p) = self.plan.source(SourceId(s as u32)) else {
            return name;
        };
        if p.fills.is_empty() {
            return name;
        }
        let mut cols = vec!["kpi_record.*".to_string()];
        let mut joins: Vec<usize> = Vec::new();
        let mut joined = String::new();
        for f in &p.fills {
            let alias = format!("kpi_lookup_{}", f.lookup);
            if !joins.contains(&f.lookup) {
                joins.push(f.lookup);
                let (key, key_ty) = self.column(s, &f.key);
                let key = format!("kpi_record.{key}");
                let key = if key_ty == Ty::Str {
                    key
                } else {
                    d.cast_text(&key)
                };
                let _ = std::fmt::Write::write_fmt(
                    &mut joined,
                    format_args!(
                        "\n    LEFT JOIN ({}) AS {alias} ON {key} = {alias}.kpi_key",
                        self.lookup_rows(f.lookup)
                    ),
                );
            }
            let table = &self.plan.lookups[f.lookup];
            let field = &table.columns[f.field + 1].0;
            let col = d.ident(&self.an.sources[s].columns[f.col.0 as usize].name);
            let added = format!("{alias}.{} AS {col}", d.ident(field));
            if !cols.iter().any(|c| c.ends_with(&format!(" AS {col}"))) {
                cols.push(added);
            }
        }
        format!(
            "(SELECT {} FROM {name} AS kpi_record{joined}) AS {name}",
            cols.join(", ")
        )
    }

    /// One row per key of lookup table `l`: its key as text (`kpi_key`) and its fields.
    fn lookup_rows(&self, l: usize) -> String {
        let d = self.dialect;
        let table = &self.plan.lookups[l];
        let src = &self.an.sources[table.table.0 as usize];
        let key_name = &table.columns[0].0;
        let declared = self
            .an
            .source_def(table.table)
            .and_then(|def| def.field(key_name))
            .map(|f| Ty::from(f.ty));
        let key = d.ident(key_name);
        let key = if declared == Some(Ty::Str) {
            key
        } else {
            d.cast_text(&key)
        };
        let mut fields: Vec<String> = Vec::new();
        for (name, _) in &table.columns[1..] {
            let f = d.ident(name);
            if !fields.contains(&f) {
                fields.push(f);
            }
        }
        let order = if fields.is_empty() {
            key.clone()
        } else {
            fields
                .iter()
                .map(|f| d.nulls_last(f))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut cols = vec![format!("{key} AS kpi_key")];
        cols.extend(fields.iter().cloned());
        format!(
            "SELECT {} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY {order}) AS kpi_row FROM {}) AS kpi_keys WHERE kpi_row = 1",
            cols.join(", "),
            d.ident(&src.name)
        )
    }
}
