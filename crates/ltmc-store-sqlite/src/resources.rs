//! Resources and their chunks: [`ResourceStore`] for [`SqliteStore`].
//!
//! Every write is one `BEGIN IMMEDIATE` transaction (the write lock is taken
//! before the first read, so the duplicate check and the vector-id allocation
//! cannot race another process) and is validated before it starts; a batch
//! put is one such transaction for all its items, each written by the same
//! code as a single put. Reads always filter by project. Vector search lives
//! in `search.rs`, keyword search in `keyword.rs`; both read chunk rows with
//! the helpers at the end.

use crate::error::Result;
use crate::store::State;
use crate::{SqliteStore, blob, meta};
use async_trait::async_trait;
use ltmc_core::{
    CODE_ATTEMPT_TYPE, Chunk, ChunkId, NewChunk, NewResource, Project, PutOutcome, Resource,
    ResourceId, ScoredChunk, VectorId, content_hash, now_rfc3339,
};
use ltmc_store::validate;
use ltmc_store::{ResourceFilter, ResourceStore, StoreError};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use std::path::Path;

#[async_trait]
impl ResourceStore for SqliteStore {
    async fn put_resource(
        &self,
        resource: NewResource,
        chunks: Vec<NewChunk>,
    ) -> Result<PutOutcome, StoreError> {
        self.call(move |state, path| put(state, path, &resource, &chunks))
            .await
    }

    async fn put_resources(
        &self,
        batch: Vec<(NewResource, Vec<NewChunk>)>,
    ) -> Result<Vec<PutOutcome>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        self.call(move |state, path| put_all(state, path, &batch))
            .await
    }

    async fn find_by_hash(
        &self,
        project: &Project,
        content_hash: &str,
    ) -> Result<Option<Resource>, StoreError> {
        let project = project.clone();
        let hash = content_hash.to_owned();
        self.call(move |state, _| {
            Ok(state
                .conn
                .query_row(
                    &format!("SELECT {RESOURCE_COLUMNS} FROM resources WHERE project = ?1 AND content_hash = ?2"),
                    params![project.as_str(), hash],
                    resource_from_row,
                )
                .optional()?)
        })
        .await
    }

    async fn get_resource(
        &self,
        project: &Project,
        id: ResourceId,
    ) -> Result<Resource, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            state
                .conn
                .query_row(
                    &format!(
                        "SELECT {RESOURCE_COLUMNS} FROM resources WHERE id = ?1 AND project = ?2"
                    ),
                    params![id.0, project.as_str()],
                    resource_from_row,
                )
                .optional()?
                .ok_or_else(|| not_found(&project, id).into())
        })
        .await
    }

    async fn list_resources(
        &self,
        project: &Project,
        filter: &ResourceFilter,
    ) -> Result<Vec<Resource>, StoreError> {
        let project = project.clone();
        let filter = filter.clone();
        self.call(move |state, _| {
            // SQLite reads LIMIT -1 as "no limit".
            let limit = filter
                .limit
                .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
            let mut stmt = state.conn.prepare_cached(&format!(
                "SELECT {RESOURCE_COLUMNS} FROM resources \
                 WHERE project = ?1 AND (?2 IS NULL OR resource_type = ?2) \
                 ORDER BY id DESC LIMIT ?3"
            ))?;
            let rows = stmt.query_map(
                params![project.as_str(), filter.resource_type, limit],
                resource_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn chunks_of(&self, project: &Project, id: ResourceId) -> Result<Vec<Chunk>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let tx = state.conn.transaction()?;
            // An unknown id is an error, not an empty list: a caller holding a
            // stale or foreign id must learn that it is.
            if !resource_exists(&tx, &project, id)? {
                return Err(not_found(&project, id).into());
            }
            let chunks = {
                let mut stmt = tx.prepare_cached(&format!(
                    "SELECT {CHUNK_COLUMNS} FROM chunks c WHERE c.resource_id = ?1 ORDER BY c.ordinal"
                ))?;
                let rows = stmt.query_map([id.0], chunk_from_row)?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            tx.commit()?;
            Ok(chunks)
        })
        .await
    }

    async fn delete_resource(
        &self,
        project: &Project,
        id: ResourceId,
    ) -> Result<usize, StoreError> {
        let project = project.clone();
        self.call(move |state, _| delete(state, &project, id)).await
    }
}

fn put(
    state: &mut State,
    path: &Path,
    resource: &NewResource,
    chunks: &[NewChunk],
) -> Result<PutOutcome> {
    let dimension = state.dimension_for_write(path)?;
    let hash = checked(resource, chunks, dimension)?;
    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let outcome = put_in(&tx, resource, &hash, chunks)?;
    tx.commit()?;
    Ok(outcome)
}

/// [`put`] of every item in one transaction, all checked before it begins.
fn put_all(
    state: &mut State,
    path: &Path,
    batch: &[(NewResource, Vec<NewChunk>)],
) -> Result<Vec<PutOutcome>> {
    let dimension = state.dimension_for_write(path)?;
    let hashes = batch
        .iter()
        .enumerate()
        .map(|(i, (resource, chunks))| {
            checked(resource, chunks, dimension).map_err(|err| err.in_batch_item(i))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for ((resource, chunks), hash) in batch.iter().zip(&hashes) {
        outcomes.push(put_in(&tx, resource, hash, chunks)?);
    }
    tx.commit()?;
    Ok(outcomes)
}

/// The checks of a put, before any SQL runs; the content hash it stores.
fn checked(
    resource: &NewResource,
    chunks: &[NewChunk],
    dimension: usize,
) -> Result<String, StoreError> {
    if resource.resource_type == CODE_ATTEMPT_TYPE {
        // Every resource of this type has its attempt row (attempts.rs): a
        // search of attempts relies on it.
        return Err(validate::invalid(
            "resource_type",
            format!(
                "{CODE_ATTEMPT_TYPE:?} is reserved for code attempts; log them as attempts, \
                 or store this under another type"
            ),
        ));
    }
    validate::check_put(resource, chunks, dimension)?;
    Ok(content_hash(&resource.content))
}

/// A checked put inside the caller's write transaction: the project's
/// resource of this hash as the duplicate (it may have been written earlier
/// in the same transaction), else the new resource.
fn put_in(
    tx: &Connection,
    resource: &NewResource,
    hash: &str,
    chunks: &[NewChunk],
) -> Result<PutOutcome> {
    let existing: Option<(i64, usize)> = tx
        .query_row(
            "SELECT id, chunk_count FROM resources WHERE project = ?1 AND content_hash = ?2",
            params![resource.project.as_str(), hash],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if let Some((id, chunk_count)) = existing {
        return Ok(PutOutcome {
            resource_id: ResourceId(id),
            chunk_count,
            duplicate: true,
        });
    }
    let resource_id = insert_resource(tx, resource, hash, chunks)?;
    Ok(PutOutcome {
        resource_id,
        chunk_count: chunks.len(),
        duplicate: false,
    })
}

/// Writes a resource, its chunks and their vectors inside the caller's write
/// transaction (`BEGIN IMMEDIATE`), allocating the vector ids there. The
/// caller has validated them (`validate::check_put`) and chosen the content
/// hash: the sha256 of the content for documents, something unique for
/// records that are events rather than content (code attempts).
pub(crate) fn insert_resource(
    tx: &Connection,
    resource: &NewResource,
    content_hash: &str,
    chunks: &[NewChunk],
) -> Result<ResourceId> {
    let project = resource.project.as_str();
    let metadata = serde_json::to_string(&resource.metadata).map_err(|err| {
        StoreError::Invalid(ltmc_core::CoreError::invalid("metadata", err.to_string()))
    })?;
    let chunk_count = i64::try_from(chunks.len())
        .map_err(|_| StoreError::Invalid(ltmc_core::CoreError::invalid("chunks", "too many")))?;
    let resource_id: i64 = tx.query_row(
        "INSERT INTO resources \
         (project, file_name, resource_type, content_hash, content, chunk_count, created_at, metadata) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        params![
            project,
            resource.file_name,
            resource.resource_type,
            content_hash,
            resource.content,
            chunk_count,
            now_rfc3339(),
            metadata
        ],
        |row| row.get(0),
    )?;
    // All of this resource's vector ids in one statement, under the write
    // lock: unique and increasing across processes, never handed out twice.
    let first_vector_id: i64 = tx.query_row(
        "UPDATE vector_id_sequence SET next_id = next_id + ?1 WHERE id = 1 RETURNING next_id - ?1",
        [chunk_count],
        |row| row.get(0),
    )?;
    // First, so the vector log rows written below carry this generation.
    meta::bump_generation(tx)?;
    let mut insert_chunk = tx.prepare_cached(
        "INSERT INTO chunks (resource_id, project, ordinal, start_byte, end_byte, text, vector_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
    )?;
    let mut insert_vector = tx.prepare_cached(
        "INSERT INTO vectors (vector_id, chunk_id, project, embedding) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (vector_id, chunk) in (first_vector_id..).zip(chunks) {
        let chunk_id: i64 = insert_chunk.query_row(
            params![
                resource_id,
                project,
                chunk.ordinal,
                chunk.start,
                chunk.end,
                chunk.text,
                vector_id
            ],
            |row| row.get(0),
        )?;
        insert_vector.execute(params![
            vector_id,
            chunk_id,
            project,
            blob::encode(&chunk.vector)
        ])?;
    }
    Ok(ResourceId(resource_id))
}

fn delete(state: &mut State, project: &Project, id: ResourceId) -> Result<usize> {
    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    if !resource_exists(&tx, project, id)? {
        return Err(not_found(project, id).into());
    }
    let folded: Vec<i64> = {
        let mut stmt = tx.prepare_cached(
            "SELECT folded_id FROM resource_folds WHERE kept_id = ?1 ORDER BY folded_id",
        )?;
        let rows = stmt.query_map([id.0], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if !folded.is_empty() {
        return Err(ltmc_store::keeps_folds(id, &folded).into());
    }
    let vector_ids = {
        let mut stmt = tx.prepare_cached("SELECT vector_id FROM chunks WHERE resource_id = ?1")?;
        let rows = stmt.query_map([id.0], |row| row.get::<_, i64>(0))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    // First, so the vector log rows the cascade writes carry this generation.
    meta::bump_generation(&tx)?;
    // Chunks and vectors go by ON DELETE CASCADE (foreign_keys is on for
    // every connection this crate opens).
    tx.execute(
        "DELETE FROM resources WHERE id = ?1 AND project = ?2",
        params![id.0, project.as_str()],
    )?;
    tx.commit()?;
    Ok(vector_ids.len())
}

fn resource_exists(conn: &Connection, project: &Project, id: ResourceId) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM resources WHERE id = ?1 AND project = ?2)",
        params![id.0, project.as_str()],
        |row| row.get(0),
    )?)
}

fn not_found(project: &Project, id: ResourceId) -> StoreError {
    StoreError::NotFound {
        entity: "resource",
        id: id.to_string(),
        project: project.to_string(),
    }
}

const RESOURCE_COLUMNS: &str = "id, project, file_name, resource_type, content_hash, content, \
                                chunk_count, created_at, metadata";

fn resource_from_row(row: &Row<'_>) -> rusqlite::Result<Resource> {
    let project: String = row.get(1)?;
    let metadata: String = row.get(8)?;
    Ok(Resource {
        id: ResourceId(row.get(0)?),
        project: Project::new(&project).map_err(|err| bad_value(1, err))?,
        file_name: row.get(2)?,
        resource_type: row.get(3)?,
        content_hash: row.get(4)?,
        content: row.get(5)?,
        chunk_count: row.get(6)?,
        created_at: row.get(7)?,
        metadata: serde_json::from_str(&metadata).map_err(|err| bad_value(8, err))?,
    })
}

/// Columns of a chunk row, aliased `c`, in the order [`chunk_from_row`] reads.
pub(crate) const CHUNK_COLUMNS: &str =
    "c.id, c.resource_id, c.ordinal, c.start_byte, c.end_byte, c.text, c.vector_id";

/// What a search hit adds to [`CHUNK_COLUMNS`]: its resource's name and type,
/// from `resources` aliased `r`.
pub(crate) const HIT_COLUMNS: &str = "r.file_name, r.resource_type";

/// A search hit from a row of [`CHUNK_COLUMNS`] then [`HIT_COLUMNS`]; the
/// score is the caller's (each search computes its own).
pub(crate) fn hit_from_row(row: &Row<'_>, score: f32) -> rusqlite::Result<ScoredChunk> {
    Ok(ScoredChunk {
        chunk: chunk_from_row(row)?,
        file_name: row.get(7)?,
        resource_type: row.get(8)?,
        score,
    })
}

pub(crate) fn chunk_from_row(row: &Row<'_>) -> rusqlite::Result<Chunk> {
    Ok(Chunk {
        id: ChunkId(row.get(0)?),
        resource_id: ResourceId(row.get(1)?),
        ordinal: row.get(2)?,
        start: row.get(3)?,
        end: row.get(4)?,
        text: row.get(5)?,
        vector_id: VectorId(row.get(6)?),
    })
}

/// A stored value our types refuse: reported as corruption (see error.rs).
pub(crate) fn bad_value(
    column: usize,
    err: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(err))
}
