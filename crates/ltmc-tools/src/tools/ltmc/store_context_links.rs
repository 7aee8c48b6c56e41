//! The `store_context_links_tool` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::chat::IDS_HINT;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::{ChunkId, MessageId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 12. `store_context_links_tool`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct StoreContextLinksArgs {
    /// Id of a logged chat message.
    #[schemars(range(min = 1))]
    pub message_id: i64,
    /// Ids of the stored chunks the message used.
    pub chunk_ids: Vec<i64>,
}

/// How many links were new.
#[derive(Debug, Clone, Serialize)]
pub struct StoreContextLinksOutput {
    /// Links not stored before.
    pub links_created: usize,
    pub message_id: i64,
    pub chunk_ids: Vec<i64>,
}

/// `store_context_links_tool`.
pub struct StoreContextLinks;

impl Tool for StoreContextLinks {
    const NAME: &'static str = "store_context_links_tool";
    const DESCRIPTION: &'static str = "Record that a chat message used stored chunks as context. Unknown ids are errors. Returns links_created, message_id.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = true;
    type Args = StoreContextLinksArgs;
    type Output = StoreContextLinksOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<StoreContextLinksOutput, ToolError> {
        if a.chunk_ids.is_empty() {
            return Err(ToolError::new(
                "chunk_ids is empty; give the ids of the chunks the message used",
            ));
        }
        let chunks: Vec<ChunkId> = a.chunk_ids.iter().copied().map(ChunkId).collect();
        let created = tools
            .memory
            .store()
            .link_context(&tools.project, MessageId(a.message_id), &chunks)
            .await
            .map_err(ltmc_service::ServiceError::from)
            .map_err(ToolError::not_found("message_id or chunk_ids", IDS_HINT))?;
        Ok(StoreContextLinksOutput {
            links_created: created,
            message_id: a.message_id,
            chunk_ids: a.chunk_ids,
        })
    }
}
