//! The storage trait of mining fix patterns from a repository's git history
//! (issue 17 item 3): where mining a repository got to, the drafts of a run
//! saved together with that state, and the tombstones rejected drafts leave.
//!
//! A mined draft is an ordinary unreviewed fix pattern (`PatternStore`) plus
//! a row that says where it came from: its repository, its folding key (the
//! hash of its normalised removed and added lines, which `ltmc-mine`
//! computes) and the commits it was found in. That row is a table of its
//! own, indexed by folding key and by commit, rather than a reuse of the
//! seed's `dart_task_ids`: commit ids are not task ids, and "which pattern
//! came from commit X" and "was this change mined before" must be index
//! look-ups. Rejecting a pattern deletes it (with the rules made from it)
//! and leaves a tombstone of its folding key, so mining never brings it back.
//!
//! The dump records of the three mining tables (`ltmc migrate-store` copies
//! them) are here too, beside the types they mirror.
//!
//! Not here: reading git, folding, inference, embedding (`ltmc-mine`, the
//! service).

use crate::StoreError;
use async_trait::async_trait;
use ltmc_core::fix::{NewFixPattern, NewGuardianRule, PatternEmbeddings};
use ltmc_core::{PatternId, Project};
use serde::{Deserialize, Serialize};

/// Where mining one repository got to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiningState {
    /// The repository's identity (its root commit id, so that a moved clone
    /// is the same repository).
    pub repo_id: String,
    /// Where it was last mined from (for people; not an identity).
    pub repo_path: String,
    /// The newest commit of the last completed run; the next run stops there.
    pub last_commit: String,
    /// The older history a run limited in commits left to mine, as git
    /// revision arguments: commit ids to walk from and `^id` to stop at
    /// (exclusive). Empty when everything below `last_commit` was mined.
    pub resume: Vec<String>,
    /// Completed runs.
    pub runs: i64,
    /// Drafts saved by all runs together.
    pub drafts_saved: i64,
    /// RFC 3339 UTC.
    pub updated_at: String,
}

/// One draft of a run: a pattern with its embeddings and proposed rules, and
/// where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct MinedDraft {
    pub pattern: NewFixPattern,
    pub embeddings: PatternEmbeddings,
    /// Stored with the pattern as the source of each (as `put_pattern` does).
    pub rules: Vec<NewGuardianRule>,
    /// Non-empty; equal keys are the same change.
    pub fold_key: String,
    /// Full commit ids the change was found in, newest first; non-empty.
    pub commits: Vec<String>,
}

/// A completed run: the repository, the newest commit it mined and its drafts.
#[derive(Debug, Clone, PartialEq)]
pub struct MiningRun {
    pub repo_id: String,
    pub repo_path: String,
    pub last_commit: String,
    /// The older history left after this run ([`MiningState::resume`]);
    /// replaces the stored one.
    pub resume: Vec<String>,
    pub drafts: Vec<MinedDraft>,
}

/// What [`MiningStore::save_mining_run`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedRun {
    /// The patterns created, in the order of the run's drafts.
    pub created: Vec<PatternId>,
    /// Drafts left out because their key has a tombstone.
    pub tombstoned: usize,
    /// Drafts left out because a mined pattern with their key exists.
    pub already_mined: usize,
    pub state: MiningState,
}

/// A rejected draft's key, which mining must not bring back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub fold_key: String,
    /// The title of the rejected pattern, for people.
    pub title: String,
    pub reason: Option<String>,
    /// RFC 3339 UTC.
    pub rejected_at: String,
}

/// Mining state, mined drafts and tombstones, per project.
#[async_trait]
pub trait MiningStore: Send + Sync {
    /// The state of `repo_id`, if it was ever mined in this project.
    async fn mining_state(
        &self,
        project: &Project,
        repo_id: &str,
    ) -> Result<Option<MiningState>, StoreError>;

    /// Saves the run's drafts and advances the repository's state in ONE
    /// transaction: after a crash either both are there or neither. A draft
    /// whose key has a tombstone, or whose key a mined pattern of the project
    /// already has, is left out (counted), not an error. Every draft is
    /// checked (pattern, dimensions, rules, key, commits) before anything is
    /// written; one bad draft writes nothing.
    async fn save_mining_run(
        &self,
        project: &Project,
        run: MiningRun,
    ) -> Result<SavedRun, StoreError>;

    /// Rejects a pattern: deletes it and the guardian rules made from it and
    /// records a tombstone of its folding key (a pattern that was not mined
    /// gets the key `pattern:<id>`), in one transaction. An unknown id is
    /// `NotFound`.
    async fn reject_pattern(
        &self,
        project: &Project,
        id: PatternId,
        reason: Option<String>,
    ) -> Result<Tombstone, StoreError>;

    /// The mining key and commits of a pattern, if it was mined.
    async fn pattern_source(
        &self,
        project: &Project,
        id: PatternId,
    ) -> Result<Option<(String, Vec<String>)>, StoreError>;

    /// Every tombstone of the project, newest first.
    async fn tombstones(&self, project: &Project) -> Result<Vec<Tombstone>, StoreError>;
}

/// The stored form of a resume point: its arguments joined by spaces.
pub fn resume_text(resume: &[String]) -> String {
    resume.join(" ")
}

/// A resume point from its stored form.
pub fn resume_of(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// Checks a run before a backend writes it: names the field that is wrong.
pub fn check_run(run: &MiningRun) -> Result<(), StoreError> {
    use crate::validate::invalid;
    if run.repo_id.trim().is_empty() {
        return Err(invalid(
            "repo_id",
            "is empty; give the repository's root commit id",
        ));
    }
    if run.last_commit.trim().is_empty() {
        return Err(invalid(
            "last_commit",
            "is empty; give the newest mined commit id",
        ));
    }
    if let Some(bad) = run.resume.iter().find(|r| {
        let id = r.strip_prefix('^').unwrap_or(r);
        id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit())
    }) {
        return Err(invalid(
            "resume",
            format!("{bad:?} is no commit id; give hex commit ids, `^id` for a stop"),
        ));
    }
    for (i, d) in run.drafts.iter().enumerate() {
        if d.fold_key.trim().is_empty() {
            return Err(invalid("fold_key", format!("draft {i}: is empty")));
        }
        if d.commits.is_empty() || d.commits.iter().any(|c| c.trim().is_empty()) {
            return Err(invalid(
                "commits",
                format!("draft {i}: give at least one commit id, none empty"),
            ));
        }
    }
    Ok(())
}

/// A row of `mining_state` in a [`crate::Dump`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiningStateRecord {
    pub project: String,
    pub repo_id: String,
    pub repo_path: String,
    pub last_commit: String,
    /// Absent in dumps written before migration 0008: none left.
    #[serde(default)]
    pub resume: Vec<String>,
    pub runs: i64,
    pub drafts_saved: i64,
    pub updated_at: String,
}

/// A row of `mined_pattern_sources` in a [`crate::Dump`] (the per-commit
/// rows are derived from `commits` by the target).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinedSourceRecord {
    pub pattern_id: i64,
    pub project: String,
    pub repo_id: String,
    pub fold_key: String,
    pub commits: Vec<String>,
}

/// A row of `mining_tombstones` in a [`crate::Dump`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TombstoneRecord {
    pub project: String,
    pub fold_key: String,
    pub title: String,
    pub reason: Option<String>,
    pub rejected_at: String,
}

impl crate::dump::Keyed for MiningStateRecord {
    type Key = (String, String);
    fn key(&self) -> (String, String) {
        (self.project.clone(), self.repo_id.clone())
    }
}

impl crate::dump::Keyed for MinedSourceRecord {
    type Key = i64;
    fn key(&self) -> i64 {
        self.pattern_id
    }
}

impl crate::dump::Keyed for TombstoneRecord {
    type Key = (String, String);
    fn key(&self) -> (String, String) {
        (self.project.clone(), self.fold_key.clone())
    }
}
