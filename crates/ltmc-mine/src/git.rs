//! Reading a repository's history with `git2` (libgit2, vendored; no
//! network). Streams the commits of a [`Range`] (reachable from its starts,
//! not from its stops) newest to oldest, at most a number of them; never
//! holds the history. A walk cut short by that number returns the rest of
//! its range exactly (the unvisited parents of what it visited, with the
//! same stops), so a later walk can resume below it.
//! Merge commits are skipped (counted); only commits whose message has a fix
//! word are diffed (against their parent), and only so far: a diff touching
//! more than [`crate::classify::MAX_FILES`] files is measured, not read;
//! files over [`MAX_FILE_BYTES`] and binary files are skipped (counted);
//! at most [`MAX_LINES_PER_COMMIT`] lines of a commit are kept.
//!
//! Not here: deciding what is a fix (`classify`), drafts (`draft`).

use crate::MineError;
use crate::classify::{DiffShape, MAX_FILES, is_candidate};
use crate::draft::CommitInfo;
use crate::hunks::{FileChange, Hunk, Line};
use git2::{Commit, DiffOptions, Oid, Patch, Repository, Sort};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A part of the history: the commits reachable from `starts` and not from
/// `stops`, as `git rev-list START... ^STOP...` names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Range {
    pub starts: Vec<Oid>,
    pub stops: Vec<Oid>,
}

impl Range {
    /// The range's git revision arguments: start ids, then `^id` stops.
    pub fn to_args(&self) -> Vec<String> {
        self.starts
            .iter()
            .map(Oid::to_string)
            .chain(self.stops.iter().map(|s| format!("^{s}")))
            .collect()
    }

    /// Both ranges in one: every start, and the stops they share (a superset
    /// of the union; commits of both are walked once).
    #[must_use]
    pub fn union(&self, other: &Range) -> Range {
        let mut starts = self.starts.clone();
        for s in &other.starts {
            if !starts.contains(s) {
                starts.push(*s);
            }
        }
        let stops = self
            .stops
            .iter()
            .filter(|s| other.stops.contains(s))
            .copied()
            .collect();
        Range { starts, stops }
    }
}

/// A file bigger than this (either side) is treated as binary.
pub const MAX_FILE_BYTES: i64 = 1 << 20;
/// Lines of one commit's diff kept at most.
pub const MAX_LINES_PER_COMMIT: usize = 5000;

/// An open repository.
pub struct Repo {
    repo: Repository,
    root: PathBuf,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

/// Counts of a walk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalkStats {
    /// Commits read (merges included).
    pub commits: usize,
    pub merges: usize,
    /// Commits with a fix word, diffed.
    pub candidates: usize,
    /// Binary (or oversized) files skipped in candidates' diffs.
    pub binary_files: usize,
}

impl WalkStats {
    /// Adds another walk's counts.
    pub fn add(&mut self, other: WalkStats) {
        self.commits += other.commits;
        self.merges += other.merges;
        self.candidates += other.candidates;
        self.binary_files += other.binary_files;
    }
}

/// What a walk did and, when the commit limit cut it short, what is left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walked {
    pub stats: WalkStats,
    /// The unvisited rest of the range; `None` when the walk reached its end.
    pub rest: Option<Range>,
}

/// One commit of a walk, as the visitor sees it.
#[derive(Debug)]
pub struct Visited {
    pub info: CommitInfo,
    /// A merge commit (skipped: no diff).
    pub merge: bool,
    /// The diff, for candidates only.
    pub diff: Option<(Vec<FileChange>, DiffShape)>,
}

/// For `map_err`, which hands the error over by value.
#[allow(clippy::needless_pass_by_value)]
fn git(err: git2::Error) -> MineError {
    MineError::Git(err.message().to_owned())
}

impl Repo {
    /// Opens the repository at or above `path` (a work tree or a bare one).
    pub fn open(path: &Path) -> Result<Self, MineError> {
        let repo = Repository::discover(path).map_err(|e| MineError::Invalid {
            field: "repo",
            reason: format!(
                "{} is not in a git repository ({}); give a repository's path",
                path.display(),
                e.message()
            ),
        })?;
        let root = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        Ok(Self { repo, root })
    }

    /// The repository's directory (its work tree, or the bare directory).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// HEAD's commit id; `None` for a repository without commits.
    pub fn head(&self) -> Result<Option<Oid>, MineError> {
        match self.repo.head() {
            Ok(head) => Ok(Some(head.peel_to_commit().map_err(git)?.id())),
            Err(e)
                if matches!(
                    e.code(),
                    git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(git(e)),
        }
    }

    /// The repository's identity: the root commit of HEAD's first-parent
    /// line (the same for every clone, wherever it lies).
    pub fn identity(&self, head: Oid) -> Result<String, MineError> {
        let mut walk = self.repo.revwalk().map_err(git)?;
        walk.push(head).map_err(git)?;
        walk.simplify_first_parent().map_err(git)?;
        let mut last = head;
        for oid in walk {
            last = oid.map_err(git)?;
        }
        Ok(last.to_string())
    }

    /// The commit `rev` names (`HEAD~3`, a tag, an id).
    pub fn resolve(&self, field: &'static str, rev: &str) -> Result<Oid, MineError> {
        self.repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|e| MineError::Invalid {
                field,
                reason: format!(
                    "{rev:?} names no commit ({}); give a commit id, tag or branch",
                    e.message()
                ),
            })
    }

    /// Whether the repository has commit `id` (a stored state may name one
    /// a rewritten history lost).
    pub fn has_commit(&self, id: &str) -> Option<Oid> {
        let oid = Oid::from_str(id).ok()?;
        self.repo.find_commit(oid).ok().map(|c| c.id())
    }

    /// The range of `args` ([`Range::to_args`]); ids this repository lacks
    /// (a rewritten history) are left out; `None` without a start.
    pub fn range_of(&self, args: &[String]) -> Option<Range> {
        let mut range = Range::default();
        for arg in args {
            let (stop, id) = match arg.strip_prefix('^') {
                Some(id) => (true, id),
                None => (false, arg.as_str()),
            };
            match self.has_commit(id) {
                Some(oid) if stop => range.stops.push(oid),
                Some(oid) => range.starts.push(oid),
                None => {
                    tracing::warn!(commit = %id, "a resume commit is not in the repository; left out");
                }
            }
        }
        (!range.starts.is_empty()).then_some(range)
    }

    fn revwalk(&self, range: &Range) -> Result<git2::Revwalk<'_>, MineError> {
        let mut walk = self.repo.revwalk().map_err(git)?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
            .map_err(git)?;
        for start in &range.starts {
            walk.push(*start).map_err(git)?;
        }
        for stop in &range.stops {
            walk.hide(*stop).map_err(git)?;
        }
        Ok(walk)
    }

    /// How many commits [`Repo::walk`] would visit (at most `max`).
    pub fn walk_len(&self, range: &Range, max: Option<usize>) -> Result<usize, MineError> {
        if max == Some(0) {
            return Ok(0);
        }
        let mut n = 0;
        for oid in self.revwalk(range)? {
            oid.map_err(git)?;
            n += 1;
            if max.is_some_and(|m| n >= m) {
                break;
            }
        }
        Ok(n)
    }

    /// Visits the commits of `range` newest to oldest, at most `max` of them
    /// (merges count); see [`Walked`] for what a cut-short walk leaves.
    pub fn walk(
        &self,
        range: &Range,
        max: Option<usize>,
        mut visit: impl FnMut(Visited) -> Result<(), MineError>,
    ) -> Result<Walked, MineError> {
        let mut stats = WalkStats::default();
        // Kept only when a limit can cut the walk short (so at most `max`).
        let mut visited: HashSet<Oid> = HashSet::new();
        let mut parents: Vec<Oid> = Vec::new();
        let mut cut = false;
        for oid in self.revwalk(range)? {
            let oid = oid.map_err(git)?;
            if max.is_some_and(|m| stats.commits >= m) {
                cut = true;
                break;
            }
            let commit = self.repo.find_commit(oid).map_err(git)?;
            stats.commits += 1;
            if max.is_some() {
                visited.insert(oid);
                parents.extend(commit.parent_ids());
            }
            let info = info_of(&commit);
            if commit.parent_count() > 1 {
                stats.merges += 1;
                visit(Visited {
                    info,
                    merge: true,
                    diff: None,
                })?;
                continue;
            }
            let diff = if is_candidate(&info.message) {
                stats.candidates += 1;
                Some(self.diff_of(&commit, &mut stats)?)
            } else {
                None
            };
            visit(Visited {
                info,
                merge: false,
                diff,
            })?;
        }
        let rest = cut.then(|| {
            // In topological order nothing visited is below an unvisited
            // commit, so the unvisited starts and parents bound the rest.
            let mut frontier: Vec<Oid> = Vec::new();
            let mut seen: HashSet<Oid> = HashSet::new();
            for oid in range.starts.iter().chain(&parents) {
                if !visited.contains(oid) && seen.insert(*oid) {
                    frontier.push(*oid);
                }
            }
            Range {
                starts: frontier,
                stops: range.stops.clone(),
            }
        });
        Ok(Walked { stats, rest })
    }

    /// The commit's text changes against its parent (or nothing, for a root
    /// commit: everything in it is added) and their shape.
    fn diff_of(
        &self,
        commit: &Commit<'_>,
        stats: &mut WalkStats,
    ) -> Result<(Vec<FileChange>, DiffShape), MineError> {
        let tree = commit.tree().map_err(git)?;
        let parent = match commit.parent_count() {
            0 => None,
            _ => Some(commit.parent(0).and_then(|p| p.tree()).map_err(git)?),
        };
        let mut opts = DiffOptions::new();
        opts.context_lines(2)
            .max_size(MAX_FILE_BYTES)
            .ignore_submodules(true);
        let diff = self
            .repo
            .diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut opts))
            .map_err(git)?;
        let deltas = diff.deltas().len();
        let mut shape = DiffShape::default();
        if deltas > MAX_FILES {
            // A sweep: its size is what matters, not its lines.
            let s = diff.stats().map_err(git)?;
            shape.files = s.files_changed();
            shape.added = s.insertions();
            shape.removed = s.deletions();
            return Ok((Vec::new(), shape));
        }
        let mut changes = Vec::new();
        let mut kept_lines = 0;
        for idx in 0..deltas {
            let Some(patch) = Patch::from_diff(&diff, idx).map_err(git)? else {
                continue;
            };
            let delta = patch.delta();
            if delta.flags().is_binary()
                || delta.old_file().is_binary()
                || delta.new_file().is_binary()
            {
                stats.binary_files += 1;
                continue;
            }
            let (_, added, removed) = patch.line_stats().map_err(git)?;
            shape.files += 1;
            shape.added += added;
            shape.removed += removed;
            let file_path = delta
                .new_file()
                .path()
                .or_else(|| delta.old_file().path())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let mut change = FileChange {
                path: file_path,
                hunks: Vec::new(),
            };
            for h in 0..patch.num_hunks() {
                let n = patch.num_lines_in_hunk(h).map_err(git)?;
                let mut hunk = Hunk::default();
                for l in 0..n {
                    if kept_lines >= MAX_LINES_PER_COMMIT {
                        break;
                    }
                    let line = patch.line_in_hunk(h, l).map_err(git)?;
                    let text = String::from_utf8_lossy(line.content()).into_owned();
                    let text = text.trim_end_matches(['\n', '\r']).to_owned();
                    match line.origin() {
                        ' ' => hunk.lines.push(Line::Context(text)),
                        '-' => hunk.lines.push(Line::Removed(text)),
                        '+' => hunk.lines.push(Line::Added(text)),
                        _ => continue,
                    }
                    kept_lines += 1;
                }
                if !hunk.lines.is_empty() {
                    change.hunks.push(hunk);
                }
            }
            changes.push(change);
        }
        Ok((changes, shape))
    }
}

fn info_of(commit: &Commit<'_>) -> CommitInfo {
    let author = commit.author();
    let name = String::from_utf8_lossy(author.name_bytes()).into_owned();
    let email = String::from_utf8_lossy(author.email_bytes()).into_owned();
    let time = time::OffsetDateTime::from_unix_timestamp(commit.time().seconds())
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    CommitInfo {
        id: commit.id().to_string(),
        author: if email.is_empty() {
            name
        } else {
            format!("{name} <{email}>")
        },
        time,
        message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
    }
}
