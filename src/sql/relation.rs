//! The rows KPIs are computed on: one CTE per source with its plain aggregates (`agg_S`),
//! one per `per` aggregate (`per_N`); with `--by` or `--grain`, a CTE of every group key
//! (`keys`) that they are left-joined to; and, when KPIs are shared (`kpis.rs`), one CTE
//! per dependency layer (`kpis_0` holds the aggregates, `kpis_1`… add shared KPIs).

use super::kpis::{shared_column, KpiTexts};
use super::Compiler;

/// A relation of KPI values: its CTEs, and what a `SELECT` over it reads.
pub(super) struct Relation {
    /// (quoted name, body) of each CTE, in order.
    pub ctes: Vec<(String, String)>,
    /// The KPIs, as the `SELECT` reads them.
    pub kpis: KpiTexts,
    /// The group key columns as the `SELECT` reads them (`k0`, `k1`…).
    pub keys: Vec<String>,
    /// `FROM …` with its leading newline; empty when no source is read.
    pub from: String,
    /// Whether the rows are joined by group key (then ordered by it).
    pub joined: bool,
    /// With `--compare` over cells: each shown KPI's previous value, in the order shown.
    pub previous: Option<Vec<String>>,
}

impl Compiler<'_, '_> {
    /// This compiler's relation. KPIs are first written for one `SELECT`; if some are
    /// shared, they are written again over the layered CTEs.
    pub(super) fn relation(&self) -> Relation {
        if self.framed {
            return self.cells_relation();
        }
        let flat = self.kpi_texts(None);
        if flat.layers.is_empty() {
            let mut r = self.joins();
            r.kpis = flat;
            return r;
        }
        let layered = Compiler {
            layered: true,
            ..*self
        };
        let kpis = layered.kpi_texts(Some(&flat));
        let mut r = self.joins();
        let key_count = r.keys.len();
        // Layer 0: the keys, every aggregate, and which sources have the group.
        let mut cols: Vec<String> = r
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{k} AS k{i}"))
            .collect();
        for p in &self.plan.sources {
            for a in &p.aggs {
                cols.push(format!("{} AS a{}", self.agg_column(a.0 as usize), a.0));
            }
            if self.grouped {
                cols.push(format!("{} AS s{}", self.present(p.id.0 as usize), p.id.0));
            }
        }
        if cols.is_empty() {
            cols.push("1 AS one".into());
        }
        let mut last = self.cte("kpis_0");
        r.ctes.push((
            last.clone(),
            format!("  SELECT\n    {}{}", cols.join(",\n    "), indent(&r.from)),
        ));
        for (i, layer) in kpis.layers.iter().enumerate() {
            let name = self.cte(&format!("kpis_{}", i + 1));
            let cols: Vec<String> = layer
                .iter()
                .map(|k| {
                    let t = kpis.by_id[k.0 as usize].as_ref().expect("a written KPI");
                    format!("{} AS {}", t.sql, shared_column(*k))
                })
                .collect();
            r.ctes.push((
                name.clone(),
                format!("  SELECT *, {} FROM {last}", cols.join(", ")),
            ));
            last = name;
        }
        r.keys = (0..key_count).map(|i| format!("k{i}")).collect();
        r.from = format!("\nFROM {last}");
        r.kpis = kpis;
        r
    }

    /// The aggregates' CTEs and how they are joined (`kpis` left empty).
    fn joins(&self) -> Relation {
        let (plan, an, d) = (self.plan, self.an, self.dialect);
        let is_per = |a: usize| self.own_relation(a);
        let mut ctes: Vec<(String, String)> = Vec::new();
        // The CTEs that carry group keys, to join; those of plain aggregates hold every
        // group of their source.
        let mut keyed: Vec<String> = Vec::new();
        let mut groups: Vec<String> = Vec::new();
        for p in &plan.sources {
            let s = p.id.0 as usize;
            let src = &an.sources[s];
            let keys: Vec<String> = if self.grouped {
                p.keys.iter().map(|k| self.record(s, k).0).collect()
            } else {
                Vec::new()
            };
            let filters = self.source_filters(s);
            let of_source: Vec<usize> = p.aggs.iter().map(|a| a.0 as usize).collect();
            let simple: Vec<usize> = of_source.iter().copied().filter(|&a| !is_per(a)).collect();
            // Grouped, every source has its row of aggregates: it tells which groups the
            // source has, as eval's groups are the records' keys.
            if !simple.is_empty() || self.grouped {
                let mut columns: Vec<String> = keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| format!("    {k} AS k{i}"))
                    .collect();
                columns.push("    COUNT(*) AS records".into());
                columns.extend(
                    simple
                        .iter()
                        .map(|&a| format!("    {} AS a{a}", self.agg_spec(&an.aggs[a]).0)),
                );
                let group = if keys.is_empty() {
                    String::new()
                } else {
                    format!("\n  GROUP BY {}", keys.join(", "))
                };
                let filter = if filters.is_empty() {
                    String::new()
                } else {
                    format!("\n  WHERE {}", filters.join(" AND "))
                };
                let name = self.cte(&format!("agg_{}", src.name));
                keyed.push(name.clone());
                groups.push(name.clone());
                ctes.push((
                    name,
                    format!(
                        "  SELECT\n{}\n  FROM {}{filter}{group}",
                        columns.join(",\n"),
                        self.table(s)
                    ),
                ));
            }
            for a in of_source.into_iter().filter(|&a| is_per(a)) {
                let (body, _) = self.own_select(
                    &an.aggs[a],
                    &self.records_of(s, &keys),
                    Some(&format!("a{a}")),
                );
                let name = self.cte(&self.own_name(a));
                keyed.push(name.clone());
                ctes.push((name, format!("  {body}")));
            }
        }
        let key_count = if self.grouped {
            plan.key_names.len()
        } else {
            0
        };
        let key_cols: Vec<String> = (0..key_count).map(|i| format!("k{i}")).collect();
        let keys_cte = self.cte("keys");
        let joined = key_count > 0 && !keyed.is_empty();
        let mut from = String::new();
        let mut keys = Vec::new();
        if joined {
            let union: Vec<String> = groups
                .iter()
                .map(|n| format!("SELECT {} FROM {n}", key_cols.join(", ")))
                .collect();
            ctes.push((
                keys_cte.clone(),
                format!(
                    "  {}",
                    union.join(&format!("\n  {}\n  ", d.union_distinct()))
                ),
            ));
            from = format!("\nFROM {keys_cte}");
            for n in &keyed {
                let on: Vec<String> = key_cols
                    .iter()
                    .map(|k| d.null_safe_eq(&format!("{n}.{k}"), &format!("{keys_cte}.{k}")))
                    .collect();
                from.push_str(&format!("\n  LEFT JOIN {n} ON {}", on.join(" AND ")));
            }
            keys = key_cols.iter().map(|k| format!("{keys_cte}.{k}")).collect();
        } else if !keyed.is_empty() {
            from = format!("\nFROM {}", keyed.join(", "));
        }
        Relation {
            ctes,
            kpis: KpiTexts {
                by_id: Vec::new(),
                layers: Vec::new(),
            },
            keys,
            from,
            joined,
            previous: None,
        }
    }
}

/// `FROM …` lines moved into a CTE's body.
fn indent(from: &str) -> String {
    from.replace('\n', "\n  ")
}
