//! The `get_context_usage_statistics_tool` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::chat::MOST_USED_CHUNKS;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::ContextUsage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 15. `get_context_usage_statistics_tool`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct NoArgs {}

/// How much each chunk is used as context.
#[derive(Debug, Clone, Serialize)]
pub struct GetContextUsageStatisticsOutput {
    pub statistics: ContextUsage,
}

/// `get_context_usage_statistics_tool`.
pub struct GetContextUsageStatistics;

impl Tool for GetContextUsageStatistics {
    const NAME: &'static str = "get_context_usage_statistics_tool";
    const DESCRIPTION: &'static str = "How stored chunks are used as context. Returns statistics {total_context_links, unique_messages, unique_chunks_used, most_used_chunks [{chunk_id, usage_count}]}.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = NoArgs;
    type Output = GetContextUsageStatisticsOutput;

    async fn run(
        tools: &Tools,
        _args: Self::Args,
    ) -> Result<GetContextUsageStatisticsOutput, ToolError> {
        let usage = tools
            .memory
            .store()
            .context_usage(&tools.project, MOST_USED_CHUNKS)
            .await?;
        Ok(GetContextUsageStatisticsOutput { statistics: usage })
    }
}
