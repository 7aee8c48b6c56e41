//! The `get_context_links_for_message_tool` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::chat::IDS_HINT;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::{ContextLink, MessageId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 13. `get_context_links_for_message_tool`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct MessageIdArgs {
    /// Id of a logged chat message.
    #[schemars(range(min = 1))]
    pub message_id: i64,
}

/// The chunks a message used.
#[derive(Debug, Clone, Serialize)]
pub struct GetContextLinksForMessageOutput {
    pub message_id: i64,
    /// How many.
    pub count: usize,
    pub links: Vec<ContextLink>,
}

/// `get_context_links_for_message_tool`.
pub struct GetContextLinksForMessage;

impl Tool for GetContextLinksForMessage {
    const NAME: &'static str = "get_context_links_for_message_tool";
    const DESCRIPTION: &'static str =
        "The chunks a chat message used as context. Returns links [{message_id, chunk_id}], count.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = MessageIdArgs;
    type Output = GetContextLinksForMessageOutput;

    async fn run(
        tools: &Tools,
        a: Self::Args,
    ) -> Result<GetContextLinksForMessageOutput, ToolError> {
        let links = tools
            .memory
            .store()
            .links_of_message(&tools.project, MessageId(a.message_id))
            .await
            .map_err(ltmc_service::ServiceError::from)
            .map_err(ToolError::not_found("message_id", IDS_HINT))?;
        Ok(GetContextLinksForMessageOutput {
            message_id: a.message_id,
            count: links.len(),
            links,
        })
    }
}
