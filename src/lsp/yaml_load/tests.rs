//! Loading KPI by KPI gives the whole file's load, after any edit.

use super::*;

/// What `kpi check` loads of a file: its catalogue and diagnostics, written out.
fn full(path: &Path, text: &str) -> String {
    let mut cat = Catalogue::default();
    let mut diags = Vec::new();
    cat.files.push(FileId(0));
    catalogue::load_file_text(&mut cat, FileId(0), path, text, &mut diags);
    format!("{cat:#?}\n{diags:#?}")
}

fn written(frag: &Fragment) -> String {
    format!("{:#?}\n{:#?}", frag.cat, frag.diags)
}

/// A catalogue like `tests/all/lsp/robust.rs`'s, of `n` KPIs, with top-level keys after
/// `kpis:` too.
fn generated(n: usize) -> String {
    let mut t = String::from("# generated\nsource: calls\nkpis:\n");
    for i in 0..n {
        let formula = match i % 4 {
            0 => format!("pct(answered and wait_seconds < {})", 10 + i % 50),
            1 => format!("avg(wait_seconds where agents.team == \"t{}\")", i % 7),
            2 => format!("count(wait_seconds > {}) / count()", i % 90),
            _ => format!("k{} - k{}", i - 1, i / 2),
        };
        t.push_str(&format!(
            "  k{i}:\n    label: KPI number {i}\n    description: >-\n      What KPI {i} measures,\n      and how.\n    formula: {formula}\n    unit: number\n    target: \">= {i}\"\n    tests:\n      - name: two calls\n        data: [{{answered: true, wait_seconds: 5}}, {{answered: false}}]\n        expect: 1\n\n"
        ));
    }
    t.push_str("  short: count()\n  block: |\n    count()\n      + 1\n# the end\ntests:\n  k1:\n    - data: []\n      expect: 0\nsources:\n  calls:\n    fields: {answered: bool}\n");
    t
}

/// A random generator that needs no crate (as in `tests/all/lsp/robust.rs`).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize % n.max(1)
    }
}

/// One random edit: a character inserted or removed, a line's indentation changed, or a
/// few characters replaced.
fn edit(text: &str, rng: &mut Rng) -> String {
    const CHARS: &[&str] = &[
        "a",
        "9",
        " ",
        "\n",
        ":",
        "#",
        "\"",
        "'",
        "-",
        "{",
        "}",
        "[",
        "]",
        "&a ",
        "*a",
        "|",
        ">",
        "(",
        ")",
        "\t",
        "é",
        "k1",
        ": x\n",
        "\n  k1:\n",
        "\n  x: count()\n",
        "  ",
        "\ntests:\n",
        "\nsource: x\n",
        ",",
    ];
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut out = text.to_string();
    match rng.below(5) {
        0 | 1 => out.insert_str(at, CHARS[rng.below(CHARS.len())]),
        2 => {
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            out.replace_range(at..end, "");
        }
        3 => {
            // At the start of the line: one space more or fewer.
            let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
            if text[line..].starts_with(' ') && rng.below(2) == 0 {
                out.remove(line);
            } else {
                out.insert(line, ' ');
            }
        }
        _ => {
            let mut end = (at + 1 + rng.below(12)).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            out.replace_range(at..end, CHARS[rng.below(CHARS.len())]);
        }
    }
    out
}

/// Random edits, each loaded again KPI by KPI where it can be and compared with the whole
/// file's load. An edit that breaks the file is often undone (back to the last text loaded
/// KPI by KPI), as a user would. Gives how many of the edits whose text can be loaded KPI by
/// KPI were, and how many were not.
fn check_edits(path: &Path, original: &str, edits: usize, seed: u64) -> (usize, usize) {
    let mut rng = Rng(seed);
    let id = FileId(0);
    let mut text: Arc<str> = Arc::from(original);
    let mut good = text.clone();
    let mut frag = load(id, path, &text);
    assert_eq!(written(&frag), full(path, &text), "{}", path.display());
    let (mut again, mut whole) = (0, 0);
    for n in 0..edits {
        let new = if frag.entries.is_none() && rng.below(2) == 0 {
            good.to_string()
        } else {
            edit(&text, &mut rng)
        };
        let by_kpi;
        (frag, by_kpi) = load_edited(frag, &text, &new, id, path);
        if by_kpi {
            again += 1;
        } else if frag.entries.is_some() {
            whole += 1;
        }
        let expected = full(path, &new);
        if written(&frag) != expected {
            let old = std::env::temp_dir().join("kpi-yaml-load-old.yaml");
            let bad = std::env::temp_dir().join("kpi-yaml-load-new.yaml");
            std::fs::write(&old, text.as_bytes()).unwrap();
            std::fs::write(&bad, &new).unwrap();
            panic!(
                "{}: edit {n} loads differently KPI by KPI (texts in {} and {})",
                path.display(),
                old.display(),
                bad.display()
            );
        }
        text = Arc::from(new);
        if frag.entries.is_some() {
            good = text.clone();
        }
    }
    (again, whole)
}

#[test]
fn edits_of_the_repository_catalogue_load_as_the_whole_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("kpis");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let (mut again, mut whole) = (0, 0);
    for (i, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let (a, w) = check_edits(path, &text, 30, 0x5eed + i as u64);
        again += a;
        whole += w;
    }
    // Most edits fall inside KPIs.
    assert!(
        again > 4 * whole,
        "{again} loaded again KPI by KPI, {whole} whole"
    );
}

#[test]
fn edits_of_a_generated_catalogue_load_as_the_whole_file() {
    let text = generated(60);
    let (again, whole) = check_edits(Path::new("big.yaml"), &text, 100, 42);
    assert!(
        again > 4 * whole,
        "{again} loaded again KPI by KPI, {whole} whole"
    );
}

#[test]
fn layouts_that_do_not_allow_it_load_whole() {
    for text in [
        "kpis: {a: count(), b: a}\n",
        "kpis:\n  a: &x count()\n  b: *x\n",
        "kpis:\n  a: count()\nsource: calls\n",
        "kpis:\n  a: count()\nkpis:\n  b: count()\n",
        "kpis:\n  ? a\n  : count()\n",
        "kpis: []\n",
        "",
    ] {
        let frag = load(FileId(0), Path::new("x.yaml"), text);
        assert!(frag.entries.is_none(), "{text}");
        assert_eq!(written(&frag), full(Path::new("x.yaml"), text), "{text}");
    }
    let frag = load(
        FileId(0),
        Path::new("x.yaml"),
        "# c\nsource: s\nkpis:\n  a: count()\n",
    );
    assert!(frag.entries.is_some());
}

#[test]
fn the_changed_range_is_found() {
    let long = "x".repeat(200);
    for (old, new, range) in [
        ("abc", "abd", (2, 3)),
        ("abc", "abxc", (2, 2)),
        ("abc", "ac", (1, 2)),
        ("a\nb", "a\n\nb", (2, 2)),
        ("", "a", (0, 0)),
        ("aaaa", "aa", (2, 4)),
    ] {
        assert_eq!(changed(old, new), range, "{old:?} → {new:?}");
        let (old, new) = (format!("{long}{old}{long}"), format!("{long}{new}{long}"));
        let shifted = (range.0 + 200, range.1 + 200);
        assert_eq!(changed(&old, &new), shifted, "{old:?} → {new:?}");
    }
    assert_eq!(changed(&long, &long), (200, 200));
}

/// Every small edit, at every place, of small files full of what YAML reads across lines
/// (block scalars that keep or strip their final blank lines, multi-line quoted, plain and
/// flow values, comments, blank lines, a top-level key after `kpis:`), with either kind of
/// line break.
#[test]
fn every_small_edit_of_tricky_files_loads_as_the_whole_file() {
    let tricky = [
        "source: calls\nkpis:\n  a: |+\n    count()\n\n  b: \"x\n    y\"\n  # note\n  c:\n    formula: pct(\n      z)\n    description: >\n      d\n\n\ntests:\n  c: []\n",
        "kpis:\n  'q é':\n    formula: |2-\n        sum(x)\n\n# col 0\n  e:\n    tests: [{data: [\n      {a: 1}], expect: 2}]\n    formula:\n      count()\n  f: >-\n    a\n\n    b\n",
    ];
    let path = Path::new("t.yaml");
    let id = FileId(0);
    for original in tricky
        .iter()
        .flat_map(|t| [t.to_string(), t.replace('\n', "\r\n")])
    {
        let base: Arc<str> = Arc::from(original.as_str());
        let mut again = 0;
        for at in (0..=original.len()).filter(|&i| original.is_char_boundary(i)) {
            for op in [
                "", " ", "\n", "  \n", "#", "x", ":", "\"", "|", "-", "\t", "\n  g:", "]", "'",
            ] {
                let mut new = original.clone();
                if op.is_empty() {
                    let Some(c) = original[at..].chars().next() else {
                        continue;
                    };
                    new.replace_range(at..at + c.len_utf8(), "");
                } else {
                    new.insert_str(at, op);
                }
                let frag = load(id, path, &base);
                let (frag, by_kpi) = load_edited(frag, &base, &new, id, path);
                again += usize::from(by_kpi);
                assert_eq!(written(&frag), full(path, &new), "{new:?}");
            }
        }
        assert!(again > original.len() * 4, "{again}");
    }
}

/// Edits found by review where loading KPI by KPI gave another load than the whole file's:
/// yaml-rust2 takes a stray `}` in a flow sequence for valid when the lines are read alone,
/// but not after a flow mapping on an earlier line; an empty value (or block scalar) at the
/// end of the last KPI, before a top-level key, was placed at the KPIs' indentation.
#[test]
fn edits_found_by_review_load_as_the_whole_file() {
    let path = Path::new("r.yaml");
    let id = FileId(0);
    for (old, new) in [
        (
            "kpis:\n  c: {a: 1}\n  d: [{x: [{y: 1}], z: 1}]\n",
            "kpis:\n  c: {a: 1}\n  d: [x: [{y: 1}], z: 1}]\n",
        ),
        (
            "kpis:\n  a:\n    label: x\n    formula:\ntests:\n  a: []\n",
            "kpis:\n  a:\n    label: xy\n    formula:\ntests:\n  a: []\n",
        ),
        (
            "kpis:\n  a:\n    label: x\n    block: |\ntests:\n  a: []\n",
            "kpis:\n  a:\n    label: xy\n    block: |\ntests:\n  a: []\n",
        ),
        (
            "kpis:\n  a:\n    label: x\n    formula:\n\n# c\ntests:\n  a: []\n",
            "kpis:\n  a:\n    label: xy\n    formula:\n\n# c\ntests:\n  a: []\n",
        ),
    ] {
        let base: Arc<str> = Arc::from(old);
        let frag = load(id, path, &base);
        assert_eq!(written(&frag), full(path, old), "{old:?}");
        let (frag, _) = load_edited(frag, &base, new, id, path);
        assert_eq!(written(&frag), full(path, new), "{new:?}");
    }
}

#[test]
fn flow_brackets_pair_outside_quotes_and_comments() {
    for (lines, balanced) in [
        ("  d: [{x: [{y: 1}], z: 1}]\n", true),
        ("  d: [x: [{y: 1}], z: 1}]\n", false),
        ("  d: {a: \"}\", b: '{'}\n", true),
        ("  d: [a, \"]\"\n", false),
        ("  d: \"[\" ]\n", false),
        ("  d: {a: \"}{\", b: 'it''s'} # ]\n", false),
        (
            "  d:\n    label: don't {x}\n    formula: \"a\\\"]\" # [\n",
            true,
        ),
        (
            "  d:\n    label: \"[a]\"\n    formula: x in ['a', 'b'] # c\n",
            true,
        ),
        ("  d: \"x\n    ]\"\n", false),
        ("  d: 'x\n", false),
    ] {
        assert_eq!(flow_balanced(lines), balanced, "{lines:?}");
    }
}
