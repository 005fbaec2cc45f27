//! The catalogues an editor works on: open buffers over the files on disk, and for each
//! catalogue folder a snapshot (loaded, checked) that is rebuilt after an edit. A rebuild
//! parses again only the files whose text changed (each file's load is cached as a
//! [`Fragment`]), and of a YAML file only the KPIs whose lines changed (`yaml_load`); then
//! it merges the fragments and runs the analysis over the whole catalogue.

use super::symbols::{self, Occurrence};
use super::text::{path_to_uri, LineIndex};
use super::yaml_load::{self, Entries, Stale};
use crate::catalogue::{self, Catalogue, KpiDef};
use crate::diag::Diag;
use crate::span::{FileId, SourceMap};
use lsp_types::Uri;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// A document the editor has open: its text there, whatever is on disk.
pub struct OpenDoc {
    pub uri: Uri,
    pub text: String,
    pub version: i32,
}

/// What one file loads to alone: its part of the catalogue (spans in the file's `FileId`)
/// and the loader's diagnostics. While the fragment is part of a snapshot, its KPIs are in
/// the snapshot's catalogue (moved there, not copied: `kpis` of them), and its `cat.kpis`
/// is empty.
#[derive(Default)]
pub struct Fragment {
    pub cat: Catalogue,
    pub diags: Vec<Diag>,
    /// A YAML file loaded KPI by KPI.
    pub entries: Option<Entries>,
    /// Its last load KPI by KPI, when this text does not allow one.
    pub stale: Option<Box<Stale>>,
    pub kpis: usize,
}

/// One file of a catalogue folder, at the index of its `FileId`.
pub struct FileSlot {
    pub path: PathBuf,
    pub uri: Uri,
    pub text: Arc<str>,
    pub lines: LineIndex,
    pub frag: Fragment,
    /// Parsed by the last rebuild (not taken from the one before).
    pub fresh: bool,
}

impl FileSlot {
    pub fn is_kpi(&self) -> bool {
        self.path.extension().is_some_and(|e| e == "kpi")
    }
}

/// A catalogue folder loaded and checked as `kpi check FOLDER` would.
#[derive(Default)]
pub struct Snapshot {
    pub files: Vec<FileSlot>,
    pub sources: SourceMap,
    /// The fragments merged, tests attached.
    pub cat: Catalogue,
    /// What `kpi check` reports, sorted by place.
    pub diags: Vec<Diag>,
    /// How many tests each KPI of `cat` had in its own file (top-level `tests:` of any file
    /// add to them).
    own_tests: Vec<usize>,
    occurrences: OnceCell<Vec<Occurrence>>,
}

impl Snapshot {
    pub fn file_of(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }
    pub fn slot(&self, id: FileId) -> &FileSlot {
        &self.files[id.0 as usize]
    }
    /// Every name of a KPI, source, field, function or aggregate written in the catalogue.
    pub fn occurrences(&self) -> &[Occurrence] {
        self.occurrences.get_or_init(|| symbols::occurrences(self))
    }
    /// The KPIs of one file, as it loaded them.
    pub fn kpis_of(&self, file: FileId) -> impl Iterator<Item = &KpiDef> {
        self.cat.kpis.iter().filter(move |k| k.file == file)
    }
    /// Take the files back, each fragment with its KPIs as its file loaded them.
    fn into_files(mut self) -> Vec<FileSlot> {
        let mut kpis = std::mem::take(&mut self.cat.kpis)
            .into_iter()
            .zip(std::mem::take(&mut self.own_tests));
        for f in &mut self.files {
            f.frag.cat.kpis = kpis
                .by_ref()
                .take(f.frag.kpis)
                .map(|(mut k, n)| {
                    k.tests.truncate(n);
                    k
                })
                .collect();
        }
        std::mem::take(&mut self.files)
    }
}

/// A file read from disk, kept while its modification time and size stay the same.
struct DiskFile {
    stamp: (Option<SystemTime>, u64),
    text: Arc<str>,
    /// The first byte that is not UTF-8, for a file that is not text.
    bad: Option<usize>,
}

pub struct Folder {
    pub snap: Snapshot,
    /// Edited since the snapshot was made.
    pub dirty: bool,
    /// Checked since its diagnostics were last published.
    pub unpublished: bool,
    disk: HashMap<PathBuf, DiskFile>,
    /// What the last rebuild did and how long it took, for the log.
    pub timing: String,
    /// The URIs diagnostics were last published for (to clear those of removed files).
    pub published: Vec<Uri>,
}

#[derive(Default)]
pub struct Workspace {
    pub open: HashMap<PathBuf, OpenDoc>,
    pub folders: HashMap<PathBuf, Folder>,
}

impl Workspace {
    /// The catalogue folder of a file: the folder that holds it, loaded whole.
    pub fn folder_of(path: &Path) -> PathBuf {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    /// Mark the folder of `path` for a rebuild (creating it when first seen).
    pub fn touch(&mut self, path: &Path) -> PathBuf {
        let dir = Workspace::folder_of(path);
        let folder = self.folders.entry(dir.clone()).or_insert_with(|| Folder {
            snap: Snapshot::default(),
            dirty: true,
            unpublished: false,
            timing: String::new(),
            disk: HashMap::new(),
            published: Vec::new(),
        });
        folder.dirty = true;
        dir
    }

    /// The folder's snapshot, rebuilt first if anything changed since.
    pub fn snapshot(&mut self, dir: &Path) -> Option<&Snapshot> {
        if self.folders.get(dir)?.dirty {
            self.rebuild(dir);
        }
        self.folders.get(dir).map(|f| &f.snap)
    }

    /// The snapshot of the folder holding `path`, and the file's id in it.
    pub fn snapshot_of(&mut self, path: &Path) -> Option<(&Snapshot, FileId)> {
        let dir = self.touch_if_new(path);
        let snap = self.snapshot(&dir)?;
        let id = snap.file_of(path)?;
        Some((snap, id))
    }

    fn touch_if_new(&mut self, path: &Path) -> PathBuf {
        let dir = Workspace::folder_of(path);
        if !self.folders.contains_key(&dir) {
            self.touch(path);
        }
        dir
    }

    /// Load the folder again: the files of the folder (open buffers first), each parsed
    /// again only when its text changed, merged and checked.
    pub fn rebuild(&mut self, dir: &Path) {
        let started = std::time::Instant::now();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| catalogue::is_catalogue_file(p))
                    .collect()
            })
            .unwrap_or_default();
        // A buffer not saved yet belongs to the folder too.
        for p in self.open.keys() {
            if p.parent() == Some(dir) && has_catalogue_extension(p) && !paths.contains(p) {
                paths.push(p.clone());
            }
        }
        paths.sort();
        let Some(folder) = self.folders.get_mut(dir) else {
            return;
        };
        // Cleared first: a rebuild that fails is not tried again until the next edit.
        folder.dirty = false;
        folder.unpublished = true;
        folder.disk.retain(|p, _| paths.contains(p));
        let mut old: HashMap<PathBuf, FileSlot> = std::mem::take(&mut folder.snap)
            .into_files()
            .into_iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), (i, f)))
            .filter(|(_, (i, f))| paths.get(*i) == Some(&f.path))
            .map(|(p, (_, f))| (p, f))
            .collect();
        let mut files = Vec::with_capacity(paths.len());
        let mut by_kpi = 0;
        for (i, path) in paths.into_iter().enumerate() {
            let id = FileId(i as u32);
            let (text, bad) = match self.open.get(&path) {
                // Without its byte order mark, as `kpi check` reads the file.
                Some(doc) => {
                    let text = doc.text.strip_prefix('\u{feff}').unwrap_or(&doc.text);
                    match old.get(&path) {
                        Some(f) if *f.text == *text => (f.text.clone(), None),
                        _ => (Arc::from(text), None),
                    }
                }
                None => match read_disk(&mut folder.disk, &path) {
                    Some(x) => x,
                    None => continue,
                },
            };
            let uri = self
                .open
                .get(&path)
                .map(|d| d.uri.clone())
                .or_else(|| path_to_uri(&path));
            let Some(uri) = uri else { continue };
            let slot = match old.remove(&path) {
                // Same file, same place, same text: its fragment stands.
                Some(f) if Arc::ptr_eq(&f.text, &text) || *f.text == *text => FileSlot {
                    uri,
                    fresh: false,
                    ..f
                },
                before => {
                    // Same file, same place, new text: what the edit left alone stands.
                    let frag = match before.filter(|f| bad.is_none() && !f.is_kpi()) {
                        Some(f) => {
                            let (frag, again) =
                                yaml_load::load_edited(f.frag, &f.text, &text, id, &path);
                            by_kpi += usize::from(again);
                            frag
                        }
                        None => load_fragment(id, &path, &text, bad),
                    };
                    FileSlot {
                        fresh: true,
                        lines: LineIndex::new(&text),
                        path,
                        uri,
                        text,
                        frag,
                    }
                }
            };
            files.push(slot);
        }
        let parsed = files.iter().filter(|f| f.fresh).count();
        let loaded = started.elapsed();
        folder.snap = check(files);
        folder.timing = format!(
            "{} of {} files parsed ({} only where edited) in {:.1} ms, merged and analysed in {:.1} ms",
            parsed,
            folder.snap.files.len(),
            by_kpi,
            loaded.as_secs_f64() * 1000.0,
            (started.elapsed() - loaded).as_secs_f64() * 1000.0
        );
    }
}

fn has_catalogue_extension(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "kpi")
    )
}

/// A file's text from disk, read again only when its time or size changed.
fn read_disk(
    cache: &mut HashMap<PathBuf, DiskFile>,
    path: &Path,
) -> Option<(Arc<str>, Option<usize>)> {
    let meta = std::fs::metadata(path).ok()?;
    let stamp = (meta.modified().ok(), meta.len());
    if let Some(f) = cache.get(path).filter(|f| f.stamp == stamp) {
        return Some((f.text.clone(), f.bad));
    }
    let bytes = std::fs::read(path).ok()?;
    let (text, bad) = match catalogue::decode_text(bytes) {
        Ok(t) => (t, None),
        Err((lossy, at)) => (lossy, Some(at)),
    };
    let f = DiskFile {
        stamp,
        text: Arc::from(text),
        bad,
    };
    let out = (f.text.clone(), f.bad);
    cache.insert(path.to_path_buf(), f);
    Some(out)
}

/// One file loaded alone, as `kpi check` loads it within its folder.
fn load_fragment(id: FileId, path: &Path, text: &str, bad: Option<usize>) -> Fragment {
    let mut frag = Fragment::default();
    if let Some(at) = bad {
        frag.diags.push(catalogue::not_utf8(id, at));
        return frag;
    }
    if path.extension().is_some_and(|e| e == "kpi") {
        frag.cat.files.push(id);
        catalogue::load_file_text(&mut frag.cat, id, path, text, &mut frag.diags);
        return frag;
    }
    yaml_load::load(id, path, text)
}

/// Merge the fragments (in file order, as `kpi check` loads a folder), attach the tests,
/// and check the whole.
fn check(mut files: Vec<FileSlot>) -> Snapshot {
    let mut sources = SourceMap::default();
    let mut cat = Catalogue::default();
    let mut loaded = Vec::new();
    for f in &mut files {
        sources.add(f.path.display().to_string(), f.text.clone());
        let c = &mut f.frag.cat;
        cat.sources.extend(c.sources.iter().cloned());
        f.frag.kpis = c.kpis.len();
        cat.kpis.append(&mut c.kpis);
        cat.files.extend(c.files.iter().copied());
        cat.extra_tests.extend(c.extra_tests.iter().cloned());
        loaded.extend(f.frag.diags.iter().cloned());
    }
    let own_tests = cat.kpis.iter().map(|k| k.tests.len()).collect();
    catalogue::attach_tests(&mut cat, &mut loaded);
    // Each source's read options, as `kpi check` checks them (`cli::load`).
    crate::input::options::check_catalogue(&cat, &mut loaded);
    let diags = crate::analysis::check_catalogue(&cat, loaded);
    Snapshot {
        files,
        sources,
        cat,
        diags,
        own_tests,
        occurrences: OnceCell::new(),
    }
}
