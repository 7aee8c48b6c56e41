//! Which fix-word commits are noise rather than fix patterns, and why: the
//! screen every candidate passes before it becomes a draft. The rules are
//! data (the tables of `tables.rs`, compiled into [`NoiseRules`]), each decision
//! names its [`SkipReason`], and the run counts skips per reason.
//!
//! In order: the message (a merge or a revert of a revert, a revert of a
//! fix, a typo/spelling/docs subject, a version bump, a CI/linter subject, a
//! refactor subject naming no bug); a sweep (too many lines or files); the
//! paths (only docs, only tests, only build/CI/config/vendored files: no
//! source file); the lines (only whitespace, only comments or prose, only
//! version numbers: `prose`); a message too vague to review; the shape of
//! what is left (`classify`: only additions). What passes is the commit's
//! source files whose code changed.
//!
//! Not here: reading git (`git`), the fix words (`classify`), drafts.

use crate::MineError;
use crate::classify::{Classification, DiffShape, MAX_CHANGED_LINES, MAX_FILES, classify};
use crate::hunks::FileChange;
use crate::prose::{ChangeKind, change_kind};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::Serialize;

mod tables;
pub use tables::*;

/// Why a commit gave no draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// A merge commit, or a single-parent commit whose subject says merge.
    Merge,
    /// `Revert "Revert ..."`: the change of an earlier commit again.
    RevertOfRevert,
    /// `Revert "Fix ..."`: its after side is the code a fix replaced.
    RevertsAFix,
    /// The subject says typo, spelling, grammar, wording or docs.
    TypoOrDocsMessage,
    /// The subject says version bump or release.
    VersionBump,
    /// The subject is about CI, linters or warnings, not the product.
    ToolingMessage,
    /// The subject says refactor, simplify or clean up, and names no bug.
    RefactorMessage,
    /// The message says nothing a reviewer could use (`Fix`, `Fix
    /// models.py`): fewer than two words besides fix words, file names and
    /// fillers, no body, no issue reference.
    VagueMessage,
    /// Only documentation and changelog files changed.
    DocsOnly,
    /// Only tests (and docs) changed.
    TestsOnly,
    /// No source file changed (build, CI, configuration, lock files).
    NoSourceChange,
    /// The source diff only adds lines: nothing was wrong in place.
    OnlyAdditions,
    /// Too many lines or files: a sweep, not a focused fix.
    Sweep,
    /// Only whitespace, line breaks or quote style changed.
    WhitespaceOnly,
    /// Only comments, docstrings or strings of prose changed.
    CommentsOrProseOnly,
    /// Only version numbers changed.
    VersionOnly,
}

impl SkipReason {
    /// The reason's name in reports (`docs_only`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merge => "merge",
            Self::RevertOfRevert => "revert_of_revert",
            Self::RevertsAFix => "reverts_a_fix",
            Self::TypoOrDocsMessage => "typo_or_docs_message",
            Self::VersionBump => "version_bump",
            Self::ToolingMessage => "tooling_message",
            Self::RefactorMessage => "refactor_message",
            Self::VagueMessage => "vague_message",
            Self::DocsOnly => "docs_only",
            Self::TestsOnly => "tests_only",
            Self::NoSourceChange => "no_source_change",
            Self::OnlyAdditions => "only_additions",
            Self::Sweep => "sweep",
            Self::WhitespaceOnly => "whitespace_only",
            Self::CommentsOrProseOnly => "comments_or_prose_only",
            Self::VersionOnly => "version_only",
        }
    }
}

/// The compiled rules.
#[derive(Debug, Clone)]
pub struct NoiseRules {
    docs: GlobSet,
    tests: GlobSet,
    build: GlobSet,
    typo_words: Vec<String>,
    tooling_words: Vec<String>,
    refactor_words: Vec<String>,
    bug_words: Vec<String>,
    filler_words: Vec<String>,
    version_subject: Regex,
    merge_subject: Regex,
}

fn globs(field: &'static str, list: &[&str]) -> Result<GlobSet, MineError> {
    let mut b = GlobSetBuilder::new();
    for g in list {
        b.add(Glob::new(g).map_err(|e| MineError::Invalid {
            field,
            reason: format!("bad glob {g:?}: {e}"),
        })?);
    }
    b.build().map_err(|e| MineError::Invalid {
        field,
        reason: e.to_string(),
    })
}

/// The kind of a path by the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    Source,
    Docs,
    Test,
    Build,
}

impl NoiseRules {
    /// Rules from the given tables (the defaults are [`NoiseTables::DEFAULT`]).
    pub fn new(t: &NoiseTables<'_>) -> Result<Self, MineError> {
        let re = |field: &'static str, r: &str| {
            Regex::new(r).map_err(|e| MineError::Invalid {
                field,
                reason: e.to_string(),
            })
        };
        let lower = |list: &[&str]| list.iter().map(|w| w.to_lowercase()).collect();
        Ok(Self {
            docs: globs("docs", t.docs)?,
            tests: globs("tests", t.tests)?,
            build: globs("build", t.build)?,
            typo_words: lower(t.typo_words),
            tooling_words: lower(t.tooling_words),
            refactor_words: lower(t.refactor_words),
            bug_words: lower(t.bug_words),
            filler_words: lower(t.filler_words),
            version_subject: re("version_subject", t.version_subject)?,
            merge_subject: re("merge_subject", t.merge_subject)?,
        })
    }

    /// What `path` is: build files first, then tests, then docs; else source.
    pub fn path_kind(&self, path: &str) -> PathKind {
        if self.build.is_match(path) {
            PathKind::Build
        } else if self.tests.is_match(path) {
            PathKind::Test
        } else if self.docs.is_match(path) {
            PathKind::Docs
        } else {
            PathKind::Source
        }
    }

    /// The reason the message alone makes a commit noise, if any (a vague
    /// message is checked apart, after the paths and lines: [`Self::vague`]).
    pub fn message_skip(&self, message: &str) -> Option<SkipReason> {
        let subject = message.lines().next().unwrap_or("").trim();
        if self.merge_subject.is_match(subject) {
            return Some(SkipReason::Merge);
        }
        if let Some(reverted) = subject.strip_prefix("Revert ") {
            let reverted = reverted.trim().trim_matches('"');
            if reverted.starts_with("Revert") || reverted.starts_with("Reapply") {
                return Some(SkipReason::RevertOfRevert);
            }
            if crate::classify::fix_words(reverted)
                .0
                .iter()
                .any(|w| *w != "revert")
            {
                return Some(SkipReason::RevertsAFix);
            }
        }
        let lower = subject.to_lowercase();
        let has = |list: &[String]| {
            lower
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| list.iter().any(|t| t == w))
        };
        if has(&self.typo_words) {
            return Some(SkipReason::TypoOrDocsMessage);
        }
        if self.version_subject.is_match(subject) {
            return Some(SkipReason::VersionBump);
        }
        if has(&self.tooling_words) {
            return Some(SkipReason::ToolingMessage);
        }
        if has(&self.refactor_words) && !has(&self.bug_words) {
            return Some(SkipReason::RefactorMessage);
        }
        None
    }

    /// Whether a message is too vague to review: see [`SkipReason::VagueMessage`].
    pub fn vague(&self, message: &str) -> bool {
        if !crate::classify::issue_refs(message).is_empty() {
            return false;
        }
        let body = crate::draft::body_of(message);
        if body.split_whitespace().count() >= MIN_BODY_WORDS {
            return false;
        }
        let subject = message.lines().next().unwrap_or("").to_lowercase();
        let words = subject
            .split_whitespace()
            // File names and version numbers say where, not what.
            .filter(|t| !t.trim_end_matches('.').contains(['.', '/']))
            .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
            .filter(|w| !self.filler_words.iter().any(|f| f == w))
            .filter(|w| !crate::classify::FIX_STEMS.iter().any(|s| w.starts_with(s)))
            .count();
        words < MIN_MESSAGE_WORDS
    }

    /// The source files of a change, or why there are none.
    pub fn source_files<'a>(
        &self,
        changes: &'a [FileChange],
    ) -> Result<Vec<&'a FileChange>, SkipReason> {
        let kinds: Vec<PathKind> = changes.iter().map(|c| self.path_kind(&c.path)).collect();
        let source: Vec<&FileChange> = changes
            .iter()
            .zip(&kinds)
            .filter(|(_, k)| **k == PathKind::Source)
            .map(|(c, _)| c)
            .collect();
        if !source.is_empty() {
            return Ok(source);
        }
        Err(if kinds.iter().all(|k| *k == PathKind::Docs) {
            SkipReason::DocsOnly
        } else if kinds
            .iter()
            .all(|k| matches!(k, PathKind::Docs | PathKind::Test))
        {
            SkipReason::TestsOnly
        } else {
            SkipReason::NoSourceChange
        })
    }

    /// Screens a fix-word commit: its source files whose code changed and
    /// its classification, or why it is noise. `shape` is the whole diff's
    /// (a sweep's files are measured, not read).
    pub fn screen(
        &self,
        message: &str,
        changes: &[FileChange],
        shape: DiffShape,
    ) -> Result<(Vec<FileChange>, Classification), SkipReason> {
        if let Some(reason) = self.message_skip(message) {
            return Err(reason);
        }
        if shape.added + shape.removed > MAX_CHANGED_LINES || shape.files > MAX_FILES {
            return Err(SkipReason::Sweep);
        }
        let source = self.source_files(changes)?;
        let mut kept = Vec::new();
        let mut kinds = Vec::new();
        for file in source {
            let removed: Vec<&str> = file.removed().collect();
            let added: Vec<&str> = file.added().collect();
            let kind = change_kind(&file.path, &removed, &added);
            if kind == ChangeKind::Code {
                kept.push(file.clone());
            }
            kinds.push(kind);
        }
        if kept.is_empty() {
            return Err(if kinds.contains(&ChangeKind::Version) {
                SkipReason::VersionOnly
            } else if kinds.contains(&ChangeKind::Prose) {
                SkipReason::CommentsOrProseOnly
            } else {
                SkipReason::WhitespaceOnly
            });
        }
        if self.vague(message) {
            return Err(SkipReason::VagueMessage);
        }
        let kept_shape = DiffShape {
            files: kept.len(),
            added: kept.iter().map(|f| f.added().count()).sum(),
            removed: kept.iter().map(|f| f.removed().count()).sum(),
        };
        let class = classify(message, kept_shape);
        if !class.is_fix {
            return Err(if kept_shape.removed == 0 {
                SkipReason::OnlyAdditions
            } else {
                SkipReason::Sweep
            });
        }
        Ok((kept, class))
    }
}

impl Default for NoiseRules {
    fn default() -> Self {
        // The tables are constants tested below: compiling them cannot fail.
        Self::new(&NoiseTables::DEFAULT)
            .unwrap_or_else(|e| unreachable!("the default noise rules compile: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hunks::{Hunk, Line};

    fn change(path: &str, removed: &[&str], added: &[&str]) -> FileChange {
        let mut lines = vec![Line::Context("def f():".to_owned())];
        lines.extend(removed.iter().map(|l| Line::Removed((*l).to_owned())));
        lines.extend(added.iter().map(|l| Line::Added((*l).to_owned())));
        FileChange {
            path: path.to_owned(),
            hunks: vec![Hunk { lines }],
        }
    }

    fn shape(changes: &[FileChange]) -> DiffShape {
        DiffShape {
            files: changes.len(),
            added: changes.iter().map(|c| c.added().count()).sum(),
            removed: changes.iter().map(|c| c.removed().count()).sum(),
        }
    }

    fn screen(message: &str, changes: &[FileChange]) -> Result<Vec<String>, SkipReason> {
        NoiseRules::default()
            .screen(message, changes, shape(changes))
            .map(|(kept, _)| kept.into_iter().map(|c| c.path).collect())
    }

    const FIX: (&[&str], &[&str]) = (&["    return eval(x)"], &["    return int(x)"]);

    #[test]
    fn paths_are_sorted_into_kinds() {
        let r = NoiseRules::default();
        assert_eq!(r.path_kind("requests/models.py"), PathKind::Source);
        assert_eq!(r.path_kind("src/lib.rs"), PathKind::Source);
        assert_eq!(r.path_kind("README.md"), PathKind::Docs);
        assert_eq!(r.path_kind("docs/user/advanced.rst"), PathKind::Docs);
        assert_eq!(r.path_kind("HISTORY.rst"), PathKind::Docs);
        assert_eq!(r.path_kind("AUTHORS"), PathKind::Docs);
        assert_eq!(r.path_kind("tests/test_utils.py"), PathKind::Test);
        assert_eq!(r.path_kind("test_requests.py"), PathKind::Test);
        assert_eq!(r.path_kind("crates/x/tests/it/main.rs"), PathKind::Test);
        assert_eq!(r.path_kind("pkg/api_test.go"), PathKind::Test);
        assert_eq!(r.path_kind("setup.py"), PathKind::Build);
        assert_eq!(r.path_kind(".github/workflows/ci.yml"), PathKind::Build);
        assert_eq!(r.path_kind("requirements-dev.txt"), PathKind::Build);
        assert_eq!(r.path_kind("Cargo.lock"), PathKind::Build);
    }

    #[test]
    fn messages_that_are_noise() {
        let r = NoiseRules::default();
        let skip = |m: &str| r.message_skip(m);
        assert_eq!(
            skip("Fix typo in README"),
            Some(SkipReason::TypoOrDocsMessage)
        );
        assert_eq!(
            skip("Fixed spelling error."),
            Some(SkipReason::TypoOrDocsMessage)
        );
        assert_eq!(
            skip("Fix docs for get()"),
            Some(SkipReason::TypoOrDocsMessage)
        );
        assert_eq!(
            skip("Grammar fix (#6133)"),
            Some(SkipReason::TypoOrDocsMessage)
        );
        assert_eq!(
            skip("Bump version to 2.1 (fixes #3)"),
            Some(SkipReason::VersionBump)
        );
        assert_eq!(skip("v2.31.0"), Some(SkipReason::VersionBump));
        assert_eq!(
            skip("Revert \"Revert \"Fix the pool\"\""),
            Some(SkipReason::RevertOfRevert)
        );
        assert_eq!(
            skip("Revert \"Fix a crash in the parser\""),
            Some(SkipReason::RevertsAFix)
        );
        assert_eq!(
            skip("Merge branch 'fix-leak' into main"),
            Some(SkipReason::Merge)
        );
        assert_eq!(skip("Merge fixes"), Some(SkipReason::Merge));
        assert_eq!(
            skip("Fix the Travis build"),
            Some(SkipReason::ToolingMessage)
        );
        assert_eq!(skip("Fix a few warnings"), Some(SkipReason::ToolingMessage));
        assert_eq!(
            skip("Simplify fix for #4025"),
            Some(SkipReason::RefactorMessage)
        );
        assert_eq!(
            skip("Remove unnecessary bit from previous fix"),
            Some(SkipReason::RefactorMessage)
        );
        // A refactor that names its bug is kept.
        assert_eq!(skip("Remove unnecessary lock (fixes deadlock)"), None);
        for vague in [
            "Fix",
            "Fixes.",
            "Fix models.py",
            "Bug fix in utils.py",
            "Python 2.5 fix",
        ] {
            assert!(r.vague(vague), "{vague}");
        }
        // An issue reference or a body says enough.
        assert!(!r.vague("Fixes #20."));
        assert!(!r.vague("Fix\n\nThe pool leaked a socket per redirect."));
        assert!(!r.vague("Auth tuple fix"));
        assert!(!r.vague("Fix tried_encodings scope"));
        // Real fixes pass.
        assert_eq!(skip("Fix crash on empty header"), None);
        assert_eq!(
            skip("Revert \"Add connection reuse\" (broke proxies)"),
            None
        );
        assert_eq!(skip("Fix redirect loop; document it later"), None);
    }

    #[test]
    fn paths_only_in_docs_tests_or_build_give_no_draft() {
        let (rm, add) = FIX;
        assert_eq!(
            screen("Fix link", &[change("docs/index.rst", rm, add)]),
            Err(SkipReason::DocsOnly)
        );
        assert_eq!(
            screen(
                "Fix tests on Python 2.6",
                &[change("test_requests.py", rm, add), change("NEWS", rm, add)]
            ),
            Err(SkipReason::TestsOnly)
        );
        assert_eq!(
            screen(
                "Fix the pull request workflow",
                &[change(".github/workflows/ci.yml", rm, add)]
            ),
            Err(SkipReason::NoSourceChange)
        );
        // A real fix keeps its source file, not its test or changelog.
        assert_eq!(
            screen(
                "Fix eval of user input",
                &[
                    change("app/parse.py", rm, add),
                    change("tests/test_parse.py", rm, add),
                    change("HISTORY.rst", rm, add),
                ]
            ),
            Ok(vec!["app/parse.py".to_owned()])
        );
    }

    #[test]
    fn lines_without_code_changes_give_no_draft() {
        assert_eq!(
            screen(
                "Fix the layout",
                &[change("a.py", &["  x = 1"], &["    x = 1"])]
            ),
            Err(SkipReason::WhitespaceOnly)
        );
        assert_eq!(
            screen(
                "Fix the explanation of get()",
                &[change(
                    "a.py",
                    &["    Retruns a resposne."],
                    &["    Returns a response."]
                )]
            ),
            Err(SkipReason::CommentsOrProseOnly)
        );
        assert_eq!(
            screen(
                "Fix build number",
                &[change(
                    "pkg/__init__.py",
                    &["__build__ = 0x1"],
                    &["__build__ = 0x2"]
                )]
            ),
            Err(SkipReason::VersionOnly)
        );
        assert_eq!(
            screen(
                "Fix: accept empty values",
                &[change("a.py", &[], &["    x = 1"])]
            ),
            Err(SkipReason::OnlyAdditions)
        );
        // Of a fix with a comment tweak elsewhere, only the code file stays.
        let (rm, add) = FIX;
        assert_eq!(
            screen(
                "Fix eval of user input",
                &[
                    change("a.py", rm, add),
                    change("b.py", &["# teh note"], &["# the note"])
                ]
            ),
            Ok(vec!["a.py".to_owned()])
        );
    }

    #[test]
    fn sweeps_are_skipped_before_reading_files() {
        let big = DiffShape {
            files: MAX_FILES + 1,
            added: 10,
            removed: 10,
        };
        assert_eq!(
            NoiseRules::default()
                .screen("Fix everything", &[], big)
                .map(|_| ()),
            Err(SkipReason::Sweep)
        );
    }

    #[test]
    fn reasons_have_names() {
        assert_eq!(SkipReason::DocsOnly.as_str(), "docs_only");
        assert_eq!(
            SkipReason::CommentsOrProseOnly.as_str(),
            "comments_or_prose_only"
        );
    }
}
