//! The `log_chat` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::{ToolError, non_empty};
use crate::shared::chat::optional;
use crate::shared::citations::{self, CitationArg};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::citation::{Citation, METADATA_KEY, metadata_of};
use ltmc_core::{MessageId, NewChatMessage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// 3. `log_chat`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct LogChatArgs {
    /// Conversation the message belongs to.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub conversation_id: String,
    /// Who spoke: "user", "assistant", "system", "tool", ...
    pub role: String,
    /// The message text.
    pub content: String,
    /// Name of the agent that wrote the message.
    pub agent_name: Option<String>,
    /// Free-form JSON object stored with the message.
    pub metadata: Option<Map<String, Value>>,
    /// Tool that produced the message.
    pub source_tool: Option<String>,
    /// Spans of files under the project root the message is about; stored
    /// with a hash of the cited lines (in the message's metadata under
    /// "citations") and checked whenever the message is read back.
    #[serde(default)]
    pub citations: Vec<CitationArg>,
}

/// The logged message's id and time.
#[derive(Debug, Clone, Serialize)]
pub struct LogChatOutput {
    pub message_id: MessageId,
    pub conversation_id: String,
    /// UTC, RFC 3339.
    pub timestamp: String,
    /// The citations stored, each with the hash of its lines and the commit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
}

/// `log_chat`.
pub struct LogChat;

impl Tool for LogChat {
    const NAME: &'static str = "log_chat";
    const DESCRIPTION: &'static str = "Log a chat message in a conversation. Optional citations name the code it is about (spans of files under the project root); get_messages_for_chunk checks them. Returns message_id.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = true;
    type Args = LogChatArgs;
    type Output = LogChatOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<LogChatOutput, ToolError> {
        let conversation_id = non_empty(
            "conversation_id",
            &a.conversation_id,
            "give the conversation the message belongs to",
        )?;
        let role = non_empty(
            "role",
            &a.role,
            "use e.g. \"user\", \"assistant\", \"system\" or \"tool\"",
        )?;
        if a.content.trim().is_empty() {
            return Err(ToolError::new("content is empty; there is nothing to log"));
        }
        let citations = citations::make(tools, &a.citations)?;
        let mut metadata = a.metadata.unwrap_or_default();
        if !citations.is_empty() {
            if metadata.contains_key(METADATA_KEY) {
                return Err(ToolError::new(
                    "metadata.citations is reserved for the citations argument; give the spans as citations [{path, start_line, end_line}] or rename the metadata key",
                ));
            }
            metadata.insert(
                METADATA_KEY.to_owned(),
                metadata_of(&citations)[METADATA_KEY].take(),
            );
        }
        let message = tools
            .memory
            .store()
            .log_message(
                &tools.project,
                NewChatMessage {
                    conversation_id: conversation_id.to_owned(),
                    role: role.to_owned(),
                    content: a.content,
                    agent_name: optional(a.agent_name),
                    source_tool: optional(a.source_tool),
                    metadata: Value::Object(metadata),
                },
                &[],
            )
            .await?;
        Ok(LogChatOutput {
            message_id: message.id,
            conversation_id: message.conversation_id,
            timestamp: message.timestamp,
            citations,
        })
    }
}
