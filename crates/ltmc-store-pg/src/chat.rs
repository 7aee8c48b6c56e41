//! Chat messages and context links: [`ChatStore`] for [`PgStore`].
//!
//! A message is a row of `chat_messages`; a context link (`context_links`,
//! migration 0002) says a message used a stored chunk. A write is one
//! transaction (a batch of messages one for all, each written by the same
//! code as a single message) that checks every id it names before writing
//! what names it (and locks those rows `FOR KEY SHARE`, so a document deleted
//! by another server meanwhile waits instead of failing the write), so an
//! unknown message or chunk is `NotFound` with nothing written. A link dies
//! with its chunk (the cascade from a deleted resource) or its message. Reads
//! that must tell "unknown" from "none" do it in one statement (a `LEFT JOIN`
//! from the record), so they see one snapshot.
//!
//! Not here: choosing which chunks to link (the service's retrieval) and any
//! summarising of conversations.

use crate::error::{Result, corrupt, not_found};
use crate::resources::batch_item;
use crate::{PgStore, checks};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::{
    ChatMessage, ChunkId, ChunkUsage, ContextLink, ContextUsage, MessageId, NewChatMessage, Project,
};
use ltmc_store::validate::{self, sql_limit};
use ltmc_store::{ChatStore, StoreError};
use std::collections::HashSet;
use tokio_postgres::Row;

#[async_trait]
impl ChatStore for PgStore {
    async fn log_message(
        &self,
        project: &Project,
        message: NewChatMessage,
        context: &[ChunkId],
    ) -> Result<ChatMessage, StoreError> {
        self.log(project, &message, context)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn log_messages(
        &self,
        project: &Project,
        messages: Vec<(NewChatMessage, Vec<ChunkId>)>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        self.log_all(project, &messages)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn get_message(
        &self,
        project: &Project,
        id: MessageId,
    ) -> Result<ChatMessage, StoreError> {
        async {
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {MESSAGE_COLUMNS} FROM chat_messages m WHERE m.id = $1 AND m.project = $2"
                ))
                .await?;
            let row = client
                .query_opt(&stmt, &[&id.0, &project.as_str()])
                .await?
                .ok_or_else(|| not_found("message", id, project))?;
            message_from_row(&row)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn conversation(
        &self,
        project: &Project,
        conversation_id: &str,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        if conversation_id.contains('\0') {
            // No stored conversation id holds a NUL (PostgreSQL cannot).
            return Ok(Vec::new());
        }
        async {
            let client = self.client().await?;
            // The latest `limit`, turned back to oldest first.
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT * FROM (SELECT {MESSAGE_COLUMNS} FROM chat_messages m \
                     WHERE m.project = $1 AND m.conversation_id = $2 ORDER BY m.id DESC LIMIT $3) \
                     AS latest ORDER BY id"
                ))
                .await?;
            let rows = client
                .query(
                    &stmt,
                    &[&project.as_str(), &conversation_id, &sql_limit(limit)],
                )
                .await?;
            rows.iter()
                .map(message_from_row)
                .collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn link_context(
        &self,
        project: &Project,
        message: MessageId,
        chunks: &[ChunkId],
    ) -> Result<usize, StoreError> {
        self.link(project, message, chunks)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn links_of_message(
        &self,
        project: &Project,
        message: MessageId,
    ) -> Result<Vec<ContextLink>, StoreError> {
        async {
            let client = self.client().await?;
            // One row with a NULL chunk for a message without links, none
            // for an unknown message.
            let stmt = client
                .prepare_cached(
                    "SELECT l.chunk_id FROM chat_messages m \
                     LEFT JOIN context_links l ON l.message_id = m.id \
                     WHERE m.id = $1 AND m.project = $2 ORDER BY l.chunk_id",
                )
                .await?;
            let rows = client
                .query(&stmt, &[&message.0, &project.as_str()])
                .await?;
            if rows.is_empty() {
                return Err(not_found("message", message, project));
            }
            let mut links = Vec::with_capacity(rows.len());
            for row in &rows {
                if let Some(chunk) = row.try_get::<_, Option<i64>>(0)? {
                    links.push(ContextLink {
                        message_id: message,
                        chunk_id: ChunkId(chunk),
                    });
                }
            }
            Ok(links)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn messages_for_chunk(
        &self,
        project: &Project,
        chunk: ChunkId,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        async {
            let client = self.client().await?;
            // The chunk's row first (none: unknown chunk), then its users;
            // a chunk nobody used gives one row of NULLs.
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {MESSAGE_COLUMNS} FROM chunks c \
                     LEFT JOIN context_links l ON l.chunk_id = c.id \
                     LEFT JOIN chat_messages m ON m.id = l.message_id AND m.project = c.project \
                     WHERE c.id = $1 AND c.project = $2 ORDER BY m.id"
                ))
                .await?;
            let rows = client.query(&stmt, &[&chunk.0, &project.as_str()]).await?;
            if rows.is_empty() {
                return Err(not_found("chunk", chunk, project));
            }
            let mut messages = Vec::with_capacity(rows.len());
            for row in &rows {
                if row.try_get::<_, Option<i64>>(0)?.is_some() {
                    messages.push(message_from_row(row)?);
                }
            }
            Ok(messages)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn context_usage(
        &self,
        project: &Project,
        top: usize,
    ) -> Result<ContextUsage, StoreError> {
        self.usage(project, top).await.map_err(|e| self.fail(e))
    }
}

impl PgStore {
    async fn log(
        &self,
        project: &Project,
        message: &NewChatMessage,
        context: &[ChunkId],
    ) -> Result<ChatMessage> {
        let metadata = checked(message)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let stored = log_in(&tx, project, message, &metadata, context).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// [`PgStore::log`] of every message in one transaction, all checked
    /// before it begins.
    async fn log_all(
        &self,
        project: &Project,
        messages: &[(NewChatMessage, Vec<ChunkId>)],
    ) -> Result<Vec<ChatMessage>> {
        let metadata = messages
            .iter()
            .enumerate()
            .map(|(i, (message, _))| checked(message).map_err(|err| batch_item(i, err)))
            .collect::<Result<Vec<_>>>()?;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let mut stored = Vec::with_capacity(messages.len());
        for ((message, context), metadata) in messages.iter().zip(&metadata) {
            stored.push(log_in(&tx, project, message, metadata, context).await?);
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn link(
        &self,
        project: &Project,
        message: MessageId,
        chunks: &[ChunkId],
    ) -> Result<usize> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let exists = tx
            .prepare_cached(
                "SELECT 1 FROM chat_messages WHERE id = $1 AND project = $2 FOR KEY SHARE",
            )
            .await?;
        if tx
            .query_opt(&exists, &[&message.0, &project.as_str()])
            .await?
            .is_none()
        {
            return Err(not_found("message", message, project));
        }
        check_chunks(&tx, project, chunks).await?;
        let created = insert_links(&tx, project, message, chunks).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn usage(&self, project: &Project, top: usize) -> Result<ContextUsage> {
        let client = self.client().await?;
        // One statement, so the counts and the ranking see one snapshot. The
        // totals row is always there; the ranking joins it (none: NULLs).
        let stmt = client
            .prepare_cached(
                "WITH l AS (SELECT message_id, chunk_id FROM context_links WHERE project = $1), \
                 totals AS (SELECT count(*) AS links, count(DISTINCT message_id) AS messages, \
                            count(DISTINCT chunk_id) AS chunks FROM l), \
                 ranked AS (SELECT chunk_id, count(*) AS uses FROM l GROUP BY chunk_id \
                            ORDER BY uses DESC, chunk_id LIMIT $2) \
                 SELECT t.links, t.messages, t.chunks, r.chunk_id, r.uses \
                 FROM totals t LEFT JOIN ranked r ON true \
                 ORDER BY r.uses DESC, r.chunk_id",
            )
            .await?;
        let rows = client
            .query(&stmt, &[&project.as_str(), &sql_limit(top)])
            .await?;
        let first = rows
            .first()
            .ok_or_else(|| corrupt("the context usage query returned no row"))?;
        let mut usage = ContextUsage {
            total_context_links: count(first, 0)?,
            unique_messages: count(first, 1)?,
            unique_chunks_used: count(first, 2)?,
            most_used_chunks: Vec::with_capacity(rows.len()),
        };
        for row in &rows {
            if let Some(chunk) = row.try_get::<_, Option<i64>>(3)? {
                usage.most_used_chunks.push(ChunkUsage {
                    chunk_id: ChunkId(chunk),
                    usage_count: count(row, 4)?,
                });
            }
        }
        Ok(usage)
    }
}

/// The checks of a message, before any SQL runs; its metadata as stored.
fn checked(message: &NewChatMessage) -> Result<serde_json::Value> {
    validate::check_message(message)?;
    checks::message(message)?;
    checks::json_object("metadata", &message.metadata)
}

/// A checked message and its links, inside the caller's transaction; an
/// unknown context chunk is `NotFound` (the caller's transaction then rolls
/// back).
async fn log_in(
    tx: &impl GenericClient,
    project: &Project,
    message: &NewChatMessage,
    metadata: &serde_json::Value,
    context: &[ChunkId],
) -> Result<ChatMessage> {
    check_chunks(tx, project, context).await?;
    let insert = tx
        .prepare_cached(&format!(
            "INSERT INTO chat_messages AS m \
             (project, conversation_id, role, content, agent_name, source_tool, metadata) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {MESSAGE_COLUMNS}"
        ))
        .await?;
    let row = tx
        .query_one(
            &insert,
            &[
                &project.as_str(),
                &message.conversation_id,
                &message.role,
                &message.content,
                &message.agent_name,
                &message.source_tool,
                metadata,
            ],
        )
        .await?;
    let stored = message_from_row(&row)?;
    insert_links(tx, project, stored.id, context).await?;
    Ok(stored)
}

/// Every chunk is one of this project's, else `NotFound` naming the first
/// (in the caller's order) that is not. The chunks are locked against
/// deletion until the transaction ends.
async fn check_chunks(
    client: &impl GenericClient,
    project: &Project,
    chunks: &[ChunkId],
) -> Result<()> {
    if chunks.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = chunks.iter().map(|c| c.0).collect();
    let stmt = client
        .prepare_cached(
            "SELECT id FROM chunks WHERE id = ANY($1) AND project = $2 ORDER BY id FOR KEY SHARE",
        )
        .await?;
    let rows = client.query(&stmt, &[&ids, &project.as_str()]).await?;
    let found = rows
        .iter()
        .map(|row| row.try_get::<_, i64>(0))
        .collect::<Result<HashSet<i64>, _>>()?;
    match chunks.iter().find(|c| !found.contains(&c.0)) {
        Some(&missing) => Err(not_found("chunk", missing, project)),
        None => Ok(()),
    }
}

/// Links the message to the chunks (checked by the caller); an existing link,
/// or one given twice, is kept once. Returns how many are new.
async fn insert_links(
    client: &impl GenericClient,
    project: &Project,
    message: MessageId,
    chunks: &[ChunkId],
) -> Result<usize> {
    if chunks.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = chunks.iter().map(|c| c.0).collect();
    let stmt = client
        .prepare_cached(
            "INSERT INTO context_links (message_id, chunk_id, project) \
             SELECT $1, chunk, $3 FROM unnest($2::bigint[]) AS chunk \
             ON CONFLICT DO NOTHING",
        )
        .await?;
    let created = client
        .execute(&stmt, &[&message.0, &ids, &project.as_str()])
        .await?;
    usize::try_from(created).map_err(|_| corrupt(format!("{created} links inserted")))
}

/// The columns [`message_from_row`] reads, in order, of `chat_messages`
/// aliased `m`.
const MESSAGE_COLUMNS: &str = "m.id, m.conversation_id, m.role, m.content, m.agent_name, \
                               m.source_tool, m.metadata, ltmc_ts(m.created_at) AS created";

fn message_from_row(row: &Row) -> Result<ChatMessage> {
    Ok(ChatMessage {
        id: MessageId(row.try_get(0)?),
        conversation_id: row.try_get(1)?,
        role: row.try_get(2)?,
        content: row.try_get(3)?,
        agent_name: row.try_get(4)?,
        source_tool: row.try_get(5)?,
        metadata: row.try_get(6)?,
        timestamp: row.try_get(7)?,
    })
}

/// A `count(*)` column as the count it is.
fn count(row: &Row, column: usize) -> Result<u64> {
    let n: i64 = row.try_get(column)?;
    u64::try_from(n).map_err(|_| corrupt(format!("a count of {n}")))
}
