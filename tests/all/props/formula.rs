//! Random formulas for the reference-model property: well-typed expressions in record
//! scope (fields, literals, arithmetic, comparisons, Kleene logic, `is null`, `in`,
//! `between`, `if`, `coalesce`, functions) and KPI scope (aggregates with `where` and
//! `per`, arithmetic and conditions on them, earlier KPIs).

use super::ast::{bx, Agg, Bin, Func, Ty, E};
use super::frac::Q;
use super::gen::{Gen, TRICKY_WORDS, WORDS};

impl Gen {
    pub(super) fn literal(&mut self, ty: Ty) -> E {
        match ty {
            Ty::Num => {
                let q = self.number();
                if q.try_cmp(Q::ZERO) == Some(std::cmp::Ordering::Less) {
                    E::Neg(bx(E::Num(q.neg())))
                } else {
                    E::Num(q)
                }
            }
            Ty::Bool => E::Bool(self.rng.pct(50)),
            Ty::Str => {
                let pool = if self.rng.pct(20) {
                    TRICKY_WORDS
                } else {
                    WORDS
                };
                E::Str(self.rng.pick(pool).to_string())
            }
            Ty::Date => E::Date(self.day()),
            Ty::Time => E::Time(self.time()),
        }
    }

    /// A value of `ty` or, now and then, `null`.
    pub(super) fn or_null(&mut self, ty: Ty, depth: u32, scope: Scope) -> E {
        if self.rng.pct(10) {
            E::Null
        } else {
            self.expr(ty, depth, scope)
        }
    }

    pub(super) fn any_ty(&mut self) -> Ty {
        *self
            .rng
            .pick(&[Ty::Num, Ty::Num, Ty::Bool, Ty::Str, Ty::Date, Ty::Time])
    }

    /// An expression of type `ty`, in record scope or KPI scope.
    pub(super) fn expr(&mut self, ty: Ty, depth: u32, scope: Scope) -> E {
        if depth == 0 || self.rng.pct(30) {
            return self.leaf(ty, scope);
        }
        let d = depth - 1;
        // Shapes common to every type.
        match self.rng.below(10) {
            0 => {
                let c = self.expr(Ty::Bool, d, scope);
                let a = self.or_null(ty, d, scope);
                let b = if matches!(a, E::Null) {
                    self.expr(ty, d, scope)
                } else {
                    self.or_null(ty, d, scope)
                };
                return E::Call(Func::If, vec![c, a, b]);
            }
            1 => {
                let mut args = vec![self.or_null(ty, d, scope), self.expr(ty, d, scope)];
                if self.rng.pct(30) {
                    args.push(self.literal(ty));
                }
                return E::Call(Func::Coalesce, args);
            }
            2 if ty != Ty::Bool => {
                let f = if self.rng.pct(50) {
                    Func::Least
                } else {
                    Func::Greatest
                };
                let args = vec![self.expr(ty, d, scope), self.or_null(ty, d, scope)];
                return E::Call(f, args);
            }
            _ => {}
        }
        match ty {
            Ty::Num => self.number_expr(d, scope),
            Ty::Bool => self.condition(d, scope),
            Ty::Str => match self.rng.below(3) {
                0 => E::Call(Func::Lower, vec![self.expr(Ty::Str, d, scope)]),
                1 => E::Call(Func::Upper, vec![self.expr(Ty::Str, d, scope)]),
                _ => E::Call(Func::Trim, vec![self.expr(Ty::Str, d, scope)]),
            },
            Ty::Date if scope == Scope::Record && self.rng.pct(30) => {
                E::Call(Func::DateOf, vec![self.expr(Ty::Time, d, scope)])
            }
            Ty::Date => {
                let op = if self.rng.pct(50) { Bin::Add } else { Bin::Sub };
                let days = E::Dur(self.rng.range(0, 40) * 86_400);
                E::Bin(op, bx(self.expr(Ty::Date, d, scope)), bx(days))
            }
            Ty::Time => {
                let op = if self.rng.pct(50) { Bin::Add } else { Bin::Sub };
                let secs = *self
                    .rng
                    .pick(&[45i64, 90, 1800, 3600, 7200, 86_400, 3 * 86_400]);
                E::Bin(op, bx(self.expr(Ty::Time, d, scope)), bx(E::Dur(secs)))
            }
        }
    }

    pub(super) fn leaf(&mut self, ty: Ty, scope: Scope) -> E {
        match scope {
            Scope::Record => {
                if self.rng.pct(70) {
                    E::Field(self.field_of(ty))
                } else {
                    self.literal(ty)
                }
            }
            Scope::Kpi { inner } => {
                let earlier: Vec<usize> = (0..self.kpi_types.len())
                    .filter(|i| self.kpi_types[*i] == ty)
                    .collect();
                if !inner && !earlier.is_empty() && self.rng.pct(20) {
                    return E::Kpi(*self.rng.pick(&earlier));
                }
                if self.rng.pct(10) {
                    return self.literal(ty);
                }
                self.aggregate(ty, inner)
            }
        }
    }

    pub(super) fn number_expr(&mut self, d: u32, scope: Scope) -> E {
        if self.big {
            // products of large numbers overflow: an error that stops the whole run
            return self.leaf(Ty::Num, scope);
        }
        match self.rng.below(12) {
            0..=3 => {
                let op = *self
                    .rng
                    .pick(&[Bin::Add, Bin::Sub, Bin::Mul, Bin::Add, Bin::Div]);
                let a = self.expr(Ty::Num, d, scope);
                let b = if op == Bin::Div && self.rng.pct(15) {
                    E::Num(Q::ZERO)
                } else {
                    self.expr(Ty::Num, d, scope)
                };
                E::Bin(op, bx(a), bx(b))
            }
            4 => E::Neg(bx(self.expr(Ty::Num, d, scope))),
            5 => {
                let f = *self
                    .rng
                    .pick(&[Func::Abs, Func::Floor, Func::Ceil, Func::Round]);
                let mut args = vec![self.expr(Ty::Num, d, scope)];
                if f == Func::Round && self.rng.pct(50) {
                    args.push(E::Num(Q::int(self.rng.range(0, 2))));
                }
                E::Call(f, args)
            }
            6 if scope == Scope::Record => E::Call(Func::Len, vec![self.expr(Ty::Str, d, scope)]),
            7 if scope == Scope::Record => {
                let f = *self.rng.pick(&[Func::Day, Func::Weekday, Func::Hour]);
                let ty = if f == Func::Hour || self.rng.pct(40) {
                    Ty::Time
                } else {
                    Ty::Date
                };
                E::Call(f, vec![self.expr(ty, d, scope)])
            }
            _ => self.leaf(Ty::Num, scope),
        }
    }

    pub(super) fn condition(&mut self, d: u32, scope: Scope) -> E {
        match self.rng.below(14) {
            0..=3 => {
                let ty = self.any_ty();
                let op = if ty == Ty::Bool {
                    *self.rng.pick(&[Bin::Eq, Bin::Ne])
                } else {
                    *self
                        .rng
                        .pick(&[Bin::Eq, Bin::Ne, Bin::Lt, Bin::Le, Bin::Gt, Bin::Ge])
                };
                let a = self.expr(ty, d, scope);
                let b = if ty == Ty::Time && self.rng.pct(30) {
                    // a date is its midnight
                    self.literal(Ty::Date)
                } else if self.rng.pct(50) {
                    self.literal(ty)
                } else {
                    self.expr(ty, d, scope)
                };
                E::Bin(op, bx(a), bx(b))
            }
            4 | 5 => {
                let op = if self.rng.pct(50) { Bin::And } else { Bin::Or };
                let a = self.expr(Ty::Bool, d, scope);
                let b = self.expr(Ty::Bool, d, scope);
                E::Bin(op, bx(a), bx(b))
            }
            6 => E::Not(bx(self.expr(Ty::Bool, d, scope))),
            7 => {
                let ty = self.any_ty();
                E::IsNull(bx(self.expr(ty, d, scope)), self.rng.pct(50))
            }
            8 => {
                let ty = *self
                    .rng
                    .pick(&[Ty::Num, Ty::Str, Ty::Str, Ty::Date, Ty::Bool, Ty::Time]);
                let x = self.expr(ty, d, scope);
                let n = self.rng.range(1, 4);
                let mut items: Vec<E> = (0..n).map(|_| self.literal(ty)).collect();
                if self.rng.pct(20) {
                    items.push(E::Null);
                }
                E::In(bx(x), items, self.rng.pct(40))
            }
            9 => {
                let ty = *self
                    .rng
                    .pick(&[Ty::Num, Ty::Num, Ty::Num, Ty::Date, Ty::Time]);
                let x = self.expr(ty, d, scope);
                let bound_ty = if ty == Ty::Time && self.rng.pct(50) {
                    Ty::Date
                } else {
                    ty
                };
                let (lo, hi) = (self.literal(bound_ty), self.literal(bound_ty));
                E::Between(bx(x), bx(lo), bx(hi))
            }
            10 if scope == Scope::Record => {
                let f = *self
                    .rng
                    .pick(&[Func::Contains, Func::StartsWith, Func::EndsWith]);
                let s = self.expr(Ty::Str, d, scope);
                let part = if self.rng.pct(80) {
                    let w = WORDS[self.rng.below(WORDS.len())];
                    let cut = w.char_indices().nth(1).map_or(w.len(), |(i, _)| i);
                    E::Str(w[..cut].to_string())
                } else {
                    self.expr(Ty::Str, d, scope)
                };
                E::Call(f, vec![s, part])
            }
            11 if self.rng.pct(20) => {
                // `x == null`: null whatever x (kpi warns, the value stays null)
                let ty = self.any_ty();
                E::Bin(Bin::Eq, bx(self.expr(ty, d, scope)), bx(E::Null))
            }
            _ => self.leaf(Ty::Bool, scope),
        }
    }

    // ------------------------------------------------------------------ KPI scope

    pub(super) fn kexpr(&mut self, ty: Ty, depth: u32, inner: bool) -> E {
        self.expr(ty, depth, Scope::Kpi { inner })
    }

    pub(super) fn filter(&mut self) -> Option<Box<E>> {
        self.rng
            .pct(25)
            .then(|| bx(self.expr(Ty::Bool, 2, Scope::Record)))
    }

    /// An aggregate whose value has type `ty`.
    pub(super) fn aggregate(&mut self, ty: Ty, inner: bool) -> E {
        if ty != Ty::Num {
            if ty == Ty::Bool {
                // a condition on aggregates
                let a = self.aggregate(Ty::Num, inner);
                let b = self.literal(Ty::Num);
                let op = *self.rng.pick(&[Bin::Lt, Bin::Ge, Bin::Eq, Bin::Ne]);
                return E::Bin(op, bx(a), bx(b));
            }
            let agg = if self.rng.pct(50) { Agg::Min } else { Agg::Max };
            if !inner && self.rng.pct(20) {
                let x = self.kexpr(ty, 1, true);
                return E::Agg(agg, Some(bx(x)), self.per_keys(), self.filter());
            }
            let x = self.expr(ty, 2, Scope::Record);
            return E::Agg(agg, Some(bx(x)), vec![], self.filter());
        }
        if !inner && self.rng.pct(20) {
            return self.per_aggregate();
        }
        let agg = *self.rng.pick(&[
            Agg::Count,
            Agg::Count,
            Agg::Sum,
            Agg::Sum,
            Agg::Avg,
            Agg::Min,
            Agg::Max,
            Agg::Pct,
            Agg::Share,
            Agg::Distinct,
            Agg::Median,
            Agg::Percentile(Q::ZERO),
        ]);
        let agg = match agg {
            Agg::Percentile(_) => {
                let (n, d) = *self.rng.pick(&[
                    (0, 1),
                    (1, 10),
                    (1, 4),
                    (1, 2),
                    (9, 10),
                    (1, 1),
                    (333, 1000),
                ]);
                Agg::Percentile(Q::new(n, d).expect("a fraction"))
            }
            a => a,
        };
        let arg = match agg {
            Agg::Count if self.rng.pct(40) => None,
            Agg::Count | Agg::Pct | Agg::Share => Some(self.expr(Ty::Bool, 3, Scope::Record)),
            Agg::Distinct => {
                let ty = self.any_ty();
                Some(self.expr(ty, 2, Scope::Record))
            }
            _ => Some(self.expr(Ty::Num, 3, Scope::Record)),
        };
        E::Agg(agg, arg.map(bx), vec![], self.filter())
    }

    pub(super) fn per_keys(&mut self) -> Vec<E> {
        let n = if self.rng.pct(75) { 1 } else { 2 };
        (0..n)
            .map(|_| match self.rng.below(7) {
                0 => E::Call(Func::Lower, vec![E::Field(self.field_of(Ty::Str))]),
                1 => E::Call(Func::Floor, vec![E::Field(self.field_of(Ty::Num))]),
                2 => E::Call(Func::DateOf, vec![E::Field(self.field_of(Ty::Time))]),
                _ => E::Field(self.rng.below(self.fields.len())),
            })
            .collect()
    }

    /// `agg(inner per keys where cond)`.
    pub(super) fn per_aggregate(&mut self) -> E {
        let agg = *self.rng.pick(&[
            Agg::Count,
            Agg::Count,
            Agg::Sum,
            Agg::Avg,
            Agg::Min,
            Agg::Max,
            Agg::Pct,
            Agg::Share,
            Agg::Distinct,
            Agg::Median,
        ]);
        let arg = match agg {
            Agg::Count if self.rng.pct(50) => None,
            Agg::Count | Agg::Pct | Agg::Share => Some(self.kexpr(Ty::Bool, 2, true)),
            _ => Some(self.kexpr(Ty::Num, 2, true)),
        };
        E::Agg(agg, arg.map(bx), self.per_keys(), self.filter())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    Record,
    /// `inner`: inside `per`, where names of KPIs and another `per` are not allowed.
    Kpi {
        inner: bool,
    },
}
