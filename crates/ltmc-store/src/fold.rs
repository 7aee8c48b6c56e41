//! Folds: a near-duplicate memory taken out of search into the one it
//! repeats, reversibly (issue 22, item 3). [`FoldStore`] is what a backend
//! does; the records it speaks.
//!
//! A fold keeps the folded resource's row (id, content, metadata, hash, so
//! `get_resource` still answers and storing the same text again finds it)
//! and moves its chunks, their vectors and the chat context links to them
//! into the fold's own row; search no longer sees it. Unfolding puts them
//! back (new chunk and vector ids, the same ordinals, bytes, texts, vectors
//! and links). Nothing is deleted. Not here: deciding what is a near
//! duplicate (ltmc-service's `dedupe`).

use crate::StoreError;
use async_trait::async_trait;
use ltmc_core::{CoreError, Project, ResourceId};
use serde::{Deserialize, Serialize};

/// Why a resource was folded into another: the evidence the decision read.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FoldEvidence {
    /// Cosine similarity of the two memories' embeddings.
    pub similarity: f64,
    /// Their text overlap, 0..1.
    pub overlap: f64,
}

impl FoldEvidence {
    /// Both figures in 0..1 (a cosine below 0 is no reason to fold).
    pub fn checked(self) -> Result<Self, StoreError> {
        for (field, value) in [("similarity", self.similarity), ("overlap", self.overlap)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(StoreError::Invalid(CoreError::invalid(
                    field,
                    format!("is {value}; give a number from 0 to 1"),
                )));
            }
        }
        Ok(self)
    }
}

/// One fold: `folded` is out of search, kept whole in the fold, and
/// `kept` stands for both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fold {
    pub project: Project,
    pub kept: ResourceId,
    pub folded: ResourceId,
    pub similarity: f64,
    pub overlap: f64,
    /// How many chunks the folded resource had (and gets back on unfold).
    pub chunk_count: usize,
    /// UTC, RFC 3339.
    pub folded_at: String,
}

/// Folding near-duplicate resources into the one they repeat, and back.
#[async_trait]
pub trait FoldStore: Send + Sync {
    /// Folds `folded` into `kept`, in one transaction: `folded`'s chunks,
    /// vectors and context links move into the fold (out of vector and
    /// keyword search), its row stays with `chunk_count` 0. Unknown ids are
    /// `NotFound`; folding a resource into itself, into a folded resource, a
    /// resource that is already folded or one `kept` is folded into, or a
    /// code attempt's resource is `Invalid`, naming the argument.
    async fn fold_resource(
        &self,
        project: &Project,
        kept: ResourceId,
        folded: ResourceId,
        evidence: FoldEvidence,
    ) -> Result<Fold, StoreError>;

    /// Undoes the fold of `folded`, in one transaction: its chunks (same
    /// ordinals, bytes, texts and vectors; new ids), its `chunk_count` and
    /// the context links of messages that still exist come back, and the
    /// fold is gone. A resource that is not folded is `NotFound` (entity
    /// "fold").
    async fn unfold_resource(
        &self,
        project: &Project,
        folded: ResourceId,
    ) -> Result<Fold, StoreError>;

    /// The project's folds, newest first. (`delete_resource` of a resource
    /// others are folded into is `Conflict`, [`keeps_folds`].)
    async fn list_folds(&self, project: &Project) -> Result<Vec<Fold>, StoreError>;
}

/// What a backend reads about the two resources before a fold, for
/// [`check_fold`].
#[derive(Debug, Clone, PartialEq)]
pub struct FoldParty {
    pub id: ResourceId,
    pub resource_type: String,
    /// The resource it is folded into, if it is folded.
    pub folded_into: Option<ResourceId>,
    /// Whether other resources are folded into it.
    pub keeps_others: bool,
}

/// The rules of a fold every backend applies, in one place: not into
/// itself, no chains (a folded resource neither folds again nor keeps), no
/// code attempts (their resource belongs to the attempt).
pub fn check_fold(kept: &FoldParty, folded: &FoldParty) -> Result<(), StoreError> {
    let invalid = |field: &'static str, reason: String| {
        Err(StoreError::Invalid(CoreError::invalid(field, reason)))
    };
    if kept.id == folded.id {
        return invalid(
            "folded",
            format!(
                "is the kept resource {}; fold a resource into another",
                kept.id
            ),
        );
    }
    for (field, party) in [("kept", kept), ("folded", folded)] {
        if party.resource_type == ltmc_core::CODE_ATTEMPT_TYPE {
            return invalid(
                field,
                format!(
                    "resource {} is a code attempt's; only memories fold",
                    party.id
                ),
            );
        }
    }
    if let Some(into) = folded.folded_into {
        return invalid(
            "folded",
            format!(
                "resource {} is already folded into {into}; unfold it first",
                folded.id
            ),
        );
    }
    if let Some(into) = kept.folded_into {
        return invalid(
            "kept",
            format!(
                "resource {} is folded into {into}; fold into {into} instead",
                kept.id
            ),
        );
    }
    if folded.keeps_others {
        return invalid(
            "folded",
            format!(
                "other resources are folded into {}; keep it, or unfold them first",
                folded.id
            ),
        );
    }
    Ok(())
}

/// The refusal to delete a resource others are folded into: deleting it
/// would lose what they hold, and nothing is deleted by folding.
pub fn keeps_folds(id: ResourceId, folded: &[i64]) -> StoreError {
    let list: Vec<String> = folded.iter().map(i64::to_string).collect();
    StoreError::Conflict(format!(
        "resource {id} keeps folded resource(s) {}; unfold them first (ltmc memory unfold ID)",
        list.join(", ")
    ))
}

/// The refusal to copy a store that holds folds: a dump does not carry them
/// yet, and a copy without them would lose the folded resources' chunks.
pub fn folds_not_copied(folds: u64) -> StoreError {
    StoreError::Conflict(format!(
        "this store holds {folds} fold(s) of near-duplicate memories, which a copy does not carry yet; \
         unfold them first (`ltmc memory folds`, then `ltmc memory unfold ID`)"
    ))
}
