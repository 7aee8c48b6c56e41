//! What the store is and whether it is sound: [`StoreAdmin`] for
//! [`SqliteStore`], for `ltmc doctor` and start-up checks.
//!
//! The integrity check reads everything in one snapshot and counts (then has
//! FTS5 check the keyword index against the chunks); the storage check runs
//! SQLite's own `quick_check` (or the slower `integrity_check`) and reads the
//! connection's settings back. Neither repairs: fixing a damaged store is a
//! decision for a person (`ltmc reindex --all` rebuilds every index from the
//! rows; damaged rows need a backup), not a side effect of looking at it.

use crate::cache::{self, IndexCache};
use crate::error::Result;
use crate::store::State;
use crate::{LATEST_SCHEMA_VERSION, SqliteStore, blob, keyword, meta, migrate};
use async_trait::async_trait;
use ltmc_core::Project;
use ltmc_store::integrity::{self, Finding};
use ltmc_store::{
    IndexStatus, IntegrityReport, Repair, StorageProblem, StorageReport, StoreAdmin, StoreError,
    StoreInfo,
};
use rusqlite::{Connection, ErrorCode, TransactionBehavior};
use std::path::Path;

#[async_trait]
impl StoreAdmin for SqliteStore {
    async fn info(&self) -> Result<StoreInfo, StoreError> {
        self.call(info).await
    }

    async fn check_integrity(&self) -> Result<IntegrityReport, StoreError> {
        self.call(check_integrity).await
    }

    async fn check_storage(&self, full: bool) -> Result<StorageReport, StoreError> {
        let read_only = self.read_only().map(str::to_owned);
        self.call(move |state, _| check_storage(state, full, read_only.as_deref()))
            .await
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
        if self.read_only().is_some() {
            return Err(self.refusal());
        }
        let only = project.map(|p| p.as_str().to_owned());
        self.call(move |state, _| {
            if only.is_none() {
                rebuild_sql_indexes(&mut state.conn)?;
            }
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
    integrity::FOLDS,
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
    tx.commit()?;
    // SQLite's own page checks are `check_storage`'s. FTS5's check is an
    // INSERT, which a read-only store refuses (check_storage says so).
    if state.read_only {
        return Ok(report);
    }
    // After the snapshot, each on its own: see check_index for why.
    for (table, content) in keyword::FTS_TABLES {
        if let Some(problem) = keyword::check_index(&state.conn, table, content)? {
            report.problems.push(problem);
        }
    }
    Ok(report)
}

/// Rebuilds SQLite's b-tree indexes and the FTS5 keyword indexes from the
/// table rows, in one write transaction (`ltmc reindex --all`).
fn rebuild_sql_indexes(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch("REINDEX")?;
    for (table, _) in keyword::FTS_TABLES {
        tx.execute(
            &format!("INSERT INTO {table} ({table}) VALUES ('rebuild')"),
            [],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// SQLite's `quick_check` (or `integrity_check` when `full`), each finding
/// with the repair that fits it, and the connection's settings read back.
fn check_storage(state: &mut State, full: bool, read_only: Option<&str>) -> Result<StorageReport> {
    let mut report = StorageReport::default();
    let conn = &state.conn;
    let synchronous: i64 = conn.query_row("PRAGMA synchronous", [], |row| row.get(0))?;
    report.settings.push(format!(
        "synchronous={}",
        match synchronous {
            0 => "OFF",
            1 => "NORMAL",
            2 => "FULL",
            3 => "EXTRA",
            _ => "unknown",
        }
    ));
    let journal: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0))?;
    report.settings.push(format!("journal_mode={journal}"));
    if let Some(reason) = read_only {
        report.settings.push(format!("read-only ({reason})"));
        report
            .skipped
            .push("FTS5 integrity-check of the keyword indexes (SQLite runs it as a write)".into());
    }
    let pragma = if full {
        "integrity_check"
    } else {
        "quick_check"
    };
    report.checked.push(format!("SQLite {pragma}"));
    match pragma_lines(conn, pragma) {
        Ok(lines) => {
            for line in lines.into_iter().filter(|l| l != "ok") {
                let repair = repair_for(&line);
                report.problems.push(StorageProblem {
                    what: format!("sqlite {pragma}: {line}"),
                    repair,
                });
            }
        }
        // Damage bad enough that the check itself stops is still a finding.
        Err(crate::error::Error::Sql(err))
            if matches!(
                err.sqlite_error_code(),
                Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
            ) =>
        {
            report.problems.push(StorageProblem {
                what: format!("sqlite {pragma} could not finish: {err}"),
                repair: Repair::RestoreBackup,
            });
        }
        Err(err) => return Err(err),
    }
    Ok(report)
}

fn pragma_lines(conn: &Connection, pragma: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA {pragma}"))?;
    let lines = stmt.query_map([], |row| row.get::<_, String>(0))?;
    Ok(lines.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// An index that lacks or has extra entries is rebuilt from its table
/// (REINDEX); anything else (pages, b-tree structure, rows, constraints)
/// means the rows themselves may be gone or wrong.
fn repair_for(line: &str) -> Repair {
    if line.contains("missing from index") || line.starts_with("wrong # of entries in index") {
        Repair::Reindex
    } else {
        Repair::RestoreBackup
    }
}

fn count(conn: &Connection, sql: &str) -> Result<u64> {
    Ok(conn.query_row(sql, [], |row| row.get(0))?)
}
