//! The `review_pattern` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::fix::pattern_not_found;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::PatternId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ReviewPatternArgs {
    /// The fix pattern's id.
    pub pattern_id: i64,
    /// true marks it reviewed (searchable by default), false sends it back to the review queue.
    #[serde(default = "crate::args::defaults::yes")]
    pub reviewed: bool,
    /// The reviewer's notes.
    pub reviewer_notes: Option<String>,
}

/// The pattern's review state.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewPatternOutput {
    pub pattern_id: PatternId,
    /// Whether it is searchable by default now.
    pub reviewed: bool,
    pub reviewer_notes: Option<String>,
    pub message: String,
}

/// `review_pattern`.
pub struct ReviewPattern;

impl Tool for ReviewPattern {
    const NAME: &'static str = "review_pattern";
    const DESCRIPTION: &'static str = "Mark a fix pattern reviewed (searchable by default) or send it back to the review queue, with reviewer notes.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = ReviewPatternArgs;
    type Output = ReviewPatternOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<ReviewPatternOutput, ToolError> {
        let p = tools
            .memory
            .store()
            .review_pattern(
                &tools.project,
                PatternId(a.pattern_id),
                a.reviewed,
                a.reviewer_notes,
            )
            .await
            .map_err(|e| pattern_not_found(e.into()))?;
        Ok(ReviewPatternOutput {
            pattern_id: p.id,
            reviewed: p.reviewed,
            message: format!(
                "pattern {} {}",
                p.id,
                if p.reviewed {
                    "reviewed: searchable by default"
                } else {
                    "back in the review queue"
                }
            ),
            reviewer_notes: p.reviewer_notes,
        })
    }
}
