//! What several test modules share: running the real `kpi` binary.

use std::process::Command;

/// Runs the built `kpi` binary from the crate root, without colour and with `CI` unset (as a
/// user's terminal would have it): exit code, stdout, stderr.
pub fn kpi(args: &[&str]) -> (i32, String, String) {
    kpi_in(env!("CARGO_MANIFEST_DIR").as_ref(), args)
}

/// The same, run from `dir`: files there are named by relative paths, so messages do not
/// depend on where a temporary folder is (its length changes where lines wrap).
pub fn kpi_in(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("run kpi");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Exit code, stdout and stderr in one text for a snapshot.
pub fn run(args: &[&str]) -> String {
    run_in(env!("CARGO_MANIFEST_DIR").as_ref(), args)
}

/// The same, run from `dir`.
pub fn run_in(dir: &std::path::Path, args: &[&str]) -> String {
    let (code, out, err) = kpi_in(dir, args);
    format!(
        "$ kpi {}\nexit: {code}\n--- stdout\n{out}--- stderr\n{err}",
        args.join(" ")
    )
}

/// A fresh temporary folder named after `name` and this process, holding `files` (name,
/// content).
pub fn temp_files(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kpi-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}
