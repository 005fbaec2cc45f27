//! Every name written in a catalogue, resolved: KPIs, sources, fields, dimensions, functions
//! and aggregates, where they are defined and where they are used. Hover, definition,
//! references, rename and semantic tokens all read this one list.

use super::workspace::Snapshot;
use crate::catalogue::{Catalogue, KpiDef};
use crate::registry;
use crate::span::Span;
use crate::syntax::{Expr, ExprKind, Name};

/// What a name stands for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Kpi(String),
    Source(String),
    Field { source: String, field: String },
    Dimension { source: String, name: String },
    Function(&'static str),
    Aggregate(&'static str),
}

/// One name in a file: what it stands for, and whether this is where it is defined.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub span: Span,
    pub target: Target,
    pub def: bool,
}

/// The scope a formula's names are read in (language reference §2).
#[derive(Clone, Copy)]
enum Scope<'a> {
    /// KPIs, and aggregates over the default source.
    Kpi(Option<&'a str>),
    /// The fields of one source (inside an aggregate, a dimension, a test's `by`).
    Record(Option<&'a str>),
}

pub fn occurrences(snap: &Snapshot) -> Vec<Occurrence> {
    let cat = &snap.cat;
    let mut w = Walker {
        cat,
        out: Vec::new(),
    };
    for s in &cat.sources {
        let src = s.name.text.as_str();
        w.push(&s.name, Target::Source(src.into()), true);
        for f in &s.fields {
            w.push(&f.name, field(src, &f.name.text), true);
        }
        for n in s.time.iter().chain(&s.key) {
            w.push(n, field(src, &n.text), false);
        }
        for (table, key) in &s.lookups {
            w.push(table, Target::Source(table.text.clone()), false);
            w.push(key, field(src, &key.text), false);
        }
        for (name, e) in &s.dimensions {
            let dim = Target::Dimension {
                source: src.into(),
                name: name.text.clone(),
            };
            w.push(name, dim, true);
            w.expr(e, Scope::Record(Some(src)));
        }
    }
    for k in &cat.kpis {
        w.kpi(k);
    }
    // Top-level `tests:` name the KPI they test (attached to it since).
    for f in &snap.files {
        for (name, _) in &f.frag.cat.extra_tests {
            if cat.kpi(&name.text).is_some() {
                w.push(name, Target::Kpi(name.text.clone()), false);
            }
        }
    }
    let mut out = w.out;
    out.sort_by_key(|o| (o.span.file, o.span.start, o.span.end));
    // A file's `source:` is the default source of each of its KPIs: one occurrence.
    out.dedup_by(|a, b| a.span == b.span && a.target == b.target);
    out
}

fn field(source: &str, name: &str) -> Target {
    Target::Field {
        source: source.into(),
        field: name.into(),
    }
}

struct Walker<'c> {
    cat: &'c Catalogue,
    out: Vec<Occurrence>,
}

impl<'c> Walker<'c> {
    fn push(&mut self, n: &Name, target: Target, def: bool) {
        self.out.push(Occurrence {
            span: n.span,
            target,
            def,
        });
    }

    fn kpi(&mut self, k: &'c KpiDef) {
        self.push(&k.name, Target::Kpi(k.name.text.clone()), true);
        let default = k.source.as_ref().map(|s| s.text.as_str());
        if let Some(s) = &k.source {
            self.push(s, Target::Source(s.text.clone()), false);
        }
        self.expr(&k.formula, Scope::Kpi(default));
        for t in &k.tests {
            for (src, _) in &t.data {
                if let Some(s) = src {
                    self.push(s, Target::Source(s.text.clone()), false);
                }
            }
            for b in &t.by {
                self.expr(b, Scope::Record(default));
            }
        }
    }

    fn expr(&mut self, e: &'c Expr, scope: Scope<'c>) {
        match &e.kind {
            ExprKind::Name(n) => match scope {
                Scope::Kpi(_) => {
                    if self.cat.kpi(&n.text).is_some() {
                        self.push(n, Target::Kpi(n.text.clone()), false);
                    }
                }
                Scope::Record(Some(src)) => {
                    let def = self.cat.source(src);
                    let is_dim = def.is_some_and(|d| {
                        d.field(&n.text).is_none()
                            && d.dimensions.iter().any(|(x, _)| x.text == n.text)
                    });
                    let target = if is_dim {
                        Target::Dimension {
                            source: src.into(),
                            name: n.text.clone(),
                        }
                    } else {
                        field(src, &n.text)
                    };
                    self.push(n, target, false);
                }
                Scope::Record(None) => {}
            },
            ExprKind::Lookup(table, f) => {
                self.push(table, Target::Source(table.text.clone()), false);
                self.push(f, field(&table.text, &f.text), false);
            }
            ExprKind::Call(c) => {
                let inner = if let Some(a) = registry::aggregate(&c.func.text) {
                    self.push(&c.func, Target::Aggregate(a.name), false);
                    if let Some(s) = &c.source {
                        self.push(s, Target::Source(s.text.clone()), false);
                    }
                    let src = match (&c.source, scope) {
                        (Some(s), _) => Some(s.text.as_str()),
                        (None, Scope::Kpi(d) | Scope::Record(d)) => d,
                    };
                    Scope::Record(src)
                } else {
                    if let Some(f) = registry::function(&c.func.text.to_lowercase()) {
                        self.push(&c.func, Target::Function(f.name), false);
                    }
                    scope
                };
                for x in c.args.iter().chain(&c.per).chain(&c.filter) {
                    self.expr(x, inner);
                }
            }
            _ => {
                for x in e.children() {
                    self.expr(x, scope);
                }
            }
        }
    }
}

/// The occurrence at a byte offset of a file (the innermost, when names touch).
pub fn at(snap: &Snapshot, file: crate::span::FileId, offset: usize) -> Option<&Occurrence> {
    let offset = offset as u32;
    snap.occurrences()
        .iter()
        .filter(|o| o.span.file == file && o.span.start <= offset && offset <= o.span.end)
        .min_by_key(|o| o.span.len())
}

/// Where a target is defined.
pub fn definition<'s>(snap: &'s Snapshot, target: &Target) -> Option<&'s Occurrence> {
    snap.occurrences()
        .iter()
        .find(|o| o.def && o.target == *target)
}

/// Every occurrence of a target (its definition included).
pub fn uses<'s>(snap: &'s Snapshot, target: &'s Target) -> impl Iterator<Item = &'s Occurrence> {
    snap.occurrences()
        .iter()
        .filter(move |o| o.target == *target)
}
