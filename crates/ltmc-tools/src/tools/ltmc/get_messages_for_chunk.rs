//! The `get_messages_for_chunk_tool` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::chat::{IDS_HINT, MessageView};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::ChunkId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 14. `get_messages_for_chunk_tool`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ChunkIdArgs {
    /// Id of a stored chunk.
    #[schemars(range(min = 1))]
    pub chunk_id: i64,
}

/// The messages that used a chunk.
#[derive(Debug, Clone, Serialize)]
pub struct GetMessagesForChunkOutput {
    pub chunk_id: i64,
    /// How many.
    pub count: usize,
    pub messages: Vec<MessageView>,
}

/// `get_messages_for_chunk_tool`.
pub struct GetMessagesForChunk;

impl Tool for GetMessagesForChunk {
    const NAME: &'static str = "get_messages_for_chunk_tool";
    const DESCRIPTION: &'static str = "The chat messages that used a stored chunk as context, oldest first. Returns messages [{message_id, conversation_id, role, content, timestamp, citations?, citation_status?, ranked_down?}], count; a message's citations (log_chat's) are checked against the files now.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = ChunkIdArgs;
    type Output = GetMessagesForChunkOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<GetMessagesForChunkOutput, ToolError> {
        let messages = tools
            .memory
            .store()
            .messages_for_chunk(&tools.project, ChunkId(a.chunk_id))
            .await
            .map_err(ltmc_service::ServiceError::from)
            .map_err(ToolError::not_found("chunk_id", IDS_HINT))?;
        Ok(GetMessagesForChunkOutput {
            chunk_id: a.chunk_id,
            count: messages.len(),
            messages: messages
                .iter()
                .map(|m| MessageView::checked(tools, m))
                .collect(),
        })
    }
}
