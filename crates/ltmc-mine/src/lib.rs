//! ltmc-mine: fix patterns mined from a repository's git history (issue 17
//! item 3). A team's fixes already exist in its history; this crate finds
//! the fix commits, turns each into an unreviewed draft pattern (problem
//! from the message, before/after code from the hunks, inferred type,
//! severity and tags), folds the same change made in several files or
//! commits into one draft, proposes guardian rules from removed lines that
//! recur across fixes (inactive until reviewed), and saves the drafts with
//! their embeddings together with where mining got to, so the next run
//! reads only new commits and a rejected draft never comes back.
//!
//! Where the commit ids go: not into the seed's `dart_task_ids` (the issue
//! ids a message references go there: they are tracker task ids), but into
//! a dedicated, indexed source table beside the pattern
//! (`ltmc_store::MiningStore`: `mined_pattern_sources` with the folding key
//! and the commits). Reusing `dart_task_ids` would mix two kinds of id in
//! one column and make "was this change mined already" a scan of JSON text;
//! the table makes it an index look-up and goes with the pattern when the
//! pattern is deleted.
//!
//! The parts: `classify` (which commits are fixes), `noise` and `prose`
//! (which fix-word commits are noise, and why), `hunks` (bounded code
//! of a draft), `fold` (folding keys), `rules` (rule proposals), `layers`
//! (the path-to-layer map), `draft` (drafts and folding) are pure and unit
//! tested; `git` walks the history with git2; `run` is the use case. Not
//! here: the CLI (`ltmc patterns mine`), storage (the backends).

pub mod classify;
pub mod draft;
pub mod fold;
pub mod git;
pub mod hunks;
pub mod layers;
pub mod noise;
pub mod prose;
pub mod rules;
mod run;

pub use run::{DraftPreview, MineOptions, MineReport, mine};

use ltmc_service::ServiceError;
use ltmc_store::StoreError;

/// What mining can fail with.
#[derive(Debug, thiserror::Error)]
pub enum MineError {
    /// Input refused; names the field and the accepted forms.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// libgit2 could not read the repository.
    #[error("git: {0}")]
    Git(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
