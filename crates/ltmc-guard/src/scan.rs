//! Scanning files and directory trees against a [`RuleSet`], in parallel.
//!
//! Directories are walked with `ignore`'s parallel walker, which honours
//! `.gitignore` (even outside a git repository), `.ignore` and the global git
//! excludes, and leaves hidden files and `.git` alone unless told otherwise.
//! A file no rule applies to (by extension) is not read. A file that is too
//! large, binary (a NUL byte in its first 8 KiB) or unreadable is skipped and
//! counted, never an error; text that is not UTF-8 is read lossily.
//!
//! Not here: confining paths to a project root or recording hit statistics
//! (the service), exit codes (the CLI).

use crate::error::GuardError;
use crate::rules::RuleSet;
use crate::violation::Violation;
use ignore::{WalkBuilder, WalkState};
use ltmc_core::fix::RuleType;
use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Files larger than this are skipped by default (2 MiB): generated or
/// vendored code, not code anyone fixes by hand.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 2 << 20;

/// How much of a file's start is looked at to call it binary.
const BINARY_PROBE_BYTES: usize = 8 << 10;

/// How a scan walks and reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// Honour `.gitignore`, `.ignore`, `.git/info/exclude` and the global git
    /// excludes (default true).
    pub respect_gitignore: bool,
    /// Walk hidden files and directories (default false). `.git` is never walked.
    pub include_hidden: bool,
    /// Larger files are skipped and counted (default [`DEFAULT_MAX_FILE_BYTES`]).
    pub max_file_bytes: u64,
    /// Walker threads; 0 = the available parallelism.
    pub threads: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            respect_gitignore: true,
            include_hidden: false,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            threads: 0,
        }
    }
}

/// What a scan found.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanReport {
    /// The base that violation paths are relative to, made absolute.
    pub base: PathBuf,
    /// The paths scanned, as given.
    pub roots: Vec<PathBuf>,
    /// Files read and checked.
    pub files_scanned: u64,
    /// Files not checked because they are binary, too large or unreadable
    /// (walk errors such as an unreadable directory count here too).
    pub files_skipped: u64,
    /// Files no rule applies to by file type; not read.
    pub files_without_rules: u64,
    /// Bytes of the files checked.
    pub bytes_scanned: u64,
    /// Sorted by path, line, column and rule name.
    pub violations: Vec<Violation>,
    /// Rules in the set.
    pub rules: usize,
    pub elapsed_ms: f64,
}

impl ScanReport {
    pub fn enforcement_violations(&self) -> usize {
        self.violations
            .iter()
            .filter(|v| v.rule_type == RuleType::Enforcement)
            .count()
    }

    /// Whether `ltmc guard check` must fail.
    pub fn has_enforcement(&self) -> bool {
        self.violations.iter().any(Violation::is_enforcement)
    }

    /// Distinct files with at least one violation.
    pub fn files_with_violations(&self) -> usize {
        let mut n = 0;
        let mut last: Option<&str> = None;
        for v in &self.violations {
            if last != Some(v.file_path.as_str()) {
                n += 1;
                last = Some(&v.file_path);
            }
        }
        n
    }
}

/// Scans files and directories. Each path may be a file (checked even if an
/// ignore file would exclude it: it was asked for by name) or a directory
/// (walked). Violation paths are relative to `base` with `/` separators when
/// the file is under it (decided lexically, without resolving symlinks), else
/// as given. A path that does not exist is `GuardError::NotFound`.
pub fn scan_paths(
    rules: &RuleSet,
    paths: &[PathBuf],
    base: &Path,
    opts: &ScanOptions,
) -> Result<ScanReport, GuardError> {
    let started = Instant::now();
    let cwd = std::env::current_dir().map_err(|err| GuardError::Io {
        path: PathBuf::from("."),
        message: format!("cannot get the current directory: {err}"),
    })?;
    for path in paths {
        match std::fs::metadata(path) {
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(GuardError::NotFound { path: path.clone() });
            }
            Err(err) => {
                return Err(GuardError::Io {
                    path: path.clone(),
                    message: err.to_string(),
                });
            }
        }
    }
    let ctx = Context {
        opts,
        cwd: &cwd,
        base: normalize(&cwd.join(base)),
        tally: Tally::default(),
        violations: Mutex::new(Vec::new()),
    };
    if let Some((first, rest)) = paths.split_first() {
        let mut walk = WalkBuilder::new(first);
        for path in rest {
            walk.add(path);
        }
        let threads = if opts.threads == 0 {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        } else {
            opts.threads
        };
        walk.threads(threads)
            .hidden(!opts.include_hidden)
            .ignore(opts.respect_gitignore)
            .git_ignore(opts.respect_gitignore)
            .git_global(opts.respect_gitignore)
            .git_exclude(opts.respect_gitignore)
            .parents(opts.respect_gitignore)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|entry| entry.file_name() != ".git");
        walk.build_parallel().run(|| {
            let ctx = &ctx;
            // A clone of a regex has its own cache pool: threads sharing one
            // regex contend for its caches and ran slower on two threads
            // than on one (guard_bench).
            let rules = rules.clone();
            Box::new(move |entry| {
                match entry {
                    Ok(entry) => {
                        if is_file(&entry) {
                            ctx.scan_file(&rules, entry.path());
                        }
                    }
                    Err(_) => {
                        ctx.tally.skipped.fetch_add(1, Ordering::Relaxed);
                    }
                }
                WalkState::Continue
            })
        });
    }
    let Context {
        base,
        tally,
        violations,
        ..
    } = ctx;
    let mut violations = violations
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    violations.sort_by(Violation::cmp_across_files);
    Ok(ScanReport {
        base,
        roots: paths.to_vec(),
        files_scanned: tally.scanned.into_inner(),
        files_skipped: tally.skipped.into_inner(),
        files_without_rules: tally.without_rules.into_inner(),
        bytes_scanned: tally.bytes.into_inner(),
        violations,
        rules: rules.len(),
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// A regular file, or a symlink to one given by name (the walker does not
/// follow links below the roots).
fn is_file(entry: &ignore::DirEntry) -> bool {
    match entry.file_type() {
        Some(t) if t.is_file() => true,
        Some(t) if t.is_symlink() && entry.depth() == 0 => {
            std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file())
        }
        _ => false,
    }
}

#[derive(Default)]
struct Tally {
    scanned: AtomicU64,
    skipped: AtomicU64,
    without_rules: AtomicU64,
    bytes: AtomicU64,
}

struct Context<'a> {
    opts: &'a ScanOptions,
    cwd: &'a Path,
    base: PathBuf,
    tally: Tally,
    violations: Mutex<Vec<Violation>>,
}

impl Context<'_> {
    fn scan_file(&self, rules: &RuleSet, path: &Path) {
        let shown = self.display_path(path);
        if !rules.applies_to_path(&shown) {
            self.tally.without_rules.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let Some(bytes) = read_text(path, self.opts.max_file_bytes) else {
            self.tally.skipped.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let content = String::from_utf8_lossy(&bytes);
        let found = rules.check_content(&shown, &content);
        self.tally.scanned.fetch_add(1, Ordering::Relaxed);
        self.tally
            .bytes
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if !found.is_empty() {
            self.violations
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(found);
        }
    }

    fn display_path(&self, path: &Path) -> String {
        let absolute = normalize(&self.cwd.join(path));
        match absolute.strip_prefix(&self.base) {
            Ok(relative) if !relative.as_os_str().is_empty() => slashed(relative),
            _ => path.to_string_lossy().into_owned(),
        }
    }
}

/// The file's bytes, or None when it is too large, binary or unreadable.
fn read_text(path: &Path, max_bytes: u64) -> Option<Vec<u8>> {
    let file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    if len > max_bytes {
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).ok()?);
    // Read one byte past the limit to notice a file that grew meanwhile.
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > max_bytes || bytes[..bytes.len().min(BINARY_PROBE_BYTES)].contains(&0) {
        return None;
    }
    Some(bytes)
}

/// Removes `.` and resolves `..` lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn slashed(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        let check =
            |input: &str, want: &str| assert_eq!(normalize(Path::new(input)), Path::new(want));
        check("/a/./b/../c", "/a/c");
        check("/a/b/", "/a/b");
        check("/..", "/");
    }

    #[test]
    fn display_paths_are_relative_under_base_else_as_given() {
        let opts = ScanOptions::default();
        let ctx = Context {
            opts: &opts,
            cwd: Path::new("/work/repo"),
            base: PathBuf::from("/work/repo"),
            tally: Tally::default(),
            violations: Mutex::new(Vec::new()),
        };
        assert_eq!(ctx.display_path(Path::new("./src/a.py")), "src/a.py");
        assert_eq!(
            ctx.display_path(Path::new("/work/repo/src/b.py")),
            "src/b.py"
        );
        assert_eq!(
            ctx.display_path(Path::new("../other/c.py")),
            "../other/c.py"
        );
        assert_eq!(ctx.display_path(Path::new("/tmp/d.py")), "/tmp/d.py");
    }

    #[test]
    fn files_with_violations_counts_distinct_paths() {
        let report = ScanReport {
            base: PathBuf::from("/"),
            roots: vec![],
            files_scanned: 0,
            files_skipped: 0,
            files_without_rules: 0,
            bytes_scanned: 0,
            violations: vec![],
            rules: 0,
            elapsed_ms: 0.0,
        };
        assert_eq!(report.files_with_violations(), 0);
        assert!(!report.has_enforcement());
    }
}
