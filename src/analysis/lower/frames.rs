//! Period functions, `total` and `rank` in KPI scope: their argument is lowered as any KPI
//! expression, their second argument must be a count of periods or a period name, and a
//! window (`rolling`, `to_date`, `cumulative`) may not hold another of them, directly or
//! through a KPI (brief §16).

use super::lower;
use super::scopes::KpiScope;
use crate::analysis::{Analyzer, Ty};
use crate::diag::{Code, Diag};
use crate::ir::{FrameOp, FrameSpec, KExpr, KLeaf, Node};
use crate::registry::{FrameFn, FuncDef};
use crate::syntax::{Call, Expr, ExprKind, Literal};
use crate::time::Grain;

pub(super) fn frame(
    scope: &mut KpiScope,
    an: &mut Analyzer,
    c: &Call,
    def: &'static FuncDef,
    kind: FrameFn,
) -> Option<(KExpr, Ty)> {
    if let Some(window) = scope.window {
        let what = format!("`{}`", def.name);
        an.diags.push(inside_window(&what, window, c.func.span));
        return None;
    }
    let window = matches!(
        kind,
        FrameFn::Rolling | FrameFn::ToDate | FrameFn::Cumulative
    );
    if window {
        scope.window = Some(def.name);
    }
    let lowered = lower(an, scope, &c.args[0]);
    scope.window = None;
    let (x, t) = lowered?;
    let op = match kind {
        FrameFn::Previous => match c.args.get(1) {
            Some(n) => FrameOp::Previous(periods(an, def.name, n)?),
            None => FrameOp::Previous(1),
        },
        FrameFn::YearAgo => FrameOp::YearAgo,
        FrameFn::Rolling => FrameOp::Rolling(periods(an, def.name, &c.args[1])?),
        FrameFn::ToDate => FrameOp::ToDate(period_name(an, &c.args[1])?),
        FrameFn::Cumulative => FrameOp::Cumulative,
        FrameFn::Total => FrameOp::Total,
        FrameFn::Rank => FrameOp::Rank,
    };
    scope.framed = true;
    scope.needs_grain |= op.needs_grain();
    let id = an.frames.len() as u32;
    an.frames.push(FrameSpec { op, expr: x });
    let ty = if op == FrameOp::Rank { Ty::Num } else { t };
    Some((Node::Leaf(KLeaf::Frame(id)), ty))
}

/// A window may not hold a period function, `total` or `rank` (`what`, as written in the
/// message).
pub(super) fn inside_window(what: &str, window: &str, at: crate::span::Span) -> Diag {
    Diag::error(
        Code::Scope,
        format!("{what} cannot be used inside `{window}`"),
    )
    .at(at)
    .help(format!(
        "`{window}` recomputes what it holds over its periods' records: period functions, `total` and `rank` go outside it"
    ))
}

/// A number of periods: a whole number literal from 1.
fn periods(an: &mut Analyzer, f: &str, e: &Expr) -> Option<u32> {
    if let ExprKind::Lit(Literal::Number(n)) = &e.kind {
        if n.fract().is_zero() && *n >= 1.into() {
            if let Ok(n) = u32::try_from(n.mantissa() / 10i128.pow(n.scale())) {
                return Some(n);
            }
        }
    }
    an.diags.push(
        Diag::error(
            Code::Type,
            format!("the second argument of `{f}` is a number of periods: a whole number from 1"),
        )
        .at(e.span)
        .help(format!("e.g. `{f}(x, 7)`")),
    );
    None
}

/// `week`, `month`, `quarter` or `year`, as a bare name.
fn period_name(an: &mut Analyzer, e: &Expr) -> Option<Grain> {
    if let ExprKind::Name(n) = &e.kind {
        let g = Grain::ALL
            .into_iter()
            .filter(|g| *g != Grain::Day)
            .find(|g| g.name().eq_ignore_ascii_case(&n.text));
        if g.is_some() {
            return g;
        }
    }
    an.diags.push(
        Diag::error(
            Code::Type,
            "the second argument of `to_date` is a period: week, month, quarter or year",
        )
        .at(e.span)
        .help("e.g. `to_date(orders_received, year)` for the year to date"),
    );
    None
}
