//! The `reject_pattern` tool (patterns group): rejects a pattern (a mined
//! draft or any other), deleting it with the rules made from it and leaving
//! a tombstone, so that mining never brings it back.
//!
//! Not here: the transaction (`ltmc_store::MiningStore::reject_pattern`) or
//! the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::fix::pattern_not_found;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::PatternId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct RejectPatternArgs {
    /// The fix pattern's id.
    pub pattern_id: i64,
    /// Why it is rejected (kept with the tombstone).
    pub reason: Option<String>,
}

/// The tombstone left behind.
#[derive(Debug, Clone, Serialize)]
pub struct RejectPatternOutput {
    pub pattern_id: PatternId,
    pub title: String,
    /// The key mining will not bring back (`pattern:<id>` for a pattern that was not mined).
    pub fold_key: String,
    pub reason: Option<String>,
    pub rejected_at: String,
    pub message: String,
}

/// `reject_pattern`.
pub struct RejectPattern;

impl Tool for RejectPattern {
    const NAME: &'static str = "reject_pattern";
    const DESCRIPTION: &'static str = "Reject a fix pattern (usually a draft from the review queue): it is deleted with the guardian rules made from it, in one transaction, and a tombstone of its change is kept so mining git history never brings it back. Returns pattern_id, title, fold_key, reason, rejected_at.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = RejectPatternArgs;
    type Output = RejectPatternOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<RejectPatternOutput, ToolError> {
        let t = tools
            .memory
            .store()
            .reject_pattern(&tools.project, PatternId(a.pattern_id), a.reason)
            .await
            .map_err(|e| pattern_not_found(e.into()))?;
        Ok(RejectPatternOutput {
            pattern_id: PatternId(a.pattern_id),
            message: format!(
                "pattern {} \"{}\" rejected; mining will not bring it back",
                a.pattern_id, t.title
            ),
            title: t.title,
            fold_key: t.fold_key,
            reason: t.reason,
            rejected_at: t.rejected_at,
        })
    }
}
