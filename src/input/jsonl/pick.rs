//! One JSON object parsed for the values a run needs: the other keys' values are checked and
//! skipped, and the needed ones copied as text — numbers as written (exactly), strings
//! without their quotes, each marked as a string or not — without building the object.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// Where the needed values of an object go.
pub struct Picked<'a> {
    /// The keys of the objects read before, in order (`flat.rs`).
    pub order: &'a mut super::flat::KeyOrder,
    /// Per input column: its name, when needed.
    pub fields: &'a [Option<String>],
    /// Pairs of columns of one name (the first one, another), read once.
    pub same: &'a [(usize, usize)],
    /// The values, one after the other.
    pub text: &'a mut String,
    /// Per input column: its value's range in `text` (`None`: null or missing).
    pub ranges: &'a mut [Option<ValueAt>],
}

/// One value: its range in the text, and whether it is a JSON string (the source's read
/// options apply to strings only: a number or a boolean is read as written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueAt {
    pub start: u32,
    pub end: u32,
    pub string: bool,
}

/// Parse `line` as one JSON object into `into` (a flat one without `serde_json`: `flat.rs`).
pub fn pick(line: &str, mut into: Picked) -> Result<(), serde_json::Error> {
    if super::flat::pick_flat(line, &mut into) {
        return Ok(());
    }
    parse(line, into)
}

/// Parse `line` with `serde_json`, which takes every object and words every error.
pub(super) fn parse(line: &str, into: Picked) -> Result<(), serde_json::Error> {
    into.text.clear();
    into.ranges.fill(None);
    let mut de = serde_json::Deserializer::from_str(line);
    let mut into = de::Deserializer::deserialize_map(&mut de, Object(into))?;
    de.end()?;
    into.copy_same();
    Ok(())
}

impl Picked<'_> {
    /// Give each column of an already read name the value of the first.
    pub(super) fn copy_same(&mut self) {
        for &(first, other) in self.same {
            self.ranges[other] = self.ranges[first];
        }
    }
}

struct Object<'a>(Picked<'a>);

impl<'de, 'a> Visitor<'de> for Object<'a> {
    type Value = Picked<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Picked<'a>, A::Error> {
        let into = self.0;
        while let Some(key) = map.next_key_seed(Key(into.fields))? {
            let Some(k) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let raw: &RawValue = map.next_value()?;
            let start = into.text.len() as u32;
            into.ranges[k] = match write_value(raw.get(), into.text) {
                Ok(Some(string)) => Some(ValueAt {
                    start,
                    end: into.text.len() as u32,
                    string,
                }),
                Ok(None) => None,
                Err(e) => return Err(de::Error::custom(e)),
            };
        }
        Ok(into)
    }
}

/// The first needed column a key names.
struct Key<'a>(&'a [Option<String>]);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(column_named(self.0, key.as_bytes()))
    }
}

/// The first needed column (`fields`: per column, its name when needed) named `key`.
pub(super) fn column_named(fields: &[Option<String>], key: &[u8]) -> Option<usize> {
    fields
        .iter()
        .position(|f| f.as_deref().map(str::as_bytes) == Some(key))
}

/// A value's text into `text`, and whether it is a string; `None` for null. Plain strings,
/// numbers and booleans are copied as written; strings with escapes, lists and objects are
/// parsed again (rare).
fn write_value(raw: &str, text: &mut String) -> Result<Option<bool>, serde_json::Error> {
    match raw.as_bytes().first() {
        Some(b'n') => return Ok(None),
        Some(b'"') if !raw.contains('\\') => {
            text.push_str(&raw[1..raw.len() - 1]);
            return Ok(Some(true));
        }
        Some(b'"') => {
            text.push_str(&serde_json::from_str::<String>(raw)?);
            return Ok(Some(true));
        }
        // Lists and objects as JSON.
        Some(b'[' | b'{') => {
            let v: serde_json::Value = serde_json::from_str(raw)?;
            text.push_str(&v.to_string());
        }
        // Numbers as written (arbitrary precision), `true` and `false`.
        _ => text.push_str(raw),
    }
    Ok(Some(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picked(line: &str, names: &[&str]) -> Result<Vec<Option<String>>, String> {
        let fields: Vec<Option<String>> = names.iter().map(|n| Some(n.to_string())).collect();
        let same: Vec<(usize, usize)> = (0..names.len())
            .flat_map(|b| {
                (0..b)
                    .filter(move |&a| names[a] == names[b])
                    .take(1)
                    .map(move |a| (a, b))
            })
            .collect();
        let mut text = String::new();
        let mut ranges = vec![None; names.len()];
        let mut order = super::super::flat::KeyOrder::default();
        let into = Picked {
            order: &mut order,
            fields: &fields,
            same: &same,
            text: &mut text,
            ranges: &mut ranges,
        };
        pick(line, into).map_err(|e| e.to_string())?;
        Ok(ranges
            .iter()
            .map(|r| {
                r.map(|p| {
                    let t = &text[p.start as usize..p.end as usize];
                    if p.string {
                        format!("'{t}'")
                    } else {
                        t.to_string()
                    }
                })
            })
            .collect())
    }

    #[test]
    fn values_as_written() {
        let line = r#"{"a": 1.50, "b": "x\"y", "c": null, "d": [1, {"e": true}], "skip": {"z": [1]}, "f": false, "g": "plain", "a2": 1e400}"#;
        let got = picked(line, &["a", "b", "c", "d", "f", "g", "missing", "a2", "a"]).unwrap();
        let want = [
            Some("1.50"),
            Some("'x\"y'"),
            None,
            Some("[1,{\"e\":true}]"),
            Some("false"),
            Some("'plain'"),
            None,
            Some("1e400"),
            Some("1.50"),
        ];
        assert_eq!(got, want.map(|s| s.map(String::from)));
    }

    #[test]
    fn broken_objects_are_errors() {
        assert!(picked(r#"{"a": 1"#, &["a"]).is_err());
        assert!(picked(r#"{"a": 1} x"#, &["a"]).is_err());
        assert!(picked(r#"{"b": [1,}"#, &["a"]).is_err());
        assert_eq!(
            picked("[1]", &["a"]).unwrap_err(),
            "invalid type: sequence, expected a map at line 1 column 0"
        );
    }
}
