//! The three scopes of a name (§2): record scope (fields of one source), KPI scope (KPIs
//! and aggregates over any source), and the inner scope of a `per` (aggregates per entity).

use super::aggregate::{aggregate, intern};
use super::{column, lower, unknown_source, Scope};
use crate::analysis::{Analyzer, Ty};
use crate::diag::{Code, Diag};
use crate::ir::{AggSpec, Col, KExpr, KLeaf, KpiId, Node, RExpr, SourceId};
use crate::registry::AggDef;
use crate::syntax::{Call, Expr, Name};

/// Record scope: names are fields of one source.
pub(super) struct RecordScope {
    pub(super) source: SourceId,
}

impl Scope for RecordScope {
    type L = Col;
    fn name(&mut self, an: &mut Analyzer, n: &Name) -> Option<(RExpr, Ty)> {
        let src_name = an.sources[self.source.0 as usize].name.clone();
        if let Some(def) = an.source_def(self.source) {
            if def.has_schema && def.field(&n.text).is_none() {
                if def.dimensions.iter().any(|(d, _)| d.text == n.text) {
                    let source = self.source;
                    return an
                        .in_dimension(source, n, |an, dim| {
                            lower(an, &mut RecordScope { source }, dim)
                        })
                        .flatten();
                }
                if an.kpi_id(&n.text).is_some() {
                    an.diags.push(
                        Diag::error(Code::Scope, format!("`{}` is a KPI, but inside an aggregate names are fields of `{src_name}`", n.text))
                            .at(n.span)
                            .help("refer to a KPI outside any aggregate, e.g. `nps - 10`"),
                    );
                    return None;
                }
                let d = Diag::error(
                    Code::UnknownName,
                    format!("`{}` is not a field of `{src_name}`", n.text),
                )
                .at(n.span);
                let names: Vec<&str> = def.fields.iter().map(|f| f.name.text.as_str()).collect();
                let all = format!("the fields of `{src_name}` are: {}", names.join(", "));
                an.diags.push(d.suggest(&n.text, names, Some(all)));
                return None;
            }
        }
        let col = column(an, self.source, &n.text, Ty::Any);
        Some((
            Node::Leaf(col),
            an.sources[self.source.0 as usize].columns[col.0 as usize].ty,
        ))
    }

    fn lookup(&mut self, an: &mut Analyzer, t: &Name, f: &Name) -> Option<(RExpr, Ty)> {
        super::lookups::lookup(an, self.source, t, f)
    }

    fn aggregate(
        &mut self,
        an: &mut Analyzer,
        c: &Call,
        _f: &'static AggDef,
        _e: &Expr,
    ) -> Option<(RExpr, Ty)> {
        an.diags.push(
            Diag::error(
                Code::NestedAggregate,
                format!("`{}` is an aggregate inside another aggregate", c.func.text),
            )
            .at(c.func.span)
            .help("to aggregate per entity first, add `per`: e.g. `avg(count() per customer_id)`"),
        );
        None
    }

    fn refine(&mut self, an: &mut Analyzer, node: &mut RExpr, ty: Ty) {
        an.refine_column(self.source, node, ty);
    }
}

/// KPI scope: names are KPIs; aggregates read the default source or the one they name.
pub(super) struct KpiScope {
    pub(super) default_source: Option<SourceId>,
    pub(super) deps: Vec<KpiId>,
    /// The window (`rolling`, `to_date`, `cumulative`) being lowered, if any.
    pub(super) window: Option<&'static str>,
    /// A period function is used (itself or through a KPI).
    pub(super) needs_grain: bool,
    /// A period function, `total` or `rank` is used (itself or through a KPI).
    pub(super) framed: bool,
}

impl Scope for KpiScope {
    type L = KLeaf;
    fn name(&mut self, an: &mut Analyzer, n: &Name) -> Option<(KExpr, Ty)> {
        if let Some(id) = an.kpi_id(&n.text) {
            self.deps.push(id);
            let ty = an.kpi(id);
            let info = &an.kpis[id.0 as usize];
            let (needs_grain, framed) = (info.needs_grain, info.framed);
            if let (Some(window), true) = (self.window, framed) {
                let what = format!(
                    "`{}`, which uses a period function, `total` or `rank`,",
                    n.text
                );
                an.diags
                    .push(super::frames::inside_window(&what, window, n.span));
                return None;
            }
            self.needs_grain |= needs_grain;
            self.framed |= framed;
            return Some((Node::Leaf(KLeaf::Kpi(id)), ty));
        }
        let field_of = an.sources.iter().enumerate().find(|(i, s)| {
            an.source_def(SourceId(*i as u32))
                .is_some_and(|d| d.field(&n.text).is_some())
                || s.columns.iter().any(|c| c.name == n.text)
        });
        if let Some((_, s)) = field_of {
            an.diags.push(
                Diag::error(
                    Code::Scope,
                    format!(
                        "`{}` is a field of `{}`, but outside an aggregate names are KPIs",
                        n.text, s.name
                    ),
                )
                .at(n.span)
                .help(format!(
                    "wrap it in an aggregate, e.g. `avg({0})` or `count({0} is not null)`",
                    n.text
                )),
            );
            return None;
        }
        let d = Diag::error(Code::UnknownName, format!("unknown KPI `{}`", n.text)).at(n.span);
        let names = an.cat.kpis.iter().map(|k| k.name.text.as_str());
        an.diags.push(d.suggest(
            &n.text,
            names,
            Some("outside an aggregate, names are KPIs; fields go inside an aggregate such as `avg(x)`".into()),
        ));
        None
    }

    fn frame(
        &mut self,
        an: &mut Analyzer,
        c: &Call,
        def: &'static crate::registry::FuncDef,
        kind: crate::registry::FrameFn,
    ) -> Option<(KExpr, Ty)> {
        super::frames::frame(self, an, c, def, kind)
    }

    fn aggregate(
        &mut self,
        an: &mut Analyzer,
        c: &Call,
        f: &'static AggDef,
        e: &Expr,
    ) -> Option<(KExpr, Ty)> {
        let source = match &c.source {
            Some(s) => match an.source_id(&s.text) {
                Some(id) => id,
                None => {
                    an.diags.push(unknown_source(an, s));
                    return None;
                }
            },
            None => {
                match self.default_source {
                    Some(s) => s,
                    None => {
                        an.diags.push(
                        Diag::error(Code::UnknownName, format!("`{}` reads no source: this KPI has no default source", c.func.text))
                            .at(c.func.span)
                            .help(format!("add `source: NAME` to the file, or name the source: `NAME.{}(...)`", c.func.text)),
                    );
                        return None;
                    }
                }
            }
        };
        let (spec, ty) = aggregate(an, c, f, e, source, true)?;
        let id = intern(&mut an.ir.aggs, &mut an.agg_index, spec);
        Some((Node::Leaf(KLeaf::Agg(crate::ir::AggId(id as u32))), ty))
    }
}

/// The inner expression of a `per`: aggregates over the records of one entity.
pub(super) struct InnerScope {
    pub(super) source: SourceId,
    pub(super) aggs: Vec<AggSpec>,
    pub(super) index: std::collections::HashMap<String, usize>,
}

impl Scope for InnerScope {
    type L = KLeaf;
    fn name(&mut self, an: &mut Analyzer, n: &Name) -> Option<(KExpr, Ty)> {
        an.diags.push(
            Diag::error(Code::Scope, format!("`{}` is outside an aggregate inside `per`", n.text))
                .at(n.span)
                .help(format!(
                    "before `per`, write what to compute per entity with aggregates, e.g. `count()` or `max({})`",
                    n.text
                )),
        );
        None
    }

    fn aggregate(
        &mut self,
        an: &mut Analyzer,
        c: &Call,
        f: &'static AggDef,
        e: &Expr,
    ) -> Option<(KExpr, Ty)> {
        if let Some(s) = &c.source {
            if an.source_id(&s.text) != Some(self.source) {
                an.diags.push(
                    Diag::error(
                        Code::Scope,
                        "inside `per`, aggregates read the records of the same source",
                    )
                    .at(s.span)
                    .help("remove the source name"),
                );
                return None;
            }
        }
        let (spec, ty) = aggregate(an, c, f, e, self.source, false)?;
        let id = intern(&mut self.aggs, &mut self.index, spec);
        Some((Node::Leaf(KLeaf::Inner(id as u32)), ty))
    }
}
