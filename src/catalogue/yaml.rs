//! The YAML reader: the only module that knows the YAML crate. It turns a file into a small
//! tree of nodes that keep their byte spans, so that errors, and formulas written in YAML,
//! point at the exact place in the file the user edits.

use crate::diag::{Code, Diag};
use crate::span::{FileId, Span};
use crate::syntax::Locator;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Most nodes a file may expand to through aliases (guards against "billion laughs").
const MAX_NODES: usize = 200_000;
/// Deepest nesting of mappings and sequences accepted.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` or `>`.
    Block,
}

#[derive(Clone, Debug)]
pub struct Scalar {
    pub value: String,
    /// Plain scalars can be numbers, booleans or null; quoted and block ones are strings.
    pub plain: bool,
    pub style: Style,
    /// File offset of each byte of `value` (and one past the end), when it could be traced.
    pub offsets: Option<Vec<u32>>,
}

impl Node {
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.value.as_str())
    }
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(s) if s.plain && matches!(s.value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
    /// What kind of YAML value this is, in words, for messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar(_) if self.is_null() => "nothing (null)",
            NodeKind::Scalar(_) => "a single value",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }
    /// Where the text of a scalar sits in its file, for parsing it as a formula.
    pub fn locator(&self) -> Locator {
        match &self.kind {
            NodeKind::Scalar(Scalar {
                offsets: Some(m), ..
            }) => Locator::mapped(self.span.file, m.clone()),
            _ => Locator::shifted(self.span.file, self.span.start as usize),
        }
    }
}

/// Parse a YAML file into one node (an empty file is a null scalar).
pub fn parse(file: FileId, text: &str) -> Result<Node, Diag> {
    parse_nested(file, text, 0).map(|(node, _)| node)
}

/// [`parse`] for lines of a file that sit `depth` mappings or sequences deep in it (`kpi lsp`
/// reads again only the KPIs an edit touched): nesting is limited as in the whole file.
/// Also says whether the text uses anchors or aliases. Spans are offsets in `text`.
pub fn parse_nested(file: FileId, text: &str, depth: usize) -> Result<(Node, bool), Diag> {
    // Marker indexes drift after some multi-byte block scalars; lines and columns (in
    // characters, 0-based) do not, so byte offsets are computed from them.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let byte = |line: usize, col: usize| -> usize {
        let start = line_starts[line.saturating_sub(1).min(line_starts.len() - 1)];
        let rest = &text[start..];
        rest.char_indices()
            .nth(col)
            .map_or(text.len().min(start + rest.len()), |(i, _)| start + i)
    };
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<(Node, usize, Option<Node>)> = Vec::new(); // container, anchor, pending key
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut nodes = 0usize;
    let mut anchored = false;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            let at = byte(e.marker().line(), e.marker().col());
            Diag::error(
                Code::Catalogue,
                format!("this file is not valid YAML: {}", e.info()),
            )
            .at(Span::new(file, at, at + usize::from(at < text.len())))
        })?;
        let at = byte(mark.line(), mark.col());
        let (node, anchor) = match event {
            Event::StreamEnd => break,
            Event::DocumentStart if root.is_some() => {
                return Err(Diag::error(
                    Code::Catalogue,
                    "a catalogue file holds one YAML document",
                )
                .at(Span::new(file, at, at + 3))
                .help("split the documents into separate files"));
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {
                continue
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                if stack.len() + depth >= MAX_DEPTH {
                    return Err(Diag::error(
                        Code::Catalogue,
                        format!("YAML nests more than {MAX_DEPTH} levels deep"),
                    )
                    .at(Span::new(file, at, at + 1)));
                }
                let kind = if matches!(event, Event::MappingStart(..)) {
                    NodeKind::Map(vec![])
                } else {
                    NodeKind::Seq(vec![])
                };
                stack.push((
                    Node {
                        kind,
                        span: Span::new(file, at, at + 1),
                    },
                    anchor,
                    None,
                ));
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (node, anchor, _) = stack.pop().expect("YAML parser: balanced containers");
                (node, anchor)
            }
            Event::Scalar(value, style, anchor, _) => {
                let offsets = trace(text, at, &value, style);
                // A quoted scalar ends before its closing quote, whatever its escapes.
                let end = closing_quote(text, at, style).unwrap_or_else(|| {
                    offsets.as_ref().map_or(at + value.len(), |m| {
                        if value.is_empty() {
                            at
                        } else {
                            m[m.len() - 2] as usize + 1
                        }
                    })
                });
                let plain = style == TScalarStyle::Plain;
                let written = match style {
                    TScalarStyle::Plain => Style::Plain,
                    TScalarStyle::SingleQuoted => Style::SingleQuoted,
                    TScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    _ => Style::Block,
                };
                (
                    Node {
                        kind: NodeKind::Scalar(Scalar {
                            value,
                            plain,
                            style: written,
                            offsets,
                        }),
                        span: Span::new(file, at, end),
                    },
                    anchor,
                )
            }
            Event::Alias(id) => {
                anchored = true;
                let Some(target) = anchors.get(&id) else {
                    return Err(Diag::error(Code::Catalogue, "this alias names no anchor")
                        .at(Span::new(file, at, at + 1)));
                };
                nodes += count(target);
                if nodes > MAX_NODES {
                    return Err(Diag::error(
                        Code::Catalogue,
                        format!("YAML aliases expand to more than {MAX_NODES} values"),
                    )
                    .at(Span::new(file, at, at + 1))
                    .help("repeat less through anchors and aliases"));
                }
                (target.clone(), 0)
            }
        };
        nodes += 1;
        if anchor > 0 {
            anchored = true;
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some((parent, _, pending)) => match &mut parent.kind {
                NodeKind::Seq(items) => items.push(node),
                NodeKind::Map(entries) => match pending.take() {
                    None => *pending = Some(node),
                    Some(key) => entries.push((key, node)),
                },
                NodeKind::Scalar(_) => unreachable!("only containers are pushed"),
            },
        }
    }
    let root = root.unwrap_or(Node {
        kind: NodeKind::Scalar(Scalar {
            value: String::new(),
            plain: true,
            style: Style::Plain,
            offsets: None,
        }),
        span: Span::new(file, 0, 0),
    });
    Ok((root, anchored))
}

fn count(n: &Node) -> usize {
    match &n.kind {
        NodeKind::Scalar(_) => 1,
        NodeKind::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        NodeKind::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count(k) + count(v))
                .sum::<usize>()
        }
    }
}

/// The offset of the quote that closes a quoted scalar opened at `start`: the first `"` not
/// escaped by a backslash, or the first `'` not doubled. `None` for other styles.
fn closing_quote(text: &str, start: usize, style: TScalarStyle) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut p = start + 1;
    match style {
        TScalarStyle::DoubleQuoted => loop {
            match bytes.get(p)? {
                b'\\' => p += 2,
                b'"' => return Some(p),
                _ => p += 1,
            }
        },
        TScalarStyle::SingleQuoted => loop {
            match (bytes.get(p)?, bytes.get(p + 1)) {
                (b'\'', Some(b'\'')) => p += 2,
                (b'\'', _) => return Some(p),
                _ => p += 1,
            }
        },
        _ => None,
    }
}

/// The file offset of every byte of a scalar's value, found by walking the file from the
/// scalar's start and skipping only what YAML adds around and inside a value (quotes,
/// indentation, line breaks, escape backslashes). `None` when the value cannot be traced
/// that way (exotic escapes): spans then fall back to the scalar's start.
fn trace(text: &str, start: usize, value: &str, style: TScalarStyle) -> Option<Vec<u32>> {
    let bytes = text.as_bytes();
    let mut map = Vec::with_capacity(value.len() + 1);
    let mut p = start;
    if matches!(
        style,
        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
    ) {
        p += 1;
    }
    for (i, c) in value.char_indices() {
        let want = &value.as_bytes()[i..i + c.len_utf8()];
        // A block scalar's final line break may have no counterpart at the end of the file.
        if p >= bytes.len() && c == '\n' {
            map.push(bytes.len() as u32);
            continue;
        }
        loop {
            if bytes.get(p..p + want.len()) == Some(want) {
                break;
            }
            match bytes.get(p) {
                Some(b' ' | b'\t' | b'\n' | b'\r' | b'\\') => p += 1,
                Some(b'\'') if style == TScalarStyle::SingleQuoted => p += 1,
                _ => return None,
            }
        }
        for k in 0..want.len() {
            map.push((p + k) as u32);
        }
        p += want.len();
    }
    map.push(p as u32);
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formula_span(src: &str, key: &str) -> (String, String) {
        let root = parse(FileId(0), src).unwrap();
        let NodeKind::Map(entries) = &root.kind else {
            panic!()
        };
        let (_, v) = entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .unwrap();
        let s = v.as_scalar().unwrap();
        let m = s.offsets.as_ref().expect("traced");
        let mapped: String = s
            .value
            .char_indices()
            .map(|(i, _)| &src[m[i] as usize..])
            .map(|r| r.chars().next().unwrap())
            .collect();
        (s.value.clone(), mapped)
    }

    #[test]
    fn every_scalar_style_maps_back_to_the_file() {
        let src = "é: 1\nplain: pct(x >= 9)\ndq: \"a \\\"b\\\" c\"\nsq: 'it''s'\nblock: |\n  sum(a)\n    + 1\nfolded: >-\n  a\n  b\n";
        for key in ["plain", "dq", "sq", "block", "folded"] {
            let (value, mapped) = formula_span(src, key);
            assert_eq!(value.replace('\n', " "), mapped.replace('\n', " "), "{key}");
        }
    }

    #[test]
    fn aliases_that_explode_are_refused() {
        let mut src = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            src.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let err = parse(FileId(0), &src).unwrap_err();
        assert!(err.message.contains("aliases expand"), "{}", err.message);
    }
}
