//! Expressions of both scopes as SQL text with their language type. Durations are
//! numbers of seconds in the SQL (warehouses average intervals inexactly); the dialect
//! writes literals, date arithmetic and functions.

use super::Compiler;
use crate::analysis::Ty;
use crate::ir::{Col, Node, RExpr};
use crate::op::{BinOp, UnOp};
use crate::registry::{FuncDef, Param, Returns, SqlForm};
use crate::time;
use crate::value::Value;

/// SQL text with the language type of its value.
pub(super) type Typed = (String, Ty);

fn lit_type(v: &Value) -> Ty {
    match v {
        Value::Null => Ty::Null,
        Value::Bool(_) => Ty::Bool,
        Value::Num(_) => Ty::Num,
        Value::Str(_) => Ty::Str,
        Value::Date(_) => Ty::Date,
        Value::DateTime(_) => Ty::DateTime,
        Value::Dur(_) => Ty::Dur,
    }
}

/// The type of a function's result, from its arguments' types.
fn func_type(f: &FuncDef, args: &[Typed]) -> Ty {
    let first_known = |args: &[Typed]| {
        args.iter()
            .map(|t| t.1)
            .find(|t| t.known())
            .unwrap_or(Ty::Any)
    };
    match f.returns {
        Returns::Fixed(t) => t,
        Returns::First => first_known(&args[..1]),
        Returns::Joined => {
            let same: Vec<Typed> = args
                .iter()
                .enumerate()
                .filter(|(i, _)| f.param(*i) == Param::Same)
                .map(|(_, t)| t.clone())
                .collect();
            first_known(&same)
        }
    }
}

impl Compiler<'_, '_> {
    pub(super) fn literal(&self, v: &Value) -> String {
        let d = self.dialect;
        match v {
            Value::Null => "NULL".into(),
            Value::Bool(b) => d.boolean(*b),
            Value::Num(n) | Value::Dur(n) => d.number(*n),
            Value::Str(s) => d.string(s),
            Value::Date(days) => d.date(&time::format_date(*days)),
            Value::DateTime(t) => d.timestamp(&time::format_datetime(*t).replace('T', " ")),
        }
    }

    /// An expression over leaves rendered by `leaf`.
    pub(super) fn expr<L>(&self, e: &Node<L>, leaf: &dyn Fn(&L) -> Typed) -> Typed {
        let d = self.dialect;
        let bool = |s: String| (s, Ty::Bool);
        match e {
            Node::Lit(v) => (self.literal(v), lit_type(v)),
            Node::Leaf(l) => leaf(l),
            Node::Unary(UnOp::Not, x) => bool(format!("(NOT {})", self.expr(x, leaf).0)),
            Node::Unary(UnOp::Neg, x) => {
                let (s, t) = self.expr(x, leaf);
                (format!("(-{s})"), t)
            }
            Node::Binary(op, a, b) => {
                let ((x, ta), (y, tb)) = (self.expr(a, leaf), self.expr(b, leaf));
                let time = |t: Ty| matches!(t, Ty::Date | Ty::DateTime);
                let ty = if op.is_comparison() || matches!(op, BinOp::And | BinOp::Or) {
                    Ty::Bool
                } else {
                    crate::types::arithmetic(*op, ta, tb).unwrap_or(Ty::Any)
                };
                let sql = match op {
                    BinOp::Sub if ta == Ty::Date && tb == Ty::Date => d.date_diff_seconds(&x, &y),
                    BinOp::Sub if time(ta) && time(tb) => d.timestamp_diff_seconds(&x, &y),
                    BinOp::Add | BinOp::Sub if time(ta) && tb == Ty::Dur => {
                        d.add_seconds(&x, *op == BinOp::Sub, &y)
                    }
                    BinOp::Add if ta == Ty::Dur && time(tb) => d.add_seconds(&y, false, &x),
                    BinOp::Div => d.divide(&x, &y),
                    BinOp::Eq => format!("({x} = {y})"),
                    BinOp::Ne => format!("({x} <> {y})"),
                    BinOp::Or => format!("({x} OR {y})"),
                    BinOp::And => format!("({x} AND {y})"),
                    other => format!("({x} {} {y})", other.symbol()),
                };
                (sql, ty)
            }
            Node::IsNull(x, negated) => bool(format!(
                "({} IS {}NULL)",
                self.expr(x, leaf).0,
                if *negated { "NOT " } else { "" }
            )),
            Node::In(x, list, negated) => {
                let items: Vec<String> = list.iter().map(|i| self.expr(i, leaf).0).collect();
                bool(format!(
                    "({} {}IN ({}))",
                    self.expr(x, leaf).0,
                    if *negated { "NOT " } else { "" },
                    items.join(", ")
                ))
            }
            Node::Between(x, lo, hi) => bool(format!(
                "({} BETWEEN {} AND {})",
                self.expr(x, leaf).0,
                self.expr(lo, leaf).0,
                self.expr(hi, leaf).0
            )),
            Node::Func(f, args) => {
                let typed: Vec<Typed> = args.iter().map(|a| self.expr(a, leaf)).collect();
                let texts: Vec<String> = typed.iter().map(|t| t.0.clone()).collect();
                (self.call(f, &texts), func_type(f, &typed))
            }
        }
    }

    /// A call of a registered function over rendered arguments, as the dialect writes it.
    pub(super) fn call(&self, f: &FuncDef, args: &[String]) -> String {
        let d = self.dialect;
        d.function(f.name, args).unwrap_or_else(|| match f.sql {
            SqlForm::Standard(write) => write(args),
            SqlForm::Period(p) => d.period_label(p, &args[0]),
            SqlForm::Part(p) => d.date_part(p, &args[0]),
        })
    }

    /// A field of `source` (a `duration` field holds seconds, as durations do here).
    pub(super) fn column(&self, source: usize, c: &Col) -> Typed {
        let col = &self.an.sources[source].columns[c.0 as usize];
        (self.dialect.ident(&col.name), col.ty)
    }

    /// A record-scope expression over the fields of `source`.
    pub(super) fn record(&self, source: usize, e: &RExpr) -> Typed {
        self.expr(e, &|c: &Col| self.column(source, c))
    }
}
