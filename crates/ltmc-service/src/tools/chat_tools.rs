//! The chat and context-link tools: `log_chat`, `store_context_links_tool`,
//! `get_context_links_for_message_tool`, `get_messages_for_chunk_tool`,
//! `get_context_usage_statistics_tool`.
//!
//! Thin: parse, one store call, shape. Not here: messages logged by the
//! retrieval tools (`memory_tools.rs`).

use super::Tools;
use super::args::{ChunkIdArgs, LogChatArgs, MessageIdArgs, NoArgs, StoreContextLinksArgs, parse};
use super::reply::{ToolError, ToolResult, non_empty};
use ltmc_core::{ChatMessage, ChunkId, MessageId, NewChatMessage};
use serde_json::{Value, json};

/// How many of the most used chunks the statistics list.
const MOST_USED_CHUNKS: usize = 10;

fn optional(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

pub(super) fn message_json(m: &ChatMessage) -> Value {
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

pub(super) async fn log_chat(tools: &Tools, args: Value) -> ToolResult {
    let a: LogChatArgs = parse(args)?;
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
                metadata: Value::Object(a.metadata.unwrap_or_default()),
            },
            &[],
        )
        .await?;
    Ok(json!({
        "message_id": message.id,
        "conversation_id": message.conversation_id,
        "timestamp": message.timestamp,
    }))
}

const IDS_HINT: &str = "message ids come from log_chat, retrieve_memory or ask_with_context; chunk ids from retrieve_memory or retrieve_by_type";

pub(super) async fn store_context_links(tools: &Tools, args: Value) -> ToolResult {
    let a: StoreContextLinksArgs = parse(args)?;
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
        .map_err(crate::ServiceError::from)
        .map_err(ToolError::not_found("message_id or chunk_ids", IDS_HINT))?;
    Ok(json!({
        "links_created": created,
        "message_id": a.message_id,
        "chunk_ids": a.chunk_ids,
    }))
}

pub(super) async fn links_for_message(tools: &Tools, args: Value) -> ToolResult {
    let a: MessageIdArgs = parse(args)?;
    let links = tools
        .memory
        .store()
        .links_of_message(&tools.project, MessageId(a.message_id))
        .await
        .map_err(crate::ServiceError::from)
        .map_err(ToolError::not_found("message_id", IDS_HINT))?;
    Ok(json!({
        "message_id": a.message_id,
        "count": links.len(),
        "links": links,
    }))
}

pub(super) async fn messages_for_chunk(tools: &Tools, args: Value) -> ToolResult {
    let a: ChunkIdArgs = parse(args)?;
    let messages = tools
        .memory
        .store()
        .messages_for_chunk(&tools.project, ChunkId(a.chunk_id))
        .await
        .map_err(crate::ServiceError::from)
        .map_err(ToolError::not_found("chunk_id", IDS_HINT))?;
    Ok(json!({
        "chunk_id": a.chunk_id,
        "count": messages.len(),
        "messages": messages.iter().map(message_json).collect::<Vec<_>>(),
    }))
}

pub(super) async fn usage_statistics(tools: &Tools, args: Value) -> ToolResult {
    let _: NoArgs = parse(args)?;
    let usage = tools
        .memory
        .store()
        .context_usage(&tools.project, MOST_USED_CHUNKS)
        .await?;
    Ok(json!({ "statistics": usage }))
}
