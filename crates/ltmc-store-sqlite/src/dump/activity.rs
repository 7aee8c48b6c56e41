//! The activity tables of a SQLite dump: chat messages and their context
//! links, todos, graph edges, code attempts and the links between them. The
//! todos' FTS5 index follows the rows by its triggers. Not the
//! orchestration or the other table families (see `dump`).

use super::{json, json_text, rows, ts};
use crate::error::Result;
use ltmc_store::{
    AttemptLinkRecord, ChatMessageRecord, CodeAttemptRecord, ContextLinkRecord, Dump,
    GraphEdgeRecord, TodoRecord,
};
use rusqlite::{Connection, params};

/// Reads chats, context links, todos, graph edges and code attempts into
/// `dump`.
pub(super) fn export(conn: &Connection, dump: &mut Dump) -> Result<()> {
    dump.chat_messages = rows(
        conn,
        &format!(
            "SELECT id, project, conversation_id, role, content, agent_name, source_tool, \
             metadata, {} FROM chat_messages ORDER BY id",
            ts("timestamp")
        ),
        |row| {
            Ok(ChatMessageRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                conversation_id: row.get(2)?,
                role: row.get(3)?,
                content: row.get(4)?,
                agent_name: row.get(5)?,
                source_tool: row.get(6)?,
                metadata: json(row, 7)?,
                created_at: row.get(8)?,
            })
        },
    )?;

    dump.context_links = rows(
        conn,
        "SELECT message_id, chunk_id, project FROM context_links ORDER BY message_id, chunk_id",
        |row| {
            Ok(ContextLinkRecord {
                message_id: row.get(0)?,
                chunk_id: row.get(1)?,
                project: row.get(2)?,
            })
        },
    )?;

    dump.todos = rows(
        conn,
        &format!(
            "SELECT id, project, title, description, priority, completed, {}, {} \
             FROM todos ORDER BY id",
            ts("created_at"),
            ts("completed_at")
        ),
        |row| {
            Ok(TodoRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                title: row.get(2)?,
                description: row.get(3)?,
                priority: row.get(4)?,
                completed: row.get(5)?,
                created_at: row.get(6)?,
                completed_at: row.get(7)?,
            })
        },
    )?;

    dump.graph_edges = rows(
        conn,
        &format!(
            "SELECT id, project, source, target, relation, properties, {} \
             FROM graph_edges ORDER BY id",
            ts("created_at")
        ),
        |row| {
            Ok(GraphEdgeRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                source: row.get(2)?,
                target: row.get(3)?,
                relation: row.get(4)?,
                properties: json(row, 5)?,
                created_at: row.get(6)?,
            })
        },
    )?;

    dump.code_attempts = rows(
        conn,
        &format!(
            "SELECT id, project, resource_id, input_prompt, generated_code, result, \
             function_name, file_name, module_name, execution_time_ms, error_message, tags, {} \
             FROM code_attempts ORDER BY id",
            ts("created_at")
        ),
        |row| {
            Ok(CodeAttemptRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                resource_id: row.get(2)?,
                input_prompt: row.get(3)?,
                generated_code: row.get(4)?,
                result: row.get(5)?,
                function_name: row.get(6)?,
                file_name: row.get(7)?,
                module_name: row.get(8)?,
                execution_time_ms: row.get(9)?,
                error_message: row.get(10)?,
                tags: json(row, 11)?,
                created_at: row.get(12)?,
            })
        },
    )?;

    dump.attempt_links = rows(
        conn,
        "SELECT attempt_id, related_id, kind, similarity FROM attempt_links",
        |row| {
            Ok(AttemptLinkRecord {
                attempt_id: row.get(0)?,
                related_id: row.get(1)?,
                kind: row.get(2)?,
                similarity: row.get(3)?,
            })
        },
    )?;
    Ok(())
}

/// Writes chats, context links, todos, graph edges and code attempts, ids
/// kept.
pub(super) fn import(conn: &Connection, dump: &Dump) -> Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO chat_messages (id, project, conversation_id, role, content, agent_name, \
         source_tool, metadata, timestamp) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for m in &dump.chat_messages {
        stmt.execute(params![
            m.id,
            m.project,
            m.conversation_id,
            m.role,
            m.content,
            m.agent_name,
            m.source_tool,
            json_text(&m.metadata)?,
            m.created_at
        ])?;
    }
    let mut stmt = conn
        .prepare("INSERT INTO context_links (message_id, chunk_id, project) VALUES (?1, ?2, ?3)")?;
    for l in &dump.context_links {
        stmt.execute(params![l.message_id, l.chunk_id, l.project])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO todos (id, project, title, description, priority, completed, created_at, \
         completed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for t in &dump.todos {
        stmt.execute(params![
            t.id,
            t.project,
            t.title,
            t.description,
            t.priority,
            t.completed,
            t.created_at,
            t.completed_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO graph_edges (id, project, source, target, relation, properties, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for e in &dump.graph_edges {
        stmt.execute(params![
            e.id,
            e.project,
            e.source,
            e.target,
            e.relation,
            json_text(&e.properties)?,
            e.created_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO code_attempts (id, project, resource_id, input_prompt, generated_code, \
         result, function_name, file_name, module_name, execution_time_ms, error_message, tags, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for a in &dump.code_attempts {
        stmt.execute(params![
            a.id,
            a.project,
            a.resource_id,
            a.input_prompt,
            a.generated_code,
            a.result,
            a.function_name,
            a.file_name,
            a.module_name,
            a.execution_time_ms,
            a.error_message,
            json_text(&a.tags)?,
            a.created_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO attempt_links (attempt_id, related_id, kind, similarity) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for l in &dump.attempt_links {
        stmt.execute(params![l.attempt_id, l.related_id, l.kind, l.similarity])?;
    }
    Ok(())
}
