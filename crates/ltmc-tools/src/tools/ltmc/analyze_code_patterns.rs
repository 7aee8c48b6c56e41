//! The `analyze_code_patterns_tool` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::{AttemptFilter, present};
use ltmc_service::attempts::analyze_attempts;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

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

/// `analyze_code_patterns_tool`.
pub struct AnalyzeCodePatterns;

impl Tool for AnalyzeCodePatterns {
    const NAME: &'static str = "analyze_code_patterns_tool";
    const DESCRIPTION: &'static str = "Success rates and trends of code attempts over the last time_range_days days, optionally of one function, file or module. Returns total_patterns, pass_count, fail_count, partial_count, success_rate, avg_execution_time, trends.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = AnalyzeCodePatternsArgs;
    type Output = Value;

    async fn run(tools: &Tools, a: Self::Args) -> Result<Value, ToolError> {
        let filter = AttemptFilter {
            result: None,
            function_name: present(a.function_name),
            file_name: present(a.file_name),
            module_name: present(a.module_name),
            since: None,
        };
        let filters = json!({
            "function_name": filter.function_name,
            "file_name": filter.file_name,
            "module_name": filter.module_name,
        });
        let (analysis, since) =
            analyze_attempts(&tools.memory, &tools.project, filter, a.time_range_days).await?;
        let mut out = serde_json::to_value(&analysis)
            .map_err(|e| ToolError::new(format!("could not encode the analysis: {e}")))?;
        out["time_range_days"] = json!(a.time_range_days);
        out["since"] = json!(since);
        out["filters"] = filters;
        Ok(out)
    }
}
