//! The `pattern_insights` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::{Tool, ToolGroup, Tools};
use ltmc_service::citations::{CitationSurvey, survey};
use ltmc_service::fix::insights::{Insights, pattern_insights};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct InsightsArgs {
    /// How many of the most reused patterns to list.
    #[serde(default = "crate::args::defaults::ten")]
    #[schemars(range(min = 1, max = 1000))]
    pub top: usize,
    /// Open audited debt whose best pattern's confidence is below this is a knowledge gap (default 0.8).
    pub gap_threshold: Option<f64>,
}

/// The assessment, field for field as the service computes it.
#[derive(Debug, Clone, Serialize)]
pub struct PatternInsightsOutput {
    /// Reuse, success, knowledge gaps, guardian activity, time saved.
    #[serde(flatten)]
    pub insights: Insights,
    /// How the project's citations to code stand (memories and fix patterns
    /// citing code; verified, moved, changed and missing citations).
    pub citations: CitationSurvey,
}

/// `pattern_insights`.
pub struct PatternInsights;

impl Tool for PatternInsights {
    const NAME: &'static str = "pattern_insights";
    const DESCRIPTION: &'static str = "The weekly assessment of the fix-pattern knowledge base: most reused patterns, success rates, knowledge gaps (open audited debt with no pattern above the threshold), guardian rule hits and false-positive candidates, time saved, the review queue, applications per week, and how the citations to code stand (memories and patterns citing code; verified, moved, changed, missing).";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = false;
    type Args = InsightsArgs;
    type Output = PatternInsightsOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<PatternInsightsOutput, ToolError> {
        let insights =
            pattern_insights(&tools.memory, &tools.project, a.top, a.gap_threshold).await?;
        let citations = survey(
            tools.memory.store().as_ref(),
            &tools.project,
            tools.project_root(),
        )
        .await?;
        Ok(PatternInsightsOutput {
            insights,
            citations,
        })
    }
}
