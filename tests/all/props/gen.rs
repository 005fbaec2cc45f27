//! Random cases for the reference-model property: a source with a few typed fields
//! (declared with `fields:` or not), records with nulls and odd spellings, KPIs (their
//! formulas from `formula.rs`), and now and then `--by`, `--total`, `--where`. The files
//! are written by `files.rs`.

use super::ast::{bx, date_text, datetime_text, Agg, Bin, Ty, E, MICROS_PER_DAY};
use super::formula::Scope;
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
const TIME_NAMES: &[&str] = &["t", "heure", "started_at"];
const KPI_NAMES: &[&str] = &[
    "k",
    "rate",
    "taux",
    "résultat",
    "marge brute",
    "k_2",
    "Score",
];
pub(super) const WORDS: &[&str] = &[
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
pub(super) const TRICKY_WORDS: &[&str] = &["007", "true", "1.5", "2025-01-01", "NULL", "-"];
/// 2024-12-28 and 2025-03-05 as day numbers.
const FIRST_DAY: i64 = 20_085;
const LAST_DAY: i64 = 20_152;

pub struct Gen {
    pub rng: Rng,
    pub declared: bool,
    /// Large numbers and long decimals, near the 28 digits: formulas then keep to sums,
    /// averages, extremes and medians of fields, which cannot overflow.
    pub(super) big: bool,
    pub(super) fields: Vec<Field>,
    /// The KPIs defined so far: a formula refers to earlier ones only.
    pub(super) kpi_types: Vec<Ty>,
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
            (TIME_NAMES, Ty::Time, 1),
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
            let ty = match self.rng.below(11) {
                0 => Ty::Bool,
                1 => Ty::Str,
                2 => Ty::Date,
                3 => Ty::Time,
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
    pub(super) fn big_kpi(&mut self) -> E {
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

    pub(super) fn field_of(&mut self, ty: Ty) -> usize {
        let of: Vec<usize> = (0..self.fields.len())
            .filter(|i| self.fields[*i].ty == ty)
            .collect();
        *self.rng.pick(&of)
    }

    // ------------------------------------------------------------------ records

    /// A number for a data file: large ones and long decimals in big cases.
    pub(super) fn data_number(&mut self) -> Q {
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

    pub(super) fn number(&mut self) -> Q {
        let whole = Q::int(self.rng.range(-5, 20));
        if self.rng.pct(60) {
            return whole;
        }
        let f = *self
            .rng
            .pick(&[(1, 2), (1, 4), (3, 4), (1, 10), (1, 20), (1, 8), (3, 10)]);
        whole.add(fraction(f.0, f.1)).expect("small")
    }

    pub(super) fn record(&mut self, delimiter: Option<char>) -> Rec {
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
                Ty::Time => {
                    let t = self.time();
                    let text = datetime_text(t);
                    let text = match self.rng.below(8) {
                        0 => text.replacen('T', " ", 1),
                        1 => format!("{text}Z"),
                        2 if text.ends_with("T00:00:00") && self.declared => text[..10].to_string(),
                        3 if text.ends_with(":00") && text.len() == 19 => text[..16].to_string(),
                        _ => text,
                    };
                    (V::Time(t), text)
                }
            };
            vals.push(v);
            texts.push(Some(t));
        }
        Rec { vals, texts }
    }

    /// A day: most in ten weeks around a new year, a few far or odd.
    pub(super) fn day(&mut self) -> i64 {
        if self.rng.pct(10) {
            // 1999-12-31, 2000-02-29, 2024-02-29, 2100-03-01, 1969-12-31
            *self.rng.pick(&[10_956, 11_016, 19_782, 47_541, -1])
        } else {
            self.rng.range(FIRST_DAY, LAST_DAY)
        }
    }

    /// A datetime: a day of `day()` at one of a few times, now and then half a second on.
    pub(super) fn time(&mut self) -> i64 {
        let h = *self.rng.pick(&[0i64, 8, 12, 23]);
        let m = *self.rng.pick(&[0i64, 30]);
        let s = *self.rng.pick(&[0i64, 0, 59]);
        let half = if self.rng.pct(10) { 500_000 } else { 0 };
        self.day() * MICROS_PER_DAY + ((h * 60 + m) * 60 + s) * 1_000_000 + half
    }

    /// A number as a data file may spell it. JSON Lines take JSON's spellings; without
    /// `fields:` there, no exponent (a key's text would be the number's, `1e+1`).
    pub(super) fn number_text(&mut self, q: Q, delimiter: Option<char>) -> String {
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
}
