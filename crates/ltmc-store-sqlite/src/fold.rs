//! Folds of near-duplicate resources: [`FoldStore`] for [`SqliteStore`].
//!
//! A fold is one `BEGIN IMMEDIATE` transaction: the folded resource's chunks
//! (with their vectors and the context links to them) are copied into a
//! `resource_folds` row (migration 0011) and deleted, which logs their
//! vectors' removal (the `vector_log` triggers) so every process's index
//! drops them; its row stays with `chunk_count` 0. Unfolding inserts them
//! again under new vector ids (logged as additions) and deletes the fold.
//! Not the decision what to fold (ltmc-service).

use crate::error::Result;
use crate::resources::bad_value;
use crate::store::State;
use crate::{SqliteStore, blob, meta};
use async_trait::async_trait;
use ltmc_core::{Project, ResourceId};
use ltmc_store::{Fold, FoldEvidence, FoldParty, FoldStore, StoreError, check_fold, entity};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A chunk as a fold keeps it.
#[derive(Debug, Serialize, Deserialize)]
struct KeptChunk {
    ordinal: i64,
    start: i64,
    end: i64,
    text: String,
    /// The messages that used it as context.
    links: Vec<i64>,
}

#[async_trait]
impl FoldStore for SqliteStore {
    async fn fold_resource(
        &self,
        project: &Project,
        kept: ResourceId,
        folded: ResourceId,
        evidence: FoldEvidence,
    ) -> Result<Fold, StoreError> {
        let project = project.clone();
        self.call(move |state, _| fold(state, &project, kept, folded, evidence))
            .await
    }

    async fn unfold_resource(
        &self,
        project: &Project,
        folded: ResourceId,
    ) -> Result<Fold, StoreError> {
        let project = project.clone();
        self.call(move |state, path| unfold(state, path, &project, folded))
            .await
    }

    async fn list_folds(&self, project: &Project) -> Result<Vec<Fold>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let mut stmt = state.conn.prepare_cached(&format!(
                "SELECT {FOLD_COLUMNS} FROM resource_folds WHERE project = ?1 \
                 ORDER BY folded_at DESC, folded_id DESC"
            ))?;
            let rows = stmt.query_map([project.as_str()], fold_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}

const FOLD_COLUMNS: &str =
    "project, kept_id, folded_id, similarity, overlap, chunk_count, folded_at";

fn fold_from_row(row: &Row<'_>) -> rusqlite::Result<Fold> {
    let project: String = row.get(0)?;
    let chunk_count: i64 = row.get(5)?;
    Ok(Fold {
        project: Project::new(&project).map_err(|err| bad_value(0, err))?,
        kept: ResourceId(row.get(1)?),
        folded: ResourceId(row.get(2)?),
        similarity: row.get(3)?,
        overlap: row.get(4)?,
        chunk_count: usize::try_from(chunk_count).map_err(|err| bad_value(5, err))?,
        folded_at: row.get(6)?,
    })
}

/// The resource as a fold's rules see it; `NotFound` naming `field`'s id.
fn party(conn: &Connection, project: &Project, id: ResourceId) -> Result<FoldParty> {
    conn.query_row(
        "SELECT r.resource_type, \
                (SELECT kept_id FROM resource_folds WHERE folded_id = r.id), \
                EXISTS (SELECT 1 FROM resource_folds WHERE kept_id = r.id) \
         FROM resources r WHERE r.id = ?1 AND r.project = ?2",
        params![id.0, project.as_str()],
        |row| {
            Ok(FoldParty {
                id,
                resource_type: row.get(0)?,
                folded_into: row.get::<_, Option<i64>>(1)?.map(ResourceId),
                keeps_others: row.get(2)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| {
        StoreError::NotFound {
            entity: entity::RESOURCE,
            id: id.to_string(),
            project: project.to_string(),
        }
        .into()
    })
}

fn fold(
    state: &mut State,
    project: &Project,
    kept: ResourceId,
    folded: ResourceId,
    evidence: FoldEvidence,
) -> Result<Fold> {
    let evidence = evidence.checked()?;
    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    check_fold(&party(&tx, project, kept)?, &party(&tx, project, folded)?)?;
    let mut chunks = Vec::new();
    let mut vectors = Vec::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT c.id, c.ordinal, c.start_byte, c.end_byte, c.text, v.embedding \
             FROM chunks c JOIN vectors v ON v.chunk_id = c.id AND v.vector_id = c.vector_id \
             WHERE c.resource_id = ?1 ORDER BY c.ordinal",
        )?;
        let mut links = tx.prepare_cached(
            "SELECT message_id FROM context_links WHERE chunk_id = ?1 ORDER BY message_id",
        )?;
        let mut rows = stmt.query([folded.0])?;
        while let Some(row) = rows.next()? {
            let chunk_id: i64 = row.get(0)?;
            let used = links.query_map([chunk_id], |r| r.get::<_, i64>(0))?;
            chunks.push(KeptChunk {
                ordinal: row.get(1)?,
                start: row.get(2)?,
                end: row.get(3)?,
                text: row.get(4)?,
                links: used.collect::<rusqlite::Result<Vec<_>>>()?,
            });
            vectors.extend_from_slice(row.get_ref(5)?.as_blob().map_err(|e| bad_value(5, e))?);
        }
    }
    let kept_chunks = serde_json::to_string(&chunks)
        .map_err(|e| StoreError::Corrupt(format!("fold of resource {folded}: {e}")))?;
    // First, so the vector log rows the cascade writes carry this generation.
    meta::bump_generation(&tx)?;
    // Vectors and context links go with their chunks (ON DELETE CASCADE).
    tx.execute("DELETE FROM chunks WHERE resource_id = ?1", [folded.0])?;
    tx.execute(
        "UPDATE resources SET chunk_count = 0 WHERE id = ?1",
        [folded.0],
    )?;
    let stored = tx.query_row(
        &format!(
            "INSERT INTO resource_folds \
             (folded_id, kept_id, project, similarity, overlap, chunk_count, chunks, vectors) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING {FOLD_COLUMNS}"
        ),
        params![
            folded.0,
            kept.0,
            project.as_str(),
            evidence.similarity,
            evidence.overlap,
            chunks.len(),
            kept_chunks,
            vectors
        ],
        fold_from_row,
    )?;
    tx.commit()?;
    Ok(stored)
}

fn unfold(state: &mut State, path: &Path, project: &Project, folded: ResourceId) -> Result<Fold> {
    let dimension = state.dimension_for_write(path)?;
    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = tx
        .query_row(
            &format!(
                "SELECT {FOLD_COLUMNS}, chunks, vectors FROM resource_folds \
                 WHERE folded_id = ?1 AND project = ?2"
            ),
            params![folded.0, project.as_str()],
            |row| {
                Ok((
                    fold_from_row(row)?,
                    row.get::<_, String>(7)?,
                    row.get::<_, Vec<u8>>(8)?,
                ))
            },
        )
        .optional()?;
    let Some((undone, chunks, vectors)) = found else {
        return Err(StoreError::NotFound {
            entity: entity::FOLD,
            id: folded.to_string(),
            project: project.to_string(),
        }
        .into());
    };
    let corrupt = |what: String| StoreError::Corrupt(format!("fold of resource {folded}: {what}"));
    let chunks: Vec<KeptChunk> =
        serde_json::from_str(&chunks).map_err(|e| corrupt(e.to_string()))?;
    let width = blob::byte_len(dimension);
    if vectors.len() != width * chunks.len() {
        return Err(corrupt(format!(
            "{} bytes of vectors for {} chunks of dimension {dimension}",
            vectors.len(),
            chunks.len()
        ))
        .into());
    }
    let count = i64::try_from(chunks.len()).map_err(|e| corrupt(e.to_string()))?;
    let first_vector_id: i64 = tx.query_row(
        "UPDATE vector_id_sequence SET next_id = next_id + ?1 WHERE id = 1 RETURNING next_id - ?1",
        [count],
        |row| row.get(0),
    )?;
    meta::bump_generation(&tx)?;
    {
        let mut insert_chunk = tx.prepare_cached(
            "INSERT INTO chunks (resource_id, project, ordinal, start_byte, end_byte, text, vector_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )?;
        let mut insert_vector = tx.prepare_cached(
            "INSERT INTO vectors (vector_id, chunk_id, project, embedding) VALUES (?1, ?2, ?3, ?4)",
        )?;
        // Only links of messages that still exist come back.
        let mut insert_link = tx.prepare_cached(
            "INSERT INTO context_links (message_id, chunk_id, project) \
             SELECT id, ?2, project FROM chat_messages WHERE id = ?1",
        )?;
        for ((vector_id, chunk), vector) in (first_vector_id..)
            .zip(&chunks)
            .zip(vectors.chunks_exact(width))
        {
            let chunk_id: i64 = insert_chunk.query_row(
                params![
                    folded.0,
                    project.as_str(),
                    chunk.ordinal,
                    chunk.start,
                    chunk.end,
                    chunk.text,
                    vector_id
                ],
                |row| row.get(0),
            )?;
            insert_vector.execute(params![vector_id, chunk_id, project.as_str(), vector])?;
            for message in &chunk.links {
                insert_link.execute(params![message, chunk_id])?;
            }
        }
    }
    tx.execute(
        "UPDATE resources SET chunk_count = ?2 WHERE id = ?1",
        params![folded.0, count],
    )?;
    tx.execute(
        "DELETE FROM resource_folds WHERE folded_id = ?1",
        [folded.0],
    )?;
    tx.commit()?;
    Ok(undone)
}
