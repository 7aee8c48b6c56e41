//! What the store is and whether it is sound: [`StoreAdmin`] for
//! [`SqliteStore`], for `ltmc doctor` and start-up checks.
//!
//! The integrity check reads everything in one snapshot and counts (then has
//! FTS5 check the keyword index against the chunks); it never repairs: fixing
//! a damaged store is a decision for a person (or for `ltmc migrate`), not a
//! side effect of looking at it.

use crate::cache::{self, IndexCache};
use crate::error::Result;
use crate::store::State;
use crate::{LATEST_SCHEMA_VERSION, SqliteStore, blob, keyword, meta, migrate};
use async_trait::async_trait;
use ltmc_core::Project;
use ltmc_store::integrity::{self, Finding};
use ltmc_store::{IndexStatus, IntegrityReport, StoreAdmin, StoreError, StoreInfo};
use rusqlite::Connection;
use std::path::Path;

#[async_trait]
impl StoreAdmin for SqliteStore {
    async fn info(&self) -> Result<StoreInfo, StoreError> {
        self.call(info).await
    }

    async fn check_integrity(&self) -> Result<IntegrityReport, StoreError> {
        self.call(check_integrity).await
    }

    async fn check_indexes(&self) -> Result<Vec<IndexStatus>, StoreError> {
        self.call(|state, _| {
            state.with_snapshot(|cache, snap| {
                let mut statuses = Vec::new();
                for project in cache::projects_with_vectors(snap.conn)? {
                    statuses.push(cache.check(snap, &project)?);
                }
                Ok(statuses)
            })
        })
        .await
    }

    async fn rebuild_indexes(
        &self,
        project: Option<&Project>,
    ) -> Result<Vec<IndexStatus>, StoreError> {
        let only = project.map(|p| p.as_str().to_owned());
        self.call(move |state, _| {
            state.with_snapshot(|cache, snap| {
                let projects = match only {
                    Some(project) => vec![project],
                    None => cache::projects_with_vectors(snap.conn)?,
                };
                let mut statuses = Vec::new();
                for project in projects {
                    cache.rebuild(snap, &project)?;
                    statuses.push(cache.check(snap, &project)?);
                }
                Ok(statuses)
            })
        })
        .await
    }

    async fn sync_indexes(&self) -> Result<(), StoreError> {
        self.call(|state, _| state.with_snapshot(IndexCache::sync))
            .await
    }
}

fn info(state: &mut State, path: &Path) -> Result<StoreInfo> {
    let tx = state.conn.transaction()?;
    let embedding = meta::read_embedding(&tx)?;
    let info = StoreInfo {
        backend: "sqlite".into(),
        location: path.display().to_string(),
        schema_version: migrate::current_version(&tx, path)?,
        latest_schema_version: LATEST_SCHEMA_VERSION,
        embedding_model: embedding
            .as_ref()
            .map_or_else(String::new, |spec| spec.model_id.clone()),
        dimension: embedding.as_ref().map_or(0, |spec| spec.dimension),
        resources: count(&tx, "SELECT count(*) FROM resources")?,
        chunks: count(&tx, "SELECT count(*) FROM chunks")?,
        vectors: count(&tx, "SELECT count(*) FROM vectors")?,
    };
    tx.commit()?;
    Ok(info)
}

/// Each finding that is not one of the report's counters, as (what, query
/// counting it). Every one is something the schema or the write path should
/// have made impossible, so any count above zero is worth a person's look.
/// Those whose SQL reads the same in PostgreSQL are in `ltmc_store::integrity`.
const FINDINGS: &[Finding] = &[
    Finding {
        what: "chunks whose project differs from their resource's",
        sql: "SELECT count(*) FROM chunks c JOIN resources r ON r.id = c.resource_id WHERE c.project <> r.project",
    },
    Finding {
        what: "vectors whose project differs from their chunk's",
        sql: "SELECT count(*) FROM vectors v JOIN chunks c ON c.id = v.chunk_id WHERE v.project <> c.project",
    },
    integrity::CHUNK_COUNTS,
    Finding {
        what: "chunks whose text is not their byte range of the resource's content",
        sql: "SELECT count(*) FROM chunks c JOIN resources r ON r.id = c.resource_id \
              WHERE substr(CAST(r.content AS BLOB), c.start_byte + 1, c.end_byte - c.start_byte) \
              <> CAST(c.text AS BLOB)",
    },
    Finding {
        what: "vector ids not below the allocator's next id (they would be handed out again)",
        sql: "SELECT count(*) FROM chunks WHERE vector_id >= (SELECT next_id FROM vector_id_sequence WHERE id = 1)",
    },
    integrity::ATTEMPT_RESOURCES,
    integrity::ATTEMPTLESS_RESOURCES,
    integrity::ATTEMPT_LINK_PROJECTS,
    integrity::CONTEXT_LINK_PROJECTS,
];

fn check_integrity(state: &mut State, _path: &Path) -> Result<IntegrityReport> {
    let tx = state.conn.transaction()?;
    let mut report = IntegrityReport {
        chunks_without_vector: count(
            &tx,
            "SELECT count(*) FROM chunks c WHERE NOT EXISTS \
             (SELECT 1 FROM vectors v WHERE v.chunk_id = c.id AND v.vector_id = c.vector_id)",
        )?,
        vectors_without_chunk: count(
            &tx,
            "SELECT count(*) FROM vectors v WHERE NOT EXISTS \
             (SELECT 1 FROM chunks c WHERE c.id = v.chunk_id AND c.vector_id = v.vector_id)",
        )?,
        duplicate_vector_ids: count(&tx, integrity::DUPLICATE_VECTOR_IDS)?,
        ..IntegrityReport::default()
    };
    if let Some(spec) = meta::read_embedding(&tx)? {
        let bytes = i64::try_from(blob::byte_len(spec.dimension)).unwrap_or(i64::MAX);
        report.wrong_dimension_vectors = tx.query_row(
            "SELECT count(*) FROM vectors WHERE length(embedding) <> ?1",
            [bytes],
            |row| row.get(0),
        )?;
    } else {
        let vectors = count(&tx, "SELECT count(*) FROM vectors")?;
        if vectors > 0 {
            report.wrong_dimension_vectors = vectors;
            report.problems.push(format!(
                "{vectors} vectors stored but no embedding model recorded"
            ));
        }
    }
    for finding in FINDINGS {
        let n = count(&tx, finding.sql)?;
        integrity::note(&mut report, finding, n);
    }
    {
        let mut stmt = tx.prepare("PRAGMA foreign_key_check")?;
        let violations = stmt.query_map([], |row| row.get::<_, String>(0))?;
        for table in violations {
            report
                .problems
                .push(format!("foreign key violation in table {}", table?));
        }
    }
    {
        let mut stmt = tx.prepare("PRAGMA quick_check")?;
        let lines = stmt.query_map([], |row| row.get::<_, String>(0))?;
        for line in lines {
            let line = line?;
            if line != "ok" {
                report.problems.push(format!("sqlite quick_check: {line}"));
            }
        }
    }
    tx.commit()?;
    // After the snapshot, each on its own: see check_index for why.
    for (table, content) in keyword::FTS_TABLES {
        if let Some(problem) = keyword::check_index(&state.conn, table, content)? {
            report.problems.push(problem);
        }
    }
    Ok(report)
}

fn count(conn: &Connection, sql: &str) -> Result<u64> {
    Ok(conn.query_row(sql, [], |row| row.get(0))?)
}
