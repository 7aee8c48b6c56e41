//! Resources and their chunks: [`ResourceStore`] for [`PgStore`].
//!
//! A put is validated before any SQL runs (so a refused put has touched
//! nothing and names the field that was wrong), then written in one
//! transaction (a batch put: every item checked first, then all written in
//! one, each by the same code as a single put): the resource row, then all
//! its chunks in one `INSERT ... SELECT FROM unnest(...)`, each chunk's row
//! carrying its vector (pgvector) and taking its vector id from
//! `vector_id_seq` (unique across servers, never reused). Duplicate content
//! is found by `(project, content_hash)`; when two servers put the same
//! content at once, `ON CONFLICT DO NOTHING` makes the second one wait for
//! the first and then return its resource as the duplicate, writing nothing.
//! Reads always filter by project.
//!
//! Also here, for the other modules: the chunk and hit row readers
//! ([`CHUNK_COLUMNS`], [`hit_from_row`]), [`insert_resource`], the checks
//! of a put ([`check_put`]) and the marking of a batch's refused item
//! ([`batch_item`]).
//!
//! Not here: vector search (search.rs), keyword search (keyword.rs), and
//! chunking or embedding (the service).

use crate::error::{Error, Result, corrupt, invalid, not_found};
use crate::{PgStore, checks};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::{
    CODE_ATTEMPT_TYPE, Chunk, ChunkId, NewChunk, NewResource, Project, PutOutcome, Resource,
    ResourceId, ScoredChunk, VectorId, content_hash,
};
use ltmc_store::validate::{self, sql_limit};
use ltmc_store::{ResourceFilter, ResourceStore, StoreError};
use tokio_postgres::Row;

#[async_trait]
impl ResourceStore for PgStore {
    async fn put_resource(
        &self,
        resource: NewResource,
        chunks: Vec<NewChunk>,
    ) -> Result<PutOutcome, StoreError> {
        put(self, &resource, &chunks)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn put_resources(
        &self,
        batch: Vec<(NewResource, Vec<NewChunk>)>,
    ) -> Result<Vec<PutOutcome>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        put_all(self, &batch).await.map_err(|e| self.fail(e))
    }

    async fn find_by_hash(
        &self,
        project: &Project,
        content_hash: &str,
    ) -> Result<Option<Resource>, StoreError> {
        async {
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {RESOURCE_COLUMNS} FROM resources r \
                     WHERE r.project = $1 AND r.content_hash = $2"
                ))
                .await?;
            client
                .query_opt(&stmt, &[&project.as_str(), &content_hash])
                .await?
                .as_ref()
                .map(resource_from_row)
                .transpose()
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn get_resource(
        &self,
        project: &Project,
        id: ResourceId,
    ) -> Result<Resource, StoreError> {
        async {
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {RESOURCE_COLUMNS} FROM resources r WHERE r.id = $1 AND r.project = $2"
                ))
                .await?;
            let row = client
                .query_opt(&stmt, &[&id.0, &project.as_str()])
                .await?
                .ok_or_else(|| not_found("resource", id, project))?;
            resource_from_row(&row)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn list_resources(
        &self,
        project: &Project,
        filter: &ResourceFilter,
    ) -> Result<Vec<Resource>, StoreError> {
        async {
            let client = self.client().await?;
            // LIMIT NULL is no limit.
            let limit = filter.limit.map(sql_limit);
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {RESOURCE_COLUMNS} FROM resources r \
                     WHERE r.project = $1 AND ($2::text IS NULL OR r.resource_type = $2) \
                     ORDER BY r.id DESC LIMIT $3"
                ))
                .await?;
            let rows = client
                .query(&stmt, &[&project.as_str(), &filter.resource_type, &limit])
                .await?;
            rows.iter()
                .map(resource_from_row)
                .collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn chunks_of(&self, project: &Project, id: ResourceId) -> Result<Vec<Chunk>, StoreError> {
        async {
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {CHUNK_COLUMNS} FROM chunks c \
                     WHERE c.resource_id = $1 AND c.project = $2 ORDER BY c.ordinal"
                ))
                .await?;
            let rows = client.query(&stmt, &[&id.0, &project.as_str()]).await?;
            let chunks = rows
                .iter()
                .map(chunk_from_row)
                .collect::<Result<Vec<_>>>()?;
            // Every stored resource has a chunk, so none means an unknown (or
            // foreign, or just deleted) id, which is an error, not an empty
            // list: a caller holding a stale id must learn that it is.
            if chunks.is_empty() && !resource_exists(&client, project, id).await? {
                return Err(not_found("resource", id, project));
            }
            Ok(chunks)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn delete_resource(
        &self,
        project: &Project,
        id: ResourceId,
    ) -> Result<usize, StoreError> {
        async {
            let client = self.client().await?;
            // Checked first for the message; the foreign key (RESTRICT)
            // refuses it anyway if a fold lands in between.
            let folded: Vec<i64> = client
                .query(
                    "SELECT folded_id FROM resource_folds WHERE kept_id = $1 ORDER BY folded_id",
                    &[&id.0],
                )
                .await?
                .iter()
                .map(|row| row.try_get(0))
                .collect::<std::result::Result<_, _>>()?;
            if !folded.is_empty() {
                return Err(ltmc_store::keeps_folds(id, &folded).into());
            }
            // One statement, so one transaction: the chunks (and their
            // vectors, in their rows; their index entries; whatever else
            // references them) go by ON DELETE CASCADE. The count in
            // RETURNING reads the statement's snapshot, before the cascade.
            let stmt = client
                .prepare_cached(
                    "DELETE FROM resources r WHERE r.id = $1 AND r.project = $2 \
                     RETURNING (SELECT count(*) FROM chunks c WHERE c.resource_id = r.id)",
                )
                .await?;
            let row = client
                .query_opt(&stmt, &[&id.0, &project.as_str()])
                .await?
                .ok_or_else(|| not_found("resource", id, project))?;
            let deleted: i64 = row.try_get(0)?;
            usize::try_from(deleted).map_err(|_| corrupt(format!("{deleted} chunks deleted")))
        }
        .await
        .map_err(|e| self.fail(e))
    }
}

async fn put(store: &PgStore, resource: &NewResource, chunks: &[NewChunk]) -> Result<PutOutcome> {
    let hash = checked(resource, chunks, store.spec()?.dimension)?;
    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    let outcome = put_in(&tx, resource, &hash, chunks).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// [`put`] of every item in one transaction, all checked before it begins.
/// Two servers putting batches that share content in opposite orders can
/// deadlock on the unique key; PostgreSQL then fails one of them, whole.
async fn put_all(
    store: &PgStore,
    batch: &[(NewResource, Vec<NewChunk>)],
) -> Result<Vec<PutOutcome>> {
    let dimension = store.spec()?.dimension;
    let hashes = batch
        .iter()
        .enumerate()
        .map(|(i, (resource, chunks))| {
            checked(resource, chunks, dimension).map_err(|err| batch_item(i, err))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for ((resource, chunks), hash) in batch.iter().zip(&hashes) {
        outcomes.push(put_in(&tx, resource, hash, chunks).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// The checks of a put, before any SQL runs ([`check_put`], and the type
/// reserved for code attempts); the content hash it stores.
fn checked(resource: &NewResource, chunks: &[NewChunk], dimension: usize) -> Result<String> {
    if resource.resource_type == CODE_ATTEMPT_TYPE {
        // Every resource of this type has its attempt row (attempts.rs):
        // a search of attempts relies on it.
        return Err(invalid(
            "resource_type",
            format!(
                "{CODE_ATTEMPT_TYPE:?} is reserved for code attempts; log them as attempts, \
                     or store this under another type"
            ),
        ));
    }
    check_put(resource, chunks, dimension)?;
    Ok(content_hash(&resource.content))
}

/// A checked put inside the caller's transaction: the project's resource of
/// this hash as the duplicate (it may have been written earlier in the same
/// transaction, or committed by another server meanwhile), else the new
/// resource.
async fn put_in(
    tx: &impl GenericClient,
    resource: &NewResource,
    hash: &str,
    chunks: &[NewChunk],
) -> Result<PutOutcome> {
    if let Some(existing) = existing_outcome(tx, &resource.project, hash).await? {
        return Ok(existing);
    }
    let Some(resource_id) = insert_resource(tx, resource, hash, chunks).await? else {
        // Another server stored the same content since our check and has
        // committed (ON CONFLICT waited for it): that one is the resource.
        return existing_outcome(tx, &resource.project, hash)
            .await?
            .ok_or_else(|| {
                corrupt("a resource conflicted on its content hash but cannot be read")
            });
    };
    Ok(PutOutcome {
        resource_id,
        chunk_count: chunks.len(),
        duplicate: false,
    })
}

/// A refusal of item `index` of a batch, saying so
/// ([`StoreError::in_batch_item`]).
pub(crate) fn batch_item(index: usize, err: Error) -> Error {
    match err {
        Error::Store(err) => Error::Store(err.in_batch_item(index)),
        other => other,
    }
}

/// The project's resource with this content hash, as a duplicate outcome.
async fn existing_outcome(
    client: &impl GenericClient,
    project: &Project,
    hash: &str,
) -> Result<Option<PutOutcome>> {
    let stmt = client
        .prepare_cached(
            "SELECT id, chunk_count FROM resources WHERE project = $1 AND content_hash = $2",
        )
        .await?;
    let Some(row) = client.query_opt(&stmt, &[&project.as_str(), &hash]).await? else {
        return Ok(None);
    };
    let chunk_count: i32 = row.try_get(1)?;
    Ok(Some(PutOutcome {
        resource_id: ResourceId(row.try_get(0)?),
        chunk_count: usize::try_from(chunk_count)
            .map_err(|_| corrupt(format!("resources.chunk_count is {chunk_count}")))?,
        duplicate: true,
    }))
}

/// Writes a resource and its chunks with their vectors inside the caller's
/// transaction; each chunk's vector id comes from `vector_id_seq`, in the
/// order the chunks are given. The caller has validated them
/// ([`check_put`]) and chosen the content hash (the sha256 of the content
/// for documents). `None` when the project already holds a resource with
/// this hash (committed by another transaction): nothing was written.
pub(crate) async fn insert_resource(
    tx: &impl GenericClient,
    resource: &NewResource,
    content_hash: &str,
    chunks: &[NewChunk],
) -> Result<Option<ResourceId>> {
    let project = resource.project.as_str();
    let chunk_count =
        i32::try_from(chunks.len()).map_err(|_| invalid("chunks", "too many chunks"))?;
    let insert = tx
        .prepare_cached(
            "INSERT INTO resources \
             (project, file_name, resource_type, content_hash, content, chunk_count, metadata) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (project, content_hash) DO NOTHING RETURNING id",
        )
        .await?;
    let Some(row) = tx
        .query_opt(
            &insert,
            &[
                &project,
                &resource.file_name,
                &resource.resource_type,
                &content_hash,
                &resource.content,
                &chunk_count,
                &resource.metadata,
            ],
        )
        .await?
    else {
        return Ok(None);
    };
    let resource_id: i64 = row.try_get(0)?;

    let mut ordinals = Vec::with_capacity(chunks.len());
    let mut starts = Vec::with_capacity(chunks.len());
    let mut ends = Vec::with_capacity(chunks.len());
    let mut texts = Vec::with_capacity(chunks.len());
    let mut vectors = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        ordinals.push(
            i32::try_from(chunk.ordinal).map_err(|_| invalid("chunks", "ordinal too large"))?,
        );
        starts.push(i64::try_from(chunk.start).map_err(|_| invalid("chunks", "start too large"))?);
        ends.push(i64::try_from(chunk.end).map_err(|_| invalid("chunks", "end too large"))?);
        texts.push(chunk.text.as_str());
        vectors.push(pgvector::Vector::from(chunk.vector.clone()));
    }
    // One statement for all chunks; ORDER BY the position in the arrays so
    // the ids (chunk ids and the vector ids of the column default) are
    // handed out in the order the chunks were given.
    let insert_chunks = tx
        .prepare_cached(
            "INSERT INTO chunks \
             (resource_id, project, resource_type, ordinal, start_byte, end_byte, text, embedding) \
             SELECT $1, $2, $3, u.ordinal, u.start_byte, u.end_byte, u.text, u.embedding \
             FROM unnest($4::int4[], $5::int8[], $6::int8[], $7::text[], $8::vector[]) \
                  WITH ORDINALITY AS u (ordinal, start_byte, end_byte, text, embedding, n) \
             ORDER BY u.n",
        )
        .await?;
    let written = tx
        .execute(
            &insert_chunks,
            &[
                &resource_id,
                &project,
                &resource.resource_type,
                &ordinals,
                &starts,
                &ends,
                &texts,
                &vectors,
            ],
        )
        .await?;
    if written != u64::try_from(chunks.len()).unwrap_or(u64::MAX) {
        return Err(corrupt(format!(
            "{written} of {} chunks were written",
            chunks.len()
        )));
    }
    Ok(Some(ResourceId(resource_id)))
}

async fn resource_exists(
    client: &impl GenericClient,
    project: &Project,
    id: ResourceId,
) -> Result<bool> {
    let stmt = client
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM resources WHERE id = $1 AND project = $2)")
        .await?;
    Ok(client
        .query_one(&stmt, &[&id.0, &project.as_str()])
        .await?
        .try_get(0)?)
}

// ------------------------------------------------------------------ checks

/// The checks on a resource and its chunks before any write begins: those
/// every backend runs ([`validate::check_resource`], then
/// [`validate::check_chunks`]), and between them what PostgreSQL's text
/// cannot hold ([`checks::resource`]).
pub(crate) fn check_put(
    resource: &NewResource,
    chunks: &[NewChunk],
    dimension: usize,
) -> Result<()> {
    validate::check_resource(resource)?;
    checks::resource(resource)?;
    Ok(validate::check_chunks(
        &resource.content,
        chunks,
        dimension,
    )?)
}

// -------------------------------------------------------------------- rows

/// Columns of a resource row, aliased `r`, in the order [`resource_from_row`] reads.
pub(crate) const RESOURCE_COLUMNS: &str = "r.id, r.project, r.file_name, r.resource_type, \
     r.content_hash, r.content, r.chunk_count, ltmc_ts(r.created_at), r.metadata";

pub(crate) fn resource_from_row(row: &Row) -> Result<Resource> {
    let project: String = row.try_get(1)?;
    let chunk_count: i32 = row.try_get(6)?;
    Ok(Resource {
        id: ResourceId(row.try_get(0)?),
        project: Project::new(&project)
            .map_err(|err| corrupt(format!("resources.project {project:?}: {err}")))?,
        file_name: row.try_get(2)?,
        resource_type: row.try_get(3)?,
        content_hash: row.try_get(4)?,
        content: row.try_get(5)?,
        chunk_count: usize::try_from(chunk_count)
            .map_err(|_| corrupt(format!("resources.chunk_count is {chunk_count}")))?,
        created_at: row.try_get(7)?,
        metadata: row.try_get(8)?,
    })
}

/// Columns of a chunk row, aliased `c`, in the order [`chunk_from_row`] reads.
pub(crate) const CHUNK_COLUMNS: &str =
    "c.id, c.resource_id, c.ordinal, c.start_byte, c.end_byte, c.text, c.vector_id";

/// What a search hit adds to [`CHUNK_COLUMNS`]: its resource's name and type
/// (`resources` aliased `r`).
pub(crate) const HIT_COLUMNS: &str = "r.file_name, r.resource_type";

/// A search hit from a row of [`CHUNK_COLUMNS`] then [`HIT_COLUMNS`]; the
/// score is the caller's (each search computes its own).
pub(crate) fn hit_from_row(row: &Row, score: f32) -> Result<ScoredChunk> {
    Ok(ScoredChunk {
        chunk: chunk_from_row(row)?,
        file_name: row.try_get(7)?,
        resource_type: row.try_get(8)?,
        score,
    })
}

/// A chunk from a row of [`CHUNK_COLUMNS`] (first, from column 0).
pub(crate) fn chunk_from_row(row: &Row) -> Result<Chunk> {
    let ordinal: i32 = row.try_get(2)?;
    let start: i64 = row.try_get(3)?;
    let end: i64 = row.try_get(4)?;
    let (Ok(ordinal), Ok(start), Ok(end)) = (
        usize::try_from(ordinal),
        usize::try_from(start),
        usize::try_from(end),
    ) else {
        return Err(corrupt(format!(
            "chunk with ordinal {ordinal} and byte range {start}..{end}"
        )));
    };
    Ok(Chunk {
        id: ChunkId(row.try_get(0)?),
        resource_id: ResourceId(row.try_get(1)?),
        ordinal,
        start,
        end,
        text: row.try_get(5)?,
        vector_id: VectorId(row.try_get(6)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use ltmc_core::CoreError;
    use serde_json::json;

    const CONTENT: &str = "héllo world";

    fn resource(content: &str) -> NewResource {
        ltmc_store::conformance::resource(&Project::default(), "a.md", "document", content)
    }

    /// One chunk that is all of `content`.
    fn whole(content: &str) -> Vec<NewChunk> {
        vec![NewChunk {
            ordinal: 0,
            start: 0,
            end: content.len(),
            text: content.into(),
            vector: vec![1.0, 0.0],
        }]
    }

    /// "ok", "WrongDimension", or the field of an Invalid (the checks of the
    /// backend-neutral ones are ltmc-store's tests; here, where PostgreSQL's
    /// own fall among them).
    fn outcome(resource: &NewResource, chunks: &[NewChunk]) -> String {
        match check_put(resource, chunks, 2) {
            Ok(()) => "ok".to_owned(),
            Err(Error::Store(StoreError::WrongDimension { .. })) => "WrongDimension".to_owned(),
            Err(Error::Store(StoreError::Invalid(CoreError::Invalid { field, .. }))) => {
                field.to_owned()
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    /// Eight servers' worth of concurrent puts of one content: one stores
    /// it, the others wait on its unique key (ON CONFLICT) and return it as
    /// the duplicate; none fails, nothing is stored twice.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_puts_of_one_content_store_it_once() {
        use ltmc_store::StoreAdmin;
        use ltmc_store::conformance::{spec, split};
        let Some(server) = crate::testing::server_url() else {
            return;
        };
        let db = crate::testing::TestDb::create(&server).await;
        let store = PgStore::connect(&db.url, Some(&spec())).await.unwrap();
        let content = "the same notes, stored by eight servers at once";
        for round in 0..3 {
            let content = format!("{content} (round {round})");
            let puts: Vec<_> = (0..8)
                .map(|i| {
                    let (store, content) = (store.clone(), content.clone());
                    tokio::spawn(async move {
                        let mut new = resource(&content);
                        new.file_name = format!("{i}.md");
                        store.put_resource(new, split(&content, 3)).await
                    })
                })
                .collect();
            let mut outcomes = Vec::new();
            for put in puts {
                outcomes.push(put.await.unwrap().unwrap());
            }
            assert_eq!(outcomes.iter().filter(|o| !o.duplicate).count(), 1);
            assert!(
                outcomes
                    .iter()
                    .all(|o| o.resource_id == outcomes[0].resource_id)
            );
            assert!(outcomes.iter().all(|o| o.chunk_count == 3));
        }
        let info = store.info().await.unwrap();
        assert_eq!((info.resources, info.chunks, info.vectors), (3, 9, 9));
        assert!(store.check_integrity().await.unwrap().is_ok());
    }

    #[test]
    fn nul_characters_name_their_field() {
        let text = "a\0b";
        assert_eq!(outcome(&resource(text), &whole(text)), "content");
        let mut r = resource(CONTENT);
        r.file_name = "a\0.md".into();
        assert_eq!(outcome(&r, &whole(CONTENT)), "file_name");
        let mut r = resource(CONTENT);
        r.metadata = json!({"tags": ["ok", "not\0ok"]});
        assert_eq!(outcome(&r, &whole(CONTENT)), "metadata");
        r.metadata = json!({"key\0": 1});
        assert_eq!(outcome(&r, &whole(CONTENT)), "metadata");
        r.metadata = json!({"n": 1, "ok": [true, null, "fine"]});
        assert_eq!(outcome(&r, &whole(CONTENT)), "ok");
        // After the resource's own checks, before the chunks'.
        assert_eq!(outcome(&resource(text), &[]), "content");
        let mut r = resource(text);
        r.resource_type = " ".into();
        assert_eq!(outcome(&r, &whole(text)), "resource_type");
    }
}
