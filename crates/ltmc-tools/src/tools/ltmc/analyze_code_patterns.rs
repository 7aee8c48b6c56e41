//! The `analyze_code_patterns_tool` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::{AttemptFilter, present};
use ltmc_service::attempts::{AttemptAnalysis, analyze_attempts};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 22. `analyze_code_patterns_tool`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct AnalyzeCodePatternsArgs {
    /// Only attempts for this function.
    pub function_name: Option<String>,
    /// Only attempts in this file.
    pub file_name: Option<String>,
    /// Only attempts in this module.
    pub module_name: Option<String>,
    /// Analyse the attempts of the last this many days.
    #[serde(default = "crate::args::defaults::thirty")]
    #[schemars(range(min = 1, max = ltmc_service::attempts::MAX_TIME_RANGE_DAYS))]
    pub time_range_days: u32,
}

/// The filters an analysis applied.
#[derive(Debug, Clone, Serialize)]
pub struct AnalysisFilters {
    pub function_name: Option<String>,
    pub file_name: Option<String>,
    pub module_name: Option<String>,
}

/// Success rates and trends of the attempts in the time range.
#[derive(Debug, Clone, Serialize)]
pub struct AnalyzeCodePatternsOutput {
    /// Counts, success rate, average time and trends.
    #[serde(flatten)]
    pub analysis: AttemptAnalysis,
    pub time_range_days: u32,
    /// The start of the time range, UTC, RFC 3339.
    pub since: String,
    pub filters: AnalysisFilters,
}

/// `analyze_code_patterns_tool`.
pub struct AnalyzeCodePatterns;

impl Tool for AnalyzeCodePatterns {
    const NAME: &'static str = "analyze_code_patterns_tool";
    const DESCRIPTION: &'static str = "Success rates and trends of code attempts over the last time_range_days days, optionally of one function, file or module. Returns total_patterns, pass_count, fail_count, partial_count, success_rate, avg_execution_time, trends.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = AnalyzeCodePatternsArgs;
    type Output = AnalyzeCodePatternsOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<AnalyzeCodePatternsOutput, ToolError> {
        let filter = AttemptFilter {
            result: None,
            function_name: present(a.function_name),
            file_name: present(a.file_name),
            module_name: present(a.module_name),
            since: None,
        };
        let filters = AnalysisFilters {
            function_name: filter.function_name.clone(),
            file_name: filter.file_name.clone(),
            module_name: filter.module_name.clone(),
        };
        let (analysis, since) =
            analyze_attempts(&tools.memory, &tools.project, filter, a.time_range_days).await?;
        Ok(AnalyzeCodePatternsOutput {
            analysis,
            time_range_days: a.time_range_days,
            since,
            filters,
        })
    }
}
