//! What the store is and whether it is sound: [`StoreAdmin`] for
//! [`PgStore`], for `ltmc doctor`, `ltmc reindex` and start-up checks.
//!
//! Much of what the SQLite store must check cannot go wrong here by
//! construction: a chunk's vector is a column of its row (`NOT NULL`, typed
//! `vector(N)` once the model is recorded), so there are no chunks without
//! vectors, no vectors without chunks, and no vectors of another dimension;
//! `vector_id` is `UNIQUE`. They are counted anyway (cheaply), so a schema
//! someone altered by hand still shows up. The real findings are the
//! invariants that span rows (chunk counts, chunk text against the content,
//! chunk project and type against their resource's, vector ids behind their
//! sequence) and the state of the HNSW index. Nothing here repairs.
//!
//! The vector index is pgvector's HNSW index `chunks_embedding_hnsw`, inside
//! the database and written by every insert and delete in the writing
//! transaction, so it is never behind: `check_indexes` reports each project's
//! chunks as both indexed and stored and flags only a missing or invalid
//! index (an interrupted build), `rebuild_indexes` is `REINDEX` (of the one
//! index, which is database-wide: rebuilding "a project" rebuilds all), and
//! `sync_indexes` has nothing to do. PostgreSQL's own checks of the other
//! indexes (validity, amcheck) and their repair are engine.rs.
//!
//! Not here: opening and migrating (open.rs).

use crate::PgStore;
use crate::error::{Result, corrupt};
use crate::open::LATEST_SCHEMA_VERSION;
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::Project;
use ltmc_store::integrity::{self, Finding};
use ltmc_store::{IndexStatus, IntegrityReport, StorageReport, StoreAdmin, StoreError, StoreInfo};
use tokio_postgres::IsolationLevel;

/// The HNSW index on `chunks.embedding` (open.rs `VECTOR_COLUMNS`).
const HNSW_INDEX: &str = "chunks_embedding_hnsw";

/// What [`IndexStatus::kind`] says of it.
const INDEX_KIND: &str = "hnsw (pgvector)";

#[async_trait]
impl StoreAdmin for PgStore {
    async fn info(&self) -> Result<StoreInfo, StoreError> {
        read_info(self).await.map_err(|e| self.fail(e))
    }

    async fn check_integrity(&self) -> Result<IntegrityReport, StoreError> {
        integrity(self).await.map_err(|e| self.fail(e))
    }

    async fn check_storage(&self, full: bool) -> Result<StorageReport, StoreError> {
        crate::engine::check_storage(self, full)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn check_indexes(&self) -> Result<Vec<IndexStatus>, StoreError> {
        index_statuses(self, None).await.map_err(|e| self.fail(e))
    }

    async fn rebuild_indexes(
        &self,
        project: Option<&Project>,
    ) -> Result<Vec<IndexStatus>, StoreError> {
        async {
            reindex(self).await?;
            // --all also rebuilds every b-tree (as SQLite's REINDEX does);
            // a project's rebuild repairs only indexes left invalid.
            let rebuilt = crate::engine::reindex_tables(self, project.is_none()).await?;
            tracing::info!(rebuilt, "rebuilt the indexes of ltmc's tables");
            index_statuses(self, project).await
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn sync_indexes(&self) -> Result<(), StoreError> {
        // The index lives in the database and is written with every write;
        // there is no on-disk copy of ours to bring up to date.
        Ok(())
    }
}

/// Each finding that is not one of the report's counters, as (what, query
/// counting it). Every one is something the schema or the write path should
/// have made impossible, so any count above zero is worth a person's look.
/// A migration that adds tables with cross-row rules adds its checks here
/// (in `ltmc_store::integrity` when the SQL reads the same in SQLite).
const FINDINGS: &[Finding] = &[
    Finding {
        what: "chunks whose project or resource type differs from their resource's",
        sql: "SELECT count(*) FROM chunks c JOIN resources r ON r.id = c.resource_id \
              WHERE c.project <> r.project OR c.resource_type <> r.resource_type",
    },
    integrity::CHUNK_COUNTS,
    Finding {
        what: "resources without chunks that are not folded (no search can find them)",
        sql: "SELECT count(*) FROM resources r \
              WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.resource_id = r.id) \
              AND NOT EXISTS (SELECT 1 FROM resource_folds f WHERE f.folded_id = r.id)",
    },
    Finding {
        what: "chunks whose text is not their byte range of the resource's content",
        sql: "SELECT count(*) FROM chunks c JOIN resources r ON r.id = c.resource_id \
              WHERE substring(convert_to(r.content, 'UTF8') FROM (c.start_byte + 1)::int \
                              FOR (c.end_byte - c.start_byte)::int) <> convert_to(c.text, 'UTF8')",
    },
    Finding {
        what: "vector ids not below vector_id_seq's next value (they would be handed out again)",
        sql: "SELECT count(*) FROM chunks WHERE vector_id >= \
              (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM vector_id_seq)",
    },
    integrity::ATTEMPT_RESOURCES,
    integrity::ATTEMPTLESS_RESOURCES,
    integrity::ATTEMPT_LINK_PROJECTS,
    integrity::CONTEXT_LINK_PROJECTS,
    integrity::FOLDS,
];

async fn read_info(store: &PgStore) -> Result<StoreInfo> {
    let mut client = store.client().await?;
    let tx = snapshot(&mut client).await?;
    let meta = tx
        .query_one(
            "SELECT (SELECT coalesce(max(version), 0) FROM schema_version), \
                        m.embedding_model, m.dimension, \
                        (SELECT count(*) FROM resources), \
                        (SELECT count(*) FROM chunks), \
                        (SELECT count(*) FROM chunks WHERE embedding IS NOT NULL) \
                 FROM store_meta m WHERE m.id = 1",
            &[],
        )
        .await?;
    let dimension: Option<i32> = meta.try_get(2)?;
    let info = StoreInfo {
        backend: "postgres".into(),
        location: store.location().to_owned(),
        schema_version: meta.try_get(0)?,
        latest_schema_version: LATEST_SCHEMA_VERSION,
        embedding_model: meta.try_get::<_, Option<String>>(1)?.unwrap_or_default(),
        dimension: dimension
            .map(usize::try_from)
            .transpose()
            .map_err(|_| corrupt(format!("store_meta.dimension is {dimension:?}")))?
            .unwrap_or(0),
        resources: count(meta.try_get(3)?)?,
        chunks: count(meta.try_get(4)?)?,
        vectors: count(meta.try_get(5)?)?,
    };
    tx.commit().await?;
    Ok(info)
}

async fn integrity(store: &PgStore) -> Result<IntegrityReport> {
    let mut client = store.client().await?;
    let tx = snapshot(&mut client).await?;
    let mut report = IntegrityReport {
        chunks_without_vector: count_of(&tx, "SELECT count(*) FROM chunks WHERE embedding IS NULL")
            .await?,
        // The vector is a column of the chunk's row: it has no row of
        // its own that could outlive the chunk.
        vectors_without_chunk: 0,
        duplicate_vector_ids: count_of(&tx, integrity::DUPLICATE_VECTOR_IDS).await?,
        ..IntegrityReport::default()
    };
    let recorded: Option<i32> = tx
        .query_one("SELECT dimension FROM store_meta WHERE id = 1", &[])
        .await?
        .try_get(0)?;
    if let Some(dimension) = recorded {
        // The column's type holds the dimension (atttypmod) once open.rs
        // typed it; then no other vector can be stored, and reading every
        // vector to measure it would be wasted.
        let typmod: i32 = tx
            .query_one(
                "SELECT atttypmod FROM pg_attribute \
                 WHERE attrelid = 'chunks'::regclass AND attname = 'embedding'",
                &[],
            )
            .await?
            .try_get(0)?;
        if typmod != dimension {
            let stmt = tx
                .prepare("SELECT count(*) FROM chunks WHERE vector_dims(embedding) <> $1")
                .await?;
            report.wrong_dimension_vectors =
                count(tx.query_one(&stmt, &[&dimension]).await?.try_get(0)?)?;
            report.problems.push(format!(
                "chunks.embedding is not typed vector({dimension}) (type modifier {typmod}); \
                 opening the store with its model types it"
            ));
        }
    } else {
        let vectors = count_of(&tx, "SELECT count(*) FROM chunks").await?;
        if vectors > 0 {
            report.wrong_dimension_vectors = vectors;
            report.problems.push(format!(
                "{vectors} vectors stored but no embedding model recorded"
            ));
        }
    }
    // Another server may have migrated the database since this one opened
    // it; this one then writes by rules older than the schema's.
    let current: i64 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[])
        .await?
        .try_get(0)?;
    if current != store.shared.schema_version {
        report.problems.push(format!(
            "the database is at schema version {current} but this ltmc opened it at \
             version {}; another server migrated it since: restart this one (with an ltmc \
             that knows version {current})",
            store.shared.schema_version
        ));
    }
    for finding in FINDINGS {
        let n = count_of(&tx, finding.sql).await?;
        integrity::note(&mut report, finding, n);
    }
    if let Some(problem) = index_problem(&tx).await? {
        report.problems.push(problem);
    }
    tx.commit().await?;
    Ok(report)
}

/// Every project with chunks (or only `only`, also when it has none),
/// by name.
async fn index_statuses(store: &PgStore, only: Option<&Project>) -> Result<Vec<IndexStatus>> {
    let mut client = store.client().await?;
    let tx = snapshot(&mut client).await?;
    let problem = index_problem(&tx).await?;
    // The position: the last vector id handed out (0 before the first).
    // The index holds every vector written up to it.
    let position: i64 = tx
        .query_one(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM vector_id_seq",
            &[],
        )
        .await?
        .try_get(0)?;
    let rows = match only {
        Some(project) => {
            tx.query(
                "SELECT $1::text, count(*) FROM chunks WHERE project = $1",
                &[&project.as_str()],
            )
            .await?
        }
        None => {
            tx.query(
                "SELECT project, count(*) FROM chunks GROUP BY project ORDER BY project",
                &[],
            )
            .await?
        }
    };
    let mut statuses = Vec::with_capacity(rows.len());
    for row in &rows {
        let stored = count(row.try_get(1)?)?;
        statuses.push(IndexStatus {
            project: row.try_get(0)?,
            kind: INDEX_KIND.to_owned(),
            // Without a usable index no vector is indexed (searches then
            // scan exactly, slowly).
            indexed: if problem.is_none() { stored } else { 0 },
            stored,
            position,
            persisted_position: None,
            problems: problem.iter().cloned().collect(),
        });
    }
    tx.commit().await?;
    Ok(statuses)
}

/// Rebuilds the HNSW index from the vectors (creating it when missing).
/// It is one index over every project's chunks; REINDEX blocks writes
/// to `chunks` (other servers' too) while it runs.
async fn reindex(store: &PgStore) -> Result<()> {
    let client = store.client().await?;
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&HNSW_INDEX])
        .await?
        .try_get(0)?;
    if exists {
        client
            .batch_execute(&format!("REINDEX INDEX {HNSW_INDEX}"))
            .await?;
    } else if store.embedding().is_some() {
        // Only a typed column can be indexed; open.rs types it when the
        // model is recorded, so with a model the column is typed.
        client
            .batch_execute(&format!(
                "CREATE INDEX IF NOT EXISTS {HNSW_INDEX} \
                     ON chunks USING hnsw (embedding vector_cosine_ops)"
            ))
            .await?;
    }
    tracing::info!(
        location = store.location(),
        "rebuilt the HNSW index {HNSW_INDEX}"
    );
    Ok(())
}

/// A read-only transaction on one snapshot.
async fn snapshot(
    client: &mut deadpool_postgres::Object,
) -> Result<deadpool_postgres::Transaction<'_>> {
    Ok(client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?)
}

/// What is wrong with the HNSW index, if anything: missing while a model is
/// recorded, or left invalid by an interrupted build.
async fn index_problem(client: &impl GenericClient) -> Result<Option<String>> {
    let row = client
        .query_one(
            "SELECT (SELECT dimension FROM store_meta WHERE id = 1) IS NOT NULL, \
                    (SELECT i.indisvalid AND i.indisready FROM pg_index i \
                     WHERE i.indexrelid = to_regclass($1))",
            &[&HNSW_INDEX],
        )
        .await?;
    let model_recorded: bool = row.try_get(0)?;
    let valid: Option<bool> = row.try_get(1)?;
    Ok(match valid {
        Some(false) => Some(format!(
            "the HNSW index {HNSW_INDEX} is invalid (an interrupted build); \
             rebuild it with `ltmc reindex`"
        )),
        None if model_recorded => Some(format!(
            "the HNSW index {HNSW_INDEX} is missing; searches scan every vector; \
             create it with `ltmc reindex`"
        )),
        // Valid, or rightly absent: no model, so no typed column to index.
        Some(true) | None => None,
    })
}

async fn count_of(client: &impl GenericClient, sql: &str) -> Result<u64> {
    count(client.query_one(sql, &[]).await?.try_get(0)?)
}

fn count(n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|_| corrupt(format!("a count of {n}")))
}
