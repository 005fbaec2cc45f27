//! The checked form of formulas that analysis produces and evaluation runs: names are
//! resolved to indexes, literals are values, aggregates are numbered and shared.

use crate::op::{BinOp, UnOp};
use crate::registry::{AggDef, FuncDef};
use crate::value::Value;
use rust_decimal::Decimal;

/// An expression over leaves `L`: fields of a record ([`Col`]) in record scope, aggregates
/// and KPIs ([`KLeaf`]) in KPI scope.
#[derive(Clone, Debug)]
pub enum Node<L> {
    Lit(Value<'static>),
    Leaf(L),
    Unary(UnOp, Box<Node<L>>),
    Binary(BinOp, Box<Node<L>>, Box<Node<L>>),
    IsNull(Box<Node<L>>, bool),
    In(Box<Node<L>>, Vec<Node<L>>, bool),
    Between(Box<Node<L>>, Box<Node<L>>, Box<Node<L>>),
    Func(&'static FuncDef, Vec<Node<L>>),
}

/// A column of a source: the index of a field in that source's list of used fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Col(pub u32);

/// A leaf of a KPI-scope expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KLeaf {
    Agg(AggId),
    Kpi(KpiId),
    /// An aggregate of the enclosing `per` (inside a `per`'s inner expression).
    Inner(u32),
    /// A period function, `total` or `rank`: an expression in another frame
    /// (`Ir::frames`).
    Frame(u32),
}

/// What a period function, `total` or `rank` does to the frame its argument is evaluated in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameOp {
    /// `previous(x, n)`: the period n before.
    Previous(u32),
    /// `year_ago(x)`: the same period a year before.
    YearAgo,
    /// `rolling(x, n)`: the records of the n periods ending with this one.
    Rolling(u32),
    /// `to_date(x, G)`: the records from the start of the enclosing G through this period.
    ToDate(crate::time::Grain),
    /// `cumulative(x)`: the records from the start of the range through this period.
    Cumulative,
    /// `total(x)`: every group together.
    Total,
    /// `rank(x)`: the group's rank by `x` among the groups.
    Rank,
}

impl FrameOp {
    /// Windows recompute their argument over several periods' records.
    pub fn is_window(self) -> bool {
        matches!(
            self,
            FrameOp::Rolling(_) | FrameOp::ToDate(_) | FrameOp::Cumulative
        )
    }
    /// Period functions read other periods: they need `--grain`.
    pub fn needs_grain(self) -> bool {
        !matches!(self, FrameOp::Total | FrameOp::Rank)
    }
}

/// One use of a period function, `total` or `rank`.
#[derive(Clone, Debug)]
pub struct FrameSpec {
    pub op: FrameOp,
    pub expr: KExpr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AggId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KpiId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub u32);

pub type RExpr = Node<Col>;
pub type KExpr = Node<KLeaf>;

/// One aggregate over one source: computed once per run however many KPIs use it.
#[derive(Clone, Debug)]
pub struct AggSpec {
    pub source: SourceId,
    pub func: &'static AggDef,
    /// The aggregated expression (`None` for `count()`), in record scope — or, with `per`,
    /// in the inner scope over the inner aggregates.
    pub arg: Option<AggArg>,
    /// `percentile`'s fraction.
    pub fraction: Option<Decimal>,
    pub filter: Option<RExpr>,
    /// Canonical text, for plans and messages.
    pub text: String,
}

#[derive(Clone, Debug)]
pub enum AggArg {
    Record(RExpr),
    /// Two record expressions: `first(x)`/`last(x)` read `x` and the source's time field;
    /// `open(start, end)` its two bounds.
    Pair(RExpr, RExpr),
    Per(Box<PerSpec>),
}

/// `agg(inner per k1, k2 where cond)`: `inner` is computed per distinct key, then aggregated.
#[derive(Clone, Debug)]
pub struct PerSpec {
    pub keys: Vec<RExpr>,
    pub inner: KExpr,
    /// The aggregates `inner` refers to as `KLeaf::Inner(i)`.
    pub inner_aggs: Vec<AggSpec>,
}

impl<L> Node<L> {
    /// Visit every leaf.
    pub fn leaves<'a>(&'a self, f: &mut impl FnMut(&'a L)) {
        match self {
            Node::Lit(_) => {}
            Node::Leaf(l) => f(l),
            Node::Unary(_, a) | Node::IsNull(a, _) => a.leaves(f),
            Node::Binary(_, a, b) => {
                a.leaves(f);
                b.leaves(f);
            }
            Node::In(a, list, _) => {
                a.leaves(f);
                list.iter().for_each(|x| x.leaves(f));
            }
            Node::Between(a, b, c) => {
                a.leaves(f);
                b.leaves(f);
                c.leaves(f);
            }
            Node::Func(_, args) => args.iter().for_each(|x| x.leaves(f)),
        }
    }
}

impl AggSpec {
    /// Every column the aggregate reads (with repeats).
    pub fn columns(&self, f: &mut impl FnMut(Col)) {
        if let Some(w) = &self.filter {
            w.leaves(&mut |c| f(*c));
        }
        match &self.arg {
            Some(AggArg::Record(e)) => e.leaves(&mut |c| f(*c)),
            Some(AggArg::Pair(a, b)) => {
                a.leaves(&mut |c| f(*c));
                b.leaves(&mut |c| f(*c));
            }
            Some(AggArg::Per(p)) => {
                p.keys.iter().for_each(|k| k.leaves(&mut |c| f(*c)));
                p.inner_aggs.iter().for_each(|a| a.columns(f));
            }
            None => {}
        }
    }
}
