//! The document tables of a SQLite dump: resources, and chunks with their
//! vectors (one `vectors` row per chunk, under the chunk's vector id). The
//! FTS5 index follows the chunk rows by its triggers. Not the orchestration
//! or the other table families (see `dump`).

use super::{json, json_text, rows, ts, vector};
use crate::blob;
use crate::error::Result;
use ltmc_store::{ChunkRecord, Dump, ResourceRecord};
use rusqlite::{Connection, params};

/// Reads resources and chunks (with their vectors) into `dump`.
pub(super) fn export(conn: &Connection, dimension: Option<usize>, dump: &mut Dump) -> Result<()> {
    dump.resources = rows(
        conn,
        &format!(
            "SELECT id, project, file_name, resource_type, content_hash, content, chunk_count, \
             {}, metadata FROM resources ORDER BY id",
            ts("created_at")
        ),
        |row| {
            Ok(ResourceRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                file_name: row.get(2)?,
                resource_type: row.get(3)?,
                content_hash: row.get(4)?,
                content: row.get(5)?,
                chunk_count: row.get(6)?,
                created_at: row.get(7)?,
                metadata: json(row, 8)?,
            })
        },
    )?;

    let chunks = rows(
        conn,
        "SELECT c.id, c.resource_id, c.project, c.ordinal, c.start_byte, c.end_byte, c.text, \
         c.vector_id, v.embedding FROM chunks c \
         LEFT JOIN vectors v ON v.chunk_id = c.id AND v.vector_id = c.vector_id ORDER BY c.id",
        |row| {
            let chunk = ChunkRecord {
                id: row.get(0)?,
                resource_id: row.get(1)?,
                project: row.get(2)?,
                ordinal: row.get(3)?,
                start_byte: row.get(4)?,
                end_byte: row.get(5)?,
                text: row.get(6)?,
                vector_id: row.get(7)?,
                vector: Vec::new(),
            };
            Ok((chunk, row.get::<_, Option<Vec<u8>>>(8)?))
        },
    )?;
    dump.chunks = chunks
        .into_iter()
        .map(|(mut chunk, bytes)| {
            chunk.vector = vector(bytes, dimension, &format!("chunk {}", chunk.id))?;
            Ok(chunk)
        })
        .collect::<Result<_>>()?;
    Ok(())
}

/// Writes resources and chunks with their vectors, ids kept.
pub(super) fn import(conn: &Connection, dump: &Dump) -> Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO resources (id, project, file_name, resource_type, content_hash, content, \
         chunk_count, created_at, metadata) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for r in &dump.resources {
        stmt.execute(params![
            r.id,
            r.project,
            r.file_name,
            r.resource_type,
            r.content_hash,
            r.content,
            r.chunk_count,
            r.created_at,
            json_text(&r.metadata)?
        ])?;
    }
    let mut chunk = conn.prepare(
        "INSERT INTO chunks (id, resource_id, project, ordinal, start_byte, end_byte, text, \
         vector_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut vector = conn.prepare(
        "INSERT INTO vectors (vector_id, chunk_id, project, embedding) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for c in &dump.chunks {
        chunk.execute(params![
            c.id,
            c.resource_id,
            c.project,
            c.ordinal,
            c.start_byte,
            c.end_byte,
            c.text,
            c.vector_id
        ])?;
        vector.execute(params![
            c.vector_id,
            c.id,
            c.project,
            blob::encode(&c.vector)
        ])?;
    }
    Ok(())
}
