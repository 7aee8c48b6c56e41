//! The `pattern_insights` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::{Tool, ToolGroup, Tools};
use ltmc_service::fix::insights::pattern_insights;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct InsightsArgs {
    /// How many of the most reused patterns to list.
    #[serde(default = "crate::args::defaults::ten")]
    #[schemars(range(min = 1, max = 1000))]
    pub top: usize,
    /// Open audited debt whose best pattern's confidence is below this is a knowledge gap (default 0.8).
    pub gap_threshold: Option<f64>,
}

/// `pattern_insights`.
pub struct PatternInsights;

impl Tool for PatternInsights {
    const NAME: &'static str = "pattern_insights";
    const DESCRIPTION: &'static str = "The weekly assessment of the fix-pattern knowledge base: most reused patterns, success rates, knowledge gaps (open audited debt with no pattern above the threshold), guardian rule hits and false-positive candidates, time saved, the review queue, applications per week.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = false;
    type Args = InsightsArgs;
    type Output = Value;

    async fn run(tools: &Tools, a: Self::Args) -> Result<Value, ToolError> {
        let i = pattern_insights(&tools.memory, &tools.project, a.top, a.gap_threshold).await?;
        serde_json::to_value(i)
            .map_err(|e| ToolError::new(format!("insights cannot be written as JSON: {e}")))
    }
}
