//! Calls: an aggregate or a scalar function of the registry, checked against its definition
//! (arity, parameter types) and lowered; an unknown name gets a suggestion.

use super::aggregate::aggregate_names;
use super::{article, condition, lower, type_error, Scope};
use crate::analysis::{Analyzer, Ty};
use crate::diag::{did_you_mean, Code, Diag};
use crate::ir::Node;
use crate::registry::{self, Param, Returns};
use crate::syntax::{Call, Expr};

/// Lower a call: an aggregate (through the scope) or a scalar function.
pub(super) fn call<S: Scope>(
    an: &mut Analyzer,
    s: &mut S,
    c: &Call,
    e: &Expr,
) -> Option<(Node<S::L>, Ty)> {
    if let Some(def) = registry::aggregate(&c.func.text) {
        return s.aggregate(an, c, def, e);
    }
    if let Some(src) = &c.source {
        let d = Diag::error(
            Code::UnknownName,
            format!("unknown aggregate `{}`", c.func.text),
        )
        .at(c.func.span);
        an.diags
            .push(match suggest_function(&c.func.text, aggregate_names()) {
                Some(f) => d.help(format!("did you mean `{}.{f}`?", src.text)),
                None => d.help(format!(
                    "`{}.` goes before an aggregate: {}",
                    src.text,
                    aggregate_names().collect::<Vec<_>>().join(", ")
                )),
            });
        return None;
    }
    if let Some(def) = registry::function(&c.func.text) {
        if let Some(kind) = def.frame {
            if !arity(an, c, def.min, def.max, def.signature) {
                return None;
            }
            return s.frame(an, c, def, kind);
        }
    }
    scalar_call(an, s, c)
}

/// Whether a call has between `min` and `max` arguments; an error showing how to write it
/// when not.
pub(super) fn arity(
    an: &mut Analyzer,
    c: &Call,
    min: usize,
    max: usize,
    signature: &[&str],
) -> bool {
    let n = c.args.len();
    if n >= min && n <= max {
        return true;
    }
    let want = match (min, max) {
        (a, b) if a == b => format!("{a} argument{}", if a == 1 { "" } else { "s" }),
        (a, usize::MAX) => format!("at least {a} argument{}", if a == 1 { "" } else { "s" }),
        (a, b) => format!("{a} to {b} arguments"),
    };
    let forms: Vec<String> = signature.iter().map(|f| format!("`{f}`")).collect();
    an.diags.push(
        Diag::error(
            Code::Arity,
            format!("`{}` takes {want}, not {n}", c.func.text),
        )
        .at(c.func.span)
        .help(format!("write it as {}", forms.join(" or "))),
    );
    false
}

/// A close function name, or the one a spreadsheet or SQL user means by a familiar synonym.
fn suggest_function<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let synonym = match name.to_lowercase().as_str() {
        "average" | "mean" | "avrage" | "moyenne" => "avg",
        "count_distinct" | "countdistinct" | "nunique" | "count_unique" => "distinct",
        "countif" | "count_if" | "nb" => "count",
        "percent" | "percentage" | "pourcentage" => "pct",
        "sumif" | "somme" | "total" => "sum",
        "ifnull" | "nvl" | "isnull" => "coalesce",
        "iif" | "si" => "if",
        _ => "",
    };
    let list: Vec<&str> = candidates.collect();
    list.iter()
        .copied()
        .find(|c| *c == synonym)
        .or_else(|| did_you_mean(name, list))
}

fn scalar_call<S: Scope>(an: &mut Analyzer, s: &mut S, c: &Call) -> Option<(Node<S::L>, Ty)> {
    let fname = c.func.text.to_lowercase();
    let Some(def) = registry::function(&fname) else {
        let d = Diag::error(
            Code::UnknownName,
            format!("unknown function `{}`", c.func.text),
        )
        .at(c.func.span);
        an.diags
            .push(match suggest_function(&fname, registry::all_names()) {
                Some(n) => d.help(format!("did you mean `{n}`?")),
                None => d.help("see the list of functions in docs/language.md"),
            });
        return None;
    };
    if let Some(k) = c
        .per
        .first()
        .map(|k| k.span)
        .or(c.filter.as_ref().map(|f| f.span))
    {
        let names: Vec<&str> = aggregate_names().collect();
        let (last, rest) = names.split_last().expect("aggregates exist");
        an.diags.push(
            Diag::error(
                Code::Syntax,
                format!("`per` and `where` go inside an aggregate, not inside `{fname}`"),
            )
            .at(k)
            .help(format!("aggregates are {} and {last}", rest.join(", "))),
        );
        return None;
    }
    if !arity(an, c, def.min, def.max, def.signature) {
        return None;
    }
    let mut nodes = Vec::new();
    let mut tys = Vec::new();
    let mut failed = false;
    for (i, a) in c.args.iter().enumerate() {
        let lowered = if def.param(i) == Param::Condition {
            let what = format!("the {} argument of `{fname}`", ordinal(i));
            Some((condition(an, s, a, &what), Ty::Bool))
        } else {
            lower(an, s, a)
        };
        match lowered {
            Some((n, t)) => {
                nodes.push(n);
                tys.push(t);
            }
            None => failed = true,
        }
    }
    if failed {
        return None;
    }
    // Each typed parameter: tell an untyped field its type, then check.
    for (i, t) in tys.iter().enumerate() {
        let p = def.param(i);
        if matches!(p, Param::Same | Param::Condition) {
            continue;
        }
        s.refine(an, &mut nodes[i], p.hint());
        if !p.accepts(*t) {
            an.diags.push(
                Diag::error(
                    Code::Type,
                    format!("`{fname}` needs {}, not {}", p.what(), article(*t)),
                )
                .label(c.args[i].span, format!("this is {}", article(*t))),
            );
            return None;
        }
    }
    // The `Same` parameters must be comparable; the result joins them.
    let mut joined = Ty::Null;
    let mut first_same = None;
    for (i, ti) in tys.iter().enumerate() {
        if def.param(i) != Param::Same {
            continue;
        }
        let first = *first_same.get_or_insert(i);
        if !joined.comparable(*ti) {
            an.diags.push(type_error(
                format!(
                    "the arguments of `{fname}` mix {} and {}",
                    article(joined),
                    article(*ti)
                ),
                &[(&c.args[first], joined), (&c.args[i], *ti)],
            ));
            return None;
        }
        joined = joined.join(*ti);
    }
    let ty = match def.returns {
        Returns::Fixed(t) => t,
        Returns::First => tys[0],
        Returns::Joined => joined,
    };
    Some((Node::Func(def, nodes), ty))
}

fn ordinal(i: usize) -> &'static str {
    ["first", "second", "third"]
        .get(i)
        .copied()
        .unwrap_or("next")
}
