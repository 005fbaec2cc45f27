//! What differs between SQL engines, behind one trait. The builder (`sql/expr.rs`,
//! `sql/aggregate.rs`, `sql/query.rs`) asks the [`Dialect`] for every engine-specific
//! piece of text; the trait's default methods write the common standard forms, and each
//! engine overrides only what it writes differently (after prqlc's `DialectHandler`).
//!
//! To add an engine: a new file here with a unit struct implementing `Dialect`, and its
//! `module::Type` in the `dialects!` line below.

pub use crate::time::{DatePart, Period};
use rust_decimal::Decimal;

macro_rules! dialects {
    ($($module:ident::$engine:ident),+ $(,)?) => {
        $(mod $module;)+
        /// The engines `kpi sql --dialect` knows, in the order its help lists them.
        pub static DIALECTS: &[&dyn Dialect] = &[$(&$module::$engine),+];
    };
}
dialects!(
    duckdb::DuckDb,
    postgres::Postgres,
    sqlite::Sqlite,
    spark::Spark,
    clickhouse::ClickHouse,
);

/// The dialect `--dialect NAME` chooses.
pub fn named(key: &str) -> Option<&'static dyn Dialect> {
    DIALECTS.iter().copied().find(|d| d.key() == key)
}

/// One aggregate call over already rendered SQL arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate<'a> {
    /// The rows: `COUNT(*)`.
    CountRows,
    /// The rows where the argument is not null.
    Count(&'a str),
    CountDistinct(&'a str),
    Sum(&'a str),
    Avg(&'a str),
    Min(&'a str),
    Max(&'a str),
    /// The continuous percentile (linear interpolation), `fraction` from 0 to 1.
    Percentile {
        fraction: &'a str,
        of: &'a str,
    },
}

impl<'a> Aggregate<'a> {
    /// The argument, if the aggregate takes one.
    pub fn arg(self) -> Option<&'a str> {
        match self {
            Aggregate::CountRows => None,
            Aggregate::Count(x)
            | Aggregate::CountDistinct(x)
            | Aggregate::Sum(x)
            | Aggregate::Avg(x)
            | Aggregate::Min(x)
            | Aggregate::Max(x)
            | Aggregate::Percentile { of: x, .. } => Some(x),
        }
    }

    /// The same aggregate over another argument (`CountRows` becomes `Count(arg)`).
    pub fn with_arg<'b>(self, arg: &'b str) -> Aggregate<'b>
    where
        'a: 'b,
    {
        match self {
            Aggregate::CountRows | Aggregate::Count(_) => Aggregate::Count(arg),
            Aggregate::CountDistinct(_) => Aggregate::CountDistinct(arg),
            Aggregate::Sum(_) => Aggregate::Sum(arg),
            Aggregate::Avg(_) => Aggregate::Avg(arg),
            Aggregate::Min(_) => Aggregate::Min(arg),
            Aggregate::Max(_) => Aggregate::Max(arg),
            Aggregate::Percentile { fraction, .. } => Aggregate::Percentile { fraction, of: arg },
        }
    }
}

/// The standard aggregate calls (`COUNT`, `SUM`, `AVG`…; the dialect's percentile), for
/// a dialect that writes only some aggregates its own way.
pub fn standard_aggregate<D: Dialect + ?Sized>(agg: Aggregate<'_>, d: &D) -> String {
    match agg {
        Aggregate::CountRows => "COUNT(*)".into(),
        Aggregate::Count(x) => format!("COUNT({x})"),
        Aggregate::CountDistinct(x) => format!("COUNT(DISTINCT {x})"),
        Aggregate::Sum(x) => format!("SUM({x})"),
        Aggregate::Avg(x) => format!("AVG({x})"),
        Aggregate::Min(x) => format!("MIN({x})"),
        Aggregate::Max(x) => format!("MAX({x})"),
        Aggregate::Percentile { fraction, of } => d.percentile(fraction, of),
    }
}

/// The SQL an engine writes for each piece of a query whose form is not the same
/// everywhere. Arguments are SQL text already rendered (and bracketed where needed).
/// `Sync`: the registered dialects are statics.
pub trait Dialect: Sync {
    /// The name `--dialect` takes: `duckdb`.
    fn key(&self) -> &'static str;
    /// The engine's name, in the query's header comment: `DuckDB`.
    fn name(&self) -> &'static str;

    // Lexical pieces.

    /// The character around identifiers (doubled inside them).
    fn ident_quote(&self) -> char {
        '"'
    }
    /// A table, column or alias name, quoted.
    fn ident(&self, name: &str) -> String {
        let q = self.ident_quote();
        format!("{q}{}{q}", name.replace(q, &format!("{q}{q}")))
    }
    /// A string literal.
    fn string(&self, s: &str) -> String {
        format!("'{}'", s.replace('\'', "''"))
    }
    /// `TRUE` or `FALSE`.
    fn boolean(&self, b: bool) -> String {
        if b { "TRUE" } else { "FALSE" }.into()
    }
    /// A number literal (also a duration, in seconds).
    fn number(&self, n: Decimal) -> String {
        n.normalize().to_string()
    }
    /// A date literal from `2024-01-31`.
    fn date(&self, iso: &str) -> String {
        format!("DATE '{iso}'")
    }
    /// A timestamp literal from `2024-01-31 09:30:00` (fractions of seconds when present).
    fn timestamp(&self, text: &str) -> String {
        format!("TIMESTAMP '{text}'")
    }
    /// The name of the variable-length string type, for casts.
    fn string_type(&self) -> &'static str {
        "VARCHAR"
    }

    // Text, for period labels (`--compare`).

    /// `x` as text.
    fn cast_text(&self, x: &str) -> String {
        format!("CAST({x} AS {})", self.string_type())
    }
    /// `len` characters of text `s` from position `start` (1 is the first).
    fn substring(&self, s: &str, start: usize, len: usize) -> String {
        format!("SUBSTR({s}, {start}, {len})")
    }
    /// Text of digits as an integer.
    fn cast_integer(&self, x: &str) -> String {
        format!("CAST({x} AS INTEGER)")
    }
    /// Texts joined.
    fn concat(&self, parts: &[String]) -> String {
        format!("({})", parts.join(" || "))
    }
    /// A date from its text `2024-01-31`.
    fn date_from_text(&self, s: &str) -> String {
        format!("CAST({s} AS DATE)")
    }

    // Periods as consecutive integers (`--grain`, period functions: `sql/periods.rs`).

    /// The day number of date `d` (0 is 1970-01-01), an integer.
    fn day_number(&self, d: &str) -> String {
        format!("({d} - DATE '1970-01-01')")
    }
    /// The date of day number `n`.
    fn date_of_day_number(&self, n: &str) -> String {
        format!("(DATE '1970-01-01' + CAST({n} AS INTEGER))")
    }
    /// The integer quotient of two non-negative integers (bracketed where needed).
    fn int_div(&self, a: &str, b: &str) -> String {
        format!("({a} / {b})")
    }
    /// The body of CTE `name`: one row per integer `n` from `first_period` to `last_period`
    /// of the one-row CTE `bounds` (none when they are null).
    fn integer_series(&self, name: &str, bounds: &str) -> String {
        let _ = name;
        format!("SELECT generate_series(first_period, last_period) AS n FROM {bounds}")
    }

    // Numbers.

    /// A count as a number that divides exactly (integer division truncates in some
    /// engines).
    fn cast_numeric(&self, x: String) -> String {
        format!("CAST({x} AS NUMERIC)")
    }
    /// `x / y`, null when `y` is 0 (the language's division by zero).
    fn divide(&self, x: &str, y: &str) -> String {
        format!("({x} / NULLIF({y}, 0))")
    }

    // Dates and times. Durations are numbers of seconds in the SQL.

    /// The seconds from date `earlier` to date `later`.
    fn date_diff_seconds(&self, later: &str, earlier: &str) -> String {
        format!("(({later} - {earlier}) * 86400)")
    }
    /// The seconds from `earlier` to `later`, dates or datetimes.
    fn timestamp_diff_seconds(&self, later: &str, earlier: &str) -> String {
        format!("EXTRACT(EPOCH FROM (CAST({later} AS TIMESTAMP) - CAST({earlier} AS TIMESTAMP)))")
    }
    /// `t` plus (or minus) a number of seconds.
    fn add_seconds(&self, t: &str, subtract: bool, seconds: &str) -> String {
        let op = if subtract { "-" } else { "+" };
        format!("({t} {op} {seconds} * INTERVAL '1 second')")
    }
    /// The label of the period holding `t` (no standard form: each engine formats).
    fn period_label(&self, period: Period, t: &str) -> String;
    /// A number read off `t`: its hour, its day of the month, its ISO weekday.
    fn date_part(&self, part: DatePart, t: &str) -> String {
        let field = match part {
            DatePart::Hour => "HOUR",
            DatePart::Day => "DAY",
            DatePart::IsoWeekday => "ISODOW",
        };
        format!("EXTRACT({field} FROM {t})")
    }

    /// A call of one of the language's functions that this engine writes otherwise than
    /// the registry's standard form (SQLite's `instr` for `contains`); `None`: the
    /// standard form.
    fn function(&self, name: &str, args: &[String]) -> Option<String> {
        let _ = (name, args);
        None
    }

    // Aggregates.

    /// Whether aggregates take `FILTER (WHERE …)`; without it, the filter moves into
    /// the argument as `CASE WHEN … THEN … END`.
    fn supports_filter(&self) -> bool {
        true
    }
    /// An aggregate call over all rows.
    fn aggregate(&self, agg: Aggregate<'_>) -> String {
        standard_aggregate(agg, self)
    }
    /// Whether the engine computes `percentile` and `median` exactly; if not, `kpi sql`
    /// leaves their KPIs out with a warning rather than give another number.
    fn exact_percentile(&self) -> bool {
        true
    }
    /// The continuous percentile of `of` (linear interpolation between neighbours).
    fn percentile(&self, fraction: &str, of: &str) -> String {
        format!("PERCENTILE_CONT({fraction}) WITHIN GROUP (ORDER BY {of})")
    }
    /// An aggregate over the rows where `filter` holds (all rows without one).
    fn filtered_aggregate(&self, agg: Aggregate<'_>, filter: Option<&str>) -> String {
        match filter {
            None => self.aggregate(agg),
            Some(w) if self.supports_filter() => {
                format!("{} FILTER (WHERE {w})", self.aggregate(agg))
            }
            Some(w) => {
                let arg = format!("CASE WHEN {w} THEN {} END", agg.arg().unwrap_or("1"));
                self.aggregate(agg.with_arg(&arg))
            }
        }
    }

    // Query shape.

    /// `a = b`, true also when both are null (group keys are joined on it).
    fn null_safe_eq(&self, a: &str, b: &str) -> String {
        format!("{a} IS NOT DISTINCT FROM {b}")
    }
    /// An `ORDER BY` item, ascending, nulls after the values.
    fn nulls_last(&self, item: &str) -> String {
        format!("{item} NULLS LAST")
    }
    /// The set union without duplicates (the group keys of all sources).
    fn union_distinct(&self) -> &'static str {
        "UNION"
    }
    /// Text before the query's final `;`, with its own leading newline: settings the
    /// query needs to mean what it says. ClickHouse would need `SETTINGS join_use_nulls = 1`, so
    /// that a group absent from a source reads null there, not 0.
    fn query_suffix(&self) -> &'static str {
        ""
    }
}
