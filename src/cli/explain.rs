//! `kpi explain NAME`: the parsed tree of a KPI, what it depends on, and how it is computed.

use super::{analyze, load, report};
use crate::diag::{Code, Diag};
use crate::syntax::{expr_to_string, Expr, ExprKind};
use std::fmt::Write;

pub fn run(name: &str, paths: &[std::path::PathBuf]) -> i32 {
    let mut front = load(paths);
    let an = analyze(&mut front);
    let Some(id) = an.kpi_id(name) else {
        let d = Diag::error(Code::UnknownName, format!("unknown KPI `{name}`"));
        let d = d.suggest(name, an.cat.kpis.iter().map(|k| k.name.text.as_str()), None);
        drop(an);
        report(&[d], &front.sources);
        return 1;
    };
    let def = &an.cat.kpis[id.0 as usize];
    let info = &an.kpis[id.0 as usize];
    let mut out = String::new();
    let _ = writeln!(out, "{} = {}", def.name.text, expr_to_string(&def.formula));
    let _ = writeln!(out, "\ntree:");
    tree(&mut out, &def.formula, 1);
    let _ = writeln!(out, "\ntype: {}", info.ty);
    let deps: Vec<&str> = info
        .deps
        .iter()
        .map(|d| an.cat.kpis[d.0 as usize].name.text.as_str())
        .collect();
    let _ = writeln!(
        out,
        "depends on: {}",
        if deps.is_empty() {
            "no other KPI".into()
        } else {
            deps.join(", ")
        }
    );
    // A KPI with a period function is planned at the finest grain.
    let grain = info.needs_grain.then_some(crate::time::Grain::Day);
    let req = crate::plan::Request {
        kpis: vec![id],
        named: true,
        grain,
        ..Default::default()
    };
    if let Ok(plan) = crate::plan::ir_to_plan(&an, &req) {
        let at = grain.map_or(String::new(), |g| format!(" (at --grain {})", g.name()));
        let _ = write!(out, "\nplan{at}:\n{}", crate::plan::plan_to_text(&plan));
    }
    crate::outln!("{}", out.trim_end());
    drop(an);
    let errs: Vec<Diag> = front
        .diags
        .list
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    report(&errs, &front.sources);
    i32::from(!errs.is_empty())
}

/// One line per node, indented by depth.
pub fn tree(out: &mut String, e: &Expr, depth: usize) {
    let pad = "  ".repeat(depth);
    let label = match &e.kind {
        ExprKind::Lit(_) => format!("literal {}", expr_to_string(e)),
        ExprKind::Name(n) => format!("name {}", n.text),
        ExprKind::Lookup(t, f) => format!("lookup {}.{}", t.text, f.text),
        ExprKind::Unary(op, _) => format!("{op:?}").to_lowercase(),
        ExprKind::Binary(op, ..) => format!("`{}`", op.symbol()),
        ExprKind::IsNull { negated, .. } => if *negated { "is not null" } else { "is null" }.into(),
        ExprKind::In { negated, .. } => if *negated { "not in" } else { "in" }.into(),
        ExprKind::Between { .. } => "between".into(),
        ExprKind::Call(c) => {
            let mut s = format!("call {}", c.func.text);
            if let Some(src) = &c.source {
                s = format!("call {}.{}", src.text, c.func.text);
            }
            if !c.per.is_empty() {
                s.push_str(&format!(
                    " per {}",
                    c.per
                        .iter()
                        .map(expr_to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if let Some(f) = &c.filter {
                s.push_str(&format!(" where {}", expr_to_string(f)));
            }
            s
        }
        ExprKind::Error => "error".into(),
    };
    let _ = writeln!(out, "{pad}{label}");
    if let ExprKind::Call(c) = &e.kind {
        for a in &c.args {
            tree(out, a, depth + 1);
        }
        return;
    }
    for c in e.children() {
        tree(out, c, depth + 1);
    }
}
