//! Test-only: a small JSON Schema validator for the keywords `catalogue_schema` uses, with
//! a small regular-expression matcher for its `pattern`s, so that the tests need no crate.

use serde_json::Value;

// ---- a small regular-expression matcher: the subset the schema's patterns use
// (`^ $ \s \d \x [a-z] ( | ) ? * +`), so that the test needs no regex crate.

enum Atom {
    Char(char),
    Any,
    Class(Vec<(char, char)>),
    NotClass(Vec<(char, char)>),
    Space,
    Start,
    End,
    Group(Vec<Vec<Item>>),
}
struct Item(Atom, usize, usize);

fn parse_alternatives(p: &[char], i: &mut usize) -> Vec<Vec<Item>> {
    let mut alts = vec![Vec::new()];
    while let Some(&c) = p.get(*i) {
        *i += 1;
        let atom = match c {
            ')' => break,
            '|' => {
                alts.push(Vec::new());
                continue;
            }
            '(' => Atom::Group(parse_alternatives(p, i)),
            '^' => Atom::Start,
            '$' => Atom::End,
            '.' => Atom::Any,
            '[' => {
                let negated = p[*i] == '^';
                if negated {
                    *i += 1;
                }
                let mut ranges = Vec::new();
                while p[*i] != ']' {
                    let lo = p[*i];
                    if p[*i + 1] == '-' && p[*i + 2] != ']' {
                        ranges.push((lo, p[*i + 2]));
                        *i += 3;
                    } else {
                        ranges.push((lo, lo));
                        *i += 1;
                    }
                }
                *i += 1;
                if negated {
                    Atom::NotClass(ranges)
                } else {
                    Atom::Class(ranges)
                }
            }
            '\\' => {
                *i += 1;
                match p[*i - 1] {
                    's' => Atom::Space,
                    'd' => Atom::Class(vec![('0', '9')]),
                    other => Atom::Char(other),
                }
            }
            c => Atom::Char(c),
        };
        let (min, max) = match p.get(*i) {
            Some('?') => (0, 1),
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            _ => (1, 1),
        };
        if (min, max) != (1, 1) {
            *i += 1;
        }
        alts.last_mut().unwrap().push(Item(atom, min, max));
    }
    alts
}

fn match_seq(seq: &[Item], i: usize, s: &[char], k: &mut dyn FnMut(usize) -> bool) -> bool {
    match seq.split_first() {
        None => k(i),
        Some((item, rest)) => match_rep(item, 0, i, s, &mut |j| match_seq(rest, j, s, k)),
    }
}

fn match_rep(
    item: &Item,
    count: usize,
    i: usize,
    s: &[char],
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    (count < item.2
        && match_atom(&item.0, i, s, &mut |j| {
            (j != i || item.2 != usize::MAX) && match_rep(item, count + 1, j, s, k)
        }))
        || (count >= item.1 && k(i))
}

fn match_atom(a: &Atom, i: usize, s: &[char], k: &mut dyn FnMut(usize) -> bool) -> bool {
    match a {
        Atom::Char(c) => s.get(i) == Some(c) && k(i + 1),
        Atom::Class(r) => {
            s.get(i)
                .is_some_and(|c| r.iter().any(|(lo, hi)| lo <= c && c <= hi))
                && k(i + 1)
        }
        Atom::NotClass(r) => {
            s.get(i)
                .is_some_and(|c| !r.iter().any(|(lo, hi)| lo <= c && c <= hi))
                && k(i + 1)
        }
        Atom::Any => i < s.len() && k(i + 1),
        Atom::Space => s.get(i).is_some_and(|c| c.is_whitespace()) && k(i + 1),
        Atom::Start => i == 0 && k(i),
        Atom::End => i == s.len() && k(i),
        Atom::Group(alts) => alts.iter().any(|alt| match_seq(alt, i, s, k)),
    }
}

/// Whether `pattern` (JSON Schema: unanchored unless it says `^`/`$`) finds a match.
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let alts = parse_alternatives(&p, &mut 0);
    let s: Vec<char> = text.chars().collect();
    (0..=s.len()).any(|start| {
        alts.iter()
            .any(|alt| match_seq(alt, start, &s, &mut |_| true))
    })
}

#[test]
fn the_matcher_matches() {
    assert!(matches("^a(b|c)?d+$", "abdd"));
    assert!(matches("^a(b|c)?d+$", "ad"));
    assert!(!matches("^a(b|c)?d+$", "abc"));
    assert!(matches("^[0-9](_?[0-9])*$", "1_000"));
    assert!(!matches("^[0-9](_?[0-9])*$", "1__0"));
    assert!(matches("x", "axb"));
    assert!(matches("^([^%]|%[dm])*$", "%d/%m x"));
    assert!(!matches("^([^%]|%[dm])*$", "%d/%Q"));
    assert!(matches("^.*%d.*$", "a%db"));
}

// ---- a small JSON Schema validator: the keywords `catalogue_schema` uses.

pub fn valid(schema: &Value, v: &Value) -> bool {
    let type_ok = |t: &str| match t {
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        other => panic!("type {other}"),
    };
    let known = [
        "type",
        "enum",
        "oneOf",
        "allOf",
        "pattern",
        "minimum",
        "maximum",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "description",
        "$schema",
        "title",
    ];
    for k in schema.as_object().unwrap().keys() {
        assert!(
            known.contains(&k.as_str()),
            "the test validator does not know `{k}`"
        );
    }
    match &schema["type"] {
        Value::String(t) if !type_ok(t) => return false,
        Value::Array(ts) if !ts.iter().any(|t| type_ok(t.as_str().unwrap())) => return false,
        _ => {}
    }
    if let Some(e) = schema["enum"].as_array() {
        if !e.contains(v) {
            return false;
        }
    }
    if let Some(alts) = schema["oneOf"].as_array() {
        if alts.iter().filter(|a| valid(a, v)).count() != 1 {
            return false;
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        if !all.iter().all(|a| valid(a, v)) {
            return false;
        }
    }
    if let (Some(p), Some(t)) = (schema["pattern"].as_str(), v.as_str()) {
        if !matches(p, t) {
            return false;
        }
    }
    if let (Some(m), Some(n)) = (schema["minimum"].as_f64(), v.as_f64()) {
        if n < m {
            return false;
        }
    }
    if let (Some(m), Some(n)) = (schema["maximum"].as_f64(), v.as_f64()) {
        if n > m {
            return false;
        }
    }
    if let Some(obj) = v.as_object() {
        if let Some(req) = schema["required"].as_array() {
            if !req.iter().all(|r| obj.contains_key(r.as_str().unwrap())) {
                return false;
            }
        }
        for (k, val) in obj {
            let ok = match (schema["properties"].get(k), &schema["additionalProperties"]) {
                (Some(p), _) => valid(p, val),
                (None, Value::Bool(b)) => *b,
                (None, Value::Null) => true,
                (None, extra) => valid(extra, val),
            };
            if !ok {
                return false;
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        if !arr.iter().all(|x| valid(items, x)) {
            return false;
        }
    }
    true
}
