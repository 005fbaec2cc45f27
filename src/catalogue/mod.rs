//! Catalogue loading: files or whole folders of `*.yaml`, `*.yml` and `*.kpi`, mixed.

mod attrs;
mod load_kpi;
mod load_yaml;
pub mod model;
pub mod yaml;

pub use attrs::{parse_target, KPI_KEYS, TARGET_PATTERN};
pub use load_yaml::{load_kpi, load_root};
pub use model::*;

use crate::diag::{Code, Diag};
use crate::span::{FileId, SourceMap, Span};
use std::path::{Component, Path, PathBuf};

/// Load every catalogue file under `paths` (files or folders). Errors are collected; what
/// could be loaded is returned all the same.
pub fn load(paths: &[PathBuf], sources: &mut SourceMap, diags: &mut Vec<Diag>) -> Catalogue {
    let mut cat = Catalogue::default();
    for path in paths {
        if path.is_dir() {
            let mut files: Vec<PathBuf> = match std::fs::read_dir(path) {
                Ok(rd) => rd
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| is_catalogue_file(p))
                    .collect(),
                Err(e) => {
                    diags.push(Diag::error(
                        Code::Io,
                        format!("cannot read the folder {}: {e}", path.display()),
                    ));
                    continue;
                }
            };
            files.sort();
            if files.is_empty() {
                diags.push(
                    Diag::error(
                        Code::Catalogue,
                        format!("the folder {} holds no catalogue file", path.display()),
                    )
                    .help("catalogue files end in .yaml, .yml or .kpi"),
                );
            }
            for f in files {
                load_file(&f, &mut cat, sources, diags);
            }
        } else {
            load_file(path, &mut cat, sources, diags);
        }
    }
    attach_tests(&mut cat, diags);
    cat
}

/// Load catalogue text that does not come from a file (tests, `-e`).
pub fn load_text(
    name: &str,
    text: &str,
    kpi_form: bool,
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
) -> Catalogue {
    let mut cat = Catalogue::default();
    let id = sources.add(name, text);
    cat.files.push(id);
    if kpi_form {
        load_kpi::load(&mut cat, id, text, diags);
    } else {
        load_yaml::load(&mut cat, id, text, Path::new("."), diags);
    }
    attach_tests(&mut cat, diags);
    cat
}

/// Load catalogue texts that do not come from the working tree (a git revision, for
/// `kpi diff`), as one catalogue: `(name, text)`, the form taken from the name's extension.
pub fn load_texts(
    files: &[(String, String)],
    sources: &mut SourceMap,
    diags: &mut Vec<Diag>,
) -> Catalogue {
    let mut cat = Catalogue::default();
    for (name, text) in files {
        let id = sources.add(name.clone(), text.as_str());
        cat.files.push(id);
        if name.ends_with(".kpi") {
            load_kpi::load(&mut cat, id, text, diags);
        } else {
            load_yaml::load(&mut cat, id, text, Path::new("."), diags);
        }
    }
    attach_tests(&mut cat, diags);
    cat
}

/// Whether `kpi` loads this path of a folder: a file ending in `.yaml`, `.yml` or `.kpi`.
pub fn is_catalogue_file(p: &Path) -> bool {
    p.is_file()
        && matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "kpi")
        )
}

/// The extensions of the data files `--data` reads (`.gz` too, compressed).
const DATA_EXTENSIONS: [&str; 9] = [
    "csv", "tsv", "jsonl", "ndjson", "xlsx", "xlsm", "xls", "ods", "gz",
];

/// The error for a data file given where a catalogue goes (`kpi eval calls.csv`): read as
/// YAML, it would be one long scalar, and its whole text the excerpt.
fn data_not_catalogue(path: &Path) -> Option<Diag> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if !DATA_EXTENSIONS.contains(&ext.as_str()) {
        return None;
    }
    let shown = display_path(path);
    Some(
        Diag::error(
            Code::Catalogue,
            format!("{shown} is a data file, not a catalogue"),
        )
        .help(format!(
            "give data with `--data {shown}` (or `--data SOURCE={shown}` for a source of \
             another name); catalogue files end in .yaml, .yml or .kpi"
        )),
    )
}

fn load_file(path: &Path, cat: &mut Catalogue, sources: &mut SourceMap, diags: &mut Vec<Diag>) {
    if let Some(d) = data_not_catalogue(path) {
        diags.push(d);
        return;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let d = Diag::error(Code::Io, format!("cannot read {}: {e}", path.display()));
            diags.push(if e.kind() == std::io::ErrorKind::NotFound {
                d.help("give a catalogue file or folder; without a path, `kpi` reads ./kpis")
            } else {
                d
            });
            return;
        }
    };
    let name = display_path(path);
    let text = match decode_text(bytes) {
        Ok(t) => t,
        Err((lossy, at)) => {
            let id = sources.add(name, lossy);
            diags.push(not_utf8(id, at));
            return;
        }
    };
    let id = sources.add(name, text.as_str());
    cat.files.push(id);
    load_file_text(cat, id, path, &text, diags);
}

/// A catalogue file's bytes as text, without a byte order mark (it is not part of the
/// catalogue); `Err` holds the text read lossily and the offset of the first byte that is not
/// UTF-8.
pub fn decode_text(bytes: Vec<u8>) -> Result<String, (String, usize)> {
    match String::from_utf8(bytes) {
        Ok(t) => Ok(t.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(t)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Err((String::from_utf8_lossy(e.as_bytes()).into_owned(), at))
        }
    }
}

/// The error for a catalogue file that is not UTF-8 text, at its first bad byte.
pub fn not_utf8(file: FileId, at: usize) -> Diag {
    Diag::error(Code::Catalogue, "this file is not UTF-8 text")
        .label(Span::new(file, at, at + 1), "this byte is not UTF-8")
        .help("save the file as UTF-8")
}

/// Load the text of the catalogue file at `path` (already in the source map as `id`) into
/// `cat`: a `.kpi` file or YAML, by its extension; data paths resolve against its folder. Its
/// top-level `tests:` wait in `cat.extra_tests` for [`attach_tests`].
pub fn load_file_text(
    cat: &mut Catalogue,
    id: FileId,
    path: &Path,
    text: &str,
    diags: &mut Vec<Diag>,
) {
    let dir = path.parent().unwrap_or(Path::new("."));
    if path.extension().and_then(|e| e.to_str()) == Some("kpi") {
        load_kpi::load(cat, id, text, diags);
    } else {
        load_yaml::load(cat, id, text, dir, diags);
    }
}

/// Give each KPI the tests that top-level `tests:` wrote for it (in any file); tests for a
/// name that is no KPI are an error.
pub fn attach_tests(cat: &mut Catalogue, diags: &mut Vec<Diag>) {
    for (name, tests) in std::mem::take(&mut cat.extra_tests) {
        match cat.kpis.iter_mut().find(|k| k.name.text == name.text) {
            Some(k) => k.tests.extend(tests),
            None => {
                let d = Diag::error(
                    Code::UnknownName,
                    format!("tests for `{}`, which is not a KPI", name.text),
                )
                .at(name.span);
                let names: Vec<&str> = cat.kpis.iter().map(|k| k.name.text.as_str()).collect();
                diags.push(d.suggest(&name.text, names, None));
            }
        }
    }
}

/// `dir/rel`, with `.` and `..` folded away lexically so that paths read well in output.
pub fn join_path(dir: &Path, rel: &str) -> PathBuf {
    let joined = dir.join(rel);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

pub fn display_path(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
