//! Fix patterns, their relationships and applications: [`PatternStore`] for
//! [`SqliteStore`] (the search is in `search.rs`).
//!
//! A pattern is a row of `fix_patterns` (migration 0005), its list columns
//! JSON arrays, plus three rows of `fix_pattern_vectors` (content, code,
//! problem: the blob layout of `blob.rs`, the store's dimension, each in the
//! slot of its kind, `VectorKind`). Storing one also stores the
//! relationships from it and the guardian rules made from it
//! (`guardian.rs`), in the same transaction, after every id it names has
//! been checked. `related_patterns` is not a column: it is read from
//! `pattern_relationships` (the targets of the pattern's relationships,
//! strongest first, each once) whenever a pattern is read;
//! `related_patterns()` with no types asks for every type. Recording an
//! application moves the pattern's metrics with `PatternMetrics::after` and
//! the audit's status with the same transition an upsert makes
//! (`audits.rs`). Not here: deleting patterns, discovering relationships or
//! rules (service).

use super::audits::{self, set_outcome};
use super::guardian::{TakenName, insert_rule, rules_of_pattern};
use super::{VectorKind, check_audit, check_pattern, json_column, json_text, search};
use crate::error::{Error, Result, not_found};
use crate::resources::bad_value;
use crate::store::State;
use crate::{SqliteStore, blob};
use async_trait::async_trait;
use ltmc_core::fix::{
    FixPattern, NewApplication, NewFixPattern, NewGuardianRule, NewRelationship,
    PatternApplication, PatternEmbeddings, PatternFilter, PatternMetrics, PatternRelationship,
    ProblemType, RelatedPattern, RelationshipType, Severity,
};
use ltmc_core::{ApplicationId, AuditId, PatternId, Project, RelationshipId, now_rfc3339, present};
use ltmc_store::entity;
use ltmc_store::validate::{self, sql_limit};
use ltmc_store::{
    PatternMatch, PatternQuery, PatternStore, RecordedApplication, StoreError, StoredPattern,
    outcome_status,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params, params_from_iter};
use std::fmt::Write as _;
use std::path::Path;

/// The source a relationship is validated with before its pattern has an
/// id: no pattern has it, so the check that a relationship does not point at
/// its own source cannot misfire on a target given by the caller.
const NO_SOURCE: PatternId = PatternId(i64::MIN);

#[async_trait]
impl PatternStore for SqliteStore {
    async fn put_pattern(
        &self,
        project: &Project,
        pattern: NewFixPattern,
        embeddings: PatternEmbeddings,
        relationships: Vec<NewRelationship>,
        rules: Vec<NewGuardianRule>,
    ) -> Result<StoredPattern, StoreError> {
        let project = project.clone();
        self.call(move |state, path| {
            put(
                state,
                path,
                &project,
                pattern,
                embeddings,
                relationships,
                rules,
            )
        })
        .await
    }

    async fn get_pattern(
        &self,
        project: &Project,
        id: PatternId,
    ) -> Result<FixPattern, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            pattern(&state.conn, &project, id)?
                .ok_or_else(|| not_found(entity::FIX_PATTERN, id, &project))
        })
        .await
    }

    async fn list_patterns(
        &self,
        project: &Project,
        filter: &PatternFilter,
    ) -> Result<Vec<FixPattern>, StoreError> {
        let project = project.clone();
        let filter = filter.clone();
        self.call(move |state, _| {
            let (conditions, mut values) = where_clause(&project, &filter);
            // SQLite reads LIMIT -1 as "no limit".
            values.push(Value::Integer(filter.limit.map_or(-1, sql_limit)));
            let mut stmt = state.conn.prepare_cached(&format!(
                "SELECT {PATTERN_COLUMNS} FROM fix_patterns WHERE {conditions} \
                 ORDER BY id DESC LIMIT ?"
            ))?;
            let rows = stmt.query_map(params_from_iter(values), pattern_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn review_pattern(
        &self,
        project: &Project,
        id: PatternId,
        reviewed: bool,
        notes: Option<String>,
    ) -> Result<FixPattern, StoreError> {
        let project = project.clone();
        let notes = present(notes);
        self.call(move |state, _| {
            let now = now_rfc3339();
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            if reviewed {
                let layers: Option<i64> = tx
                    .prepare_cached(
                        "SELECT json_array_length(layers) FROM fix_patterns \
                         WHERE id = ?1 AND project = ?2",
                    )?
                    .query_row(params![id.0, project.as_str()], |r| r.get(0))
                    .optional()?;
                if layers == Some(0) {
                    return Err(ltmc_store::validate::no_layers_to_review(id).into());
                }
            }
            let changed = tx
                .prepare_cached(
                    "UPDATE fix_patterns SET reviewed = ?3, \
                     reviewer_notes = coalesce(?4, reviewer_notes), updated_at = ?5 \
                     WHERE id = ?1 AND project = ?2",
                )?
                .execute(params![id.0, project.as_str(), reviewed, notes, now])?;
            if changed == 0 {
                return Err(not_found(entity::FIX_PATTERN, id, &project));
            }
            let stored = stored_pattern(&tx, &project, id)?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn search_patterns(
        &self,
        project: &Project,
        query: &PatternQuery,
    ) -> Result<Vec<PatternMatch>, StoreError> {
        let project = project.clone();
        let query = query.clone();
        self.call(move |state, _| search::search(state, &project, &query))
            .await
    }

    async fn link_patterns(
        &self,
        project: &Project,
        relationship: NewRelationship,
    ) -> Result<PatternRelationship, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let relationship = relationship.validated()?;
            let now = now_rfc3339();
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            check_pattern(&tx, &project, relationship.source)?;
            check_pattern(&tx, &project, relationship.target)?;
            let stored = upsert_relationship(&tx, &project, &relationship, &now)?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn related_patterns(
        &self,
        project: &Project,
        id: PatternId,
        types: &[RelationshipType],
    ) -> Result<Vec<RelatedPattern>, StoreError> {
        let project = project.clone();
        let types = if types.is_empty() {
            RelationshipType::ALL.to_vec()
        } else {
            types.to_vec()
        };
        self.call(move |state, _| {
            let types = json_text(
                "relationship_types",
                &types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            )?;
            let tx = state.conn.transaction()?;
            check_pattern(&tx, &project, id)?;
            let related = {
                let mut stmt = tx.prepare_cached(
                    "SELECT p.id, p.title, r.relationship_type, r.strength, r.description \
                     FROM pattern_relationships r JOIN fix_patterns p ON p.id = r.target_pattern_id \
                     WHERE r.source_pattern_id = ?1 AND p.project = ?2 \
                     AND r.relationship_type IN (SELECT value FROM json_each(?3)) \
                     ORDER BY r.strength DESC, r.relationship_type, p.id",
                )?;
                let rows = stmt.query_map(params![id.0, project.as_str(), types], |row| {
                    let kind: String = row.get(2)?;
                    Ok(RelatedPattern {
                        id: PatternId(row.get(0)?),
                        title: row.get(1)?,
                        relationship_type: RelationshipType::parse("relationship_type", &kind)
                            .map_err(|err| bad_value(2, err))?,
                        strength: row.get(3)?,
                        description: row.get(4)?,
                    })
                })?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            tx.commit()?;
            Ok(related)
        })
        .await
    }

    async fn record_application(
        &self,
        project: &Project,
        application: NewApplication,
    ) -> Result<RecordedApplication, StoreError> {
        let project = project.clone();
        self.call(move |state, _| record(state, &project, application))
            .await
    }

    async fn list_applications(
        &self,
        project: &Project,
        pattern: Option<PatternId>,
    ) -> Result<Vec<PatternApplication>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let tx = state.conn.transaction()?;
            if let Some(pattern) = pattern {
                check_pattern(&tx, &project, pattern)?;
            }
            let applications = {
                let mut stmt = tx.prepare_cached(&format!(
                    "SELECT {APPLICATION_COLUMNS} FROM pattern_applications \
                     WHERE project = ?1 AND (?2 IS NULL OR pattern_id = ?2) ORDER BY id"
                ))?;
                let rows = stmt.query_map(
                    params![project.as_str(), pattern.map(|p| p.0)],
                    application_from_row,
                )?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            tx.commit()?;
            Ok(applications)
        })
        .await
    }
}

fn put(
    state: &mut State,
    path: &Path,
    project: &Project,
    pattern: NewFixPattern,
    embeddings: PatternEmbeddings,
    relationships: Vec<NewRelationship>,
    rules: Vec<NewGuardianRule>,
) -> Result<StoredPattern> {
    let dimension = state.dimension_for_write(path)?;
    let pattern = pattern.validated()?;
    let PatternEmbeddings {
        content,
        code,
        problem,
    } = embeddings;
    validate::check_vector(&content, dimension, "content_embedding")?;
    validate::check_vector(&code, dimension, "code_embedding")?;
    validate::check_vector(&problem, dimension, "problem_embedding")?;
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
    let now = now_rfc3339();

    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(audit) = pattern.source_file_audit_id {
        check_audit(&tx, project, audit)?;
    }
    for relationship in &relationships {
        check_pattern(&tx, project, relationship.target)?;
    }
    let id = PatternId(insert_pattern(&tx, project, &pattern, &now)?);
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO fix_pattern_vectors (slot, pattern_id, kind, vector) \
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (kind, vector) in [
            (VectorKind::Content, &content),
            (VectorKind::Code, &code),
            (VectorKind::Problem, &problem),
        ] {
            insert.execute(params![
                kind.slot(id),
                id.0,
                kind.as_str(),
                blob::encode(vector)
            ])?;
        }
    }
    for relationship in relationships {
        let relationship = NewRelationship {
            source: id,
            ..relationship
        };
        upsert_relationship(&tx, project, &relationship, &now)?;
    }
    for rule in rules {
        let rule = NewGuardianRule {
            source_pattern_id: Some(id),
            ..rule
        };
        insert_rule(&tx, project, &rule, TakenName::Suffix, &now)?;
    }
    let stored = StoredPattern {
        pattern: stored_pattern(&tx, project, id)?,
        relationships: relationships_from(&tx, id)?,
        rules: rules_of_pattern(&tx, id)?,
    };
    tx.commit()?;
    Ok(stored)
}

/// Inserts the pattern's row; returns its id.
pub(super) fn insert_pattern(
    conn: &Connection,
    project: &Project,
    pattern: &NewFixPattern,
    now: &str,
) -> Result<i64> {
    let applied_to_files: Vec<i64> = pattern.applied_to_files.iter().map(|a| a.0).collect();
    Ok(conn
        .prepare_cached(
            "INSERT INTO fix_patterns (project, reviewed, confidence_score, applied_count, \
             layers, workflows, file_types, tags, problem_type, code_type, severity, \
             success_rate, avg_time_saved, last_applied, source_file_audit_id, \
             applied_to_files, dart_task_ids, related_files, anti_patterns, guardian_rules, \
             created_by, reviewer_notes, created_at, updated_at, title, problem_description, \
             solution_steps, code_before, code_after, verification_steps, learnings, \
             prevention_guidance, citations) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
             ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, \
             ?32) \
             RETURNING id",
        )?
        .query_row(
            params![
                project.as_str(),
                pattern.reviewed,
                pattern.confidence_score,
                pattern.applied_count,
                json_text("layers", &pattern.layers)?,
                json_text("workflows", &pattern.workflows)?,
                json_text("file_types", &pattern.file_types)?,
                json_text("tags", &pattern.tags)?,
                pattern.problem_type.as_str(),
                pattern.code_type,
                pattern.severity.as_str(),
                pattern.success_rate,
                pattern.avg_time_saved,
                pattern.last_applied,
                pattern.source_file_audit_id.map(|a| a.0),
                json_text("applied_to_files", &applied_to_files)?,
                json_text("dart_task_ids", &pattern.dart_task_ids)?,
                json_text("related_files", &pattern.related_files)?,
                json_text("anti_patterns", &pattern.anti_patterns)?,
                json_text("guardian_rules", &pattern.guardian_rules)?,
                pattern.created_by,
                pattern.reviewer_notes,
                now,
                pattern.title,
                pattern.problem_description,
                pattern.solution_steps,
                pattern.code_before,
                pattern.code_after,
                pattern.verification_steps,
                pattern.learnings,
                pattern.prevention_guidance,
                json_text("citations", &pattern.citations)?
            ],
            |row| row.get(0),
        )?)
}

/// Adds the (validated) relationship, or updates strength and description of
/// the one with its source, target and type; both ends checked by the caller.
fn upsert_relationship(
    conn: &Connection,
    project: &Project,
    relationship: &NewRelationship,
    now: &str,
) -> Result<PatternRelationship> {
    Ok(conn
        .prepare_cached(&format!(
            "INSERT INTO pattern_relationships (project, source_pattern_id, target_pattern_id, \
             relationship_type, strength, description, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (source_pattern_id, target_pattern_id, relationship_type) DO UPDATE \
             SET strength = excluded.strength, description = excluded.description \
             RETURNING {RELATIONSHIP_COLUMNS}"
        ))?
        .query_row(
            params![
                project.as_str(),
                relationship.source.0,
                relationship.target.0,
                relationship.relationship_type.as_str(),
                relationship.strength,
                relationship.description,
                now
            ],
            relationship_from_row,
        )?)
}

/// The relationships from `pattern`, in the order they were made.
fn relationships_from(conn: &Connection, pattern: PatternId) -> Result<Vec<PatternRelationship>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RELATIONSHIP_COLUMNS} FROM pattern_relationships \
         WHERE source_pattern_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([pattern.0], relationship_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn record(
    state: &mut State,
    project: &Project,
    application: NewApplication,
) -> Result<RecordedApplication> {
    let application = application.validated()?;
    let now = now_rfc3339();
    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let before = pattern(&tx, project, application.pattern_id)?
        .ok_or_else(|| not_found(entity::FIX_PATTERN, application.pattern_id, project))?;
    let audit = match application.audit_id {
        Some(id) => Some(
            audits::audit(&tx, project, id)?
                .ok_or_else(|| not_found(entity::FILE_AUDIT, id, project))?,
        ),
        None => None,
    };
    let file_path = application
        .file_path
        .clone()
        .or_else(|| audit.as_ref().map(|a| a.file_path.clone()));
    let stored = tx
        .prepare_cached(&format!(
            "INSERT INTO pattern_applications (project, pattern_id, audit_id, file_path, \
             success, time_taken, time_saved, notes, applied_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING {APPLICATION_COLUMNS}"
        ))?
        .query_row(
            params![
                project.as_str(),
                before.id.0,
                application.audit_id.map(|a| a.0),
                file_path,
                application.success,
                application.time_taken,
                application.time_saved,
                application.notes,
                now
            ],
            application_from_row,
        )?;

    let metrics = PatternMetrics {
        applied_count: before.applied_count,
        success_rate: before.success_rate,
        avg_time_saved: before.avg_time_saved,
    }
    .after(application.success, application.time_saved);
    let mut applied_to_files: Vec<i64> = before.applied_to_files.iter().map(|a| a.0).collect();
    if let Some(audit) = application.audit_id
        && !applied_to_files.contains(&audit.0)
    {
        applied_to_files.push(audit.0);
    }
    tx.prepare_cached(
        "UPDATE fix_patterns SET applied_count = ?2, success_rate = ?3, avg_time_saved = ?4, \
         last_applied = ?5, applied_to_files = ?6, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![
        before.id.0,
        metrics.applied_count,
        metrics.success_rate,
        metrics.avg_time_saved,
        now,
        json_text("applied_to_files", &applied_to_files)?
    ])?;

    let audit = match audit {
        Some(audit) => {
            let line = outcome_line(&now, &before, &application);
            let notes = match audit.notes.as_deref() {
                Some(notes) => format!("{notes}\n{line}"),
                None => line,
            };
            let status = outcome_status(application.success);
            Some(set_outcome(&tx, &audit, before.id, status, &notes, &now)?)
        }
        None => None,
    };
    let recorded = RecordedApplication {
        application: stored,
        pattern: stored_pattern(&tx, project, before.id)?,
        audit,
    };
    tx.commit()?;
    Ok(recorded)
}

/// The line an application adds to its audit's notes:
/// `2026-11-21T10:00:00Z: applied pattern #12 (Title): success in 30 min (saved 15 min): notes`.
fn outcome_line(now: &str, pattern: &FixPattern, application: &NewApplication) -> String {
    let outcome = if application.success {
        "success"
    } else {
        "failure"
    };
    let mut line = format!(
        "{now}: applied pattern #{} ({}): {outcome}",
        pattern.id, pattern.title
    );
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

/// The conditions on `fix_patterns` (unqualified columns) of `filter` in
/// `project`, with their values in order. Blank names are no condition.
fn where_clause(project: &Project, filter: &PatternFilter) -> (String, Vec<Value>) {
    let mut conditions = vec!["project = ?".to_owned()];
    let mut values = vec![Value::Text(project.as_str().to_owned())];
    if let Some(reviewed) = filter.reviewed {
        conditions.push("reviewed = ?".to_owned());
        values.push(Value::Integer(i64::from(reviewed)));
    }
    if let Some(problem_type) = filter.problem_type {
        conditions.push("problem_type = ?".to_owned());
        values.push(Value::Text(problem_type.as_str().to_owned()));
    }
    if let Some(layer) = filter.layer {
        conditions.push(
            "EXISTS (SELECT 1 FROM json_each(fix_patterns.layers) WHERE value = ?)".to_owned(),
        );
        values.push(Value::Integer(layer));
    }
    for (column, value) in [("workflows", &filter.workflow), ("tags", &filter.tag)] {
        if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM json_each(fix_patterns.{column}) WHERE value = ?)"
            ));
            values.push(Value::Text(value.to_owned()));
        }
    }
    (conditions.join(" AND "), values)
}

/// The pattern `id` of `project`, if there is one.
pub(super) fn pattern(
    conn: &Connection,
    project: &Project,
    id: PatternId,
) -> Result<Option<FixPattern>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {PATTERN_COLUMNS} FROM fix_patterns WHERE id = ?1 AND project = ?2"
        ))?
        .query_row(params![id.0, project.as_str()], pattern_from_row)
        .optional()?)
}

/// A pattern this transaction has just written or found: missing is a bug.
pub(super) fn stored_pattern(
    conn: &Connection,
    project: &Project,
    id: PatternId,
) -> Result<FixPattern> {
    pattern(conn, project, id)?.ok_or_else(|| {
        Error::Store(StoreError::Corrupt(format!(
            "fix pattern {id} of project {project} vanished inside its own transaction"
        )))
    })
}

/// The columns [`pattern_from_row`] reads, in order; `FROM fix_patterns`
/// unaliased. Column 16 is `related_patterns`: the targets of the pattern's
/// relationships, strongest first (a target of several types once, at its
/// strongest).
pub(super) const PATTERN_COLUMNS: &str = "id, title, problem_type, code_type, severity, tags, layers, \
     workflows, file_types, problem_description, solution_steps, code_before, code_after, \
     verification_steps, learnings, prevention_guidance, \
     (SELECT json_group_array(target_pattern_id \
                              ORDER BY strength DESC, relationship_type, target_pattern_id) \
      FROM pattern_relationships WHERE source_pattern_id = fix_patterns.id), \
     source_file_audit_id, applied_to_files, dart_task_ids, related_files, applied_count, \
     success_rate, avg_time_saved, confidence_score, last_applied, guardian_rules, \
     anti_patterns, created_at, updated_at, created_by, reviewed, reviewer_notes, citations";

pub(super) fn pattern_from_row(row: &Row<'_>) -> rusqlite::Result<FixPattern> {
    let problem_type: String = row.get(2)?;
    let severity: String = row.get(4)?;
    let mut related_patterns: Vec<PatternId> = Vec::new();
    for target in json_column::<Vec<i64>>(row, 16)? {
        if !related_patterns.contains(&PatternId(target)) {
            related_patterns.push(PatternId(target));
        }
    }
    Ok(FixPattern {
        id: PatternId(row.get(0)?),
        title: row.get(1)?,
        problem_type: ProblemType::parse("problem_type", &problem_type)
            .map_err(|err| bad_value(2, err))?,
        code_type: row.get(3)?,
        severity: Severity::parse("severity", &severity).map_err(|err| bad_value(4, err))?,
        tags: json_column(row, 5)?,
        layers: json_column(row, 6)?,
        workflows: json_column(row, 7)?,
        file_types: json_column(row, 8)?,
        problem_description: row.get(9)?,
        solution_steps: row.get(10)?,
        code_before: row.get(11)?,
        code_after: row.get(12)?,
        verification_steps: row.get(13)?,
        learnings: row.get(14)?,
        prevention_guidance: row.get(15)?,
        related_patterns,
        source_file_audit_id: row.get::<_, Option<i64>>(17)?.map(AuditId),
        applied_to_files: json_column::<Vec<i64>>(row, 18)?
            .into_iter()
            .map(AuditId)
            .collect(),
        dart_task_ids: json_column(row, 19)?,
        related_files: json_column(row, 20)?,
        applied_count: row.get(21)?,
        success_rate: row.get(22)?,
        avg_time_saved: row.get(23)?,
        confidence_score: row.get(24)?,
        last_applied: row.get(25)?,
        guardian_rules: json_column(row, 26)?,
        anti_patterns: json_column(row, 27)?,
        created_at: row.get(28)?,
        updated_at: row.get(29)?,
        created_by: row.get(30)?,
        reviewed: row.get(31)?,
        reviewer_notes: row.get(32)?,
        citations: json_column(row, 33)?,
    })
}

/// The columns [`relationship_from_row`] reads, in order.
const RELATIONSHIP_COLUMNS: &str = "id, source_pattern_id, target_pattern_id, relationship_type, \
                                    strength, description, created_at";

fn relationship_from_row(row: &Row<'_>) -> rusqlite::Result<PatternRelationship> {
    let kind: String = row.get(3)?;
    Ok(PatternRelationship {
        id: RelationshipId(row.get(0)?),
        source: PatternId(row.get(1)?),
        target: PatternId(row.get(2)?),
        relationship_type: RelationshipType::parse("relationship_type", &kind)
            .map_err(|err| bad_value(3, err))?,
        strength: row.get(4)?,
        description: row.get(5)?,
        created_at: row.get(6)?,
    })
}

/// The columns [`application_from_row`] reads, in order.
const APPLICATION_COLUMNS: &str = "id, pattern_id, audit_id, file_path, success, time_taken, \
                                   time_saved, notes, applied_at";

fn application_from_row(row: &Row<'_>) -> rusqlite::Result<PatternApplication> {
    Ok(PatternApplication {
        id: ApplicationId(row.get(0)?),
        pattern_id: PatternId(row.get(1)?),
        audit_id: row.get::<_, Option<i64>>(2)?.map(AuditId),
        file_path: row.get(3)?,
        success: row.get(4)?,
        time_taken: row.get(5)?,
        time_saved: row.get(6)?,
        notes: row.get(7)?,
        applied_at: row.get(8)?,
    })
}
