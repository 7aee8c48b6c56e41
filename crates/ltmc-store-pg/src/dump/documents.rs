//! The document tables of a PostgreSQL dump: resources, and chunks with
//! their embeddings, written in batches through `unnest` with their
//! resource's type. Each chunk's tsvector and the HNSW indexes follow the
//! rows by themselves. Not the orchestration or the other table families
//! (see `dump`).

use super::rows;
use crate::error::{Error, Result};
use deadpool_postgres::GenericClient;
use ltmc_store::{ChunkRecord, Dump, ResourceRecord, StoreError};
use pgvector::Vector;

/// Chunks per `INSERT ... SELECT FROM unnest(...)`: about 0.8 MB of vectors
/// at 384 dimensions.
const CHUNK_BATCH: usize = 500;

/// Reads resources and chunks (with their vectors) into `dump`.
pub(super) async fn export(tx: &impl GenericClient, dump: &mut Dump) -> Result<()> {
    dump.resources = rows(
        tx,
        "SELECT id, project, file_name, resource_type, content_hash, content, \
         chunk_count::int8, ltmc_ts(created_at), metadata FROM resources ORDER BY id",
        |row| {
            Ok(ResourceRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                file_name: row.try_get(2)?,
                resource_type: row.try_get(3)?,
                content_hash: row.try_get(4)?,
                content: row.try_get(5)?,
                chunk_count: row.try_get(6)?,
                created_at: row.try_get(7)?,
                metadata: row.try_get(8)?,
            })
        },
    )
    .await?;

    dump.chunks = rows(
        tx,
        "SELECT id, resource_id, project, ordinal::int8, start_byte, end_byte, text, vector_id, \
         embedding FROM chunks ORDER BY id",
        |row| {
            Ok(ChunkRecord {
                id: row.try_get(0)?,
                resource_id: row.try_get(1)?,
                project: row.try_get(2)?,
                ordinal: row.try_get(3)?,
                start_byte: row.try_get(4)?,
                end_byte: row.try_get(5)?,
                text: row.try_get(6)?,
                vector_id: row.try_get(7)?,
                vector: row.try_get::<_, Vector>(8)?.to_vec(),
            })
        },
    )
    .await?;
    Ok(())
}

/// Writes resources and chunks with their vectors, ids kept.
pub(super) async fn import(tx: &impl GenericClient, dump: &Dump) -> Result<()> {
    let stmt = tx
        .prepare(
            "INSERT INTO resources (id, project, file_name, resource_type, content_hash, \
             content, chunk_count, created_at, metadata) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7::int8, $8::text::timestamptz, $9::jsonb)",
        )
        .await?;
    for r in &dump.resources {
        tx.execute(
            &stmt,
            &[
                &r.id,
                &r.project,
                &r.file_name,
                &r.resource_type,
                &r.content_hash,
                &r.content,
                &r.chunk_count,
                &r.created_at,
                &r.metadata,
            ],
        )
        .await?;
    }
    // The resource type is the resource's (PostgreSQL repeats it in chunks).
    let stmt = tx
        .prepare(
            "INSERT INTO chunks (id, resource_id, project, resource_type, ordinal, start_byte, \
             end_byte, text, vector_id, embedding) OVERRIDING SYSTEM VALUE \
             SELECT u.id, u.resource_id, u.project, r.resource_type, u.ordinal, u.start_byte, \
                    u.end_byte, u.text, u.vector_id, u.embedding \
             FROM unnest($1::int8[], $2::int8[], $3::text[], $4::int8[], $5::int8[], $6::int8[], \
                         $7::text[], $8::int8[], $9::vector[]) \
                  AS u (id, resource_id, project, ordinal, start_byte, end_byte, text, \
                        vector_id, embedding) \
             JOIN resources r ON r.id = u.resource_id",
        )
        .await?;
    for batch in dump.chunks.chunks(CHUNK_BATCH) {
        let column = |f: fn(&ChunkRecord) -> i64| batch.iter().map(f).collect::<Vec<i64>>();
        let ids = column(|c| c.id);
        let resources = column(|c| c.resource_id);
        let ordinals = column(|c| c.ordinal);
        let starts = column(|c| c.start_byte);
        let ends = column(|c| c.end_byte);
        let vector_ids = column(|c| c.vector_id);
        let projects: Vec<&str> = batch.iter().map(|c| c.project.as_str()).collect();
        let texts: Vec<&str> = batch.iter().map(|c| c.text.as_str()).collect();
        let vectors: Vec<Vector> = batch
            .iter()
            .map(|c| Vector::from(c.vector.clone()))
            .collect();
        let written = tx
            .execute(
                &stmt,
                &[
                    &ids,
                    &resources,
                    &projects,
                    &ordinals,
                    &starts,
                    &ends,
                    &texts,
                    &vector_ids,
                    &vectors,
                ],
            )
            .await?;
        if written != batch.len() as u64 {
            return Err(Error::Store(StoreError::Conflict(format!(
                "{} of {} chunks name a resource the source does not hold",
                batch.len() as u64 - written,
                batch.len()
            ))));
        }
    }
    Ok(())
}
