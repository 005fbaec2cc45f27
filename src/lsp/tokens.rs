//! Semantic tokens: the colours of formulas, inside YAML (where the editor's YAML grammar
//! sees only a string) and in `.kpi` files. Names are coloured by what they resolve to.

use super::lex::{lex, Tok};
use super::symbols::Target;
use super::workspace::Snapshot;
use crate::span::FileId;
use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
};
use std::collections::HashMap;

const TYPES: [SemanticTokenType; 10] = [
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::KEYWORD,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::COMMENT,
    SemanticTokenType::DECORATOR,
];
const NAMESPACE: u32 = 0;
const FUNCTION: u32 = 1;
const VARIABLE: u32 = 2;
const PROPERTY: u32 = 3;
const KEYWORD: u32 = 4;
const NUMBER: u32 = 5;
const STRING: u32 = 6;
const OPERATOR: u32 = 7;
const COMMENT: u32 = 8;
const DECORATOR: u32 = 9;
/// Modifier bits: a definition; a name of the language (functions, aggregates).
const DECLARATION: u32 = 1;
const LIBRARY: u32 = 2;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::DEFAULT_LIBRARY,
        ],
    }
}

/// (start, end, type, modifiers) in bytes of the file.
type Raw = (usize, usize, u32, u32);

pub fn tokens(snap: &Snapshot, file: FileId) -> SemanticTokens {
    let slot = snap.slot(file);
    let text = &*slot.text;
    let names: HashMap<u32, (u32, u32)> = snap
        .occurrences()
        .iter()
        .filter(|o| o.span.file == file)
        .map(|o| (o.span.start, classify(&o.target, o.def)))
        .collect();
    let mut raw: Vec<Raw> = Vec::new();
    if slot.is_kpi() {
        kpi_file(text, &names, &mut raw);
    } else {
        let cat = &snap.cat;
        let mut regions: Vec<(usize, usize)> = Vec::new();
        for k in cat.kpis.iter().filter(|k| k.formula_span.file == file) {
            regions.push(super::context::formula_text(text, k));
            for t in &k.tests {
                regions.extend(
                    t.by.iter()
                        .map(|e| (e.span.start as usize, e.span.end as usize)),
                );
            }
        }
        for s in &cat.sources {
            for (_, e) in s.dimensions.iter().filter(|(n, _)| n.span.file == file) {
                regions.push((e.span.start as usize, e.span.end as usize));
            }
        }
        for (start, end) in regions {
            region(text, start, end.min(text.len()), &names, &mut raw);
        }
    }
    raw.sort_by_key(|r| r.0);
    raw.dedup_by_key(|r| r.0);
    encode(slot, &raw)
}

fn classify(t: &Target, def: bool) -> (u32, u32) {
    let decl = if def { DECLARATION } else { 0 };
    match t {
        Target::Kpi(_) => (VARIABLE, decl),
        Target::Source(_) => (NAMESPACE, decl),
        Target::Field { .. } | Target::Dimension { .. } => (PROPERTY, decl),
        Target::Function(_) | Target::Aggregate(_) => (FUNCTION, LIBRARY),
    }
}

/// The tokens of the formula text at `start..end` of the file.
fn region(
    text: &str,
    start: usize,
    end: usize,
    names: &HashMap<u32, (u32, u32)>,
    out: &mut Vec<Raw>,
) {
    let Some(part) = text.get(start..end) else {
        return;
    };
    let toks = lex(part);
    for (i, t) in toks.iter().enumerate() {
        let (a, b) = (start + t.start, start + t.end);
        let (ty, mods) = match t.kind {
            Tok::Name => names.get(&(a as u32)).copied().unwrap_or_else(|| {
                let call = toks.get(i + 1).is_some_and(|n| n.kind == Tok::Open);
                (if call { FUNCTION } else { VARIABLE }, 0)
            }),
            Tok::Keyword => (KEYWORD, 0),
            Tok::Number => (NUMBER, 0),
            Tok::Str => (STRING, 0),
            Tok::Op => (OPERATOR, 0),
            Tok::Comment => (COMMENT, 0),
            Tok::Open | Tok::Close | Tok::Comma | Tok::Dot => continue,
        };
        out.push((a, b, ty, mods));
    }
}

/// A `.kpi` file: doc lines, attributes, and definitions with their formulas.
fn kpi_file(text: &str, names: &HashMap<u32, (u32, u32)>, out: &mut Vec<Raw>) {
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let lead = body.len() - body.trim_start().len();
        let t = &body[lead..];
        let at = pos + lead;
        if t.starts_with("///") {
            out.push((at, at + t.len(), COMMENT, 0));
        } else if t.starts_with('@') {
            let key = t.find([' ', '\t']).unwrap_or(t.len());
            out.push((at, at + key, DECORATOR, 0));
            if let Some(comment) = t.find(" #") {
                out.push((at + comment + 1, at + t.len(), COMMENT, 0));
            }
        } else {
            region(text, at, at + t.len(), names, out);
        }
        pos += line.len();
    }
}

/// Relative positions in UTF-16 units, as the protocol encodes tokens.
fn encode(slot: &super::workspace::FileSlot, raw: &[Raw]) -> SemanticTokens {
    let text = &*slot.text;
    let mut data = Vec::with_capacity(raw.len());
    let (mut line, mut col) = (0, 0);
    for &(a, b, ty, mods) in raw {
        let p = slot.lines.position(text, a);
        let length = text.get(a..b).map_or(0, |s| s.encode_utf16().count()) as u32;
        if length == 0 {
            continue;
        }
        let delta_line = p.line - line;
        let delta_start = if delta_line == 0 {
            p.character - col
        } else {
            p.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: ty,
            token_modifiers_bitset: mods,
        });
        (line, col) = (p.line, p.character);
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}
