//! Keyword search: [`KeywordSearch`] for [`SqliteStore`], BM25 over the FTS5
//! index `chunk_fts` (migration 0002), and that index's integrity check.
//!
//! The index is kept in step with `chunks` by triggers inside every write
//! transaction, so unlike vector search there is no cache here to refresh:
//! one SELECT is one snapshot. Project and type filters run inside that
//! SELECT, so a selective filter still yields `k` hits when `k` match. How
//! free text becomes a MATCH expression is `fts_query.rs`; fusing keyword and
//! vector scores is the service layer's business, not this crate's.

use crate::SqliteStore;
use crate::error::Result;
use crate::fts_query::{match_expression, term_expressions};
use crate::resources::{CHUNK_COLUMNS, HIT_COLUMNS, hit_from_row};
use async_trait::async_trait;
use ltmc_core::terms::TermStats;
use ltmc_core::{Project, ScoredChunk};
use ltmc_store::{ChunkFilter, KeywordSearch, StoreError};
use rusqlite::{Connection, ErrorCode, params};

#[async_trait]
impl KeywordSearch for SqliteStore {
    async fn keyword_chunks(
        &self,
        project: &Project,
        query: &str,
        k: usize,
        filter: &ChunkFilter,
    ) -> Result<Vec<ScoredChunk>, StoreError> {
        let Some(expression) = match_expression(query) else {
            return Ok(Vec::new());
        };
        if k == 0 {
            return Ok(Vec::new());
        }
        let project = project.clone();
        let filter = filter.clone();
        self.call(move |state, _| keyword(&state.conn, &expression, &project, k, &filter))
            .await
    }

    async fn term_stats(&self, project: &Project, query: &str) -> Result<TermStats, StoreError> {
        let terms = term_expressions(query);
        if terms.is_empty() {
            return Ok(TermStats::default());
        }
        let project = project.clone();
        self.call(move |state, _| term_stats(&state.conn, &terms, &project))
            .await
    }
}

/// The project's chunk count (from its resources' counts) and each term's
/// count of chunks holding it, up to `TermStats::CAP`, in one read
/// transaction so both come from one snapshot. Counting is within the
/// project, unlike `bm25()`'s frequencies: one project's notes do not make
/// another's words common. The cap bounds the cost: one posting-list step
/// and one project check per counted chunk.
fn term_stats(conn: &Connection, terms: &[String], project: &Project) -> Result<TermStats> {
    let tx = conn.unchecked_transaction()?;
    let chunks: i64 = tx
        .prepare_cached("SELECT coalesce(sum(chunk_count), 0) FROM resources WHERE project = ?1")?
        .query_row([project.as_str()], |row| row.get(0))?;
    let cap = i64::try_from(TermStats::CAP).unwrap_or(i64::MAX);
    let mut count = tx.prepare_cached(
        "SELECT count(*) FROM (SELECT 1 FROM chunk_fts \
           CROSS JOIN chunks c ON c.id = chunk_fts.rowid \
           WHERE chunk_fts MATCH ?1 AND c.project = ?2 LIMIT ?3)",
    )?;
    let documents = terms
        .iter()
        .map(|term| {
            count
                .query_row(params![term, project.as_str(), cap], |row| {
                    row.get::<_, i64>(0)
                })
                .map(|n| u64::try_from(n).unwrap_or(0))
        })
        .collect::<rusqlite::Result<Vec<u64>>>()?;
    drop(count);
    tx.finish()?;
    Ok(TermStats {
        chunks: u64::try_from(chunks).unwrap_or(0),
        documents,
    })
}

fn keyword(
    conn: &Connection,
    expression: &str,
    project: &Project,
    k: usize,
    filter: &ChunkFilter,
) -> Result<Vec<ScoredChunk>> {
    let limit = i64::try_from(k).unwrap_or(i64::MAX);
    // bm25() is smaller for better matches; the contract wants higher. Its
    // document frequencies are counted over the whole table, all projects:
    // scores are comparable within one answer only, as the trait says.
    // CROSS JOIN pins the full-text match as the outer loop. SQLite picks that
    // plan anyway today (also after ANALYZE with a selective project); the
    // pin keeps a future planner from walking the project's chunks and
    // probing the index once per chunk.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CHUNK_COLUMNS}, {HIT_COLUMNS}, -bm25(chunk_fts) AS score \
         FROM chunk_fts \
         CROSS JOIN chunks c ON c.id = chunk_fts.rowid \
         CROSS JOIN resources r ON r.id = c.resource_id \
         WHERE chunk_fts MATCH ?1 AND c.project = ?2 \
           AND (?3 IS NULL OR r.resource_type = ?3) \
           AND r.resource_type NOT IN (SELECT value FROM json_each(?5)) \
         ORDER BY score DESC, c.id \
         LIMIT ?4"
    ))?;
    // The excluded types as one JSON array: any number of them binds to one
    // parameter of one cached statement.
    let excluded = serde_json::Value::from(filter.exclude_types.clone()).to_string();
    let rows = stmt.query_map(
        params![
            expression,
            project.as_str(),
            filter.resource_type,
            limit,
            excluded
        ],
        |row| hit_from_row(row, row.get(9)?),
    )?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The external-content FTS5 tables and the tables they index: the keyword
/// index of chunks (migration 0002) and of todos (0004).
pub(crate) const FTS_TABLES: &[(&str, &str)] = &[("chunk_fts", "chunks"), ("todo_fts", "todos")];

/// FTS5's own check that the index `table` (one of [`FTS_TABLES`]) agrees
/// with the table it indexes, `content` (with rank 1 it re-tokenizes every
/// row's text and compares it with what is indexed, not only the index's
/// internal structure). `Some(problem)` when it does not.
///
/// It reads all indexed text, like `PRAGMA quick_check` reads every page: fine
/// for `ltmc doctor`, not for a hot path. It is an INSERT, so SQLite takes the
/// write lock for its duration although nothing is written; run it on its own,
/// outside a read transaction, whose snapshot could not be upgraded to a
/// write once another process has committed.
pub(crate) fn check_index(conn: &Connection, table: &str, content: &str) -> Result<Option<String>> {
    match conn.execute(
        &format!("INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"),
        [],
    ) {
        Ok(_) => Ok(None),
        Err(rusqlite::Error::SqliteFailure(failure, detail))
            if failure.code == ErrorCode::DatabaseCorrupt =>
        {
            Ok(Some(format!(
                "keyword index {table} disagrees with {content} ({}); `ltmc reindex --all` \
                 rebuilds it (INSERT INTO {table} ({table}) VALUES ('rebuild'))",
                detail.unwrap_or_else(|| failure.to_string())
            )))
        }
        Err(err) => Err(err.into()),
    }
}
