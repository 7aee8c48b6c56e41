//! Chat messages and context links: what was said in a conversation, and
//! which stored chunks each message used.
//!
//! Values only; how they are stored is each backend's business.

use crate::{ChunkId, MessageId};
use serde::{Deserialize, Serialize};

/// A message to log.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewChatMessage {
    pub conversation_id: String,
    /// Free text (`user`, `assistant`, `system`, `tool`, ...); not empty.
    pub role: String,
    pub content: String,
    pub agent_name: Option<String>,
    pub source_tool: Option<String>,
    /// A JSON object (`{}` when none; `null`, the default, is read as `{}`).
    pub metadata: serde_json::Value,
}

/// A logged message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: MessageId,
    pub conversation_id: String,
    pub role: String,
    pub content: String,
    pub agent_name: Option<String>,
    pub source_tool: Option<String>,
    pub metadata: serde_json::Value,
    /// UTC, RFC 3339.
    pub timestamp: String,
}

/// A message used this chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextLink {
    pub message_id: MessageId,
    pub chunk_id: ChunkId,
}

/// How much each chunk is used as context.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContextUsage {
    pub total_context_links: u64,
    pub unique_messages: u64,
    pub unique_chunks_used: u64,
    /// Most used first, ties by chunk id.
    pub most_used_chunks: Vec<ChunkUsage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkUsage {
    pub chunk_id: ChunkId,
    pub usage_count: u64,
}
