//! What the tidy checks share: the repository root, a walk over its files, and
//! the one way a check reports (every violation printed, pending ones
//! tolerated only through `LTMC_TIDY_PENDING` for a local run).
//!
//! Not a general file-walking library: it skips hidden folders and `target`
//! and knows nothing else about ignore files.

#![allow(clippy::print_stderr)] // a failing tidy check explains itself on stderr

use std::path::{Path, PathBuf};

/// The repository root (two levels above this crate's manifest).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/ltmc-tidy sits two levels below the root")
        .to_path_buf()
}

/// Every file under `dir` whose name ends with `suffix`, sorted, skipping
/// hidden folders and build outputs.
pub fn files_under(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let entry = entry.expect("a readable directory entry");
            let path = entry.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || name == "target" {
                continue;
            }
            // Symbolic links are not followed (no loops, no trees outside).
            let kind = entry.file_type().expect("a file type");
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && name.ends_with(suffix) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `path` relative to the repository root, with `/` separators.
pub fn relative(path: &Path) -> String {
    let root = repo_root();
    let rel = path.strip_prefix(&root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The substrings of violations `LTMC_TIDY_PENDING` tolerates for this run.
fn pending() -> Vec<String> {
    std::env::var("LTMC_TIDY_PENDING")
        .unwrap_or_default()
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Prints every violation of `check` and fails if any is not pending.
#[track_caller]
pub fn report(check: &str, violations: &[String]) {
    let pending = pending();
    let (tolerated, failing): (Vec<&String>, Vec<&String>) = violations
        .iter()
        .partition(|v| pending.iter().any(|p| v.contains(p.as_str())));
    for v in &tolerated {
        eprintln!("tidy: {check}: pending (LTMC_TIDY_PENDING): {v}");
    }
    if !failing.is_empty() {
        let list: Vec<String> = failing.iter().map(|v| format!("  - {v}")).collect();
        panic!(
            "tidy: {check}: {} violation(s):\n{}",
            failing.len(),
            list.join("\n")
        );
    }
}
