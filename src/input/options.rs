//! A source's read options (`design/inputs.md`): how its files are written. They come from
//! the source's keys in the catalogue (`encoding: windows-1252`, `null: [N/A]`…), kept as
//! written by the loader, or from `--read KEY=VALUE` on the command line; both are checked
//! here, each error at the value that is wrong. A format turns them, with what it sniffed,
//! into the [`Notation`](super::Notation) of its cells.

use super::pattern::Pattern;
use super::reject::RejectLog;
use crate::catalogue::{Catalogue, ReadSetting, SettingValue, READ_KEYS, READ_LIST_KEYS};
use crate::diag::{Code, Diag};
use crate::span::{SourceMap, Span};
use crate::syntax::Name;
use encoding_rs::Encoding;

/// The formats a source may declare with `format:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Tsv,
    Jsonl,
    Xlsx,
    Xls,
    Ods,
}

impl FileFormat {
    pub const NAMES: [&'static str; 6] = ["csv", "tsv", "jsonl", "xlsx", "xls", "ods"];
    const ALL: [FileFormat; 6] = [
        FileFormat::Csv,
        FileFormat::Tsv,
        FileFormat::Jsonl,
        FileFormat::Xlsx,
        FileFormat::Xls,
        FileFormat::Ods,
    ];
    pub fn name(self) -> &'static str {
        FileFormat::NAMES[self as usize]
    }
    pub fn parse(s: &str) -> Option<FileFormat> {
        let i = FileFormat::NAMES.iter().position(|n| *n == s)?;
        Some(FileFormat::ALL[i])
    }
    pub fn is_workbook(self) -> bool {
        matches!(self, FileFormat::Xlsx | FileFormat::Xls | FileFormat::Ods)
    }
}

/// A workbook's sheet: `sheet: 2` is the second, `sheet: "2"` the one named 2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sheet {
    Number(u32),
    Name(String),
}

/// Where a source's options are written, for advice that names the line to add.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Origin {
    /// The source's keys in the catalogue.
    #[default]
    Catalogue,
    /// `--read KEY=VALUE` (runs with `-e` and no catalogue source).
    CommandLine,
}

/// The encodings `encoding:` takes (the names in `inputs.md`, then other spellings).
pub const ENCODINGS: [&str; 7] = [
    "utf-8",
    "windows-1252",
    "iso-8859-1",
    "iso-8859-15",
    "utf-16",
    "utf-16le",
    "utf-16be",
];
pub const ENCODING_ALIASES: [&str; 5] = ["utf8", "cp1252", "latin1", "latin-1", "latin9"];
/// What `delimiter:` takes (`tab` is the tab character).
pub const DELIMITERS: [&str; 7] = [",", ";", "\t", "|", ":", " ", "tab"];
pub const DECIMALS: [&str; 2] = [".", ","];
/// What `thousands:` takes; a space also matches the no-break and narrow no-break spaces.
pub const THOUSANDS: [&str; 4] = [" ", ".", ",", "'"];

/// How one source's files are written, as declared (everything optional: the defaults are
/// the part-1 behaviour).
#[derive(Clone, Debug)]
pub struct ReadOptions {
    pub format: Option<FileFormat>,
    pub sheet: Option<Sheet>,
    /// 1-based row (line) of the header; the rows above it are skipped.
    pub header_row: u32,
    /// `None`: UTF-8 (a byte order mark decides otherwise).
    pub encoding: Option<&'static Encoding>,
    pub delimiter: Option<u8>,
    pub decimal: Option<u8>,
    /// `b' '` stands for the space and the no-break spaces.
    pub thousands: Option<u8>,
    pub date_format: Option<Pattern>,
    pub datetime_format: Option<Pattern>,
    pub true_words: Vec<String>,
    pub false_words: Vec<String>,
    pub null_words: Vec<String>,
    pub origin: Origin,
    /// Where every rejected record goes, when `--rejects` asks for them.
    pub log: Option<RejectLog>,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            format: None,
            sheet: None,
            header_row: 1,
            encoding: None,
            delimiter: None,
            decimal: None,
            thousands: None,
            date_format: None,
            datetime_format: None,
            true_words: Vec::new(),
            false_words: Vec::new(),
            null_words: Vec::new(),
            origin: Origin::Catalogue,
            log: None,
        }
    }
}

impl ReadOptions {
    /// The options of `settings`; each wrong value is reported in `diags` and left out.
    pub fn from_settings(settings: &[ReadSetting], diags: &mut Vec<Diag>) -> ReadOptions {
        let mut o = ReadOptions::default();
        for s in settings {
            if let Err(d) = o.apply(s) {
                diags.push(d);
            }
        }
        o.check_together(settings, diags);
        o
    }

    fn apply(&mut self, s: &ReadSetting) -> Result<(), Diag> {
        let key = s.key.text.as_str();
        let Some(v) = s.values.first() else {
            return Ok(());
        };
        let text = v.text.as_str();
        let bad = |msg: String| Diag::error(Code::Catalogue, msg).at(v.span);
        match key {
            "format" => {
                self.format = Some(FileFormat::parse(text).ok_or_else(|| {
                    bad(format!("`{text}` is not a format")).suggest(
                        text,
                        FileFormat::NAMES,
                        Some(format!("the formats are {}", FileFormat::NAMES.join(", "))),
                    )
                })?)
            }
            "sheet" => self.sheet = Some(match plain_kind(v) {
                Plain::Integer(n) if n >= 1 => Sheet::Number(n.min(u32::MAX as i64) as u32),
                Plain::Text => Sheet::Name(text.to_string()),
                _ => return Err(bad(format!(
                    "`{text}` is no sheet: a sheet is a number from 1 or a name"
                ))
                .help(
                    "write `sheet: 2` for the second sheet, `sheet: \"2\"` for the sheet named 2",
                )),
            }),
            "header_row" => match plain_kind(v) {
                Plain::Integer(n) if (1..=1_048_576).contains(&n) => self.header_row = n as u32,
                _ => {
                    return Err(bad(format!(
                        "`{text}` is no header row: write the row's number, from 1"
                    ))
                    .help("e.g. `header_row: 3` when the header is on the third row"))
                }
            },
            "encoding" => {
                self.encoding = Some(encoding(text).ok_or_else(|| {
                    bad(format!("`{text}` is not an encoding kpi reads")).suggest(
                        text,
                        ENCODINGS.iter().chain(&ENCODING_ALIASES).copied(),
                        Some(format!("the encodings are {}", ENCODINGS.join(", "))),
                    )
                })?)
            }
            "delimiter" => {
                if !DELIMITERS.contains(&text) {
                    return Err(bad(format!("`{text}` is not a delimiter kpi reads"))
                        .help("the delimiter is one character: \",\" \";\" \"|\" \":\" \" \", or tab (\"\\t\")"));
                }
                self.delimiter = Some(if text == "tab" {
                    b'\t'
                } else {
                    text.as_bytes()[0]
                });
            }
            "decimal" => {
                if !DECIMALS.contains(&text) {
                    return Err(bad(format!("`{text}` is not a decimal mark"))
                        .help("write `decimal: \".\"` or `decimal: \",\"`"));
                }
                self.decimal = Some(text.as_bytes()[0]);
            }
            "thousands" => {
                if !THOUSANDS.contains(&text) {
                    return Err(bad(format!("`{text}` is not a thousands separator kpi reads"))
                        .help("write `thousands: \" \"` (also matches no-break spaces), \".\", \",\" or \"'\""));
                }
                self.thousands = Some(text.as_bytes()[0]);
            }
            "date_format" | "datetime_format" => {
                let p = Pattern::compile(text, key == "datetime_format").map_err(|why| {
                    bad(format!(
                        "`{text}` is not a {} pattern: {why}",
                        key.replace('_', " ").trim_end_matches(" format")
                    ))
                    .help(if key == "date_format" {
                        "e.g. `date_format: \"%d/%m/%Y\"`"
                    } else {
                        "e.g. `datetime_format: \"%d/%m/%Y %H:%M\"`"
                    })
                })?;
                if key == "date_format" {
                    self.date_format = Some(p);
                } else {
                    self.datetime_format = Some(p);
                }
            }
            "true" | "false" | "null" => {
                let words: Vec<String> =
                    s.values.iter().map(|v| v.text.trim().to_string()).collect();
                if let Some(v) = s.values.iter().find(|v| v.text.trim().is_empty()) {
                    return Err(Diag::error(
                        Code::Catalogue,
                        format!("a word of `{key}` is blank"),
                    )
                    .at(v.span)
                    .help("a blank cell is already null"));
                }
                match key {
                    "true" => self.true_words = words,
                    "false" => self.false_words = words,
                    _ => self.null_words = words,
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// What only the options together can say is wrong.
    fn check_together(&mut self, settings: &[ReadSetting], diags: &mut Vec<Diag>) {
        let at = |key: &str| settings.iter().rev().find(|s| s.key.text == key);
        if let (Some(d), Some(t)) = (self.decimal, self.thousands) {
            if d == t {
                if let Some(s) = at("thousands") {
                    diags.push(
                        Diag::error(
                            Code::Catalogue,
                            "the thousands separator is the decimal mark",
                        )
                        .at(s.values[0].span)
                        .help("with `decimal: \",\"` the thousands are `\" \"` or `\".\"`"),
                    );
                }
                self.thousands = None;
            }
        }
        for w in &self.true_words {
            if self.false_words.iter().any(|f| same_word(f, w)) {
                if let Some(s) = at("false") {
                    diags.push(
                        Diag::error(
                            Code::Catalogue,
                            format!("`{w}` is in both `true` and `false`"),
                        )
                        .at(s.key.span),
                    );
                }
            }
        }
    }

    /// The options with `overrides` (later settings win over earlier ones for a key).
    pub fn with(&self, overrides: &ReadOptions, settings: &[ReadSetting]) -> ReadOptions {
        let mut o = self.clone();
        for s in settings {
            match s.key.text.as_str() {
                "format" => o.format = overrides.format,
                "sheet" => o.sheet = overrides.sheet.clone(),
                "header_row" => o.header_row = overrides.header_row,
                "encoding" => o.encoding = overrides.encoding,
                "delimiter" => o.delimiter = overrides.delimiter,
                "decimal" => o.decimal = overrides.decimal,
                "thousands" => o.thousands = overrides.thousands,
                "date_format" => o.date_format = overrides.date_format.clone(),
                "datetime_format" => o.datetime_format = overrides.datetime_format.clone(),
                "true" => o.true_words = overrides.true_words.clone(),
                "false" => o.false_words = overrides.false_words.clone(),
                "null" => o.null_words = overrides.null_words.clone(),
                _ => {}
            }
        }
        o.origin = overrides.origin;
        o
    }
}

/// The same word in any case.
pub fn same_word(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
        || a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

/// An encoding's name or other spelling.
pub fn encoding(name: &str) -> Option<&'static Encoding> {
    if !ENCODINGS.contains(&name) && !ENCODING_ALIASES.contains(&name) {
        return None;
    }
    match name {
        "iso-8859-15" | "latin9" => Some(encoding_rs::ISO_8859_15),
        "utf-16" | "utf-16le" => Some(encoding_rs::UTF_16LE),
        "utf-16be" => Some(encoding_rs::UTF_16BE),
        _ => Encoding::for_label(name.as_bytes()),
    }
}

/// What a value written without quotes is, as YAML 1.2 (and so `kpi schema`) reads it.
enum Plain {
    Integer(i64),
    /// A number that is no integer, a boolean or null.
    Other,
    Text,
}

fn plain_kind(v: &SettingValue) -> Plain {
    if !v.plain {
        return Plain::Text;
    }
    let t = v.text.as_str();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .trim_start_matches('+')
            .parse()
            .map_or(Plain::Other, Plain::Integer);
    }
    let number = {
        let m = digits.split(['e', 'E']).next().unwrap_or("");
        !m.is_empty()
            && m.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && m.bytes().filter(|&b| b == b'.').count() == 1
            && m != "."
    };
    if number || matches!(t, "true" | "True" | "TRUE" | "false" | "False" | "FALSE") {
        return Plain::Other;
    }
    Plain::Text
}

/// `kpi check`: every source's read options, checked.
pub fn check_catalogue(cat: &Catalogue, diags: &mut Vec<Diag>) {
    for s in &cat.sources {
        ReadOptions::from_settings(&s.read, diags);
    }
}

/// How each source is read in one run.
#[derive(Clone, Debug, Default)]
pub struct Reading {
    per_source: Vec<(String, ReadOptions)>,
    default: ReadOptions,
}

impl Reading {
    /// The options each source of the catalogue declares (their errors are `kpi check`'s).
    pub fn from_catalogue(cat: &Catalogue) -> Reading {
        let per_source = cat
            .sources
            .iter()
            .filter(|s| !s.read.is_empty())
            .map(|s| {
                (
                    s.name.text.clone(),
                    ReadOptions::from_settings(&s.read, &mut Vec::new()),
                )
            })
            .collect();
        Reading {
            per_source,
            default: ReadOptions::default(),
        }
    }

    /// The options of `source`.
    pub fn options(&self, source: &str) -> &ReadOptions {
        self.per_source
            .iter()
            .find(|(n, _)| n == source)
            .map_or(&self.default, |(_, o)| o)
    }

    /// Give `source` the command line's `--read` settings, over what it declares.
    pub fn set_command_line(&mut self, source: &str, settings: &[ReadSetting]) {
        let flags = ReadOptions {
            origin: Origin::CommandLine,
            ..ReadOptions::from_settings(settings, &mut Vec::new())
        };
        let merged = self.options(source).with(&flags, settings);
        self.set(source, merged);
    }

    /// A source the command line declares (`--data` in a run without catalogue source): its
    /// advice names `--read` flags.
    pub fn from_command_line(&mut self, source: &str) {
        let mut o = self.options(source).clone();
        o.origin = Origin::CommandLine;
        self.set(source, o);
    }

    /// Collect every rejected record of `source` in `log`.
    pub fn log_rejects(&mut self, source: &str, log: RejectLog) {
        let mut o = self.options(source).clone();
        o.log = Some(log);
        self.set(source, o);
    }

    fn set(&mut self, source: &str, o: ReadOptions) {
        match self.per_source.iter_mut().find(|(n, _)| n == source) {
            Some((_, old)) => *old = o,
            None => self.per_source.push((source.to_string(), o)),
        }
    }
}

/// `--read KEY=VALUE` (the `i`-th): a setting whose spans point into the flag's text, kept
/// in `sources` for diagnostics. A list key takes words separated by commas.
pub fn read_flag(i: usize, text: &str, sources: &mut SourceMap) -> Result<ReadSetting, Diag> {
    let id = sources.add(format!("--read {}", i + 1), text);
    let whole = Span::new(id, 0, text.len());
    let Some((key, value)) = text.split_once('=') else {
        return Err(Diag::error(Code::Syntax, "--read takes KEY=VALUE")
            .at(whole)
            .help("e.g. --read 'datetime_format=%d/%m/%Y %H:%M' or --read null=N/A,-"));
    };
    let key_span = Span::new(id, 0, key.len());
    if !READ_KEYS.contains(&key) {
        return Err(
            Diag::error(Code::Syntax, format!("`{key}` is not a read option"))
                .at(key_span)
                .suggest(
                    key,
                    READ_KEYS,
                    Some(format!("the read options are {}", READ_KEYS.join(", "))),
                ),
        );
    }
    let start = key.len() + 1;
    let values = if READ_LIST_KEYS.contains(&key) {
        let mut at = start;
        value
            .split(',')
            .map(|w| {
                let v = SettingValue {
                    text: w.to_string(),
                    span: Span::new(id, at, at + w.len()),
                    plain: true,
                };
                at += w.len() + 1;
                v
            })
            .collect()
    } else {
        vec![SettingValue {
            text: value.to_string(),
            span: Span::new(id, start, text.len()),
            plain: true,
        }]
    };
    if value.is_empty() {
        return Err(
            Diag::error(Code::Syntax, format!("--read {key}= has no value"))
                .at(whole)
                .help(format!("write --read {key}=VALUE")),
        );
    }
    Ok(ReadSetting {
        key: Name {
            text: key.to_string(),
            span: key_span,
        },
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(yaml: &str) -> (ReadOptions, Vec<String>) {
        let text = format!("sources:\n  s:\n{yaml}\nkpis:\n  k: s.count()\n");
        let mut map = SourceMap::default();
        let mut diags = Vec::new();
        let cat = crate::catalogue::load_text("c.yaml", &text, false, &mut map, &mut diags);
        let o = ReadOptions::from_settings(&cat.sources[0].read, &mut diags);
        (o, diags.iter().map(|d| d.message.clone()).collect())
    }

    #[test]
    fn options_read_as_written() {
        let (o, errors) = options(
            "    encoding: windows-1252\n    delimiter: \";\"\n    decimal: \",\"\n    thousands: \" \"\n    true: [Oui, O]\n    false: Non\n    null: [N/A, \"-\", null]\n    sheet: 2\n    header_row: 3\n    datetime_format: \"%d/%m/%Y %H:%M\"",
        );
        assert!(
            errors.len() == 1 && errors[0].contains("YAML's null"),
            "{errors:?}"
        );
        assert_eq!(o.encoding, Some(encoding_rs::WINDOWS_1252));
        assert_eq!(
            (o.delimiter, o.decimal, o.thousands),
            (Some(b';'), Some(b','), Some(b' '))
        );
        assert_eq!(o.true_words, ["Oui", "O"]);
        assert_eq!(o.false_words, ["Non"]);
        assert_eq!(o.sheet, Some(Sheet::Number(2)));
        assert_eq!(o.header_row, 3);
        let (o, errors) = options("    sheet: \"2\"\n    null: [\"null\", '#N/A']");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(o.sheet, Some(Sheet::Name("2".into())));
        assert_eq!(o.null_words, ["null", "#N/A"]);
    }

    #[test]
    fn wrong_values_are_errors() {
        for (line, want) in [
            ("encoding: latin-2", "not an encoding"),
            ("delimiter: \"::\"", "not a delimiter"),
            ("decimal: \";\"", "not a decimal mark"),
            ("thousands: _", "not a thousands separator"),
            ("date_format: \"%d/%m/%Q\"", "`%Q`"),
            ("datetime_format: \"%m/%Y %H\"", "day"),
            ("sheet: 0", "no sheet"),
            ("sheet: 1.5", "no sheet"),
            ("header_row: \"2\"", "no header row"),
            ("format: excel", "not a format"),
            ("decmal: \",\"", "unknown key `decmal`"),
            ("true: [[Oui]]", "must be a single value"),
        ] {
            let (_, errors) = options(&format!("    {line}"));
            assert!(
                errors.iter().any(|e| e.contains(want)),
                "{line}: {errors:?}"
            );
        }
        let (_, errors) = options("    decimal: \",\"\n    thousands: \",\"");
        assert!(errors[0].contains("the thousands separator is the decimal mark"));
    }

    #[test]
    fn the_read_flag() {
        let mut map = SourceMap::default();
        let s = read_flag(0, "null=N/A,-", &mut map).unwrap();
        let words: Vec<&str> = s.values.iter().map(|v| v.text.as_str()).collect();
        assert_eq!(words, ["N/A", "-"]);
        assert_eq!(map.text(s.values[1].span), "-");
        let s = read_flag(1, "datetime_format=%d/%m/%Y %H:%M", &mut map).unwrap();
        assert_eq!(s.values[0].text, "%d/%m/%Y %H:%M");
        let e = read_flag(2, "delimter=;", &mut map).unwrap_err();
        assert!(e.help.as_deref().unwrap_or("").contains("delimiter"));
    }
}
