//! YAML catalogue files loaded KPI by KPI, so that after an edit only the KPIs whose lines
//! it touched are read and loaded again; the others keep their load, moved by the bytes the
//! edit added or removed before them. The result is the file's full load, exactly
//! (`catalogue::load_root`); when that cannot be vouched for, the whole file is loaded again.
//!
//! Why loading a few lines alone gives what loading them in their file gives: the file's
//! `kpis:` is a block mapping whose names start their lines at one indentation. The lines
//! before the first KPI the edit touched are unchanged, so the YAML parser reaches that KPI's
//! name in the same state as before: expecting a key of `kpis:`. The lines read again run up
//! to the start of the next KPI (or the end of `kpis:`) after the edit, whose line is
//! unchanged too. Parsed alone, those lines must form a block mapping at the same
//! indentation that ends where they end; then, in the file, they are the same KPIs, and the
//! parser leaves them in the same state as before, so what follows parses as before, moved.
//! Anchors and aliases (which reach across KPIs) turn this off.

use super::shift::Shift;
use super::workspace::Fragment;
use crate::catalogue::yaml::{self, Node, NodeKind, Scalar, Style};
use crate::catalogue::{self, Catalogue, KpiDef};
use crate::diag::Diag;
use crate::span::{FileId, Span};
use crate::syntax::Name;
use std::path::Path;
use std::sync::Arc;

/// A YAML file's KPIs as loaded one by one, and what the rest of the file loaded to.
pub struct Entries {
    /// Each entry of `kpis:`, in file order.
    list: Vec<Entry>,
    /// How far the KPI names are indented.
    indent: u32,
    /// Where the lines of `kpis:` end: the start of the next top-level key's line, or the
    /// end of the file.
    end: u32,
    /// The file's top level with `kpis:` emptied, and whether some key of it comes after
    /// `kpis:` (then an edit moves it, and it is loaded again).
    head: Node,
    head_after: bool,
    default_source: Option<Name>,
    head_cat: Catalogue,
    head_diags: Vec<Diag>,
}

struct Entry {
    /// Where the line of its name starts.
    start: u32,
    /// Whether it loaded to a KPI (the next one of the fragment's `cat.kpis`).
    kpi: bool,
    /// The loader's diagnostics for it.
    diags: Vec<Diag>,
}

/// Load a YAML catalogue file, KPI by KPI when its layout allows.
pub fn load(file: FileId, path: &Path, text: &str) -> Fragment {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut frag = Fragment::default();
    frag.cat.files.push(file);
    let (root, anchored) = match yaml::parse_nested(file, text, 0) {
        Ok(r) => r,
        Err(d) => {
            frag.diags.push(d);
            return frag;
        }
    };
    let Some((head, starts, indent, end, head_after)) = layout(&root, text, anchored) else {
        catalogue::load_root(&mut frag.cat, file, &root, dir, &mut frag.diags);
        return frag;
    };
    let NodeKind::Map(kpis) = &kpi_map(&root).kind else {
        unreachable!("layout checked it")
    };
    let mut head_cat = Catalogue::default();
    let mut head_diags = Vec::new();
    let default_source = catalogue::load_root(&mut head_cat, file, &head, dir, &mut head_diags);
    let mut list = Vec::with_capacity(kpis.len());
    for ((name, def), start) in kpis.iter().zip(starts) {
        let mut diags = Vec::new();
        let kpi = catalogue::load_kpi(name, def, default_source.clone(), file, &mut diags);
        list.push(Entry {
            start,
            kpi: kpi.is_some(),
            diags,
        });
        frag.cat.kpis.extend(kpi);
    }
    let entries = Entries {
        list,
        indent,
        end,
        head,
        head_after,
        default_source,
        head_cat,
        head_diags,
    };
    entries.fill(&mut frag);
    frag.entries = Some(entries);
    frag
}

/// The load of a YAML file's text `new`, from the load of its text `old` (`frag`): KPI by
/// KPI where it can be, else whole (keeping the last load KPI by KPI for the next edit).
/// Also says whether it was KPI by KPI.
pub fn load_edited(
    frag: Fragment,
    old: &Arc<str>,
    new: &str,
    file: FileId,
    path: &Path,
) -> (Fragment, bool) {
    match reload(frag, old, new, file, path) {
        Ok(frag) => (frag, true),
        Err(stale) => {
            let mut frag = load(file, path, new);
            if frag.entries.is_none() {
                frag.stale = stale;
            }
            (frag, false)
        }
    }
}

/// A file's last load KPI by KPI, kept while its text does not allow one (a YAML error
/// while typing) so that the next edit can start from it.
pub struct Stale {
    text: Arc<str>,
    entries: Entries,
    kpis: Vec<KpiDef>,
}

/// The fragment of a YAML file after an edit turned its text `old` into `new`: only the
/// KPIs whose lines changed are loaded again. `frag` (`old`'s load) holds its KPIs (see
/// `Snapshot::into_files`). `Err` when neither `frag` nor the last load KPI by KPI it keeps
/// allows it, or the edit does not (then the file is loaded whole; the error holds that
/// last load, for [`Fragment::stale`]).
fn reload(
    frag: Fragment,
    old: &Arc<str>,
    new: &str,
    file: FileId,
    path: &Path,
) -> Result<Fragment, Option<Box<Stale>>> {
    let mut base = match (frag.entries, frag.stale) {
        (Some(entries), _) => Box::new(Stale {
            text: old.clone(),
            entries,
            kpis: frag.cat.kpis,
        }),
        (None, Some(stale)) => stale,
        (None, None) => return Err(None),
    };
    if splice(&mut base, new, file, path).is_err() {
        return Err(Some(base));
    }
    let Stale { entries, kpis, .. } = *base;
    let mut frag = Fragment::default();
    frag.cat.files.push(file);
    frag.cat.kpis = kpis;
    entries.fill(&mut frag);
    frag.entries = Some(entries);
    Ok(frag)
}

/// Load again the KPIs of `base` whose lines changed in `new`, and move the others. `base`
/// is left as it was when that cannot be done.
fn splice(base: &mut Stale, new: &str, file: FileId, path: &Path) -> Result<(), ()> {
    let (old, e) = (&*base.text, &mut base.entries);
    if base.kpis.len() != e.list.iter().filter(|x| x.kpi).count() {
        return Err(());
    }
    let (p, q) = changed(old, new);
    if p == old.len() && p == new.len() {
        return Ok(());
    }
    // After the first character of the top-level key that ends `kpis:`: the KPIs' lines,
    // blank ones at their end included, are untouched.
    if e.head_after && p > e.end as usize {
        return splice_tail(base, new, file, path);
    }
    let delta = new.len() as i64 - old.len() as i64;
    // From the last KPI whose name starts before the change…
    let i = e
        .list
        .partition_point(|x| ((x.start + e.indent) as usize) < p)
        .checked_sub(1)
        .ok_or(())?;
    // …to the next one whose line (and the line break before it) the edit left alone.
    let j = e
        .list
        .partition_point(|x| (x.start as usize) <= q)
        .max(i + 1);
    let stop = match e.list.get(j) {
        Some(x) => x.start as usize,
        None if e.end as usize > q || e.end as usize == old.len() => e.end as usize,
        None => return Err(()),
    };
    let start = e.list[i].start as usize;
    let lines = new.get(start..(stop as i64 + delta) as usize).ok_or(())?;
    if !flow_balanced(lines) {
        return Err(());
    }
    // The parser ends what the lines end with (a block scalar, say) at the next line of the
    // file, which is less indented: the end of the text is not always the same to it. So
    // they are followed by such a line, a key at the KPIs' indentation, which is not kept.
    let follows = stop < old.len();
    let mut with_next = String::new();
    if follows {
        with_next = format!("{lines}{:1$}_:\n", "", e.indent as usize);
    }
    let read = if follows { &with_next } else { lines };
    let (mut part, anchored) = yaml::parse_nested(file, read, 1).map_err(|_| ())?;
    let mut local = entry_starts(&part, read, false).ok_or(())?;
    if anchored || local.iter().any(|&(_, col)| col != e.indent) {
        return Err(());
    }
    if follows {
        let NodeKind::Map(kpis) = &mut part.kind else {
            return Err(());
        };
        if local.pop().map(|(line, _)| line as usize) != Some(lines.len()) {
            return Err(());
        }
        kpis.pop();
        if j == e.list.len() {
            // What the parser placed at the added key (the value an empty `formula:` or
            // `|` ends with, say) is, in the file, at the top-level key at column 0.
            clamp(&mut part, lines.len() as u32);
        }
    }
    Shift {
        from: 0,
        delta: start as i64,
    }
    .node(&mut part);
    let NodeKind::Map(kpis) = &part.kind else {
        return Err(());
    };
    // Nothing fails from here on. Load the KPIs of the lines read again…
    let mut fresh = Vec::with_capacity(kpis.len());
    let mut loaded = Vec::new();
    for ((name, def), (at, _)) in kpis.iter().zip(&local) {
        let mut diags = Vec::new();
        let kpi = catalogue::load_kpi(name, def, e.default_source.clone(), file, &mut diags);
        fresh.push(Entry {
            start: start as u32 + at,
            kpi: kpi.is_some(),
            diags,
        });
        loaded.extend(kpi);
    }
    // …put them in the place of the old ones, and move those after them with the text.
    let moved = Shift {
        from: stop as u32,
        delta,
    };
    let first = e.list[..i].iter().filter(|x| x.kpi).count();
    let gone = e.list[i..j].iter().filter(|x| x.kpi).count();
    let added = loaded.len();
    base.kpis.splice(first..first + gone, loaded);
    for k in &mut base.kpis[first + added..] {
        moved.kpi(k);
    }
    let after = e.list.len() - j;
    e.list.splice(i..j, fresh);
    let count = e.list.len();
    for x in &mut e.list[count - after..] {
        moved.offset(&mut x.start);
        x.diags.iter_mut().for_each(|d| moved.diag(d));
    }
    moved.offset(&mut e.end);
    if e.head_after {
        // A top-level key after `kpis:` moved: load the top level again.
        moved.node(&mut e.head);
        e.load_head(file, path);
    }
    base.text = Arc::from(new);
    Ok(())
}

/// [`splice`] for an edit after the lines of `kpis:`: the top-level keys after them are
/// read again (alone, as the KPIs are), and the top level loaded again.
fn splice_tail(base: &mut Stale, new: &str, file: FileId, path: &Path) -> Result<(), ()> {
    let e = &mut base.entries;
    let end = e.end as usize;
    let lines = new.get(end..).ok_or(())?;
    if !flow_balanced(lines) {
        return Err(());
    }
    let (mut part, anchored) = yaml::parse_nested(file, lines, 0).map_err(|_| ())?;
    let keys = entry_starts(&part, lines, true).ok_or(())?;
    let NodeKind::Map(tail) = &mut part.kind else {
        return Err(());
    };
    let kept = tail
        .iter()
        .all(|(k, _)| !matches!(k.as_str(), Some("kpis" | "source")));
    if anchored || !kept || keys.iter().any(|&(_, col)| col != 0) {
        return Err(());
    }
    let NodeKind::Map(head) = &mut e.head.kind else {
        return Err(());
    };
    let at = head.iter().position(|(k, _)| k.as_str() == Some("kpis"));
    head.truncate(at.ok_or(())? + 1);
    let to_file = Shift {
        from: 0,
        delta: end as i64,
    };
    for (mut k, mut v) in std::mem::take(tail) {
        to_file.node(&mut k);
        to_file.node(&mut v);
        head.push((k, v));
    }
    e.load_head(file, path);
    base.text = Arc::from(new);
    Ok(())
}

impl Entries {
    /// Load the top level again (its `source:`, the KPIs' default, comes before `kpis:` and
    /// stays).
    fn load_head(&mut self, file: FileId, path: &Path) {
        let dir = path.parent().unwrap_or(Path::new("."));
        self.head_cat = Catalogue::default();
        self.head_diags.clear();
        catalogue::load_root(
            &mut self.head_cat,
            file,
            &self.head,
            dir,
            &mut self.head_diags,
        );
    }

    /// The fragment's sources, top-level tests and diagnostics, as `load_root` gives them:
    /// the top level's first, then each KPI's.
    fn fill(&self, frag: &mut Fragment) {
        frag.cat.sources = self.head_cat.sources.clone();
        frag.cat.extra_tests = self.head_cat.extra_tests.clone();
        frag.diags = self.head_diags.clone();
        for x in &self.list {
            frag.diags.extend(x.diags.iter().cloned());
        }
    }
}

/// The byte range an edit changed: the length of the common start of `old` and `new`, and
/// where the common end starts in `old` (so `old[p..q]` became `new[p..q + new - old]`).
fn changed(old: &str, new: &str) -> (usize, usize) {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let room = a.len().min(b.len());
    // By blocks first (compared as slices, which is fast), then byte by byte.
    let mut p = 0;
    while p + 64 <= room && a[p..p + 64] == b[p..p + 64] {
        p += 64;
    }
    while p < room && a[p] == b[p] {
        p += 1;
    }
    let room = room - p;
    let (ea, eb) = (a.len(), b.len());
    let mut s = 0;
    while s + 64 <= room && a[ea - s - 64..ea - s] == b[eb - s - 64..eb - s] {
        s += 64;
    }
    while s < room && a[ea - s - 1] == b[eb - s - 1] {
        s += 1;
    }
    (p, a.len() - s)
}

/// Every offset of a node past `to` brought back to `to`.
fn clamp(n: &mut Node, to: u32) {
    let Node { kind, span } = n;
    span.start = span.start.min(to);
    span.end = span.end.min(to);
    match kind {
        NodeKind::Scalar(Scalar { offsets, .. }) => {
            for at in offsets.iter_mut().flatten() {
                *at = (*at).min(to);
            }
        }
        NodeKind::Seq(items) => items.iter_mut().for_each(|i| clamp(i, to)),
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                clamp(k, to);
                clamp(v, to);
            }
        }
    }
}

/// Whether the flow brackets of lines read alone (`{` `}` `[` `]` outside quoted scalars
/// and comments) pair up, counted both that way and all of them. yaml-rust2 takes some
/// stray closing brackets for valid when the lines are read alone but not after a flow
/// mapping on an earlier line, so lines whose brackets do not pair are read in their file.
fn flow_balanced(lines: &str) -> bool {
    let count = |c: u8| lines.bytes().filter(|&b| b == c).count();
    if count(b'{') != count(b'}') || count(b'[') != count(b']') {
        return false;
    }
    let b = lines.as_bytes();
    let mut open = Vec::new();
    // The last character that is not a space on the line, if any.
    let mut last: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => last = None,
            b' ' | b'\t' | b'\r' => {}
            b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\''
                if last.is_none_or(|l| matches!(l, b':' | b'-' | b'?' | b',' | b'[' | b'{')) =>
            {
                i += 1;
                loop {
                    match b.get(i) {
                        None => return false,
                        Some(b'\\') if c == b'"' => i += 2,
                        Some(&q) if q == c => {
                            if c == b'\'' && b.get(i + 1) == Some(&b'\'') {
                                i += 2;
                            } else {
                                break;
                            }
                        }
                        Some(_) => i += 1,
                    }
                }
                last = Some(c);
            }
            b'{' | b'[' => {
                open.push(c);
                last = Some(c);
            }
            b'}' | b']' => {
                let want = if c == b'}' { b'{' } else { b'[' };
                if open.pop() != Some(want) {
                    return false;
                }
                last = Some(c);
            }
            _ => last = Some(c),
        }
        i += 1;
    }
    open.is_empty()
}

/// The `kpis:` value of a root that [`layout`] accepted.
fn kpi_map(root: &Node) -> &Node {
    match &root.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some("kpis"))
            .map(|(_, v)| v)
            .unwrap_or(root),
        _ => root,
    }
}

/// Whether a parsed file can be loaded KPI by KPI: a block mapping at the top with one
/// `kpis:`, itself a block mapping whose names start their lines, at one indentation; no
/// anchors or aliases; no `source:` after `kpis:` (KPIs take it as their default). Gives the
/// top level with `kpis:` emptied, where each KPI's line starts, the indentation, where the
/// lines of `kpis:` end, and whether a top-level key comes after them.
fn layout(root: &Node, text: &str, anchored: bool) -> Option<(Node, Vec<u32>, u32, u32, bool)> {
    if anchored {
        return None;
    }
    let top = entry_starts(root, text, true)?;
    let NodeKind::Map(entries) = &root.kind else {
        return None;
    };
    let at = entries
        .iter()
        .position(|(k, _)| k.as_str() == Some("kpis"))?;
    let rest = &entries[at + 1..];
    if rest
        .iter()
        .any(|(k, _)| matches!(k.as_str(), Some("kpis" | "source")))
    {
        return None;
    }
    let kpis = &entries[at].1;
    let list = entry_starts(kpis, text, false)?;
    let indent = list.first()?.1;
    if indent == 0 || list.iter().any(|&(_, col)| col != indent) {
        return None;
    }
    let end = top.get(at + 1).map_or(text.len() as u32, |&(line, _)| line);
    if list.last()?.0 >= end {
        return None;
    }
    let head = Node {
        kind: NodeKind::Map(
            entries
                .iter()
                .enumerate()
                .map(|(i, (k, v))| (k.clone(), if i == at { null(v.span) } else { v.clone() }))
                .collect(),
        ),
        span: root.span,
    };
    let starts = list.into_iter().map(|(line, _)| line).collect();
    Some((head, starts, indent, end, !rest.is_empty()))
}

/// An empty value where `kpis:`'s was.
fn null(at: Span) -> Node {
    Node {
        kind: NodeKind::Scalar(Scalar {
            value: String::new(),
            plain: true,
            style: Style::Plain,
            offsets: None,
        }),
        span: Span::new(at.file, at.start as usize, at.start as usize),
    }
}

/// For a block mapping (non-empty), where the line of each key starts and the key's column;
/// `None` for anything else, or for a key that does not start its line after spaces, or
/// starts with what could be more than a plain or quoted name. `top`: the mapping may start
/// at column 0.
fn entry_starts(map: &Node, text: &str, top: bool) -> Option<Vec<(u32, u32)>> {
    let NodeKind::Map(entries) = &map.kind else {
        return None;
    };
    // A block mapping starts (for the parser) at the `:` after its first key; a flow one at
    // its `{`.
    if entries.is_empty() || text.as_bytes().get(map.span.start as usize) != Some(&b':') {
        return None;
    }
    let mut out = Vec::with_capacity(entries.len());
    for (k, _) in entries {
        let at = k.span.start as usize;
        let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
        if !text[line..at].bytes().all(|b| b == b' ') || !block_start(text, at) {
            return None;
        }
        if !top && line == at {
            return None;
        }
        out.push((line as u32, (at - line) as u32));
    }
    Some(out)
}

/// Whether a name starts at `at` that is a plain word or a quoted one (not a flow mapping,
/// a complex key or anything else YAML gives a meaning to).
fn block_start(text: &str, at: usize) -> bool {
    text[at..]
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '"' | '\''))
}

#[cfg(test)]
mod tests;
