//! The `list_patterns` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::fix::{err, pattern_summary};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::fix::{PatternFilter, ProblemType};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ListPatternsArgs {
    /// Only reviewed (true) or unreviewed (false, the review queue) patterns.
    pub reviewed: Option<bool>,
    /// Only this problem type: Security, Architecture, Standards, UI-UX.
    pub problem_type: Option<String>,
    /// Only patterns of this layer (1-7).
    pub layer: Option<i64>,
    /// Only patterns of this workflow.
    pub workflow: Option<String>,
    /// Only patterns with this tag.
    pub tag: Option<String>,
    /// At most this many, newest first.
    #[serde(default = "crate::args::defaults::fifty")]
    #[schemars(range(min = 1, max = 100_000))]
    pub limit: usize,
}

/// `list_patterns`.
pub struct ListPatterns;

impl Tool for ListPatterns {
    const NAME: &'static str = "list_patterns";
    const DESCRIPTION: &'static str = "List fix patterns newest first; filter by reviewed (false = the review queue), problem_type, layer, workflow, tag. Returns patterns, count.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = false;
    type Args = ListPatternsArgs;
    type Output = Value;

    async fn run(tools: &Tools, a: Self::Args) -> Result<Value, ToolError> {
        let problem_type = a
            .problem_type
            .as_deref()
            .map(|p| ProblemType::parse("problem_type", p))
            .transpose()
            .map_err(err)?;
        let patterns = tools
            .memory
            .store()
            .list_patterns(
                &tools.project,
                &PatternFilter {
                    reviewed: a.reviewed,
                    problem_type,
                    layer: a.layer,
                    workflow: a.workflow,
                    tag: a.tag,
                    limit: Some(a.limit),
                },
            )
            .await?;
        Ok(json!({
            "patterns": patterns.iter().map(pattern_summary).collect::<Vec<_>>(),
            "count": patterns.len(),
        }))
    }
}
