//! The generated formulas: a small tree that the generator builds, the reference model
//! evaluates and the printer writes as kpi text (with the fewest brackets the precedence
//! table of docs/language.md allows, so the parser's precedence is under test too).

use super::frac::Q;
use super::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Num,
    Bool,
    Str,
    Date,
    /// A datetime.
    Time,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Abs,
    Floor,
    Ceil,
    Round,
    Least,
    Greatest,
    If,
    Coalesce,
    Lower,
    Upper,
    Trim,
    Len,
    Contains,
    StartsWith,
    EndsWith,
    Day,
    Weekday,
    Hour,
    /// `date(t)`.
    DateOf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agg {
    Count,
    Sum,
    Avg,
    Min,
    Max,
    Pct,
    Share,
    Distinct,
    Median,
    /// `percentile(x, p)`.
    Percentile(Q),
}

#[derive(Clone, Debug)]
pub enum E {
    Field(usize),
    /// A literal number, never negative (a negative one is `Neg`).
    Num(Q),
    Bool(bool),
    Str(String),
    /// Days since 1970-01-01.
    Date(i64),
    /// Microseconds since 1970-01-01T00:00:00.
    Time(i64),
    /// A duration in seconds (`3d`, `2h`, `90min`, `45s`), only added to dates (whole
    /// days) and datetimes.
    Dur(i64),
    Null,
    Neg(Box<E>),
    Not(Box<E>),
    Bin(Bin, Box<E>, Box<E>),
    /// `x is null` (false) or `x is not null` (true).
    IsNull(Box<E>, bool),
    /// `x in (...)` (false) or `x not in (...)` (true).
    In(Box<E>, Vec<E>, bool),
    Between(Box<E>, Box<E>, Box<E>),
    Call(Func, Vec<E>),
    /// An aggregate: its argument, its `per` keys, its `where`.
    Agg(Agg, Option<Box<E>>, Vec<E>, Option<Box<E>>),
    Kpi(usize),
}

pub fn bx(e: E) -> Box<E> {
    Box::new(e)
}

impl Bin {
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            Bin::Eq | Bin::Ne | Bin::Lt | Bin::Le | Bin::Gt | Bin::Ge
        )
    }
    fn level(self) -> u8 {
        match self {
            Bin::Or => 1,
            Bin::And => 2,
            Bin::Add | Bin::Sub => 5,
            Bin::Mul | Bin::Div => 6,
            _ => 4,
        }
    }
}

impl Func {
    fn name(self) -> &'static str {
        match self {
            Func::Abs => "abs",
            Func::Floor => "floor",
            Func::Ceil => "ceil",
            Func::Round => "round",
            Func::Least => "least",
            Func::Greatest => "greatest",
            Func::If => "if",
            Func::Coalesce => "coalesce",
            Func::Lower => "lower",
            Func::Upper => "upper",
            Func::Trim => "trim",
            Func::Len => "len",
            Func::Contains => "contains",
            Func::StartsWith => "starts_with",
            Func::EndsWith => "ends_with",
            Func::Day => "day",
            Func::Weekday => "weekday",
            Func::Hour => "hour",
            Func::DateOf => "date",
        }
    }
}

impl Agg {
    fn name(self) -> &'static str {
        match self {
            Agg::Count => "count",
            Agg::Sum => "sum",
            Agg::Avg => "avg",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Pct => "pct",
            Agg::Share => "share",
            Agg::Distinct => "distinct",
            Agg::Median => "median",
            Agg::Percentile(_) => "percentile",
        }
    }
}

/// How a name is written in a formula: plain when it is an identifier that is no keyword,
/// else back-quoted.
pub fn quote_name(name: &str) -> String {
    let keyword = [
        "and", "or", "not", "in", "between", "is", "null", "true", "false", "per", "where",
    ]
    .contains(&name.to_lowercase().as_str());
    let mut chars = name.chars();
    let plain = chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric());
    if plain && !keyword && name.is_ascii() {
        name.to_string()
    } else {
        format!("`{name}`")
    }
}

/// `YYYY-MM-DD` of a day number.
pub fn date_text(days: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// `YYYY-MM-DDTHH:MM:SS[.f]` of a datetime in microseconds, as kpi writes it.
pub fn datetime_text(us: i64) -> String {
    let day = us.div_euclid(MICROS_PER_DAY);
    let rest = us.rem_euclid(MICROS_PER_DAY);
    let secs = rest / 1_000_000;
    let frac = rest % 1_000_000;
    let mut t = format!(
        "{}T{:02}:{:02}:{:02}",
        date_text(day),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        t.push_str(format!(".{frac:06}").trim_end_matches('0'));
    }
    t
}

/// Writes trees as formula text. Its choices (keyword case, quotes, redundant brackets,
/// underscores in numbers) come from its own generator, so one seed gives one text.
pub struct Printer<'a> {
    pub fields: &'a [String],
    pub kpis: &'a [String],
    pub rng: Rng,
    /// Write [`BREAK`] instead of a blank where a line may break (around a binary
    /// operator, after a comma), for the writers of multi-line formulas.
    pub breaks: bool,
}

/// Where a formula written with `Printer::breaks` may take a line break or more blanks.
pub const BREAK: char = '\u{1}';

impl Printer<'_> {
    pub fn print(&mut self, e: &E) -> String {
        let mut out = String::new();
        self.write(e, &mut out);
        out
    }

    fn gap(&self) -> char {
        if self.breaks {
            BREAK
        } else {
            ' '
        }
    }

    fn kw(&mut self, word: &str) -> String {
        match self.rng.below(12) {
            0 => word.to_uppercase(),
            1 => {
                let mut c = word.chars();
                c.next().map_or(String::new(), |f| {
                    f.to_uppercase().collect::<String>() + c.as_str()
                })
            }
            _ => word.to_string(),
        }
    }

    /// `e` at a place that needs at least `min` as its level: bracketed below it, and now
    /// and then bracketed anyway.
    fn at(&mut self, e: &E, min: u8, out: &mut String) {
        if level(e) < min || self.rng.below(30) == 0 {
            out.push('(');
            self.write(e, out);
            out.push(')');
        } else {
            self.write(e, out);
        }
    }

    fn list(&mut self, items: &[E], out: &mut String) {
        for (i, a) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
                out.push(self.gap());
            }
            self.write(a, out);
        }
    }

    fn write(&mut self, e: &E, out: &mut String) {
        match e {
            E::Field(i) => out.push_str(&quote_name(&self.fields[*i])),
            E::Kpi(i) => out.push_str(&quote_name(&self.kpis[*i])),
            E::Num(q) => out.push_str(&self.number(*q)),
            E::Bool(b) => {
                let w = self.kw(if *b { "true" } else { "false" });
                out.push_str(&w)
            }
            E::Null => {
                let w = self.kw("null");
                out.push_str(&w)
            }
            E::Str(s) => out.push_str(&self.string(s)),
            E::Date(d) => out.push_str(&date_text(*d)),
            E::Time(us) => {
                let t = datetime_text(*us);
                // `2025-03-01T08:00` when the seconds are zero, now and then
                if t.ends_with(":00") && t.len() == 19 && self.rng.below(3) == 0 {
                    out.push_str(&t[..16]);
                } else {
                    out.push_str(&t);
                }
            }
            E::Dur(secs) => out.push_str(&match secs {
                s if s % 86_400 == 0 => format!("{}d", s / 86_400),
                s if s % 3600 == 0 => format!("{}h", s / 3600),
                s if s % 60 == 0 => format!("{}min", s / 60),
                s => format!("{s}s"),
            }),
            E::Neg(x) => {
                out.push('-');
                if matches!(**x, E::Neg(_)) {
                    out.push(' ');
                }
                self.at(x, 7, out);
            }
            E::Not(x) => {
                let w = self.kw("not");
                out.push_str(&w);
                out.push(' ');
                self.at(x, 3, out);
            }
            E::Bin(op, a, b) => {
                let l = op.level();
                let (left, right) = if op.is_comparison() {
                    (5, 5)
                } else {
                    (l, l + 1)
                };
                self.at(a, left, out);
                let sym = match op {
                    Bin::Add => "+".to_string(),
                    Bin::Sub => "-".to_string(),
                    Bin::Mul => "*".to_string(),
                    Bin::Div => "/".to_string(),
                    Bin::Eq => "==".to_string(),
                    Bin::Ne => if self.rng.below(4) == 0 { "<>" } else { "!=" }.to_string(),
                    Bin::Lt => "<".to_string(),
                    Bin::Le => "<=".to_string(),
                    Bin::Gt => ">".to_string(),
                    Bin::Ge => ">=".to_string(),
                    Bin::And => self.kw("and"),
                    Bin::Or => self.kw("or"),
                };
                out.push(self.gap());
                out.push_str(&sym);
                out.push(self.gap());
                self.at(b, right, out);
            }
            E::IsNull(x, negated) => {
                self.at(x, 5, out);
                let words = if *negated {
                    format!(" {} {} {}", self.kw("is"), self.kw("not"), self.kw("null"))
                } else {
                    format!(" {} {}", self.kw("is"), self.kw("null"))
                };
                out.push_str(&words);
            }
            E::In(x, items, negated) => {
                self.at(x, 5, out);
                let words = if *negated {
                    format!(" {} {} (", self.kw("not"), self.kw("in"))
                } else {
                    format!(" {} (", self.kw("in"))
                };
                out.push_str(&words);
                self.list(items, out);
                out.push(')');
            }
            E::Between(x, lo, hi) => {
                self.at(x, 5, out);
                let w = format!(" {} ", self.kw("between"));
                out.push_str(&w);
                self.at(lo, 7, out);
                let w = format!(" {} ", self.kw("and"));
                out.push_str(&w);
                self.at(hi, 7, out);
            }
            E::Call(f, args) => {
                out.push_str(f.name());
                out.push('(');
                self.list(args, out);
                out.push(')');
            }
            E::Agg(a, arg, per, filter) => {
                out.push_str(a.name());
                out.push('(');
                let mut gap = "";
                if let Some(x) = arg {
                    self.write(x, out);
                    gap = " ";
                }
                if let Agg::Percentile(p) = a {
                    out.push(',');
                    out.push(self.gap());
                    out.push_str(&self.number(*p));
                }
                if !per.is_empty() {
                    let w = format!("{gap}{} ", self.kw("per"));
                    out.push_str(&w);
                    self.list(per, out);
                    gap = " ";
                }
                if let Some(c) = filter {
                    let w = format!("{gap}{} ", self.kw("where"));
                    out.push_str(&w);
                    self.write(c, out);
                }
                out.push(')');
            }
        }
    }

    fn number(&mut self, q: Q) -> String {
        let text = q.text();
        let digits = text.split('.').next().unwrap_or("");
        if digits.len() > 1 && self.rng.below(8) == 0 {
            // `1_2` is 12: an underscore between two digits of the whole part.
            let at = 1 + self.rng.below(digits.len() - 1);
            return format!("{}_{}", &text[..at], &text[at..]);
        }
        if !text.contains('.') && self.rng.below(10) == 0 {
            return format!("{text}.0");
        }
        text
    }

    fn string(&mut self, s: &str) -> String {
        let quote = if self.rng.below(2) == 0 { '"' } else { '\'' };
        let mut out = String::from(quote);
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '"' | '\'' if c == quote || self.rng.below(3) == 0 => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
        out.push(quote);
        out
    }
}

/// The precedence level of a tree's top (docs/language.md, loosest first; 8: a primary).
fn level(e: &E) -> u8 {
    match e {
        E::Bin(op, ..) => op.level(),
        E::Not(_) => 3,
        E::IsNull(..) | E::In(..) | E::Between(..) => 4,
        E::Neg(_) => 7,
        _ => 8,
    }
}
