//! Helpers shared by the chat and context-link tools: `log_chat`, `store_context_links_tool`,
//! `get_context_links_for_message_tool`, `get_messages_for_chunk_tool`,
//! `get_context_usage_statistics_tool`.
//!
//! Thin: parse, one store call, shape. Not here: messages logged by the
//! retrieval tools (`memory_tools.rs`).
//!
//! (Moved out of the per-tool files: only what more than one tool uses or what
//! shapes a shared answer: [`MessageView`].)

use crate::Tools;
use crate::shared::citations::{Checked, check_metadata};
use ltmc_core::{ChatMessage, MessageId};
use serde::Serialize;
use serde_json::Value;

/// How many of the most used chunks the statistics list.
pub(crate) const MOST_USED_CHUNKS: usize = 10;

pub(crate) fn optional(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A logged chat message as the chat tools answer it.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    pub message_id: MessageId,
    pub conversation_id: String,
    pub role: String,
    pub content: String,
    pub agent_name: Option<String>,
    pub source_tool: Option<String>,
    /// Free-form, as logged.
    pub metadata: Value,
    /// UTC, RFC 3339.
    pub timestamp: String,
    /// The message's citations to code (log_chat's), checked against the
    /// files now; `ranked_down` says why it may no longer hold.
    #[serde(flatten)]
    pub checked: Checked,
}

impl MessageView {
    /// `m` as the tools answer it, its citations checked against the files now.
    pub(crate) fn checked(tools: &Tools, m: &ChatMessage) -> Self {
        Self {
            checked: check_metadata(tools, &m.metadata),
            ..Self::from(m)
        }
    }
}

impl From<&ChatMessage> for MessageView {
    fn from(m: &ChatMessage) -> Self {
        Self {
            message_id: m.id,
            conversation_id: m.conversation_id.clone(),
            role: m.role.clone(),
            content: m.content.clone(),
            agent_name: m.agent_name.clone(),
            source_tool: m.source_tool.clone(),
            metadata: m.metadata.clone(),
            timestamp: m.timestamp.clone(),
            checked: Checked::default(),
        }
    }
}

pub(crate) const IDS_HINT: &str = "message ids come from log_chat, retrieve_memory or ask_with_context; chunk ids from retrieve_memory or retrieve_by_type";
