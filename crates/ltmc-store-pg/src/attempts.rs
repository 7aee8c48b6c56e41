//! Code attempts: [`AttemptStore`] for [`PgStore`].
//!
//! An attempt is written in one transaction as two things: a resource of type
//! [`CODE_ATTEMPT_TYPE`] holding its text ([`attempt_text`]) as one chunk
//! whose row carries the attempt's vector (`chunks.embedding`, migration
//! 0001), so vector ids, vector and keyword search and the integrity checks
//! treat it like any chunk; and a `code_attempts` row with the structured
//! fields that filters run on (migration 0002). Every attempt is an event: its
//! resource gets a unique content hash (`attempt:` and 32 random hex digits),
//! never the content's sha256, so a second identical attempt is stored too
//! and a document with the same text is not taken for a duplicate of it.
//! Deleting the resource deletes the attempt and its links (cascades).
//!
//! A search is exact: the attempts passing the filter are selected in SQL and
//! all of them scored by cosine distance (`<=>`) in a `MATERIALIZED` CTE,
//! which the planner cannot push an `ORDER BY ... LIMIT` into, so the HNSW
//! index on `chunks.embedding` is never used here. That is deliberate:
//! pgvector 0.6's HNSW scan filters after the walk (it returns at most
//! `hnsw.ef_search` candidates, then drops those failing the filter), so a
//! selective filter would come back short of `k`, breaking the promise that
//! the filter runs inside the search; and attempts are few per project (one
//! per generated piece of code), so scoring them all is cheap. Ties are broken
//! by attempt id. Blank names in a filter or an attempt count as absent.
//!
//! Not here: embedding the text, choosing which earlier attempts to link, or
//! the analyses over attempts (the service).

use crate::error::{Result, corrupt, invalid, not_found};
use crate::{PgStore, checks};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::{
    AttemptFilter, AttemptId, AttemptLink, AttemptLinkKind, AttemptResult, CODE_ATTEMPT_TYPE,
    CodeAttempt, NewCodeAttempt, Project, ResourceId, attempt_text,
};
use ltmc_store::validate::{self, check_vector, sql_limit};
use ltmc_store::{AttemptStore, StoreError};
use std::collections::HashSet;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

/// The file name of an attempt's resource when the attempt names no file.
const DEFAULT_FILE_NAME: &str = "code_attempt";

/// A statement parameter owned by the list it is in.
type Param = Box<dyn ToSql + Sync + Send>;

#[async_trait]
impl AttemptStore for PgStore {
    async fn put_attempt(
        &self,
        project: &Project,
        attempt: NewCodeAttempt,
        vector: Vec<f32>,
        links: Vec<AttemptLink>,
    ) -> Result<CodeAttempt, StoreError> {
        self.put_attempt_tx(project, attempt, vector, &links)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn get_attempt(
        &self,
        project: &Project,
        id: AttemptId,
    ) -> Result<CodeAttempt, StoreError> {
        async {
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {ATTEMPT_COLUMNS} FROM code_attempts a WHERE a.id = $1 AND a.project = $2"
                ))
                .await?;
            let row = client
                .query_opt(&stmt, &[&id.0, &project.as_str()])
                .await?
                .ok_or_else(|| not_found("attempt", id, project))?;
            attempt_from_row(&row)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn nearest_attempts(
        &self,
        project: &Project,
        query: &[f32],
        k: usize,
        filter: &AttemptFilter,
    ) -> Result<Vec<(CodeAttempt, f32)>, StoreError> {
        self.nearest(project, query, k, filter)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn list_attempts(
        &self,
        project: &Project,
        filter: &AttemptFilter,
    ) -> Result<Vec<CodeAttempt>, StoreError> {
        async {
            let client = self.client().await?;
            let (conditions, values) = where_clause(&client, project, filter).await?;
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {ATTEMPT_COLUMNS} FROM code_attempts a WHERE {conditions} ORDER BY a.id"
                ))
                .await?;
            let rows = client.query(&stmt, &params(&values)).await?;
            rows.iter()
                .map(attempt_from_row)
                .collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn attempt_links(
        &self,
        project: &Project,
        id: AttemptId,
    ) -> Result<Vec<AttemptLink>, StoreError> {
        async {
            let client = self.client().await?;
            // One row of NULLs for an attempt without links, none for an
            // unknown attempt: one statement, one snapshot.
            let stmt = client
                .prepare_cached(
                    "SELECT l.related_id, l.kind, l.similarity FROM code_attempts a \
                     LEFT JOIN attempt_links l ON l.attempt_id = a.id \
                     WHERE a.id = $1 AND a.project = $2 \
                     ORDER BY l.similarity DESC, l.related_id, l.kind",
                )
                .await?;
            let rows = client.query(&stmt, &[&id.0, &project.as_str()]).await?;
            if rows.is_empty() {
                return Err(not_found("attempt", id, project));
            }
            let mut links = Vec::with_capacity(rows.len());
            for row in &rows {
                if let Some(link) = link_from_row(row)? {
                    links.push(link);
                }
            }
            Ok(links)
        }
        .await
        .map_err(|e| self.fail(e))
    }
}

impl PgStore {
    async fn put_attempt_tx(
        &self,
        project: &Project,
        attempt: NewCodeAttempt,
        vector: Vec<f32>,
        links: &[AttemptLink],
    ) -> Result<CodeAttempt> {
        let dimension = self.spec()?.dimension;
        validate::check_attempt(&attempt, &vector, dimension)?;
        checks::attempt(&attempt)?;
        let links = validate::checked_links(links)?;
        let NewCodeAttempt {
            input_prompt,
            generated_code,
            result,
            function_name,
            file_name,
            module_name,
            execution_time_ms,
            error_message,
            tags,
            citations,
        } = attempt;
        let (function_name, file_name, module_name, error_message) = (
            present(function_name),
            present(file_name),
            present(module_name),
            present(error_message),
        );
        let content = attempt_text(
            &input_prompt,
            &generated_code,
            function_name.as_deref(),
            error_message.as_deref(),
        );
        let resource_file = file_name.as_deref().unwrap_or(DEFAULT_FILE_NAME);
        let end_byte = i64::try_from(content.len())
            .map_err(|_| invalid("generated_code", "is too long to store"))?;
        let embedding = pgvector::Vector::from(vector);

        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        check_attempts(&tx, project, &links).await?;
        // The resource, its one chunk (the vector id from its sequence by
        // default) and the attempt's row, in one statement. An event, not
        // content: a content hash no other resource has, and never a sha256
        // (64 hex digits) that find_by_hash could be asked for.
        let insert = tx
            .prepare_cached(&format!(
                "WITH r AS ( \
                   INSERT INTO resources \
                   (project, file_name, resource_type, content_hash, content, chunk_count, metadata) \
                   VALUES ($1, $2, $3, 'attempt:' || replace(gen_random_uuid()::text, '-', ''), \
                           $4, 1, $16::jsonb) \
                   RETURNING id), \
                 c AS ( \
                   INSERT INTO chunks \
                   (resource_id, project, resource_type, ordinal, start_byte, end_byte, text, embedding) \
                   SELECT r.id, $1, $3, 0, 0, $5, $4, $6 FROM r) \
                 INSERT INTO code_attempts AS a (project, resource_id, input_prompt, generated_code, \
                   result, function_name, file_name, module_name, execution_time_ms, error_message, tags) \
                 SELECT $1, r.id, $7, $8, $9, $10, $11, $12, $13, $14, $15 FROM r \
                 RETURNING {ATTEMPT_COLUMNS}"
            ))
            .await?;
        let row = tx
            .query_one(
                &insert,
                &[
                    &project.as_str(),
                    &resource_file,
                    &CODE_ATTEMPT_TYPE,
                    &content,
                    &end_byte,
                    &embedding,
                    &input_prompt,
                    &generated_code,
                    &result.as_str(),
                    &function_name,
                    &file_name,
                    &module_name,
                    &execution_time_ms,
                    &error_message,
                    &tags,
                    &ltmc_core::citation::metadata_of(&citations),
                ],
            )
            .await?;
        let stored = attempt_from_row(&row)?;
        if !links.is_empty() {
            // A link given twice is kept once (the first).
            let related: Vec<i64> = links.iter().map(|l| l.related.0).collect();
            let kinds: Vec<&str> = links.iter().map(|l| l.kind.as_str()).collect();
            let similarities: Vec<f32> = links.iter().map(|l| l.similarity).collect();
            let insert_links = tx
                .prepare_cached(
                    "INSERT INTO attempt_links (attempt_id, related_id, kind, similarity) \
                     SELECT $1, l.related, l.kind, l.similarity \
                     FROM unnest($2::bigint[], $3::text[], $4::real[]) \
                          WITH ORDINALITY AS l (related, kind, similarity, n) \
                     ORDER BY l.n ON CONFLICT DO NOTHING",
                )
                .await?;
            tx.execute(
                &insert_links,
                &[&stored.id.0, &related, &kinds, &similarities],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn nearest(
        &self,
        project: &Project,
        query: &[f32],
        k: usize,
        filter: &AttemptFilter,
    ) -> Result<Vec<(CodeAttempt, f32)>> {
        // Without a recorded model no vector was ever written: nothing to
        // compare the query with, and nothing is found.
        if let Some(spec) = self.embedding() {
            check_vector(query, spec.dimension, "query")?;
        }
        let client = self.client().await?;
        // Checks `since` even when k is 0: a bad filter is an error either way.
        let (conditions, mut values) = where_clause(&client, project, filter).await?;
        if k == 0 {
            return Ok(Vec::new());
        }
        let (q, limit) = (values.len() + 1, values.len() + 2);
        values.push(Box::new(pgvector::Vector::from(query.to_vec())));
        values.push(Box::new(sql_limit(k)));
        // Exact on purpose (see the module's doc): the CTE is scored whole,
        // then sorted; the HNSW index cannot serve the outer ORDER BY.
        let stmt = client
            .prepare_cached(&format!(
                "WITH scored AS MATERIALIZED ( \
                   SELECT {ATTEMPT_COLUMNS}, c.embedding <=> ${q} AS distance \
                   FROM code_attempts a JOIN chunks c ON c.resource_id = a.resource_id \
                   WHERE {conditions}) \
                 SELECT * FROM scored ORDER BY distance, id LIMIT ${limit}"
            ))
            .await?;
        let rows = client.query(&stmt, &params(&values)).await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in &rows {
            let distance: f64 = row.try_get(ATTEMPT_COLUMN_COUNT)?;
            #[allow(clippy::cast_possible_truncation)] // a cosine in [-1, 1] as the f32 scores are
            let score = (1.0 - distance) as f32;
            found.push((attempt_from_row(row)?, score));
        }
        Ok(found)
    }
}

/// The conditions on `code_attempts` (aliased `a`) of `filter` in `project`,
/// with their values as `$1`, `$2`, ... in order. Only the fields given
/// become conditions, so each query can use the index of its filter; `since`
/// is read as a time (any RFC 3339 offset) and compared as one.
async fn where_clause(
    client: &impl GenericClient,
    project: &Project,
    filter: &AttemptFilter,
) -> Result<(String, Vec<Param>)> {
    let mut conditions = vec!["a.project = $1".to_owned()];
    let mut values: Vec<Param> = vec![Box::new(project.as_str().to_owned())];
    if let Some(result) = filter.result {
        values.push(Box::new(result.as_str()));
        conditions.push(format!("a.result = ${}", values.len()));
    }
    for (column, value) in [
        ("function_name", &filter.function_name),
        ("file_name", &filter.file_name),
        ("module_name", &filter.module_name),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            if value.contains('\0') {
                // No stored name holds a NUL (PostgreSQL cannot): nothing
                // passes, and the NUL never reaches SQL.
                conditions.push("false".to_owned());
            } else {
                values.push(Box::new(value.to_owned()));
                conditions.push(format!("a.{column} = ${}", values.len()));
            }
        }
    }
    if let Some(since) = filter.since.as_deref() {
        values.push(Box::new(stored_time(client, "since", since).await?));
        conditions.push(format!(
            "a.created_at >= ${}::text::timestamptz",
            values.len()
        ));
    }
    Ok((conditions.join(" AND "), values))
}

fn params(values: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    values
        .iter()
        .map(|v| v.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

/// An RFC 3339 time (or a date) in the form the store returns (UTC,
/// milliseconds), as the SQLite store reads it: a time without an offset is
/// UTC, whatever the session's time zone.
async fn stored_time(
    client: &impl GenericClient,
    field: &'static str,
    time: &str,
) -> Result<String> {
    let refused = || {
        invalid(
            field,
            format!("{time:?} is not an RFC 3339 time; use e.g. 2025-01-31T00:00:00Z"),
        )
    };
    // PostgreSQL also reads "now", "epoch", "today"...; a time here starts
    // with a date.
    let trimmed = time.trim();
    let bytes = trimmed.as_bytes();
    if bytes.len() < 10 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return Err(refused());
    }
    let has_offset = bytes[10..]
        .iter()
        .any(|b| matches!(b, b'Z' | b'z' | b'+' | b'-'));
    let sql = if has_offset {
        "SELECT ltmc_ts($1::text::timestamptz)"
    } else {
        "SELECT ltmc_ts($1::text::timestamp AT TIME ZONE 'UTC')"
    };
    let stmt = client.prepare_cached(sql).await?;
    match client.query_one(&stmt, &[&trimmed]).await {
        Ok(row) => Ok(row.try_get(0)?),
        // Data exceptions (class 22): not a time PostgreSQL can read.
        Err(err) if err.code().is_some_and(|code| code.code().starts_with("22")) => Err(refused()),
        Err(err) => Err(err.into()),
    }
}

/// Every linked attempt is one of this project's, else `NotFound` naming the
/// first (in the caller's order) that is not. They are locked against
/// deletion until the transaction ends.
async fn check_attempts(
    client: &impl GenericClient,
    project: &Project,
    links: &[AttemptLink],
) -> Result<()> {
    if links.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = links.iter().map(|l| l.related.0).collect();
    let stmt = client
        .prepare_cached(
            "SELECT id FROM code_attempts WHERE id = ANY($1) AND project = $2 \
             ORDER BY id FOR KEY SHARE",
        )
        .await?;
    let rows = client.query(&stmt, &[&ids, &project.as_str()]).await?;
    let found = rows
        .iter()
        .map(|row| row.try_get::<_, i64>(0))
        .collect::<Result<HashSet<i64>, _>>()?;
    match links.iter().find(|l| !found.contains(&l.related.0)) {
        Some(missing) => Err(not_found("attempt", missing.related, project)),
        None => Ok(()),
    }
}

/// A name that says something, else none (kept as given otherwise, as the
/// SQLite store keeps it).
fn present(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// The columns [`attempt_from_row`] reads, in order, of `code_attempts`
/// aliased `a`; [`ATTEMPT_COLUMN_COUNT`] of them.
const ATTEMPT_COLUMNS: &str = "a.id, a.resource_id, a.input_prompt, a.generated_code, a.result, \
                               a.function_name, a.file_name, a.module_name, \
                               a.execution_time_ms, a.error_message, a.tags, \
                               ltmc_ts(a.created_at) AS created";
const ATTEMPT_COLUMN_COUNT: usize = 12;

fn attempt_from_row(row: &Row) -> Result<CodeAttempt> {
    let result: String = row.try_get(4)?;
    Ok(CodeAttempt {
        id: AttemptId(row.try_get(0)?),
        resource_id: ResourceId(row.try_get(1)?),
        input_prompt: row.try_get(2)?,
        generated_code: row.try_get(3)?,
        result: AttemptResult::parse("result", &result)
            .map_err(|err| corrupt(format!("code_attempts.result: {err}")))?,
        function_name: row.try_get(5)?,
        file_name: row.try_get(6)?,
        module_name: row.try_get(7)?,
        execution_time_ms: row.try_get(8)?,
        error_message: row.try_get(9)?,
        tags: row.try_get(10)?,
        created_at: row.try_get(11)?,
    })
}

/// A link of [`PgStore::attempt_links`]'s query, `None` for its row of NULLs.
fn link_from_row(row: &Row) -> Result<Option<AttemptLink>> {
    let Some(related) = row.try_get::<_, Option<i64>>(0)? else {
        return Ok(None);
    };
    let kind: String = row.try_get(1)?;
    Ok(Some(AttemptLink {
        related: AttemptId(related),
        kind: AttemptLinkKind::parse(&kind)
            .ok_or_else(|| corrupt(format!("attempt_links.kind: unknown link kind {kind:?}")))?,
        similarity: row.try_get(2)?,
    }))
}
