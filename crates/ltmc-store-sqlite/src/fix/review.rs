//! [`ReviewStore`] for [`SqliteStore`]: the review queue's pages, accepting
//! a pattern with edits (text and vectors replaced) and merging two
//! patterns, over the tables of migrations 0005 and 0007.
//!
//! A pattern's origin is not a column: it is `mined` when it has a row in
//! `mined_pattern_sources`, `audit` when it has a source audit, `manual`
//! otherwise ([`ORIGIN`]). What a merge makes of the kept pattern's fields is
//! `ltmc_store::merged_fields`; here rows move and the result is written, in
//! one `BEGIN IMMEDIATE` transaction. Not here: embedding, applying edits
//! (service).

use super::patterns::{PATTERN_COLUMNS, pattern, pattern_from_row, stored_pattern};
use super::{VectorKind, json_column, json_text};
use crate::SqliteStore;
use crate::blob;
use crate::error::{Result, not_found};
use async_trait::async_trait;
use ltmc_core::fix::{FixPattern, NewFixPattern, PatternEmbeddings};
use ltmc_core::{PatternId, Project, now_rfc3339, present};
use ltmc_store::entity;
use ltmc_store::validate;
use ltmc_store::{
    MergedPatterns, MinedSource, PatternOrigin, QueueOrder, QueuePage, QueueQuery, QueuedPattern,
    ReviewMark, ReviewStore, StoreError, check_merge, merged_commits, merged_fields,
};
use rusqlite::types::Value;
use rusqlite::{
    Connection, OptionalExtension, Transaction, TransactionBehavior, params, params_from_iter,
};

/// A pattern's origin as a rank (mined 0, audit 1, manual 2); `fix_patterns`
/// unaliased.
const ORIGIN: &str = "(CASE WHEN EXISTS (SELECT 1 FROM mined_pattern_sources m \
     WHERE m.pattern_id = fix_patterns.id) THEN 0 \
     WHEN source_file_audit_id IS NOT NULL THEN 1 ELSE 2 END)";

/// The mined source's columns, read after [`PATTERN_COLUMNS`] (33 to 35).
const SOURCE_COLUMNS: &str = "(SELECT repo_id FROM mined_pattern_sources m \
     WHERE m.pattern_id = fix_patterns.id), \
     (SELECT fold_key FROM mined_pattern_sources m WHERE m.pattern_id = fix_patterns.id), \
     (SELECT commits FROM mined_pattern_sources m WHERE m.pattern_id = fix_patterns.id)";

#[async_trait]
impl ReviewStore for SqliteStore {
    async fn review_queue(
        &self,
        project: &Project,
        query: &QueueQuery,
    ) -> Result<QueuePage, StoreError> {
        query.checked()?;
        let project = project.clone();
        let query = query.clone();
        self.call(move |state, _| queue(&state.conn, &project, &query))
            .await
    }

    async fn update_pattern(
        &self,
        project: &Project,
        id: PatternId,
        pattern: NewFixPattern,
        embeddings: Option<PatternEmbeddings>,
        review: Option<ReviewMark>,
    ) -> Result<FixPattern, StoreError> {
        let project = project.clone();
        self.call(move |state, path| {
            let dimension = state.dimension_for_write(path)?;
            let p = pattern.validated()?;
            validate::check_reviewable(id, &p, review.as_ref())?;
            if let Some(e) = &embeddings {
                validate::check_vector(&e.content, dimension, "content_embedding")?;
                validate::check_vector(&e.code, dimension, "code_embedding")?;
                validate::check_vector(&e.problem, dimension, "problem_embedding")?;
            }
            let now = now_rfc3339();
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (reviewed, notes) = match review {
                Some(r) => (Some(r.reviewed), present(r.notes)),
                None => (None, None),
            };
            let changed = tx
                .prepare_cached(
                    "UPDATE fix_patterns SET title = ?3, problem_type = ?4, code_type = ?5, \
                     severity = ?6, tags = ?7, layers = ?8, workflows = ?9, file_types = ?10, \
                     problem_description = ?11, solution_steps = ?12, code_before = ?13, \
                     code_after = ?14, verification_steps = ?15, learnings = ?16, \
                     prevention_guidance = ?17, anti_patterns = ?18, related_files = ?19, \
                     reviewed = coalesce(?20, reviewed), \
                     reviewer_notes = coalesce(?21, reviewer_notes), updated_at = ?22, \
                     citations = ?23 WHERE id = ?1 AND project = ?2",
                )?
                .execute(params![
                    id.0,
                    project.as_str(),
                    p.title,
                    p.problem_type.as_str(),
                    p.code_type,
                    p.severity.as_str(),
                    json_text("tags", &p.tags)?,
                    json_text("layers", &p.layers)?,
                    json_text("workflows", &p.workflows)?,
                    json_text("file_types", &p.file_types)?,
                    p.problem_description,
                    p.solution_steps,
                    p.code_before,
                    p.code_after,
                    p.verification_steps,
                    p.learnings,
                    p.prevention_guidance,
                    json_text("anti_patterns", &p.anti_patterns)?,
                    json_text("related_files", &p.related_files)?,
                    reviewed,
                    notes,
                    now,
                    json_text("citations", &p.citations)?
                ])?;
            if changed == 0 {
                return Err(not_found(entity::FIX_PATTERN, id, &project));
            }
            if let Some(embeddings) = embeddings {
                let mut put = tx.prepare_cached(
                    "INSERT INTO fix_pattern_vectors (slot, pattern_id, kind, vector) \
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (slot) DO UPDATE \
                     SET vector = excluded.vector",
                )?;
                for (kind, vector) in [
                    (VectorKind::Content, &embeddings.content),
                    (VectorKind::Code, &embeddings.code),
                    (VectorKind::Problem, &embeddings.problem),
                ] {
                    put.execute(params![
                        kind.slot(id),
                        id.0,
                        kind.as_str(),
                        blob::encode(vector)
                    ])?;
                }
            }
            let stored = stored_pattern(&tx, &project, id)?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn merge_patterns(
        &self,
        project: &Project,
        into: PatternId,
        from: PatternId,
        notes: Option<String>,
    ) -> Result<MergedPatterns, StoreError> {
        check_merge(into, from)?;
        let project = project.clone();
        self.call(move |state, _| {
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let merged = merge(&tx, &project, into, from, notes.as_deref())?;
            tx.commit()?;
            Ok(merged)
        })
        .await
    }
}

fn queue(conn: &Connection, project: &Project, q: &QueueQuery) -> Result<QueuePage> {
    let mut conditions = vec!["project = ?".to_owned()];
    let mut values = vec![Value::Text(project.as_str().to_owned())];
    if let Some(reviewed) = q.reviewed {
        conditions.push("reviewed = ?".to_owned());
        values.push(Value::Integer(i64::from(reviewed)));
    }
    if let Some(origin) = q.origin {
        conditions.push(format!("{ORIGIN} = ?"));
        values.push(Value::Integer(origin.rank()));
    }
    let conditions = conditions.join(" AND ");
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM fix_patterns WHERE {conditions}"
        ))?
        .query_row(params_from_iter(values.iter()), |r| r.get(0))?;
    let order = match q.order {
        QueueOrder::Newest => "id DESC".to_owned(),
        QueueOrder::Confidence => "confidence_score DESC, id DESC".to_owned(),
        QueueOrder::Source => format!(
            "{ORIGIN}, (SELECT repo_id FROM mined_pattern_sources m \
             WHERE m.pattern_id = fix_patterns.id), id DESC"
        ),
    };
    values.push(Value::Integer(validate::sql_limit(q.limit)));
    values.push(Value::Integer(i64::try_from(q.offset).unwrap_or(i64::MAX)));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PATTERN_COLUMNS}, {ORIGIN}, {SOURCE_COLUMNS} FROM fix_patterns \
         WHERE {conditions} ORDER BY {order} LIMIT ? OFFSET ?"
    ))?;
    let rows = stmt.query_map(params_from_iter(values), |row| {
        let pattern = pattern_from_row(row)?;
        // After the pattern's columns (PATTERN_COLUMNS, 0-33).
        let origin = PatternOrigin::from_rank(row.get::<_, i64>(34)?);
        let source = match row.get::<_, Option<String>>(35)? {
            Some(repo_id) => Some(MinedSource {
                repo_id,
                fold_key: row.get(36)?,
                commits: json_column(row, 37)?,
            }),
            None => None,
        };
        Ok(QueuedPattern {
            pattern,
            origin,
            source,
        })
    })?;
    Ok(QueuePage {
        items: rows.collect::<rusqlite::Result<Vec<_>>>()?,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// The mined source of `id`: repository, key and commits.
fn source(conn: &Connection, id: PatternId) -> Result<Option<MinedSource>> {
    Ok(conn
        .prepare_cached(
            "SELECT repo_id, fold_key, commits FROM mined_pattern_sources WHERE pattern_id = ?1",
        )?
        .query_row([id.0], |r| {
            Ok(MinedSource {
                repo_id: r.get(0)?,
                fold_key: r.get(1)?,
                commits: json_column(r, 2)?,
            })
        })
        .optional()?)
}

fn merge(
    tx: &Transaction<'_>,
    project: &Project,
    into: PatternId,
    from: PatternId,
    notes: Option<&str>,
) -> Result<MergedPatterns> {
    let kept =
        pattern(tx, project, into)?.ok_or_else(|| not_found(entity::FIX_PATTERN, into, project))?;
    let gone =
        pattern(tx, project, from)?.ok_or_else(|| not_found(entity::FIX_PATTERN, from, project))?;
    let m = merged_fields(&kept, &gone, notes);
    let now = now_rfc3339();
    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);

    // Relationships: those between the two go; the others move, a duplicate
    // keeping the stronger strength (and its description).
    tx.prepare_cached(
        "DELETE FROM pattern_relationships WHERE (source_pattern_id = ?1 AND target_pattern_id = ?2) \
         OR (source_pattern_id = ?2 AND target_pattern_id = ?1)",
    )?
    .execute(params![into.0, from.0])?;
    let mut relationships = 0;
    for (pick_source, pick_target, column) in [
        ("?1", "target_pattern_id", "source_pattern_id"),
        ("source_pattern_id", "?1", "target_pattern_id"),
    ] {
        relationships += tx.execute(
            &format!(
                "INSERT INTO pattern_relationships (project, source_pattern_id, \
                 target_pattern_id, relationship_type, strength, description, created_at) \
                 SELECT project, {pick_source}, {pick_target}, relationship_type, strength, \
                 description, created_at FROM pattern_relationships WHERE {column} = ?2 \
                 ORDER BY id ON CONFLICT (source_pattern_id, target_pattern_id, \
                 relationship_type) DO UPDATE SET \
                 description = CASE WHEN excluded.strength > strength \
                     THEN excluded.description ELSE description END, \
                 strength = max(strength, excluded.strength)"
            ),
            params![into.0, from.0],
        )?;
    }
    let applications = tx
        .prepare_cached("UPDATE pattern_applications SET pattern_id = ?1 WHERE pattern_id = ?2")?
        .execute(params![into.0, from.0])?;
    let rules = tx
        .prepare_cached(
            "UPDATE guardian_rules SET source_pattern_id = ?1 WHERE source_pattern_id = ?2",
        )?
        .execute(params![into.0, from.0])?;
    let audits = tx
        .prepare_cached("UPDATE file_audits SET pattern_id = ?1 WHERE pattern_id = ?2")?
        .execute(params![into.0, from.0])?;

    // The mined source: moves when the kept pattern has none; otherwise its
    // commits join the kept one's and its key gets a tombstone.
    let mut commits_moved = 0_u64;
    if let Some(gone_source) = source(tx, from)? {
        match source(tx, into)? {
            None => {
                tx.prepare_cached(
                    "UPDATE mined_pattern_sources SET pattern_id = ?1 WHERE pattern_id = ?2",
                )?
                .execute(params![into.0, from.0])?;
                commits_moved = gone_source.commits.len() as u64;
            }
            Some(kept_source) => {
                let (commits, added) = merged_commits(&kept_source.commits, &gone_source.commits);
                commits_moved = added;
                tx.prepare_cached(
                    "UPDATE mined_pattern_sources SET commits = ?2 WHERE pattern_id = ?1",
                )?
                .execute(params![into.0, json_text("commits", &commits)?])?;
                tx.prepare_cached(
                    "INSERT INTO mining_tombstones (project, fold_key, title, reason, \
                     rejected_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (project, fold_key) \
                     DO UPDATE SET title = excluded.title, reason = excluded.reason, \
                     rejected_at = excluded.rejected_at",
                )?
                .execute(params![
                    project.as_str(),
                    gone_source.fold_key,
                    gone.title,
                    format!("merged into pattern {into}"),
                    now
                ])?;
            }
        }
        tx.prepare_cached(
            "UPDATE OR IGNORE mined_pattern_commits SET pattern_id = ?1 WHERE pattern_id = ?2",
        )?
        .execute(params![into.0, from.0])?;
    }

    tx.prepare_cached("DELETE FROM fix_patterns WHERE id = ?1 AND project = ?2")?
        .execute(params![from.0, project.as_str()])?;
    let applied_to_files: Vec<i64> = m.applied_to_files.iter().map(|a| a.0).collect();
    tx.prepare_cached(
        "UPDATE fix_patterns SET tags = ?2, layers = ?3, workflows = ?4, file_types = ?5, \
         applied_to_files = ?6, dart_task_ids = ?7, related_files = ?8, anti_patterns = ?9, \
         applied_count = ?10, success_rate = ?11, avg_time_saved = ?12, \
         confidence_score = ?13, last_applied = ?14, reviewed = ?15, reviewer_notes = ?16, \
         updated_at = ?17, citations = ?18 WHERE id = ?1",
    )?
    .execute(params![
        into.0,
        json_text("tags", &m.tags)?,
        json_text("layers", &m.layers)?,
        json_text("workflows", &m.workflows)?,
        json_text("file_types", &m.file_types)?,
        json_text("applied_to_files", &applied_to_files)?,
        json_text("dart_task_ids", &m.dart_task_ids)?,
        json_text("related_files", &m.related_files)?,
        json_text("anti_patterns", &m.anti_patterns)?,
        m.applied_count,
        m.success_rate,
        m.avg_time_saved,
        m.confidence_score,
        m.last_applied,
        m.reviewed,
        m.reviewer_notes,
        now,
        json_text("citations", &m.citations)?
    ])?;
    Ok(MergedPatterns {
        pattern: stored_pattern(tx, project, into)?,
        removed: from,
        relationships_moved: count(relationships),
        applications_moved: count(applications),
        rules_moved: count(rules),
        audits_moved: count(audits),
        commits_moved,
    })
}
