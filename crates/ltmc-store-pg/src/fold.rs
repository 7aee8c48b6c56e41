//! Folds of near-duplicate resources: [`FoldStore`] for [`PgStore`].
//!
//! A fold is one transaction that locks both resources (`FOR UPDATE`, lower
//! id first), copies the folded resource's chunks (with their vectors and the
//! context links to them) into a `resource_folds` row (migration 0009) and
//! deletes them; its row stays with `chunk_count` 0. Unfolding inserts them
//! again (new chunk and vector ids) and deletes the fold. Not the decision
//! what to fold (ltmc-service).

use crate::PgStore;
use crate::error::{Result, corrupt, not_found};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::{Project, ResourceId};
use ltmc_store::{Fold, FoldEvidence, FoldParty, FoldStore, StoreError, check_fold, entity};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

/// A chunk as a fold keeps it.
#[derive(Debug, Serialize, Deserialize)]
struct KeptChunk {
    ordinal: i32,
    start: i64,
    end: i64,
    text: String,
    /// The messages that used it as context.
    links: Vec<i64>,
}

#[async_trait]
impl FoldStore for PgStore {
    async fn fold_resource(
        &self,
        project: &Project,
        kept: ResourceId,
        folded: ResourceId,
        evidence: FoldEvidence,
    ) -> Result<Fold, StoreError> {
        fold(self, project, kept, folded, evidence)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn unfold_resource(
        &self,
        project: &Project,
        folded: ResourceId,
    ) -> Result<Fold, StoreError> {
        unfold(self, project, folded)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn list_folds(&self, project: &Project) -> Result<Vec<Fold>, StoreError> {
        async {
            let client = self.client().await?;
            let rows = client
                .query(
                    &format!(
                        "SELECT {FOLD_COLUMNS} FROM resource_folds f WHERE f.project = $1 \
                         ORDER BY f.folded_at DESC, f.folded_id DESC"
                    ),
                    &[&project.as_str()],
                )
                .await?;
            rows.iter().map(fold_from_row).collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }
}

/// The columns [`fold_from_row`] reads, of `resource_folds` aliased `f`.
const FOLD_COLUMNS: &str = "f.project, f.kept_id, f.folded_id, f.similarity, f.overlap, \
                            f.chunk_count, ltmc_ts(f.folded_at)";

fn fold_from_row(row: &Row) -> Result<Fold> {
    let project: String = row.try_get(0)?;
    let chunk_count: i32 = row.try_get(5)?;
    Ok(Fold {
        project: Project::new(&project)?,
        kept: ResourceId(row.try_get(1)?),
        folded: ResourceId(row.try_get(2)?),
        similarity: row.try_get(3)?,
        overlap: row.try_get(4)?,
        chunk_count: usize::try_from(chunk_count)
            .map_err(|_| corrupt(format!("fold with {chunk_count} chunks")))?,
        folded_at: row.try_get(6)?,
    })
}

/// Both resources as the fold's rules see them, locked for the transaction
/// (lower id first, so two folds never wait on each other in a circle).
async fn parties(
    tx: &impl GenericClient,
    project: &Project,
    kept: ResourceId,
    folded: ResourceId,
) -> Result<(FoldParty, FoldParty)> {
    let rows = tx
        .query(
            "SELECT r.id, r.resource_type, \
                    (SELECT f.kept_id FROM resource_folds f WHERE f.folded_id = r.id), \
                    EXISTS (SELECT 1 FROM resource_folds f WHERE f.kept_id = r.id) \
             FROM resources r WHERE r.id = ANY ($1) AND r.project = $2 \
             ORDER BY r.id FOR UPDATE",
            &[&vec![kept.0, folded.0], &project.as_str()],
        )
        .await?;
    let find = |id: ResourceId| -> Result<FoldParty> {
        let row = rows
            .iter()
            .find(|r| r.try_get::<_, i64>(0).ok() == Some(id.0))
            .ok_or_else(|| not_found(entity::RESOURCE, id, project))?;
        Ok(FoldParty {
            id,
            resource_type: row.try_get(1)?,
            folded_into: row.try_get::<_, Option<i64>>(2)?.map(ResourceId),
            keeps_others: row.try_get(3)?,
        })
    };
    Ok((find(kept)?, find(folded)?))
}

async fn fold(
    store: &PgStore,
    project: &Project,
    kept: ResourceId,
    folded: ResourceId,
    evidence: FoldEvidence,
) -> Result<Fold> {
    let evidence = evidence.checked()?;
    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    let (kept_party, folded_party) = parties(&tx, project, kept, folded).await?;
    check_fold(&kept_party, &folded_party)?;
    let rows = tx
        .query(
            "SELECT c.ordinal, c.start_byte, c.end_byte, c.text, c.embedding, \
                    ARRAY(SELECT l.message_id FROM context_links l \
                          WHERE l.chunk_id = c.id ORDER BY l.message_id) \
             FROM chunks c WHERE c.resource_id = $1 ORDER BY c.ordinal",
            &[&folded.0],
        )
        .await?;
    let mut chunks = Vec::with_capacity(rows.len());
    let mut vectors: Vec<pgvector::Vector> = Vec::with_capacity(rows.len());
    for row in &rows {
        chunks.push(KeptChunk {
            ordinal: row.try_get(0)?,
            start: row.try_get(1)?,
            end: row.try_get(2)?,
            text: row.try_get(3)?,
            links: row.try_get(5)?,
        });
        vectors.push(row.try_get(4)?);
    }
    let kept_chunks = serde_json::to_value(&chunks)
        .map_err(|e| corrupt(format!("fold of resource {folded}: {e}")))?;
    let count = i32::try_from(chunks.len()).map_err(|_| corrupt("too many chunks to fold"))?;
    // Context links go with their chunks (ON DELETE CASCADE).
    tx.execute("DELETE FROM chunks WHERE resource_id = $1", &[&folded.0])
        .await?;
    tx.execute(
        "UPDATE resources SET chunk_count = 0 WHERE id = $1",
        &[&folded.0],
    )
    .await?;
    let row = tx
        .query_one(
            &format!(
                "INSERT INTO resource_folds AS f \
                 (folded_id, kept_id, project, similarity, overlap, chunk_count, chunks, vectors) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {FOLD_COLUMNS}"
            ),
            &[
                &folded.0,
                &kept.0,
                &project.as_str(),
                &evidence.similarity,
                &evidence.overlap,
                &count,
                &kept_chunks,
                &vectors,
            ],
        )
        .await?;
    let stored = fold_from_row(&row)?;
    tx.commit().await?;
    Ok(stored)
}

async fn unfold(store: &PgStore, project: &Project, folded: ResourceId) -> Result<Fold> {
    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    let row = tx
        .query_opt(
            &format!(
                "SELECT {FOLD_COLUMNS}, f.chunks, f.vectors, r.resource_type \
                 FROM resource_folds f JOIN resources r ON r.id = f.folded_id \
                 WHERE f.folded_id = $1 AND f.project = $2 FOR UPDATE"
            ),
            &[&folded.0, &project.as_str()],
        )
        .await?
        .ok_or_else(|| not_found(entity::FOLD, folded, project))?;
    let undone = fold_from_row(&row)?;
    let chunks: serde_json::Value = row.try_get(7)?;
    let chunks: Vec<KeptChunk> = serde_json::from_value(chunks)
        .map_err(|e| corrupt(format!("fold of resource {folded}: {e}")))?;
    let vectors: Vec<pgvector::Vector> = row.try_get(8)?;
    let resource_type: String = row.try_get(9)?;
    if vectors.len() != chunks.len() {
        return Err(corrupt(format!(
            "fold of resource {folded}: {} vectors for {} chunks",
            vectors.len(),
            chunks.len()
        )));
    }
    let insert = tx
        .prepare_cached(
            "INSERT INTO chunks \
             (resource_id, project, resource_type, ordinal, start_byte, end_byte, text, embedding) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .await?;
    // Only links of messages that still exist come back.
    let link = tx
        .prepare_cached(
            "INSERT INTO context_links (message_id, chunk_id, project) \
             SELECT m.id, $2, m.project FROM chat_messages m WHERE m.id = ANY ($1)",
        )
        .await?;
    for (chunk, vector) in chunks.iter().zip(&vectors) {
        let row = tx
            .query_one(
                &insert,
                &[
                    &folded.0,
                    &project.as_str(),
                    &resource_type,
                    &chunk.ordinal,
                    &chunk.start,
                    &chunk.end,
                    &chunk.text,
                    vector,
                ],
            )
            .await?;
        let chunk_id: i64 = row.try_get(0)?;
        tx.execute(&link, &[&chunk.links, &chunk_id]).await?;
    }
    let count = i32::try_from(chunks.len()).map_err(|_| corrupt("too many chunks to unfold"))?;
    tx.execute(
        "UPDATE resources SET chunk_count = $2 WHERE id = $1",
        &[&folded.0, &count],
    )
    .await?;
    tx.execute(
        "DELETE FROM resource_folds WHERE folded_id = $1",
        &[&folded.0],
    )
    .await?;
    tx.commit().await?;
    Ok(undone)
}
