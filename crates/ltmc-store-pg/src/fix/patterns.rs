//! Fix patterns, their relationships and applications: [`PatternStore`] for
//! [`PgStore`].
//!
//! A pattern is a row of `fix_patterns` (migration 0003): its list columns
//! PostgreSQL arrays, its rules-as-written JSONB, its three embeddings
//! pgvector columns of the row (the store's dimension; bound as
//! `pgvector::Vector`). Storing one also stores the relationships from it
//! and the guardian rules made from it (`guardian.rs`), in the same
//! transaction, after every id it names has been checked. `related_patterns`
//! is not a column: it is read from `pattern_relationships` (the targets of
//! the pattern's relationships, strongest first, each once) whenever a
//! pattern is read; `related_patterns()` with no types asks for every type.
//! Recording an application locks the pattern and the audit (`FOR NO KEY
//! UPDATE`: two servers recording applications of one pattern count both),
//! moves the pattern's metrics with `PatternMetrics::after` and the audit's status with
//! the same transition an upsert makes (`audits.rs`).
//!
//! The search and the related patterns are the SQL functions of migration
//! 0003 (`search_patterns_enhanced`, `get_related_patterns`), called here
//! with the project and the full pattern joined on, so the store and a team
//! calling them as Supabase RPCs get the same answer. Not here: deleting
//! patterns, discovering relationships or rules (service).

use super::audits::{self, set_outcome};
use super::guardian::{TakenName, insert_rule, rules_of_pattern};
use super::{bad_column, check_audit, check_pattern, check_vector, layer_i32};
use crate::PgStore;
use crate::error::{Error, Result, corrupt, invalid, not_found};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::fix::{
    FixPattern, NewApplication, NewFixPattern, NewGuardianRule, NewRelationship,
    PatternApplication, PatternEmbeddings, PatternFilter, PatternMetrics, PatternRelationship,
    ProblemType, RelatedPattern, RelationshipType, RuleSpec, Severity, normalize_file_type,
};
use ltmc_core::{ApplicationId, AuditId, PatternId, Project, RelationshipId, present};
use ltmc_store::validate::sql_limit;
use ltmc_store::{
    PatternMatch, PatternQuery, PatternStore, RecordedApplication, StoreError, StoredPattern,
    outcome_status,
};
use pgvector::Vector;
use std::fmt::Write as _;
use tokio_postgres::Row;
use tokio_postgres::types::Json;

/// The source a relationship is validated with before its pattern has an
/// id: no pattern has it, so the check that a relationship does not point at
/// its own source cannot misfire on a target given by the caller.
const NO_SOURCE: PatternId = PatternId(i64::MIN);

#[async_trait]
impl PatternStore for PgStore {
    async fn put_pattern(
        &self,
        project: &Project,
        pattern: NewFixPattern,
        embeddings: PatternEmbeddings,
        relationships: Vec<NewRelationship>,
        rules: Vec<NewGuardianRule>,
    ) -> Result<StoredPattern, StoreError> {
        put(self, project, pattern, embeddings, relationships, rules)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn get_pattern(
        &self,
        project: &Project,
        id: PatternId,
    ) -> Result<FixPattern, StoreError> {
        async {
            let client = self.client().await?;
            pattern(&client, project, id)
                .await?
                .ok_or_else(|| not_found("fix pattern", id, project))
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn list_patterns(
        &self,
        project: &Project,
        filter: &PatternFilter,
    ) -> Result<Vec<FixPattern>, StoreError> {
        async {
            // A layer beyond INTEGER is held by no pattern.
            let Ok(layer) = filter.layer.map(i32::try_from).transpose() else {
                return Ok(Vec::new());
            };
            let blank_is_none = |v: &Option<String>| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            let (workflow, tag) = (blank_is_none(&filter.workflow), blank_is_none(&filter.tag));
            let client = self.client().await?;
            // One statement for every filter: a filter not given is NULL.
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {PATTERN_COLUMNS} FROM fix_patterns p WHERE p.project = $1 \
                     AND ($2::boolean IS NULL OR p.reviewed = $2) \
                     AND ($3::text IS NULL OR p.problem_type = $3) \
                     AND ($4::integer IS NULL OR p.layers @> ARRAY[$4::integer]) \
                     AND ($5::text IS NULL OR p.workflows @> ARRAY[$5::text]) \
                     AND ($6::text IS NULL OR p.tags @> ARRAY[$6::text]) \
                     ORDER BY p.id DESC LIMIT $7"
                ))
                .await?;
            let rows = client
                .query(
                    &stmt,
                    &[
                        &project.as_str(),
                        &filter.reviewed,
                        &filter.problem_type.map(ProblemType::as_str),
                        &layer,
                        &workflow,
                        &tag,
                        &filter.limit.map(sql_limit),
                    ],
                )
                .await?;
            rows.iter()
                .map(pattern_from_row)
                .collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn review_pattern(
        &self,
        project: &Project,
        id: PatternId,
        reviewed: bool,
        notes: Option<String>,
    ) -> Result<FixPattern, StoreError> {
        let notes = present(notes);
        async {
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            let stmt = tx
                .prepare_cached(
                    "UPDATE fix_patterns SET reviewed = $3, \
                     reviewer_notes = coalesce($4, reviewer_notes), updated_at = now() \
                     WHERE id = $1 AND project = $2",
                )
                .await?;
            let changed = tx
                .execute(&stmt, &[&id.0, &project.as_str(), &reviewed, &notes])
                .await?;
            if changed == 0 {
                return Err(not_found("fix pattern", id, project));
            }
            let stored = stored_pattern(&tx, project, id).await?;
            tx.commit().await?;
            Ok(stored)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn search_patterns(
        &self,
        project: &Project,
        query: &PatternQuery,
    ) -> Result<Vec<PatternMatch>, StoreError> {
        search(self, project, query).await.map_err(|e| self.fail(e))
    }

    async fn link_patterns(
        &self,
        project: &Project,
        relationship: NewRelationship,
    ) -> Result<PatternRelationship, StoreError> {
        async {
            let relationship = relationship.validated()?;
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            check_pattern(&tx, project, relationship.source).await?;
            check_pattern(&tx, project, relationship.target).await?;
            let stored = upsert_relationship(&tx, project, &relationship).await?;
            tx.commit().await?;
            Ok(stored)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn related_patterns(
        &self,
        project: &Project,
        id: PatternId,
        types: &[RelationshipType],
    ) -> Result<Vec<RelatedPattern>, StoreError> {
        // No types: every type (the SQL function reads an empty list so too).
        let types: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
        async {
            let client = self.client().await?;
            // One statement, one snapshot: no row for an unknown pattern,
            // one row with NULLs for a pattern without such relationships.
            let stmt = client
                .prepare_cached(
                    "SELECT r.id, r.title, r.relationship_type, r.strength, r.description \
                     FROM fix_patterns p LEFT JOIN LATERAL get_related_patterns(\
                     pattern_id => p.id, relationship_types => $3, p_project => p.project) r \
                     ON true WHERE p.id = $1 AND p.project = $2",
                )
                .await?;
            let rows = client
                .query(&stmt, &[&id.0, &project.as_str(), &types])
                .await?;
            if rows.is_empty() {
                return Err(not_found("fix pattern", id, project));
            }
            let mut related = Vec::with_capacity(rows.len());
            for row in &rows {
                let Some(target) = row.try_get::<_, Option<i64>>(0)? else {
                    continue;
                };
                let kind: String = row.try_get(2)?;
                related.push(RelatedPattern {
                    id: PatternId(target),
                    title: row.try_get(1)?,
                    relationship_type: parse_kind(&kind)?,
                    strength: row.try_get(3)?,
                    description: row.try_get(4)?,
                });
            }
            Ok(related)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn record_application(
        &self,
        project: &Project,
        application: NewApplication,
    ) -> Result<RecordedApplication, StoreError> {
        record(self, project, application)
            .await
            .map_err(|e| self.fail(e))
    }

    async fn list_applications(
        &self,
        project: &Project,
        pattern: Option<PatternId>,
    ) -> Result<Vec<PatternApplication>, StoreError> {
        async {
            let mut client = self.client().await?;
            // A read-only snapshot: the pattern's check and its list agree.
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            if let Some(pattern) = pattern {
                check_pattern_exists(&tx, project, pattern).await?;
            }
            let stmt = tx
                .prepare_cached(&format!(
                    "SELECT {APPLICATION_COLUMNS} FROM pattern_applications x \
                     WHERE x.project = $1 AND ($2::bigint IS NULL OR x.pattern_id = $2) \
                     ORDER BY x.id"
                ))
                .await?;
            let rows = tx
                .query(&stmt, &[&project.as_str(), &pattern.map(|p| p.0)])
                .await?;
            let applications = rows
                .iter()
                .map(application_from_row)
                .collect::<Result<Vec<_>>>()?;
            tx.commit().await?;
            Ok(applications)
        }
        .await
        .map_err(|e| self.fail(e))
    }
}

/// [`PatternStore::put_pattern`]: checks, then one transaction.
async fn put(
    store: &PgStore,
    project: &Project,
    pattern: NewFixPattern,
    embeddings: PatternEmbeddings,
    relationships: Vec<NewRelationship>,
    rules: Vec<NewGuardianRule>,
) -> Result<StoredPattern> {
    // Everything checked before the transaction, in the SQLite store's order.
    store.spec()?;
    let pattern = pattern.validated()?;
    let PatternEmbeddings {
        content,
        code,
        problem,
    } = embeddings;
    check_vector(store, &content, "content_embedding")?;
    check_vector(store, &code, "code_embedding")?;
    check_vector(store, &problem, "problem_embedding")?;
    let relationships = relationships
        .into_iter()
        .map(|r| {
            NewRelationship {
                source: NO_SOURCE,
                ..r
            }
            .validated()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rules = rules
        .into_iter()
        .map(|r| {
            NewGuardianRule {
                source_pattern_id: None,
                ..r
            }
            .validated()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let row = PatternRow::of(&pattern)?;

    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    if let Some(audit) = pattern.source_file_audit_id {
        check_audit(&tx, project, audit).await?;
    }
    for relationship in &relationships {
        check_pattern(&tx, project, relationship.target).await?;
    }
    let id = insert_pattern(
        &tx,
        project,
        &pattern,
        &row,
        [content, code, problem].map(Vector::from),
    )
    .await?;
    for relationship in relationships {
        let relationship = NewRelationship {
            source: id,
            ..relationship
        };
        upsert_relationship(&tx, project, &relationship).await?;
    }
    for rule in rules {
        let rule = NewGuardianRule {
            source_pattern_id: Some(id),
            ..rule
        };
        insert_rule(&tx, project, &rule, TakenName::Suffix).await?;
    }
    let stored = StoredPattern {
        pattern: stored_pattern(&tx, project, id).await?,
        relationships: relationships_from(&tx, id).await?,
        rules: rules_of_pattern(&tx, id).await?,
    };
    tx.commit().await?;
    Ok(stored)
}

/// The seed's `search_patterns_enhanced` (the SQL function of migration
/// 0003, which says why it is exact) with the full patterns joined on.
async fn search(
    store: &PgStore,
    project: &Project,
    query: &PatternQuery,
) -> Result<Vec<PatternMatch>> {
    // Without a recorded model nothing was ever stored.
    if store.embedding().is_none() {
        return Ok(Vec::new());
    }
    check_vector(store, &query.content, "content")?;
    if let Some(problem) = &query.problem {
        check_vector(store, problem, "problem")?;
    }
    for (field, value) in [
        ("min_confidence", query.min_confidence),
        ("similarity_threshold", query.similarity_threshold),
    ] {
        if !value.is_finite() {
            return Err(invalid(field, format!("is {value}; give a number")));
        }
    }
    if query.limit == 0 {
        return Ok(Vec::new());
    }
    // None or empty lists are no filter. Layers beyond INTEGER match no
    // pattern: a list of only those matches none.
    let layers: Option<Vec<i32>> = match query.layers.as_deref() {
        None | Some([]) => None,
        Some(layers) => {
            let fitting: Vec<i32> = layers
                .iter()
                .filter_map(|l| i32::try_from(*l).ok())
                .collect();
            if fitting.is_empty() {
                return Ok(Vec::new());
            }
            Some(fitting)
        }
    };
    let workflows: Vec<String> = query
        .workflows
        .iter()
        .flatten()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let workflows = (!workflows.is_empty()).then_some(workflows);
    // Stored file types are normalized (`.py`): so is the query's (the
    // function would do it too; a blank one is no filter).
    let extension = query
        .file_extension
        .as_deref()
        .map(normalize_file_type)
        .filter(|e| !e.is_empty());
    let limit = i32::try_from(query.limit).unwrap_or(i32::MAX);

    let client = store.client().await?;
    // The function returns the matches in order (at most `limit`); the
    // outer ORDER BY restores that order after the join, with the same
    // keys (the function's answer is small).
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {PATTERN_COLUMNS}, s.similarity, s.problem_similarity \
             FROM search_patterns_enhanced(content_embedding => $1, problem_embedding => $2, \
             filter_layers => $3, filter_workflows => $4, file_extension => $5, \
             min_confidence => $6, similarity_threshold => $7, match_count => $8, \
             p_project => $9, p_include_unreviewed => $10) s \
             JOIN fix_patterns p ON p.id = s.id \
             ORDER BY CASE WHEN $2::vector IS NULL THEN s.similarity \
             ELSE (s.similarity + s.problem_similarity) / 2 END DESC, \
             s.confidence_score DESC, s.applied_count DESC, s.id"
        ))
        .await?;
    let content = Vector::from(query.content.clone());
    let problem = query.problem.clone().map(Vector::from);
    let rows = client
        .query(
            &stmt,
            &[
                &content,
                &problem,
                &layers,
                &workflows,
                &extension,
                &query.min_confidence,
                &query.similarity_threshold,
                &limit,
                &project.as_str(),
                &query.include_unreviewed,
            ],
        )
        .await?;
    let n = PATTERN_COLUMN_COUNT;
    rows.iter()
        .map(|row| {
            Ok(PatternMatch {
                pattern: pattern_from_row(row)?,
                similarity: row.try_get(n)?,
                problem_similarity: row.try_get(n + 1)?,
            })
        })
        .collect()
}

/// [`PatternStore::record_application`]: one transaction.
async fn record(
    store: &PgStore,
    project: &Project,
    application: NewApplication,
) -> Result<RecordedApplication> {
    let application = application.validated()?;
    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    // The pattern's metrics are read, moved and written back: locked.
    let stmt = tx
        .prepare_cached(
            "SELECT p.title, p.applied_count, p.success_rate, p.avg_time_saved, \
             p.applied_to_files FROM fix_patterns p WHERE p.id = $1 AND p.project = $2 \
             FOR NO KEY UPDATE",
        )
        .await?;
    let id = application.pattern_id;
    let row = tx
        .query_opt(&stmt, &[&id.0, &project.as_str()])
        .await?
        .ok_or_else(|| not_found("fix pattern", id, project))?;
    let title: String = row.try_get(0)?;
    let before = PatternMetrics {
        applied_count: row.try_get(1)?,
        success_rate: row.try_get(2)?,
        avg_time_saved: row.try_get(3)?,
    };
    let mut applied_to_files: Vec<i32> = row.try_get(4)?;
    let audit = match application.audit_id {
        Some(audit_id) => Some(
            audits::audit(&tx, project, audit_id, true)
                .await?
                .ok_or_else(|| not_found("file audit", audit_id, project))?,
        ),
        None => None,
    };
    let file_path = application
        .file_path
        .clone()
        .or_else(|| audit.as_ref().map(|a| a.file_path.clone()));
    let stmt = tx
        .prepare_cached(&format!(
            "INSERT INTO pattern_applications AS x (project, pattern_id, audit_id, file_path, \
             success, time_taken, time_saved, notes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {APPLICATION_COLUMNS}"
        ))
        .await?;
    let row = tx
        .query_one(
            &stmt,
            &[
                &project.as_str(),
                &id.0,
                &application.audit_id.map(|a| a.0),
                &file_path,
                &application.success,
                &application.time_taken,
                &application.time_saved,
                &application.notes,
            ],
        )
        .await?;
    let stored = application_from_row(&row)?;

    let metrics = before.after(application.success, application.time_saved);
    if let Some(audit) = application.audit_id {
        let audit = audit_i32(audit)?;
        if !applied_to_files.contains(&audit) {
            applied_to_files.push(audit);
        }
    }
    let stmt = tx
        .prepare_cached(
            "UPDATE fix_patterns SET applied_count = $2, success_rate = $3, \
             avg_time_saved = $4, last_applied = now(), applied_to_files = $5, \
             updated_at = now() WHERE id = $1",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &id.0,
            &metrics.applied_count,
            &metrics.success_rate,
            &metrics.avg_time_saved,
            &applied_to_files,
        ],
    )
    .await?;

    let audit = match audit {
        Some(audit) => {
            // The application's time is the transaction's, as the audit's.
            let line = outcome_line(&stored.applied_at, id, &title, &application);
            let notes = match audit.notes.as_deref() {
                Some(notes) => format!("{notes}\n{line}"),
                None => line,
            };
            let status = outcome_status(application.success);
            Some(set_outcome(&tx, &audit, id, status, &notes).await?)
        }
        None => None,
    };
    let recorded = RecordedApplication {
        application: stored,
        pattern: stored_pattern(&tx, project, id).await?,
        audit,
    };
    tx.commit().await?;
    Ok(recorded)
}

/// The values of a pattern's row that are not its fields as they are.
struct PatternRow {
    layers: Vec<i32>,
    applied_to_files: Vec<i32>,
}

impl PatternRow {
    fn of(pattern: &NewFixPattern) -> Result<Self> {
        Ok(Self {
            layers: pattern
                .layers
                .iter()
                .map(|l| layer_i32("layers", *l))
                .collect::<Result<_>>()?,
            applied_to_files: pattern
                .applied_to_files
                .iter()
                .map(|a| audit_i32(*a))
                .collect::<Result<_>>()?,
        })
    }
}

/// An audit id as the seed's INTEGER[] `applied_to_files` holds it.
fn audit_i32(id: AuditId) -> Result<i32> {
    i32::try_from(id.0).map_err(|_| {
        invalid(
            "applied_to_files",
            format!("file audit id {id} is beyond the seed's INTEGER column"),
        )
    })
}

/// Inserts the pattern's row with its embeddings (content, code, problem);
/// returns its id. A `last_applied` PostgreSQL cannot read as a time is
/// `Invalid` naming it.
async fn insert_pattern<C: GenericClient>(
    client: &C,
    project: &Project,
    pattern: &NewFixPattern,
    row: &PatternRow,
    [content, code, problem]: [Vector; 3],
) -> Result<PatternId> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO fix_patterns (project, title, problem_type, code_type, severity, tags, \
             layers, workflows, file_types, problem_description, solution_steps, code_before, \
             code_after, verification_steps, learnings, prevention_guidance, \
             source_file_audit_id, applied_to_files, dart_task_ids, related_files, \
             applied_count, success_rate, avg_time_saved, confidence_score, last_applied, \
             guardian_rules, anti_patterns, content_embedding, code_embedding, \
             problem_embedding, created_by, reviewed, reviewer_notes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20, $21, $22, $23, $24, $25::text::timestamptz, $26, $27, $28, \
             $29, $30, $31, $32, $33) RETURNING id",
        )
        .await?;
    let inserted = client
        .query_one(
            &stmt,
            &[
                &project.as_str(),
                &pattern.title,
                &pattern.problem_type.as_str(),
                &pattern.code_type,
                &pattern.severity.as_str(),
                &pattern.tags,
                &row.layers,
                &pattern.workflows,
                &pattern.file_types,
                &pattern.problem_description,
                &pattern.solution_steps,
                &pattern.code_before,
                &pattern.code_after,
                &pattern.verification_steps,
                &pattern.learnings,
                &pattern.prevention_guidance,
                &pattern.source_file_audit_id.map(|a| a.0),
                &row.applied_to_files,
                &pattern.dart_task_ids,
                &pattern.related_files,
                &pattern.applied_count,
                &pattern.success_rate,
                &pattern.avg_time_saved,
                &pattern.confidence_score,
                &pattern.last_applied,
                &Json(&pattern.guardian_rules),
                &pattern.anti_patterns,
                &content,
                &code,
                &problem,
                &pattern.created_by,
                &pattern.reviewed,
                &pattern.reviewer_notes,
            ],
        )
        .await
        .map_err(|err| match err.code() {
            // The only time among the values is the caller's last_applied.
            // invalid_datetime_format, datetime_field_overflow,
            // invalid_time_zone_displacement_value.
            Some(code) if matches!(code.code(), "22007" | "22008" | "22009") => invalid(
                "last_applied",
                format!(
                    "{:?} is not a time PostgreSQL reads (use RFC 3339: 2025-01-31T09:15:02Z)",
                    pattern.last_applied.as_deref().unwrap_or("")
                ),
            ),
            _ => Error::from(err),
        })?;
    Ok(PatternId(inserted.try_get(0)?))
}

/// Adds the (validated) relationship, or updates strength and description of
/// the one with its source, target and type; both ends checked by the caller.
async fn upsert_relationship<C: GenericClient>(
    client: &C,
    project: &Project,
    relationship: &NewRelationship,
) -> Result<PatternRelationship> {
    let stmt = client
        .prepare_cached(&format!(
            "INSERT INTO pattern_relationships AS r (project, source_pattern_id, \
             target_pattern_id, relationship_type, strength, description) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (source_pattern_id, target_pattern_id, relationship_type) DO UPDATE \
             SET strength = excluded.strength, description = excluded.description \
             RETURNING {RELATIONSHIP_COLUMNS}"
        ))
        .await?;
    let row = client
        .query_one(
            &stmt,
            &[
                &project.as_str(),
                &relationship.source.0,
                &relationship.target.0,
                &relationship.relationship_type.as_str(),
                &relationship.strength,
                &relationship.description,
            ],
        )
        .await?;
    relationship_from_row(&row)
}

/// The relationships from `pattern`, in the order they were made.
async fn relationships_from<C: GenericClient>(
    client: &C,
    pattern: PatternId,
) -> Result<Vec<PatternRelationship>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {RELATIONSHIP_COLUMNS} FROM pattern_relationships r \
             WHERE r.source_pattern_id = $1 ORDER BY r.id"
        ))
        .await?;
    let rows = client.query(&stmt, &[&pattern.0]).await?;
    rows.iter().map(relationship_from_row).collect()
}

/// The pattern exists in `project` (a plain read), else `NotFound`.
async fn check_pattern_exists<C: GenericClient>(
    client: &C,
    project: &Project,
    id: PatternId,
) -> Result<()> {
    let stmt = client
        .prepare_cached("SELECT 1 FROM fix_patterns WHERE id = $1 AND project = $2")
        .await?;
    match client.query_opt(&stmt, &[&id.0, &project.as_str()]).await? {
        Some(_) => Ok(()),
        None => Err(not_found("fix pattern", id, project)),
    }
}

/// The line an application adds to its audit's notes, e.g.
/// `2026-11-21T10:00:00.000Z: applied pattern #12 (Title): success in 30 min
/// (saved 15 min): notes` (one line).
fn outcome_line(
    now: &str,
    pattern: PatternId,
    title: &str,
    application: &NewApplication,
) -> String {
    let outcome = if application.success {
        "success"
    } else {
        "failure"
    };
    let mut line = format!("{now}: applied pattern #{pattern} ({title}): {outcome}");
    if let Some(minutes) = application.time_taken {
        let _ = write!(line, " in {minutes} min");
    }
    if let Some(minutes) = application.time_saved {
        let _ = write!(line, " (saved {minutes} min)");
    }
    if let Some(notes) = application.notes.as_deref() {
        // One line per application, whatever the notes look like.
        let notes: Vec<&str> = notes
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        line.push_str(": ");
        line.push_str(&notes.join(" "));
    }
    line
}

/// The pattern `id` of `project`, if there is one.
async fn pattern<C: GenericClient>(
    client: &C,
    project: &Project,
    id: PatternId,
) -> Result<Option<FixPattern>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {PATTERN_COLUMNS} FROM fix_patterns p WHERE p.id = $1 AND p.project = $2"
        ))
        .await?;
    client
        .query_opt(&stmt, &[&id.0, &project.as_str()])
        .await?
        .as_ref()
        .map(pattern_from_row)
        .transpose()
}

/// A pattern this transaction has just written or found: missing is a bug.
async fn stored_pattern<C: GenericClient>(
    client: &C,
    project: &Project,
    id: PatternId,
) -> Result<FixPattern> {
    pattern(client, project, id).await?.ok_or_else(|| {
        corrupt(format!(
            "fix pattern {id} of project {project} vanished inside its own transaction"
        ))
    })
}

/// The columns [`pattern_from_row`] reads, in order, of the pattern `p`
/// ([`PATTERN_COLUMN_COUNT`] of them). Column 16 is `related_patterns`: the
/// targets of the pattern's relationships, strongest first (a target of
/// several types once, at its strongest), ties by type, then id.
const PATTERN_COLUMNS: &str = "p.id, p.title, p.problem_type, p.code_type, p.severity, p.tags, \
     p.layers, p.workflows, p.file_types, p.problem_description, p.solution_steps, \
     p.code_before, p.code_after, p.verification_steps, p.learnings, p.prevention_guidance, \
     ARRAY(SELECT d.target FROM (SELECT DISTINCT ON (r.target_pattern_id) \
               r.target_pattern_id AS target, r.strength, r.relationship_type AS kind \
           FROM pattern_relationships r WHERE r.source_pattern_id = p.id \
           ORDER BY r.target_pattern_id, r.strength DESC, r.relationship_type COLLATE \"C\") d \
           ORDER BY d.strength DESC, d.kind COLLATE \"C\", d.target), \
     p.source_file_audit_id, p.applied_to_files, p.dart_task_ids, p.related_files, \
     p.applied_count, p.success_rate, p.avg_time_saved, p.confidence_score, \
     ltmc_ts(p.last_applied), p.guardian_rules, p.anti_patterns, ltmc_ts(p.created_at), \
     ltmc_ts(p.updated_at), p.created_by, p.reviewed, p.reviewer_notes";

/// How many columns [`PATTERN_COLUMNS`] has: a search's similarities follow.
const PATTERN_COLUMN_COUNT: usize = 33;

fn pattern_from_row(row: &Row) -> Result<FixPattern> {
    let problem_type: String = row.try_get(2)?;
    let severity: String = row.try_get(4)?;
    let layers: Vec<i32> = row.try_get(6)?;
    let related: Vec<i64> = row.try_get(16)?;
    let applied_to_files: Vec<i32> = row.try_get(18)?;
    let Json(guardian_rules): Json<Vec<RuleSpec>> = row.try_get(26)?;
    Ok(FixPattern {
        id: PatternId(row.try_get(0)?),
        title: row.try_get(1)?,
        problem_type: ProblemType::parse("fix_patterns.problem_type", &problem_type)
            .map_err(|e| bad_column("fix_patterns.problem_type", e))?,
        code_type: row.try_get(3)?,
        severity: Severity::parse("fix_patterns.severity", &severity)
            .map_err(|e| bad_column("fix_patterns.severity", e))?,
        tags: row.try_get(5)?,
        layers: layers.into_iter().map(i64::from).collect(),
        workflows: row.try_get(7)?,
        file_types: row.try_get(8)?,
        problem_description: row.try_get(9)?,
        solution_steps: row.try_get(10)?,
        code_before: row.try_get(11)?,
        code_after: row.try_get(12)?,
        verification_steps: row.try_get(13)?,
        learnings: row.try_get(14)?,
        prevention_guidance: row.try_get(15)?,
        related_patterns: related.into_iter().map(PatternId).collect(),
        source_file_audit_id: row.try_get::<_, Option<i64>>(17)?.map(AuditId),
        applied_to_files: applied_to_files
            .into_iter()
            .map(|a| AuditId(i64::from(a)))
            .collect(),
        dart_task_ids: row.try_get(19)?,
        related_files: row.try_get(20)?,
        applied_count: row.try_get(21)?,
        success_rate: row.try_get(22)?,
        avg_time_saved: row.try_get(23)?,
        confidence_score: row.try_get(24)?,
        last_applied: row.try_get(25)?,
        guardian_rules,
        anti_patterns: row.try_get(27)?,
        created_at: row.try_get(28)?,
        updated_at: row.try_get(29)?,
        created_by: row.try_get(30)?,
        reviewed: row.try_get(31)?,
        reviewer_notes: row.try_get(32)?,
    })
}

fn parse_kind(kind: &str) -> Result<RelationshipType> {
    RelationshipType::parse("relationship_type", kind)
        .map_err(|e| bad_column("pattern_relationships.relationship_type", e))
}

/// The columns [`relationship_from_row`] reads, in order, of the relationship `r`.
const RELATIONSHIP_COLUMNS: &str = "r.id, r.source_pattern_id, r.target_pattern_id, \
     r.relationship_type, r.strength, r.description, ltmc_ts(r.created_at)";

fn relationship_from_row(row: &Row) -> Result<PatternRelationship> {
    let kind: String = row.try_get(3)?;
    Ok(PatternRelationship {
        id: RelationshipId(row.try_get(0)?),
        source: PatternId(row.try_get(1)?),
        target: PatternId(row.try_get(2)?),
        relationship_type: parse_kind(&kind)?,
        strength: row.try_get(4)?,
        description: row.try_get(5)?,
        created_at: row.try_get(6)?,
    })
}

/// The columns [`application_from_row`] reads, in order, of the application `x`.
const APPLICATION_COLUMNS: &str = "x.id, x.pattern_id, x.audit_id, x.file_path, x.success, \
     x.time_taken, x.time_saved, x.notes, ltmc_ts(x.applied_at)";

fn application_from_row(row: &Row) -> Result<PatternApplication> {
    Ok(PatternApplication {
        id: ApplicationId(row.try_get(0)?),
        pattern_id: PatternId(row.try_get(1)?),
        audit_id: row.try_get::<_, Option<i64>>(2)?.map(AuditId),
        file_path: row.try_get(3)?,
        success: row.try_get(4)?,
        time_taken: row.try_get(5)?,
        time_saved: row.try_get(6)?,
        notes: row.try_get(7)?,
        applied_at: row.try_get(8)?,
    })
}
