//! `kpi fmt [--check]`: canonical formulas in place (atomically), or the list of files that
//! would change (exit 1).

use super::load;
use crate::analysis::contains_error;

pub fn run(paths: &[std::path::PathBuf], check: bool) -> i32 {
    let front = load(paths);
    // Never rewrite what did not parse: the formula would be lost.
    let unparsed = front.cat.kpis.iter().any(|k| contains_error(&k.formula));
    if super::report_errors(&front.diags.list, &front.sources) || unparsed {
        eprintln!("kpi fmt: nothing was changed; fix the errors first");
        return 1;
    }
    let changed = crate::fmt::format(&front.cat, &front.sources);
    for (file, text) in &changed {
        let name = &front.sources.get(*file).name;
        if check {
            crate::outln!("{name}");
            continue;
        }
        // Write beside the real file (through a symbolic link), with its permissions, then
        // rename over it: a reader sees the old or the new file, never half of one.
        let target = std::fs::canonicalize(name).unwrap_or_else(|_| name.into());
        let tmp = target.with_extension("kpi-fmt.tmp");
        let written = std::fs::write(&tmp, text)
            .and_then(|()| {
                std::fs::set_permissions(&tmp, std::fs::metadata(&target)?.permissions())
            })
            .and_then(|()| std::fs::rename(&tmp, &target));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            eprintln!("kpi fmt: cannot write {name}: {e}");
            return 1;
        }
        crate::outln!("formatted {name}");
    }
    i32::from(check && !changed.is_empty())
}
