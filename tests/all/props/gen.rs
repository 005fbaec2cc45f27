//! Random cases for the reference-model property: a source with a few typed fields
//! (declared with `fields:` or not), records with nulls and odd spellings, and KPIs whose
//! formulas use aggregates (with `where` and `per`), arithmetic, comparisons, Kleene logic,
//! `is null`, `in`, `between`, `if`, `coalesce` and a few functions, each well typed.

use super::ast::{bx, date_text, quote_name, Agg, Bin, Func, Printer, Ty, E};
use super::frac::Q;
use super::model::{num, Rec, V};
use super::rng::Rng;

pub struct Field {
    pub name: String,
    pub ty: Ty,
}

pub struct Kpi {
    pub name: String,
    pub e: E,
}

pub struct Case {
    pub declared: bool,
    pub fields: Vec<Field>,
    pub recs: Vec<Rec>,
    pub kpis: Vec<Kpi>,
    /// `--by` this field.
    pub by: Option<usize>,
    /// `--total` (with `--by`).
    pub total: bool,
    /// `--where` this condition.
    pub filter: Option<E>,
    /// The CSV delimiter, or `None` for JSON Lines.
    pub delimiter: Option<char>,
}

const NUM_NAMES: &[&str] = &["n", "montant", "qty", "durée", "prix (€)", "x_1", "Total"];
const BOOL_NAMES: &[&str] = &["ok", "answered", "répondu", "is ok"];
const STR_NAMES: &[&str] = &["s", "channel", "équipe", "per", "nom"];
const DATE_NAMES: &[&str] = &["d", "jour", "day_of"];
const KPI_NAMES: &[&str] = &[
    "k",
    "rate",
    "taux",
    "résultat",
    "marge brute",
    "k_2",
    "Score",
];
const WORDS: &[&str] = &[
    "a",
    "b",
    "A",
    "phone",
    "email",
    "chat",
    "é",
    "Zoë",
    "x y",
    " pad ",
    "a,b",
    "say \"hi\"",
    "l'été",
    "ß",
    "ǅ",
    "back\\slash",
    "two\nlines",
];
/// Strings that look like other types: only where the field is declared a string.
const TRICKY_WORDS: &[&str] = &["007", "true", "1.5", "2025-01-01", "NULL", "-"];
/// 2024-12-28 and 2025-03-05 as day numbers.
const FIRST_DAY: i64 = 20_085;
const LAST_DAY: i64 = 20_152;

pub struct Gen {
    pub rng: Rng,
    pub declared: bool,
    /// Large numbers and long decimals, near the 28 digits: formulas then keep to sums,
    /// averages, extremes and medians of fields, which cannot overflow.
    big: bool,
    fields: Vec<Field>,
    /// The KPIs defined so far: a formula refers to earlier ones only.
    kpi_types: Vec<Ty>,
}

fn fraction(n: i128, d: i128) -> Q {
    Q::new(n, d).expect("small fraction")
}

impl Gen {
    pub fn new(seed: u64) -> Gen {
        let mut rng = Rng::new(seed);
        let declared = rng.pct(60);
        let big = rng.pct(8);
        Gen {
            rng,
            declared,
            big,
            fields: Vec::new(),
            kpi_types: Vec::new(),
        }
    }

    pub fn case(mut self) -> Case {
        let mut names: Vec<&str> = Vec::new();
        for (pool, ty, n) in [
            (NUM_NAMES, Ty::Num, 2),
            (BOOL_NAMES, Ty::Bool, 2),
            (STR_NAMES, Ty::Str, 2),
            (DATE_NAMES, Ty::Date, 1),
        ] {
            for _ in 0..n {
                let name = loop {
                    let c = *self.rng.pick(pool);
                    if !names.contains(&c) {
                        break c;
                    }
                };
                names.push(name);
                self.fields.push(Field {
                    name: name.to_string(),
                    ty,
                });
            }
        }
        let delimiter = match self.rng.below(10) {
            0 | 1 => Some(';'),
            2 | 3 => None,
            _ => Some(','),
        };
        let n_recs = if self.rng.pct(5) {
            0
        } else {
            self.rng.range(1, 24) as usize
        };
        let recs = (0..n_recs).map(|_| self.record(delimiter)).collect();
        let n_kpis = self.rng.range(1, 6) as usize;
        let mut kpis: Vec<Kpi> = Vec::new();
        for _ in 0..n_kpis {
            let ty = match self.rng.below(10) {
                0 => Ty::Bool,
                1 => Ty::Str,
                2 => Ty::Date,
                _ => Ty::Num,
            };
            let (ty, e) = if self.big {
                (Ty::Num, self.big_kpi())
            } else {
                (ty, self.kexpr(ty, 3, false))
            };
            let name = loop {
                let c = if self.rng.pct(15) {
                    self.fields[self.rng.below(self.fields.len())].name.clone()
                } else {
                    self.rng.pick(KPI_NAMES).to_string()
                };
                if !kpis.iter().any(|k| k.name == c) {
                    break c;
                }
            };
            kpis.push(Kpi { name, e });
            self.kpi_types.push(ty);
        }
        let by = self.rng.pct(25).then(|| self.rng.below(self.fields.len()));
        let total = by.is_some() && self.rng.pct(50);
        let filter = self
            .rng
            .pct(15)
            .then(|| self.expr(Ty::Bool, 2, Scope::Record));
        Case {
            declared: self.declared,
            fields: self.fields,
            recs,
            kpis,
            by,
            total,
            filter,
            delimiter,
        }
    }

    /// A KPI for large numbers: an aggregate of a number field, or two added.
    fn big_kpi(&mut self) -> E {
        let one = |g: &mut Gen| {
            let agg = *g.rng.pick(&[
                Agg::Sum,
                Agg::Sum,
                Agg::Avg,
                Agg::Min,
                Agg::Max,
                Agg::Median,
            ]);
            let x = E::Field(g.field_of(Ty::Num));
            E::Agg(agg, Some(bx(x)), vec![], g.filter())
        };
        let a = one(self);
        if self.rng.pct(30) {
            let op = if self.rng.pct(50) { Bin::Add } else { Bin::Sub };
            E::Bin(op, bx(a), bx(one(self)))
        } else {
            a
        }
    }

    fn field_of(&mut self, ty: Ty) -> usize {
        let of: Vec<usize> = (0..self.fields.len())
            .filter(|i| self.fields[*i].ty == ty)
            .collect();
        *self.rng.pick(&of)
    }

    // ------------------------------------------------------------------ records

    /// A number for a data file: large ones and long decimals in big cases.
    fn data_number(&mut self) -> Q {
        if !self.big || self.rng.pct(30) {
            return self.number();
        }
        let texts = [
            "1000000000000000000000000000",
            "-1000000000000000000000000000",
            "999999999999999999999999999.5",
            "0.0000000000000000000000000001",
            "-0.0000000000000000000000000003",
            "12345678901234567890.123456789",
            "0.3333333333333333333333333333",
            "3.1415926535897932384626433833",
            "250000000000000000000000000.25",
        ];
        let text: &str = texts[self.rng.below(texts.len())];
        Q::parse(text).expect("a number")
    }

    fn number(&mut self) -> Q {
        let whole = Q::int(self.rng.range(-5, 20));
        if self.rng.pct(60) {
            return whole;
        }
        let f = *self
            .rng
            .pick(&[(1, 2), (1, 4), (3, 4), (1, 10), (1, 20), (1, 8), (3, 10)]);
        whole.add(fraction(f.0, f.1)).expect("small")
    }

    fn record(&mut self, delimiter: Option<char>) -> Rec {
        let mut vals = Vec::new();
        let mut texts = Vec::new();
        for i in 0..self.fields.len() {
            if self.rng.pct(12) {
                vals.push(V::Null);
                texts.push(None);
                continue;
            }
            let (v, t) = match self.fields[i].ty {
                Ty::Num => {
                    let q = self.data_number();
                    let t = self.number_text(q, delimiter);
                    (num(q), t)
                }
                Ty::Bool => {
                    let b = self.rng.pct(50);
                    let t = if self.declared && delimiter.is_some() {
                        let spellings: &[&str] = if b {
                            &["true", "TRUE", "True", "yes", "YES", "1"]
                        } else {
                            &["false", "FALSE", "False", "no", "No", "0"]
                        };
                        self.rng.pick(spellings).to_string()
                    } else {
                        b.to_string()
                    };
                    (V::Bool(b), t)
                }
                Ty::Str => {
                    let s = if self.declared && self.rng.pct(15) {
                        *self.rng.pick(TRICKY_WORDS)
                    } else {
                        *self.rng.pick(WORDS)
                    };
                    (V::Str(s.to_string()), s.to_string())
                }
                Ty::Date => {
                    let d = self.day();
                    (V::Date(d), date_text(d))
                }
            };
            vals.push(v);
            texts.push(Some(t));
        }
        Rec { vals, texts }
    }

    /// A day: most in ten weeks around a new year, a few far or odd.
    fn day(&mut self) -> i64 {
        if self.rng.pct(10) {
            // 1999-12-31, 2000-02-29, 2024-02-29, 2100-03-01, 1969-12-31
            *self.rng.pick(&[10_956, 11_016, 19_782, 47_541, -1])
        } else {
            self.rng.range(FIRST_DAY, LAST_DAY)
        }
    }

    /// A number as a data file may spell it. JSON Lines take JSON's spellings; without
    /// `fields:` there, no exponent (a key's text would be the number's, `1e+1`).
    fn number_text(&mut self, q: Q, delimiter: Option<char>) -> String {
        let plain = q.text();
        let Some(delimiter) = delimiter else {
            return match self.rng.below(6) {
                0 if plain.contains('.') => format!("{plain}0"),
                1 if !plain.contains('.') && self.declared && !plain.ends_with('0') => {
                    format!("{plain}00E-2")
                }
                _ => plain,
            };
        };
        let choice = if plain.len() > 20 {
            1
        } else {
            self.rng.below(12)
        };
        let t = match choice {
            0 if !plain.starts_with('-') => format!("+{plain}"),
            1 if plain.contains('.') => format!("{plain}0"),
            2 if !plain.contains('.') => format!("{plain}.0"),
            3 if plain.starts_with("0.") => plain[1..].to_string(),
            4 if plain.starts_with("-0.") => format!("-{}", &plain[2..]),
            5 if !plain.contains('.') && plain.ends_with('0') && plain != "0" => {
                format!("{}e1", &plain[..plain.len() - 1])
            }
            6 if !plain.contains('.') => format!("{plain}00E-2"),
            _ => plain,
        };
        if delimiter == ';' && self.rng.pct(50) {
            t.replace('.', ",")
        } else {
            t
        }
    }

    // ------------------------------------------------------------------ record scope

    fn literal(&mut self, ty: Ty) -> E {
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
        }
    }

    /// A value of `ty` or, now and then, `null`.
    fn or_null(&mut self, ty: Ty, depth: u32, scope: Scope) -> E {
        if self.rng.pct(10) {
            E::Null
        } else {
            self.expr(ty, depth, scope)
        }
    }

    fn any_ty(&mut self) -> Ty {
        *self
            .rng
            .pick(&[Ty::Num, Ty::Num, Ty::Bool, Ty::Str, Ty::Date])
    }

    /// An expression of type `ty`, in record scope or KPI scope.
    fn expr(&mut self, ty: Ty, depth: u32, scope: Scope) -> E {
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
            Ty::Date => {
                let op = if self.rng.pct(50) { Bin::Add } else { Bin::Sub };
                let days = E::Days(self.rng.range(0, 40));
                E::Bin(op, bx(self.expr(Ty::Date, d, scope)), bx(days))
            }
        }
    }

    fn leaf(&mut self, ty: Ty, scope: Scope) -> E {
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

    fn number_expr(&mut self, d: u32, scope: Scope) -> E {
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
                let f = if self.rng.pct(50) {
                    Func::Day
                } else {
                    Func::Weekday
                };
                E::Call(f, vec![self.expr(Ty::Date, d, scope)])
            }
            _ => self.leaf(Ty::Num, scope),
        }
    }

    fn condition(&mut self, d: u32, scope: Scope) -> E {
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
                let b = if self.rng.pct(50) {
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
                    .pick(&[Ty::Num, Ty::Str, Ty::Str, Ty::Date, Ty::Bool]);
                let x = self.expr(ty, d, scope);
                let n = self.rng.range(1, 4);
                let mut items: Vec<E> = (0..n).map(|_| self.literal(ty)).collect();
                if self.rng.pct(20) {
                    items.push(E::Null);
                }
                E::In(bx(x), items, self.rng.pct(40))
            }
            9 => {
                let ty = if self.rng.pct(70) { Ty::Num } else { Ty::Date };
                let x = self.expr(ty, d, scope);
                let (lo, hi) = (self.literal(ty), self.literal(ty));
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

    fn kexpr(&mut self, ty: Ty, depth: u32, inner: bool) -> E {
        self.expr(ty, depth, Scope::Kpi { inner })
    }

    fn filter(&mut self) -> Option<Box<E>> {
        self.rng
            .pct(25)
            .then(|| bx(self.expr(Ty::Bool, 2, Scope::Record)))
    }

    /// An aggregate whose value has type `ty`.
    fn aggregate(&mut self, ty: Ty, inner: bool) -> E {
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
        ]);
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

    fn per_keys(&mut self) -> Vec<E> {
        let n = if self.rng.pct(75) { 1 } else { 2 };
        (0..n)
            .map(|_| match self.rng.below(6) {
                0 => E::Call(Func::Lower, vec![E::Field(self.field_of(Ty::Str))]),
                1 => E::Call(Func::Floor, vec![E::Field(self.field_of(Ty::Num))]),
                _ => E::Field(self.rng.below(self.fields.len())),
            })
            .collect()
    }

    /// `agg(inner per keys where cond)`.
    fn per_aggregate(&mut self) -> E {
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
enum Scope {
    Record,
    /// `inner`: inside `per`, where names of KPIs and another `per` are not allowed.
    Kpi {
        inner: bool,
    },
}

// ---------------------------------------------------------------------- files

fn json_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn yaml_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn csv_cell(s: &str, delimiter: char) -> String {
    if s.contains([delimiter, '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Case {
    pub fn field_names(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.name.clone()).collect()
    }

    pub fn kpi_names(&self) -> Vec<String> {
        self.kpis.iter().map(|k| k.name.clone()).collect()
    }

    /// The formulas as text, written with the printer's choices from `seed`.
    pub fn formulas(&self, seed: u64) -> Vec<String> {
        self.formulas_with(seed, false)
    }

    /// The formulas, with `ast::BREAK` where a line may break when `breaks`.
    pub fn formulas_with(&self, seed: u64, breaks: bool) -> Vec<String> {
        let fields = self.field_names();
        let kpis = self.kpi_names();
        let mut p = Printer {
            fields: &fields,
            kpis: &kpis,
            rng: Rng::new(seed),
            breaks,
        };
        self.kpis.iter().map(|k| p.print(&k.e)).collect()
    }

    /// The data file's name.
    pub fn data_file(&self) -> &'static str {
        if self.delimiter.is_some() {
            "data.csv"
        } else {
            "data.jsonl"
        }
    }

    /// The data file: CSV, or JSON Lines (a null now a `null`, now a missing key).
    pub fn data(&self) -> String {
        let Some(d) = self.delimiter else {
            let mut out = String::new();
            for (n, r) in self.recs.iter().enumerate() {
                let mut cells = Vec::new();
                for (i, f) in self.fields.iter().enumerate() {
                    let cell = match (&r.vals[i], &r.texts[i]) {
                        (V::Null, _) if (n + i) % 2 == 0 => continue,
                        (V::Null, _) | (_, None) => "null".to_string(),
                        (V::Num(_), Some(t)) | (V::Bool(_), Some(t)) => t.clone(),
                        (_, Some(t)) => json_string(t),
                    };
                    cells.push(format!("{}: {cell}", json_string(&f.name)));
                }
                out.push_str(&format!("{{{}}}\n", cells.join(", ")));
            }
            return out;
        };
        let line = |cells: Vec<String>| cells.join(&d.to_string()) + "\n";
        let mut out = line(self.fields.iter().map(|f| csv_cell(&f.name, d)).collect());
        for r in &self.recs {
            out.push_str(&line(
                r.texts
                    .iter()
                    .map(|t| t.as_deref().map_or(String::new(), |t| csv_cell(t, d)))
                    .collect(),
            ));
        }
        out
    }

    /// The catalogue in YAML, the source reading `data_file`.
    pub fn yaml(&self, formulas: &[String]) -> String {
        let data_file = self.data_file();
        let mut y = format!("sources:\n  calls:\n    path: {data_file}\n");
        if self.declared {
            y.push_str("    fields:\n");
            for f in &self.fields {
                let ty = match f.ty {
                    Ty::Num => "number",
                    Ty::Bool => "bool",
                    Ty::Str => "string",
                    Ty::Date => "date",
                };
                y.push_str(&format!("      {}: {ty}\n", yaml_quote(&f.name)));
            }
        }
        y.push_str("kpis:\n");
        for (k, f) in self.kpis.iter().zip(formulas) {
            y.push_str(&format!("  {}: {}\n", yaml_quote(&k.name), yaml_quote(f)));
        }
        y
    }

    /// The `--by` argument, as a formula names the field.
    pub fn by_arg(&self) -> Option<String> {
        self.by.map(|i| quote_name(&self.fields[i].name))
    }

    /// The `--where` argument, written with the printer's choices from `seed`.
    pub fn filter_arg(&self, seed: u64) -> Option<String> {
        let fields = self.field_names();
        let mut p = Printer {
            fields: &fields,
            kpis: &[],
            rng: Rng::new(seed),
            breaks: false,
        };
        self.filter.as_ref().map(|f| p.print(f))
    }
}
