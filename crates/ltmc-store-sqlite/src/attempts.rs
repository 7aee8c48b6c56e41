//! Code attempts: [`AttemptStore`] for [`SqliteStore`].
//!
//! An attempt is two things written in one `BEGIN IMMEDIATE` transaction: a
//! resource of type [`CODE_ATTEMPT_TYPE`] holding its text ([`attempt_text`])
//! as one chunk with the attempt's vector (written by the same code as any
//! resource, `resources::insert_resource`, so vector ids, the vector log and
//! the index cache treat it like any chunk), and a `code_attempts` row with
//! the structured fields that filters run on (migration 0004). Every attempt
//! is an event: its resource gets a unique content hash, never the content's
//! sha256, so a second identical attempt is stored too and a document with
//! the same text is not taken for a duplicate of it. Deleting the resource
//! deletes the attempt and its links (foreign-key cascades).
//!
//! A search selects in SQL the vector ids of the attempts passing the filter
//! and searches the project's index restricted to exactly those, inside one
//! read snapshot (`cache.rs` keeps the `k` promise); with no filter, the
//! index's own set of the attempts' type is the scope. Blank names in a filter
//! or an attempt count as absent. Not here: embedding the text, choosing
//! which earlier attempts to link, or the analyses over attempts (service).

use crate::SqliteStore;
use crate::cache::Scope;
use crate::error::{Error, Result, not_found};
use crate::resources::{bad_value, insert_resource};
use crate::search::search_index;
use crate::store::State;
use async_trait::async_trait;
use ltmc_core::{
    AttemptFilter, AttemptId, AttemptLink, AttemptLinkKind, AttemptResult, CODE_ATTEMPT_TYPE,
    CodeAttempt, NewChunk, NewCodeAttempt, NewResource, Project, ResourceId, attempt_text,
};
use ltmc_store::validate::{self, invalid};
use ltmc_store::{AttemptStore, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params, params_from_iter};
use std::path::Path;

/// The file name of an attempt's resource when the attempt names no file.
const DEFAULT_FILE_NAME: &str = "code_attempt";

#[async_trait]
impl AttemptStore for SqliteStore {
    async fn put_attempt(
        &self,
        project: &Project,
        attempt: NewCodeAttempt,
        vector: Vec<f32>,
        links: Vec<AttemptLink>,
    ) -> Result<CodeAttempt, StoreError> {
        let project = project.clone();
        self.call(move |state, path| put(state, path, &project, attempt, vector, &links))
            .await
    }

    async fn get_attempt(
        &self,
        project: &Project,
        id: AttemptId,
    ) -> Result<CodeAttempt, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            state
                .conn
                .query_row(
                    &format!(
                        "SELECT {ATTEMPT_COLUMNS} FROM code_attempts WHERE id = ?1 AND project = ?2"
                    ),
                    params![id.0, project.as_str()],
                    attempt_from_row,
                )
                .optional()?
                .ok_or_else(|| not_found("attempt", id, &project))
        })
        .await
    }

    async fn nearest_attempts(
        &self,
        project: &Project,
        query: &[f32],
        k: usize,
        filter: &AttemptFilter,
    ) -> Result<Vec<(CodeAttempt, f32)>, StoreError> {
        let project = project.clone();
        let query = query.to_vec();
        let filter = filter.clone();
        self.call(move |state, _| nearest(state, &project, &query, k, &filter))
            .await
    }

    async fn list_attempts(
        &self,
        project: &Project,
        filter: &AttemptFilter,
    ) -> Result<Vec<CodeAttempt>, StoreError> {
        let project = project.clone();
        let filter = filter.clone();
        self.call(move |state, _| {
            let (conditions, values) = where_clause(&state.conn, &project, &filter)?;
            let mut stmt = state.conn.prepare_cached(&format!(
                "SELECT {ATTEMPT_COLUMNS} FROM code_attempts WHERE {conditions} ORDER BY id"
            ))?;
            let rows = stmt.query_map(params_from_iter(values), attempt_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn attempt_links(
        &self,
        project: &Project,
        id: AttemptId,
    ) -> Result<Vec<AttemptLink>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let tx = state.conn.transaction()?;
            if !attempt_exists(&tx, &project, id)? {
                return Err(not_found("attempt", id, &project));
            }
            let links = {
                let mut stmt = tx.prepare_cached(
                    "SELECT related_id, kind, similarity FROM attempt_links WHERE attempt_id = ?1 \
                     ORDER BY similarity DESC, related_id, kind",
                )?;
                let rows = stmt.query_map([id.0], link_from_row)?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            tx.commit()?;
            Ok(links)
        })
        .await
    }
}

fn put(
    state: &mut State,
    path: &Path,
    project: &Project,
    attempt: NewCodeAttempt,
    vector: Vec<f32>,
    links: &[AttemptLink],
) -> Result<CodeAttempt> {
    let dimension = state.dimension_for_write(path)?;
    validate::check_attempt(&attempt, &vector, dimension)?;
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
    let tags = serde_json::to_string(&tags)
        .map_err(|err| invalid("tags", format!("cannot be written as JSON: {err}")))?;
    let links = validate::checked_links(links)?;
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
    let resource = NewResource {
        project: project.clone(),
        file_name: file_name
            .clone()
            .unwrap_or_else(|| DEFAULT_FILE_NAME.to_owned()),
        resource_type: CODE_ATTEMPT_TYPE.to_owned(),
        metadata: ltmc_core::citation::metadata_of(&citations),
        content,
    };
    let chunk = NewChunk {
        ordinal: 0,
        start: 0,
        end: resource.content.len(),
        text: resource.content.clone(),
        vector,
    };
    let chunks = std::slice::from_ref(&chunk);
    validate::check_put(&resource, chunks, dimension)?;

    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    for link in &links {
        if !attempt_exists(&tx, project, link.related)? {
            return Err(not_found("attempt", link.related, project));
        }
    }
    // An event, not content: a hash no other resource has, and never a
    // sha256 (64 hex digits) that find_by_hash could be asked for.
    let hash: String = tx.query_row(
        "SELECT 'attempt:' || lower(hex(randomblob(16)))",
        [],
        |row| row.get(0),
    )?;
    let resource_id = insert_resource(&tx, &resource, &hash, chunks)?;
    let stored = tx.query_row(
        &format!(
            "INSERT INTO code_attempts (project, resource_id, input_prompt, generated_code, result, \
             function_name, file_name, module_name, execution_time_ms, error_message, tags) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING {ATTEMPT_COLUMNS}"
        ),
        params![
            project.as_str(),
            resource_id.0,
            input_prompt,
            generated_code,
            result.as_str(),
            function_name,
            file_name,
            module_name,
            execution_time_ms,
            error_message,
            tags
        ],
        attempt_from_row,
    )?;
    {
        // A link given twice is kept once (the first).
        let mut insert = tx.prepare_cached(
            "INSERT INTO attempt_links (attempt_id, related_id, kind, similarity) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )?;
        for link in &links {
            insert.execute(params![
                stored.id.0,
                link.related.0,
                link.kind.as_str(),
                f64::from(link.similarity)
            ])?;
        }
    }
    tx.commit()?;
    Ok(stored)
}

fn nearest(
    state: &mut State,
    project: &Project,
    query: &[f32],
    k: usize,
    filter: &AttemptFilter,
) -> Result<Vec<(CodeAttempt, f32)>> {
    if let Some(spec) = state.embedding()? {
        validate::check_vector(query, spec.dimension, "query")?;
    }
    // Checks `since` even when k is 0: a bad filter is an error either way.
    let (conditions, values) = where_clause(&state.conn, project, filter)?;
    if k == 0 {
        return Ok(Vec::new());
    }
    // Without a condition besides the project every attempt passes: the
    // index's own set of the attempts' type says which those are (every
    // resource of the type has its attempt), no list from SQL needed.
    let filtered = values.len() > 1;
    let mut found = state.with_snapshot(|cache, snap| {
        // The passing attempts' vector ids, sorted as the scope wants them.
        let ids: Option<Vec<i64>> = if filtered {
            let mut stmt = snap.conn.prepare_cached(&format!(
                "SELECT c.vector_id FROM chunks c WHERE c.resource_id IN \
                 (SELECT resource_id FROM code_attempts WHERE {conditions}) \
                 ORDER BY c.vector_id"
            ))?;
            let rows = stmt.query_map(params_from_iter(values), |row| row.get(0))?;
            Some(rows.collect::<rusqlite::Result<_>>()?)
        } else {
            None
        };
        let scope = Scope {
            resource_type: Some(CODE_ATTEMPT_TYPE),
            exclude_types: &[],
            ids: ids.as_deref(),
        };
        let hits = search_index(cache, snap, project, query, k, &scope)?;
        let mut stmt = snap.conn.prepare_cached(&format!(
            "SELECT {ATTEMPT_COLUMNS} FROM code_attempts WHERE project = ?2 AND resource_id = \
             (SELECT resource_id FROM chunks WHERE vector_id = ?1)"
        ))?;
        let mut found = Vec::with_capacity(hits.len());
        for hit in hits {
            let attempt = stmt
                .query_row(params![hit.id, project.as_str()], attempt_from_row)
                .optional()?
                .ok_or_else(|| {
                    // Every vector of the attempts' type is an attempt's
                    // (put_resource refuses the type), in this very snapshot.
                    Error::Store(StoreError::Corrupt(format!(
                        "vector {} was selected as an attempt's but has no attempt in project {project}",
                        hit.id
                    )))
                })?;
            found.push((attempt, hit.score));
        }
        Ok(found)
    })?;
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.id.cmp(&b.0.id)));
    Ok(found)
}

/// The conditions on `code_attempts` (unqualified columns) of `filter` in
/// `project`, with their values in order. Only the fields given become
/// conditions, so each query can use the index of its filter; `since` is
/// read as a time (any RFC 3339 offset) and compared in the stored form.
fn where_clause(
    conn: &Connection,
    project: &Project,
    filter: &AttemptFilter,
) -> Result<(String, Vec<Value>)> {
    let mut conditions = vec!["project = ?".to_owned()];
    let mut values = vec![Value::Text(project.as_str().to_owned())];
    if let Some(result) = filter.result {
        conditions.push("result = ?".to_owned());
        values.push(Value::Text(result.as_str().to_owned()));
    }
    for (column, value) in [
        ("function_name", &filter.function_name),
        ("file_name", &filter.file_name),
        ("module_name", &filter.module_name),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            conditions.push(format!("{column} = ?"));
            values.push(Value::Text(value.to_owned()));
        }
    }
    if let Some(since) = filter.since.as_deref() {
        conditions.push("created_at >= ?".to_owned());
        values.push(Value::Text(stored_time("since", conn, since)?));
    }
    Ok((conditions.join(" AND "), values))
}

/// An RFC 3339 time in the form the store writes (UTC, milliseconds), so
/// that text order is time order.
fn stored_time(field: &'static str, conn: &Connection, time: &str) -> Result<String> {
    let refused = || {
        Error::from(invalid(
            field,
            format!("{time:?} is not an RFC 3339 time; use e.g. 2025-01-31T00:00:00Z"),
        ))
    };
    // SQLite also reads "now" and day numbers; a time here starts with a date.
    let bytes = time.trim().as_bytes();
    if bytes.len() < 10 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return Err(refused());
    }
    let normal: Option<String> = conn.query_row(
        "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?1)",
        [time.trim()],
        |row| row.get(0),
    )?;
    normal.ok_or_else(refused)
}

fn attempt_exists(conn: &Connection, project: &Project, id: AttemptId) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM code_attempts WHERE id = ?1 AND project = ?2)",
        params![id.0, project.as_str()],
        |row| row.get(0),
    )?)
}

/// A name that says something, else none.
fn present(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// The columns [`attempt_from_row`] reads, in order.
const ATTEMPT_COLUMNS: &str = "id, resource_id, input_prompt, generated_code, result, \
                               function_name, file_name, module_name, execution_time_ms, \
                               error_message, tags, created_at";

fn attempt_from_row(row: &Row<'_>) -> rusqlite::Result<CodeAttempt> {
    let result: String = row.get(4)?;
    let tags: String = row.get(10)?;
    Ok(CodeAttempt {
        id: AttemptId(row.get(0)?),
        resource_id: ResourceId(row.get(1)?),
        input_prompt: row.get(2)?,
        generated_code: row.get(3)?,
        result: AttemptResult::parse("result", &result).map_err(|err| bad_value(4, err))?,
        function_name: row.get(5)?,
        file_name: row.get(6)?,
        module_name: row.get(7)?,
        execution_time_ms: row.get(8)?,
        error_message: row.get(9)?,
        tags: serde_json::from_str(&tags).map_err(|err| bad_value(10, err))?,
        created_at: row.get(11)?,
    })
}

fn link_from_row(row: &Row<'_>) -> rusqlite::Result<AttemptLink> {
    let kind: String = row.get(1)?;
    let similarity: f64 = row.get(2)?;
    #[allow(clippy::cast_possible_truncation)] // stored from an f32 in [-1, 1]
    let similarity = similarity as f32;
    Ok(AttemptLink {
        related: AttemptId(row.get(0)?),
        kind: AttemptLinkKind::parse(&kind).ok_or_else(|| {
            bad_value(
                1,
                ltmc_core::CoreError::invalid("kind", format!("unknown link kind {kind:?}")),
            )
        })?,
        similarity,
    })
}
