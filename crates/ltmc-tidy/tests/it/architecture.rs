//! ARCHITECTURE.md must not point at files that moved: every backticked token
//! that looks like a path (it contains `/` and ends in `.rs`, `.toml` or
//! `.md`, or starts with `crates/`, `scripts/` or a crate's folder name) must
//! exist.
//!
//! A path is looked up from the repository root, then from `crates/`; a
//! file path given relative to its crate (`commands/bench.rs`,
//! `tools/fix_tools.rs`) may also match the end of one file's path. Not a
//! check of the prose: URLs, routes (`POST /jsonrpc`) and placeholders
//! (`<hex(project)>`) are left alone.

use crate::support::{files_under, relative, repo_root, report};

const FILE_ENDINGS: &[&str] = &[".rs", ".toml", ".md"];

/// The backticked tokens of `markdown` that name paths in this repository.
fn named_paths(markdown: &str, crate_dirs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = markdown
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| t.contains('/') && !t.starts_with('/') && !t.starts_with(".."))
        .filter(|t| {
            !t.chars()
                .any(|c| c.is_whitespace() || "<>?:*{}=&$".contains(c))
        })
        .filter(|t| {
            let first = t.split('/').next().unwrap_or("");
            FILE_ENDINGS.iter().any(|e| t.ends_with(e))
                || ["crates", "scripts"].contains(&first)
                || crate_dirs.iter().any(|c| c == first)
        })
        .map(|t| t.trim_end_matches('/').to_owned())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn crate_dirs() -> Vec<String> {
    std::fs::read_dir(repo_root().join("crates"))
        .expect("crates/")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn every_path_architecture_md_names_exists() {
    let root = repo_root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let paths = named_paths(&text, &crate_dirs());
    assert!(!paths.is_empty(), "ARCHITECTURE.md names no paths?");
    let all_files: Vec<String> = files_under(&root, "").iter().map(|p| relative(p)).collect();
    let violations: Vec<String> = paths
        .iter()
        .filter(|p| {
            let exists = root.join(p).exists() || root.join("crates").join(p).exists();
            let is_file = FILE_ENDINGS.iter().any(|e| p.ends_with(e));
            let suffix = format!("/{p}");
            let found_in_a_crate = is_file && all_files.iter().any(|f| f.ends_with(&suffix));
            !(exists || found_in_a_crate)
        })
        .map(|p| format!("ARCHITECTURE.md names `{p}`, which does not exist"))
        .collect();
    report("ARCHITECTURE.md paths", &violations);
}

#[test]
fn named_paths_picks_paths_and_leaves_prose_alone() {
    let md = "See `crates/ltmc/src/main.rs`, `ltmc-core/src`, `scripts/with-pg`, \
              `tools/fix_tools.rs` and `crates/ltmc/src/commands/`; not `POST /jsonrpc`, \
              `tools/call`, `/health`, `../shared/data`, `ltmc.db-ann/<hex(project)>.hnsw`.";
    assert_eq!(
        named_paths(md, &["ltmc".into(), "ltmc-core".into()]),
        [
            "crates/ltmc/src/commands",
            "crates/ltmc/src/main.rs",
            "ltmc-core/src",
            "scripts/with-pg",
            "tools/fix_tools.rs",
        ]
    );
}
