//! The `merge_patterns` tool (patterns group): merges one pattern into
//! another (relationships, applications, rules, audits, mined commits and
//! metrics carried over), in one transaction.
//!
//! Not here: the transaction (`ltmc_store::ReviewStore::merge_patterns`) or
//! the JSON boundary (`crate::registry`).

use super::list_patterns::PatternSummary;
use crate::error::ToolError;
use crate::shared::fix::pattern_not_found;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::PatternId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct MergePatternsArgs {
    /// The pattern that stays.
    pub into_pattern_id: i64,
    /// The pattern merged into it and deleted.
    pub from_pattern_id: i64,
    /// A note kept in the kept pattern's reviewer notes.
    pub reviewer_notes: Option<String>,
}

/// The kept pattern and what moved to it.
#[derive(Debug, Clone, Serialize)]
pub struct MergePatternsOutput {
    pub pattern: PatternSummary,
    pub confidence_score: f64,
    pub reviewer_notes: Option<String>,
    pub removed_pattern_id: PatternId,
    pub relationships_moved: u64,
    pub applications_moved: u64,
    pub rules_moved: u64,
    pub audits_moved: u64,
    pub commits_moved: u64,
    pub message: String,
}

/// `merge_patterns`.
pub struct MergePatterns;

impl Tool for MergePatterns {
    const NAME: &'static str = "merge_patterns";
    const DESCRIPTION: &'static str = "Merge two fix patterns that describe the same fix: from_pattern_id goes into into_pattern_id and is deleted. Its relationships, applications, guardian rules, audits and mined commits move over; lists are unioned and metrics combined (applications counted together, success rate, time saved and confidence weighted by applications); all in one transaction. Returns pattern, removed_pattern_id and the counts moved.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = MergePatternsArgs;
    type Output = MergePatternsOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<MergePatternsOutput, ToolError> {
        let m = tools
            .memory
            .store()
            .merge_patterns(
                &tools.project,
                PatternId(a.into_pattern_id),
                PatternId(a.from_pattern_id),
                a.reviewer_notes,
            )
            .await
            .map_err(|e| pattern_not_found(e.into()))?;
        Ok(MergePatternsOutput {
            message: format!(
                "pattern {} merged into {} \"{}\": {} relationship(s), {} application(s), {} rule(s), {} audit(s), {} commit(s) moved",
                m.removed,
                m.pattern.id,
                m.pattern.title,
                m.relationships_moved,
                m.applications_moved,
                m.rules_moved,
                m.audits_moved,
                m.commits_moved
            ),
            pattern: PatternSummary::from(&m.pattern),
            confidence_score: m.pattern.confidence_score,
            reviewer_notes: m.pattern.reviewer_notes,
            removed_pattern_id: m.removed,
            relationships_moved: m.relationships_moved,
            applications_moved: m.applications_moved,
            rules_moved: m.rules_moved,
            audits_moved: m.audits_moved,
            commits_moved: m.commits_moved,
        })
    }
}
