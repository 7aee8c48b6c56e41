//! The `list_patterns` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::fix::err;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::PatternId;
use ltmc_core::fix::{FixPattern, PatternFilter, ProblemType, Severity};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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

/// A pattern in a listing: what a reviewer scans.
#[derive(Debug, Clone, Serialize)]
pub struct PatternSummary {
    pub id: PatternId,
    pub title: String,
    pub problem_type: ProblemType,
    pub code_type: Option<String>,
    pub severity: Severity,
    /// The layers (1-7) it applies to.
    pub layers: Vec<i64>,
    pub workflows: Vec<String>,
    pub file_types: Vec<String>,
    pub tags: Vec<String>,
    /// Whether it left the review queue.
    pub reviewed: bool,
    pub applied_count: i64,
    pub success_rate: f64,
    /// Minutes saved per application, on average.
    pub avg_time_saved: i64,
    pub created_at: String,
}

impl From<&FixPattern> for PatternSummary {
    fn from(p: &FixPattern) -> Self {
        Self {
            id: p.id,
            title: p.title.clone(),
            problem_type: p.problem_type,
            code_type: p.code_type.clone(),
            severity: p.severity,
            layers: p.layers.clone(),
            workflows: p.workflows.clone(),
            file_types: p.file_types.clone(),
            tags: p.tags.clone(),
            reviewed: p.reviewed,
            applied_count: p.applied_count,
            success_rate: p.success_rate,
            avg_time_saved: p.avg_time_saved,
            created_at: p.created_at.clone(),
        }
    }
}

/// The patterns, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct ListPatternsOutput {
    pub patterns: Vec<PatternSummary>,
    /// How many.
    pub count: usize,
}

/// `list_patterns`.
pub struct ListPatterns;

impl Tool for ListPatterns {
    const NAME: &'static str = "list_patterns";
    const DESCRIPTION: &'static str = "List fix patterns newest first; filter by reviewed (false = the review queue), problem_type, layer, workflow, tag. Returns patterns, count.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = false;
    type Args = ListPatternsArgs;
    type Output = ListPatternsOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<ListPatternsOutput, ToolError> {
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
        Ok(ListPatternsOutput {
            patterns: patterns.iter().map(PatternSummary::from).collect(),
            count: patterns.len(),
        })
    }
}
