//! Helpers shared by the chat and context-link tools: `log_chat`, `store_context_links_tool`,
//! `get_context_links_for_message_tool`, `get_messages_for_chunk_tool`,
//! `get_context_usage_statistics_tool`.
//!
//! Thin: parse, one store call, shape. Not here: messages logged by the
//! retrieval tools (`memory_tools.rs`).
//!
//! (Moved out of the per-tool files: only what more than one tool uses or what
//! shapes a shared answer.)

use ltmc_core::ChatMessage;
use serde_json::{Value, json};

/// How many of the most used chunks the statistics list.
pub(crate) const MOST_USED_CHUNKS: usize = 10;

pub(crate) fn optional(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

pub(crate) fn message_json(m: &ChatMessage) -> Value {
    json!({
        "message_id": m.id,
        "conversation_id": m.conversation_id,
        "role": m.role,
        "content": m.content,
        "agent_name": m.agent_name,
        "source_tool": m.source_tool,
        "metadata": m.metadata,
        "timestamp": m.timestamp,
    })
}

pub(crate) const IDS_HINT: &str = "message ids come from log_chat, retrieve_memory or ask_with_context; chunk ids from retrieve_memory or retrieve_by_type";
