//! The activity tables of a PostgreSQL dump: chat messages and their
//! context links, todos, graph edges, code attempts and the links between
//! them. Not the orchestration or the other table families (see `dump`).

use super::rows;
use crate::error::Result;
use deadpool_postgres::GenericClient;
use ltmc_store::{
    AttemptLinkRecord, ChatMessageRecord, CodeAttemptRecord, ContextLinkRecord, Dump,
    GraphEdgeRecord, TodoRecord,
};

/// Reads chats, context links, todos, graph edges and code attempts into
/// `dump`.
pub(super) async fn export(tx: &impl GenericClient, dump: &mut Dump) -> Result<()> {
    dump.chat_messages = rows(
        tx,
        "SELECT id, project, conversation_id, role, content, agent_name, source_tool, metadata, \
         ltmc_ts(created_at) FROM chat_messages ORDER BY id",
        |row| {
            Ok(ChatMessageRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                conversation_id: row.try_get(2)?,
                role: row.try_get(3)?,
                content: row.try_get(4)?,
                agent_name: row.try_get(5)?,
                source_tool: row.try_get(6)?,
                metadata: row.try_get(7)?,
                created_at: row.try_get(8)?,
            })
        },
    )
    .await?;

    dump.context_links = rows(
        tx,
        "SELECT message_id, chunk_id, project FROM context_links",
        |row| {
            Ok(ContextLinkRecord {
                message_id: row.try_get(0)?,
                chunk_id: row.try_get(1)?,
                project: row.try_get(2)?,
            })
        },
    )
    .await?;

    dump.todos = rows(
        tx,
        "SELECT id, project, title, description, priority, completed, ltmc_ts(created_at), \
         ltmc_ts(completed_at) FROM todos ORDER BY id",
        |row| {
            Ok(TodoRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                title: row.try_get(2)?,
                description: row.try_get(3)?,
                priority: row.try_get(4)?,
                completed: row.try_get(5)?,
                created_at: row.try_get(6)?,
                completed_at: row.try_get(7)?,
            })
        },
    )
    .await?;

    dump.graph_edges = rows(
        tx,
        "SELECT id, project, source, target, relation, properties, ltmc_ts(created_at) \
         FROM graph_edges ORDER BY id",
        |row| {
            Ok(GraphEdgeRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                source: row.try_get(2)?,
                target: row.try_get(3)?,
                relation: row.try_get(4)?,
                properties: row.try_get(5)?,
                created_at: row.try_get(6)?,
            })
        },
    )
    .await?;

    dump.code_attempts = rows(
        tx,
        "SELECT id, project, resource_id, input_prompt, generated_code, result, function_name, \
         file_name, module_name, execution_time_ms, error_message, tags, ltmc_ts(created_at) \
         FROM code_attempts ORDER BY id",
        |row| {
            Ok(CodeAttemptRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                resource_id: row.try_get(2)?,
                input_prompt: row.try_get(3)?,
                generated_code: row.try_get(4)?,
                result: row.try_get(5)?,
                function_name: row.try_get(6)?,
                file_name: row.try_get(7)?,
                module_name: row.try_get(8)?,
                execution_time_ms: row.try_get(9)?,
                error_message: row.try_get(10)?,
                tags: row.try_get(11)?,
                created_at: row.try_get(12)?,
            })
        },
    )
    .await?;

    dump.attempt_links = rows(
        tx,
        "SELECT attempt_id, related_id, kind, similarity::float8 FROM attempt_links",
        |row| {
            Ok(AttemptLinkRecord {
                attempt_id: row.try_get(0)?,
                related_id: row.try_get(1)?,
                kind: row.try_get(2)?,
                similarity: row.try_get(3)?,
            })
        },
    )
    .await?;
    Ok(())
}

/// Writes chats, context links, todos, graph edges and code attempts, ids
/// kept.
pub(super) async fn import(tx: &impl GenericClient, dump: &Dump) -> Result<()> {
    let stmt = tx
        .prepare(
            "INSERT INTO chat_messages (id, project, conversation_id, role, content, agent_name, \
             source_tool, metadata, created_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::text::timestamptz)",
        )
        .await?;
    for m in &dump.chat_messages {
        tx.execute(
            &stmt,
            &[
                &m.id,
                &m.project,
                &m.conversation_id,
                &m.role,
                &m.content,
                &m.agent_name,
                &m.source_tool,
                &m.metadata,
                &m.created_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare("INSERT INTO context_links (message_id, chunk_id, project) VALUES ($1, $2, $3)")
        .await?;
    for l in &dump.context_links {
        tx.execute(&stmt, &[&l.message_id, &l.chunk_id, &l.project])
            .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO todos (id, project, title, description, priority, completed, \
             created_at, completed_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7::text::timestamptz, $8::text::timestamptz)",
        )
        .await?;
    for t in &dump.todos {
        tx.execute(
            &stmt,
            &[
                &t.id,
                &t.project,
                &t.title,
                &t.description,
                &t.priority,
                &t.completed,
                &t.created_at,
                &t.completed_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO graph_edges (id, project, source, target, relation, properties, \
             created_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text::timestamptz)",
        )
        .await?;
    for e in &dump.graph_edges {
        tx.execute(
            &stmt,
            &[
                &e.id,
                &e.project,
                &e.source,
                &e.target,
                &e.relation,
                &e.properties,
                &e.created_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO code_attempts (id, project, resource_id, input_prompt, generated_code, \
             result, function_name, file_name, module_name, execution_time_ms, error_message, \
             tags, created_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text[], \
                     $13::text::timestamptz)",
        )
        .await?;
    for a in &dump.code_attempts {
        tx.execute(
            &stmt,
            &[
                &a.id,
                &a.project,
                &a.resource_id,
                &a.input_prompt,
                &a.generated_code,
                &a.result,
                &a.function_name,
                &a.file_name,
                &a.module_name,
                &a.execution_time_ms,
                &a.error_message,
                &a.tags,
                &a.created_at,
            ],
        )
        .await?;
    }
    // similarity is `real`: the f64 narrows back to the f32 it came from.
    let stmt = tx
        .prepare(
            "INSERT INTO attempt_links (attempt_id, related_id, kind, similarity) \
             VALUES ($1, $2, $3, $4::float8)",
        )
        .await?;
    for l in &dump.attempt_links {
        tx.execute(
            &stmt,
            &[&l.attempt_id, &l.related_id, &l.kind, &l.similarity],
        )
        .await?;
    }
    Ok(())
}
