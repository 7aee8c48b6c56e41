//! [`ReviewStore`] for [`PgStore`]: the review queue's pages, accepting a
//! pattern with edits (text and vectors replaced) and merging two patterns,
//! with the same rules as the SQLite store's `fix/review.rs`.
//!
//! A pattern's origin is not a column: `mined` when it has a row in
//! `mined_pattern_sources`, `audit` when it has a source audit, `manual`
//! otherwise ([`ORIGIN`]). A merge locks both patterns (`FOR UPDATE`, lower
//! id first, so two merges cannot deadlock), moves rows and writes
//! `ltmc_store::merged_fields`, in one transaction. Not here: embedding,
//! applying edits (service).

use super::rows::{
    PATTERN_COLUMN_COUNT, PATTERN_COLUMNS, pattern, pattern_from_row, stored_pattern,
};
use super::write::{PatternRow, audit_i32};
use crate::PgStore;
use crate::error::{Result, not_found};
use crate::fix::check_vector;
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::fix::{FixPattern, NewFixPattern, PatternEmbeddings};
use ltmc_core::{PatternId, Project, present};
use ltmc_store::entity;
use ltmc_store::validate::sql_limit;
use ltmc_store::{
    MergedPatterns, MinedSource, PatternOrigin, QueueOrder, QueuePage, QueueQuery, QueuedPattern,
    ReviewMark, ReviewStore, StoreError, check_merge, merged_commits, merged_fields,
};
use pgvector::Vector;
use tokio_postgres::types::Json;

/// A pattern's origin as a rank (mined 0, audit 1, manual 2), of `p`.
const ORIGIN: &str = "(CASE WHEN s.pattern_id IS NOT NULL THEN 0 \
     WHEN p.source_file_audit_id IS NOT NULL THEN 1 ELSE 2 END)";

#[async_trait]
impl ReviewStore for PgStore {
    async fn review_queue(
        &self,
        project: &Project,
        query: &QueueQuery,
    ) -> Result<QueuePage, StoreError> {
        query.checked()?;
        queue(self, project, query).await.map_err(|e| self.fail(e))
    }

    async fn update_pattern(
        &self,
        project: &Project,
        id: PatternId,
        pattern: NewFixPattern,
        embeddings: Option<PatternEmbeddings>,
        review: Option<ReviewMark>,
    ) -> Result<FixPattern, StoreError> {
        update(self, project, id, pattern, embeddings, review)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn merge_patterns(
        &self,
        project: &Project,
        into: PatternId,
        from: PatternId,
        notes: Option<String>,
    ) -> Result<MergedPatterns, StoreError> {
        check_merge(into, from)?;
        merge(self, project, into, from, notes.as_deref())
            .await
            .map_err(|e| self.fail(e))
    }
}

async fn queue(store: &PgStore, project: &Project, q: &QueueQuery) -> Result<QueuePage> {
    let origin = q
        .origin
        .map(|o| i32::try_from(o.rank()).unwrap_or(i32::MAX));
    let order = match q.order {
        QueueOrder::Newest => "p.id DESC".to_owned(),
        QueueOrder::Confidence => "p.confidence_score DESC, p.id DESC".to_owned(),
        QueueOrder::Source => format!("{ORIGIN}, s.repo_id COLLATE \"C\", p.id DESC"),
    };
    let from = "fix_patterns p LEFT JOIN mined_pattern_sources s ON s.pattern_id = p.id \
                WHERE p.project = $1 AND ($2::boolean IS NULL OR p.reviewed = $2)";
    let client = store.client().await?;
    let total: i64 = client
        .query_one(
            &format!("SELECT count(*) FROM {from} AND ($3::integer IS NULL OR {ORIGIN} = $3)"),
            &[&project.as_str(), &q.reviewed, &origin],
        )
        .await?
        .try_get(0)?;
    let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {PATTERN_COLUMNS}, {ORIGIN}, s.repo_id, s.fold_key, s.commits FROM {from} \
             AND ($3::integer IS NULL OR {ORIGIN} = $3) ORDER BY {order} LIMIT $4 OFFSET $5"
        ))
        .await?;
    let rows = client
        .query(
            &stmt,
            &[
                &project.as_str(),
                &q.reviewed,
                &origin,
                &sql_limit(q.limit),
                &offset,
            ],
        )
        .await?;
    let n = PATTERN_COLUMN_COUNT;
    let items = rows
        .iter()
        .map(|row| {
            let origin = PatternOrigin::from_rank(i64::from(row.try_get::<_, i32>(n)?));
            let source = match row.try_get::<_, Option<String>>(n + 1)? {
                Some(repo_id) => Some(MinedSource {
                    repo_id,
                    fold_key: row.try_get(n + 2)?,
                    commits: row.try_get(n + 3)?,
                }),
                None => None,
            };
            Ok(QueuedPattern {
                pattern: pattern_from_row(row)?,
                origin,
                source,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(QueuePage {
        items,
        total: u64::try_from(total).unwrap_or(0),
    })
}

async fn update(
    store: &PgStore,
    project: &Project,
    id: PatternId,
    pattern: NewFixPattern,
    embeddings: Option<PatternEmbeddings>,
    review: Option<ReviewMark>,
) -> Result<FixPattern> {
    store.spec()?;
    let p = pattern.validated()?;
    ltmc_store::validate::check_reviewable(id, &p, review.as_ref())?;
    if let Some(e) = &embeddings {
        check_vector(store, &e.content, "content_embedding")?;
        check_vector(store, &e.code, "code_embedding")?;
        check_vector(store, &e.problem, "problem_embedding")?;
    }
    let row = PatternRow::of(&p)?;
    let (reviewed, notes) = match review {
        Some(r) => (Some(r.reviewed), present(r.notes)),
        None => (None, None),
    };
    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    let changed = tx
        .execute(
            "UPDATE fix_patterns SET title = $3, problem_type = $4, code_type = $5, \
             severity = $6, tags = $7, layers = $8, workflows = $9, file_types = $10, \
             problem_description = $11, solution_steps = $12, code_before = $13, \
             code_after = $14, verification_steps = $15, learnings = $16, \
             prevention_guidance = $17, anti_patterns = $18, related_files = $19, \
             reviewed = coalesce($20, reviewed), \
             reviewer_notes = coalesce($21, reviewer_notes), updated_at = now(), \
             citations = $22 WHERE id = $1 AND project = $2",
            &[
                &id.0,
                &project.as_str(),
                &p.title,
                &p.problem_type.as_str(),
                &p.code_type,
                &p.severity.as_str(),
                &p.tags,
                &row.layers,
                &p.workflows,
                &p.file_types,
                &p.problem_description,
                &p.solution_steps,
                &p.code_before,
                &p.code_after,
                &p.verification_steps,
                &p.learnings,
                &p.prevention_guidance,
                &p.anti_patterns,
                &p.related_files,
                &reviewed,
                &notes,
                &Json(&p.citations),
            ],
        )
        .await?;
    if changed == 0 {
        return Err(not_found(entity::FIX_PATTERN, id, project));
    }
    if let Some(e) = embeddings {
        tx.execute(
            "UPDATE fix_patterns SET content_embedding = $2, code_embedding = $3, \
             problem_embedding = $4 WHERE id = $1",
            &[
                &id.0,
                &Vector::from(e.content),
                &Vector::from(e.code),
                &Vector::from(e.problem),
            ],
        )
        .await?;
    }
    let stored = stored_pattern(&tx, project, id).await?;
    tx.commit().await?;
    Ok(stored)
}

async fn source<C: GenericClient>(client: &C, id: PatternId) -> Result<Option<MinedSource>> {
    client
        .query_opt(
            "SELECT repo_id, fold_key, commits FROM mined_pattern_sources WHERE pattern_id = $1",
            &[&id.0],
        )
        .await?
        .map(|r| {
            Ok(MinedSource {
                repo_id: r.try_get(0)?,
                fold_key: r.try_get(1)?,
                commits: r.try_get(2)?,
            })
        })
        .transpose()
}

async fn merge(
    store: &PgStore,
    project: &Project,
    into: PatternId,
    from: PatternId,
    notes: Option<&str>,
) -> Result<MergedPatterns> {
    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "SELECT id FROM fix_patterns WHERE id IN ($1, $2) AND project = $3 ORDER BY id FOR UPDATE",
        &[&into.0, &from.0, &project.as_str()],
    )
    .await?;
    let kept = pattern(&tx, project, into)
        .await?
        .ok_or_else(|| not_found(entity::FIX_PATTERN, into, project))?;
    let gone = pattern(&tx, project, from)
        .await?
        .ok_or_else(|| not_found(entity::FIX_PATTERN, from, project))?;
    let m = merged_fields(&kept, &gone, notes);

    tx.execute(
        "DELETE FROM pattern_relationships WHERE (source_pattern_id = $1 AND target_pattern_id = $2) \
         OR (source_pattern_id = $2 AND target_pattern_id = $1)",
        &[&into.0, &from.0],
    )
    .await?;
    let mut relationships = 0;
    for (pick_source, pick_target, column) in [
        ("$1::bigint", "target_pattern_id", "source_pattern_id"),
        ("source_pattern_id", "$1::bigint", "target_pattern_id"),
    ] {
        relationships += tx
            .execute(
                &format!(
                    "INSERT INTO pattern_relationships AS r (project, source_pattern_id, \
                     target_pattern_id, relationship_type, strength, description, created_at) \
                     SELECT project, {pick_source}, {pick_target}, relationship_type, strength, \
                     description, created_at FROM pattern_relationships WHERE {column} = $2 \
                     ORDER BY id ON CONFLICT (source_pattern_id, target_pattern_id, \
                     relationship_type) DO UPDATE SET \
                     description = CASE WHEN excluded.strength > r.strength \
                         THEN excluded.description ELSE r.description END, \
                     strength = greatest(r.strength, excluded.strength)"
                ),
                &[&into.0, &from.0],
            )
            .await?;
    }
    let applications = tx
        .execute(
            "UPDATE pattern_applications SET pattern_id = $1 WHERE pattern_id = $2",
            &[&into.0, &from.0],
        )
        .await?;
    let rules = tx
        .execute(
            "UPDATE guardian_rules SET source_pattern_id = $1 WHERE source_pattern_id = $2",
            &[&into.0, &from.0],
        )
        .await?;
    let audits = tx
        .execute(
            "UPDATE file_audit SET pattern_id = $1 WHERE pattern_id = $2",
            &[&into.0, &from.0],
        )
        .await?;

    let mut commits_moved = 0_u64;
    if let Some(gone_source) = source(&tx, from).await? {
        match source(&tx, into).await? {
            None => {
                tx.execute(
                    "UPDATE mined_pattern_sources SET pattern_id = $1 WHERE pattern_id = $2",
                    &[&into.0, &from.0],
                )
                .await?;
                commits_moved = gone_source.commits.len() as u64;
            }
            Some(kept_source) => {
                let (commits, added) = merged_commits(&kept_source.commits, &gone_source.commits);
                commits_moved = added;
                tx.execute(
                    "UPDATE mined_pattern_sources SET commits = $2 WHERE pattern_id = $1",
                    &[&into.0, &commits],
                )
                .await?;
                tx.execute(
                    "INSERT INTO mining_tombstones (project, fold_key, title, reason) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (project, fold_key) DO UPDATE SET \
                     title = excluded.title, reason = excluded.reason, rejected_at = now()",
                    &[
                        &project.as_str(),
                        &gone_source.fold_key,
                        &gone.title,
                        &format!("merged into pattern {into}"),
                    ],
                )
                .await?;
            }
        }
    }

    tx.execute(
        "DELETE FROM fix_patterns WHERE id = $1 AND project = $2",
        &[&from.0, &project.as_str()],
    )
    .await?;
    let layers: Vec<i32> = m
        .layers
        .iter()
        .map(|l| i32::try_from(*l).unwrap_or(i32::MAX))
        .collect();
    let applied_to_files = m
        .applied_to_files
        .iter()
        .map(|a| audit_i32(*a))
        .collect::<Result<Vec<_>>>()?;
    tx.execute(
        "UPDATE fix_patterns SET tags = $2, layers = $3, workflows = $4, file_types = $5, \
         applied_to_files = $6, dart_task_ids = $7, related_files = $8, anti_patterns = $9, \
         applied_count = $10, success_rate = $11, avg_time_saved = $12, \
         confidence_score = $13, last_applied = $14::text::timestamptz, reviewed = $15, \
         reviewer_notes = $16, updated_at = now(), citations = $17 WHERE id = $1",
        &[
            &into.0,
            &m.tags,
            &layers,
            &m.workflows,
            &m.file_types,
            &applied_to_files,
            &m.dart_task_ids,
            &m.related_files,
            &m.anti_patterns,
            &m.applied_count,
            &m.success_rate,
            &m.avg_time_saved,
            &m.confidence_score,
            &m.last_applied,
            &m.reviewed,
            &m.reviewer_notes,
            &Json(&m.citations),
        ],
    )
    .await?;
    let pattern = stored_pattern(&tx, project, into).await?;
    tx.commit().await?;
    Ok(MergedPatterns {
        pattern,
        removed: from,
        relationships_moved: relationships,
        applications_moved: applications,
        rules_moved: rules,
        audits_moved: audits,
        commits_moved,
    })
}
