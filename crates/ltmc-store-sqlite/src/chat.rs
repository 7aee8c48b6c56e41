//! Chat messages and context links: [`ChatStore`] for [`SqliteStore`].
//!
//! A message is a row of `chat_messages`; a context link (`context_links`,
//! migration 0004) says a message used a stored chunk. Writes are single
//! `BEGIN IMMEDIATE` transactions that check every id they name before
//! writing what names it, so an unknown message or chunk is `NotFound` with
//! nothing written (a batch of messages is one transaction for all, each
//! written by the same code as a single message). A link dies with its chunk
//! (the cascade from a deleted resource) or its message. Not here: choosing
//! which chunks to link (the service's retrieval) and any summarising of
//! conversations.

use crate::error::{Result, not_found};
use crate::resources::bad_value;
use crate::{SqliteStore, store::State};
use async_trait::async_trait;
use ltmc_core::{
    ChatMessage, ChunkId, ChunkUsage, ContextLink, ContextUsage, MessageId, NewChatMessage, Project,
};
use ltmc_store::validate::{self, json_object, sql_limit};
use ltmc_store::{ChatStore, StoreError};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

#[async_trait]
impl ChatStore for SqliteStore {
    async fn log_message(
        &self,
        project: &Project,
        message: NewChatMessage,
        context: &[ChunkId],
    ) -> Result<ChatMessage, StoreError> {
        let project = project.clone();
        let context = context.to_vec();
        self.call(move |state, _| log(state, &project, &message, &context))
            .await
    }

    async fn log_messages(
        &self,
        project: &Project,
        messages: Vec<(NewChatMessage, Vec<ChunkId>)>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let project = project.clone();
        self.call(move |state, _| log_all(state, &project, &messages))
            .await
    }

    async fn get_message(
        &self,
        project: &Project,
        id: MessageId,
    ) -> Result<ChatMessage, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            message(&state.conn, &project, id)?.ok_or_else(|| not_found("message", id, &project))
        })
        .await
    }

    async fn conversation(
        &self,
        project: &Project,
        conversation_id: &str,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let project = project.clone();
        let conversation_id = conversation_id.to_owned();
        self.call(move |state, _| {
            // The latest `limit`, turned back to oldest first.
            let mut stmt = state.conn.prepare_cached(&format!(
                "SELECT * FROM (SELECT {MESSAGE_COLUMNS} FROM chat_messages \
                 WHERE project = ?1 AND conversation_id = ?2 ORDER BY id DESC LIMIT ?3) \
                 ORDER BY id"
            ))?;
            let rows = stmt.query_map(
                params![project.as_str(), conversation_id, sql_limit(limit)],
                message_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn link_context(
        &self,
        project: &Project,
        message: MessageId,
        chunks: &[ChunkId],
    ) -> Result<usize, StoreError> {
        let project = project.clone();
        let chunks = chunks.to_vec();
        self.call(move |state, _| {
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            if !message_exists(&tx, &project, message)? {
                return Err(not_found("message", message, &project));
            }
            check_chunks(&tx, &project, &chunks)?;
            let created = insert_links(&tx, &project, message, &chunks)?;
            tx.commit()?;
            Ok(created)
        })
        .await
    }

    async fn links_of_message(
        &self,
        project: &Project,
        message: MessageId,
    ) -> Result<Vec<ContextLink>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let tx = state.conn.transaction()?;
            if !message_exists(&tx, &project, message)? {
                return Err(not_found("message", message, &project));
            }
            let links = {
                let mut stmt = tx.prepare_cached(
                    "SELECT chunk_id FROM context_links WHERE message_id = ?1 ORDER BY chunk_id",
                )?;
                let rows = stmt.query_map([message.0], |row| {
                    Ok(ContextLink {
                        message_id: message,
                        chunk_id: ChunkId(row.get(0)?),
                    })
                })?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            tx.commit()?;
            Ok(links)
        })
        .await
    }

    async fn messages_for_chunk(
        &self,
        project: &Project,
        chunk: ChunkId,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let tx = state.conn.transaction()?;
            check_chunks(&tx, &project, &[chunk])?;
            let messages = {
                let mut stmt = tx.prepare_cached(&format!(
                    "SELECT {MESSAGE_COLUMNS} FROM chat_messages WHERE project = ?2 AND id IN \
                     (SELECT message_id FROM context_links WHERE chunk_id = ?1) ORDER BY id"
                ))?;
                let rows = stmt.query_map(params![chunk.0, project.as_str()], message_from_row)?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            tx.commit()?;
            Ok(messages)
        })
        .await
    }

    async fn context_usage(
        &self,
        project: &Project,
        top: usize,
    ) -> Result<ContextUsage, StoreError> {
        let project = project.clone();
        self.call(move |state, _| usage(&mut state.conn, &project, top))
            .await
    }
}

fn log(
    state: &mut State,
    project: &Project,
    message: &NewChatMessage,
    context: &[ChunkId],
) -> Result<ChatMessage> {
    let metadata = checked(message)?;
    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let stored = log_in(&tx, project, message, &metadata, context)?;
    tx.commit()?;
    Ok(stored)
}

/// [`log`] of every message in one transaction, all checked before it begins.
fn log_all(
    state: &mut State,
    project: &Project,
    messages: &[(NewChatMessage, Vec<ChunkId>)],
) -> Result<Vec<ChatMessage>> {
    let metadata = messages
        .iter()
        .enumerate()
        .map(|(i, (message, _))| checked(message).map_err(|err| err.in_batch_item(i)))
        .collect::<Result<Vec<_>, _>>()?;
    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut stored = Vec::with_capacity(messages.len());
    for ((message, context), metadata) in messages.iter().zip(&metadata) {
        stored.push(log_in(&tx, project, message, metadata, context)?);
    }
    tx.commit()?;
    Ok(stored)
}

/// The checks of a message, before any SQL runs; its metadata as stored.
fn checked(message: &NewChatMessage) -> Result<String, StoreError> {
    validate::check_message(message)?;
    Ok(json_object("metadata", &message.metadata)?.to_string())
}

/// A checked message and its links, inside the caller's write transaction;
/// an unknown context chunk is `NotFound` (the caller's transaction then
/// rolls back).
fn log_in(
    tx: &Connection,
    project: &Project,
    message: &NewChatMessage,
    metadata: &str,
    context: &[ChunkId],
) -> Result<ChatMessage> {
    check_chunks(tx, project, context)?;
    let stored = tx.query_row(
        &format!(
            "INSERT INTO chat_messages \
             (project, conversation_id, role, content, agent_name, source_tool, metadata) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING {MESSAGE_COLUMNS}"
        ),
        params![
            project.as_str(),
            message.conversation_id,
            message.role,
            message.content,
            message.agent_name,
            message.source_tool,
            metadata
        ],
        message_from_row,
    )?;
    insert_links(tx, project, stored.id, context)?;
    Ok(stored)
}

fn usage(conn: &mut Connection, project: &Project, top: usize) -> Result<ContextUsage> {
    let tx = conn.transaction()?;
    let (total, messages, chunks): (u64, u64, u64) = tx.query_row(
        "SELECT count(*), count(DISTINCT message_id), count(DISTINCT chunk_id) \
         FROM context_links WHERE project = ?1",
        [project.as_str()],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let most_used = {
        let mut stmt = tx.prepare_cached(
            "SELECT chunk_id, count(*) AS uses FROM context_links WHERE project = ?1 \
             GROUP BY chunk_id ORDER BY uses DESC, chunk_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![project.as_str(), sql_limit(top)], |row| {
            Ok(ChunkUsage {
                chunk_id: ChunkId(row.get(0)?),
                usage_count: row.get(1)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    tx.commit()?;
    Ok(ContextUsage {
        total_context_links: total,
        unique_messages: messages,
        unique_chunks_used: chunks,
        most_used_chunks: most_used,
    })
}

/// Every chunk is one of this project's, else `NotFound` naming the first
/// that is not.
fn check_chunks(conn: &Connection, project: &Project, chunks: &[ChunkId]) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM chunks WHERE id = ?1 AND project = ?2)")?;
    for &chunk in chunks {
        let exists: bool = stmt.query_row(params![chunk.0, project.as_str()], |row| row.get(0))?;
        if !exists {
            return Err(not_found("chunk", chunk, project));
        }
    }
    Ok(())
}

/// Links the message to the chunks (checked by the caller); an existing link
/// is kept once. Returns how many are new.
fn insert_links(
    conn: &Connection,
    project: &Project,
    message: MessageId,
    chunks: &[ChunkId],
) -> Result<usize> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO context_links (message_id, chunk_id, project) VALUES (?1, ?2, ?3) \
         ON CONFLICT DO NOTHING",
    )?;
    let mut created = 0;
    for chunk in chunks {
        created += stmt.execute(params![message.0, chunk.0, project.as_str()])?;
    }
    Ok(created)
}

fn message_exists(conn: &Connection, project: &Project, id: MessageId) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM chat_messages WHERE id = ?1 AND project = ?2)",
        params![id.0, project.as_str()],
        |row| row.get(0),
    )?)
}

fn message(conn: &Connection, project: &Project, id: MessageId) -> Result<Option<ChatMessage>> {
    Ok(conn
        .query_row(
            &format!("SELECT {MESSAGE_COLUMNS} FROM chat_messages WHERE id = ?1 AND project = ?2"),
            params![id.0, project.as_str()],
            message_from_row,
        )
        .optional()?)
}

/// The columns [`message_from_row`] reads, in order (unqualified, so that
/// `RETURNING` can name them too).
const MESSAGE_COLUMNS: &str =
    "id, conversation_id, role, content, agent_name, source_tool, metadata, timestamp";

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<ChatMessage> {
    let metadata: String = row.get(6)?;
    Ok(ChatMessage {
        id: MessageId(row.get(0)?),
        conversation_id: row.get(1)?,
        role: row.get(2)?,
        content: row.get(3)?,
        agent_name: row.get(4)?,
        source_tool: row.get(5)?,
        metadata: serde_json::from_str(&metadata).map_err(|err| bad_value(6, err))?,
        timestamp: row.get(7)?,
    })
}
