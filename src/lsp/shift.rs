//! Spans moved by an edit: after text is inserted or removed before them, the spans of what
//! was loaded from the lines that follow move by as many bytes. The walks destructure every
//! type whole, so that a field added to one of them cannot be forgotten here.

use crate::catalogue::yaml::{Node, NodeKind, Scalar};
use crate::catalogue::{KpiDef, Target, TestDef};
use crate::diag::{Diag, Label};
use crate::span::Span;
use crate::syntax::{Call, Expr, ExprKind, Name};

/// Every offset at or after `from` moves by `delta` bytes.
#[derive(Clone, Copy, Debug)]
pub struct Shift {
    pub from: u32,
    pub delta: i64,
}

impl Shift {
    pub fn offset(self, at: &mut u32) {
        if *at >= self.from {
            *at = (i64::from(*at) + self.delta) as u32;
        }
    }

    pub fn span(self, s: &mut Span) {
        // A span that starts before `from` keeps its start (none of those loaded from the
        // lines an edit leaves alone reaches past them).
        if s.start >= self.from {
            self.offset(&mut s.start);
        }
        self.offset(&mut s.end);
        s.end = s.end.max(s.start);
    }

    fn name(self, n: &mut Name) {
        self.span(&mut n.span);
    }

    pub fn node(self, n: &mut Node) {
        let Node { kind, span } = n;
        self.span(span);
        match kind {
            NodeKind::Scalar(Scalar {
                value: _,
                plain: _,
                style: _,
                offsets,
            }) => {
                for at in offsets.iter_mut().flatten() {
                    self.offset(at);
                }
            }
            NodeKind::Seq(items) => items.iter_mut().for_each(|i| self.node(i)),
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    self.node(k);
                    self.node(v);
                }
            }
        }
    }

    pub fn expr(self, e: &mut Expr) {
        let Expr { kind, span } = e;
        self.span(span);
        match kind {
            ExprKind::Lit(_) | ExprKind::Error => {}
            ExprKind::Name(n) => self.name(n),
            ExprKind::Lookup(table, field) => {
                self.name(table);
                self.name(field);
            }
            ExprKind::Unary(_, x) => self.expr(x),
            ExprKind::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::IsNull { expr, negated: _ } => self.expr(expr),
            ExprKind::In {
                expr,
                list,
                negated: _,
            } => {
                self.expr(expr);
                list.iter_mut().for_each(|x| self.expr(x));
            }
            ExprKind::Between { expr, low, high } => {
                self.expr(expr);
                self.expr(low);
                self.expr(high);
            }
            ExprKind::Call(c) => {
                let Call {
                    source,
                    func,
                    args,
                    per,
                    filter,
                } = &mut **c;
                source.iter_mut().for_each(|n| self.name(n));
                self.name(func);
                args.iter_mut()
                    .chain(per.iter_mut())
                    .chain(filter.iter_mut())
                    .for_each(|x| self.expr(x));
            }
        }
    }

    pub fn kpi(self, k: &mut KpiDef) {
        let KpiDef {
            name,
            source,
            label: _,
            description: _,
            formula,
            formula_span,
            formula_form: _,
            unit: _,
            currency: _,
            decimals: _,
            target,
            min_sample: _,
            tests,
            file: _,
        } = k;
        self.name(name);
        source.iter_mut().for_each(|n| self.name(n));
        self.expr(formula);
        self.span(formula_span);
        if let Some(Target {
            op: _,
            text: _,
            span,
        }) = target
        {
            self.span(span);
        }
        tests.iter_mut().for_each(|t| self.test(t));
    }

    fn test(self, t: &mut TestDef) {
        let TestDef {
            name: _,
            span,
            data,
            by,
            grain: _,
            from: _,
            to: _,
            expect,
        } = t;
        self.span(span);
        for (source, records) in data {
            source.iter_mut().for_each(|n| self.name(n));
            records.iter_mut().for_each(|r| self.node(r));
        }
        by.iter_mut().for_each(|e| self.expr(e));
        self.node(expect);
    }

    pub fn diag(self, d: &mut Diag) {
        // An excerpt (of a data file) and a KPI's context hold no span.
        let Diag {
            code: _,
            severity: _,
            message: _,
            labels,
            help: _,
            excerpt: _,
            kpi: _,
        } = d;
        for Label { span, text: _ } in labels {
            self.span(span);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;

    #[test]
    fn spans_after_the_edit_move_and_the_others_stay() {
        let s = Shift {
            from: 10,
            delta: -3,
        };
        let mut before = Span::new(FileId(0), 2, 5);
        let mut after = Span::new(FileId(0), 10, 14);
        s.span(&mut before);
        s.span(&mut after);
        assert_eq!((before.start, before.end), (2, 5));
        assert_eq!((after.start, after.end), (7, 11));
    }
}
