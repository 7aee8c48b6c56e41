//! Reading patterns, relationships and applications back from their rows:
//! the column lists every query selects, in the order the `*_from_row`
//! functions read them, and the pattern lookups by id. Not writes (`write`,
//! `applications`).

use crate::error::{Result, corrupt};
use crate::fix::bad_column;
use deadpool_postgres::GenericClient;
use ltmc_core::citation::Citation;
use ltmc_core::fix::{
    FixPattern, PatternApplication, PatternRelationship, ProblemType, RelationshipType, RuleSpec,
    Severity,
};
use ltmc_core::{ApplicationId, AuditId, PatternId, Project, RelationshipId};
use tokio_postgres::Row;
use tokio_postgres::types::Json;

/// The pattern `id` of `project`, if there is one.
pub(super) async fn pattern<C: GenericClient>(
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
pub(super) async fn stored_pattern<C: GenericClient>(
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
pub(super) const PATTERN_COLUMNS: &str = "p.id, p.title, p.problem_type, p.code_type, p.severity, p.tags, \
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
     ltmc_ts(p.updated_at), p.created_by, p.reviewed, p.reviewer_notes, p.citations";

/// How many columns [`PATTERN_COLUMNS`] has: a search's similarities follow.
pub(super) const PATTERN_COLUMN_COUNT: usize = 34;

pub(super) fn pattern_from_row(row: &Row) -> Result<FixPattern> {
    let problem_type: String = row.try_get(2)?;
    let severity: String = row.try_get(4)?;
    let layers: Vec<i32> = row.try_get(6)?;
    let related: Vec<i64> = row.try_get(16)?;
    let applied_to_files: Vec<i32> = row.try_get(18)?;
    let Json(guardian_rules): Json<Vec<RuleSpec>> = row.try_get(26)?;
    let Json(citations): Json<Vec<Citation>> = row.try_get(33)?;
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
        citations,
    })
}

pub(super) fn parse_kind(kind: &str) -> Result<RelationshipType> {
    RelationshipType::parse("relationship_type", kind)
        .map_err(|e| bad_column("pattern_relationships.relationship_type", e))
}

/// The columns [`relationship_from_row`] reads, in order, of the relationship `r`.
pub(super) const RELATIONSHIP_COLUMNS: &str = "r.id, r.source_pattern_id, r.target_pattern_id, \
     r.relationship_type, r.strength, r.description, ltmc_ts(r.created_at)";

pub(super) fn relationship_from_row(row: &Row) -> Result<PatternRelationship> {
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
pub(super) const APPLICATION_COLUMNS: &str = "x.id, x.pattern_id, x.audit_id, x.file_path, x.success, \
     x.time_taken, x.time_saved, x.notes, ltmc_ts(x.applied_at)";

pub(super) fn application_from_row(row: &Row) -> Result<PatternApplication> {
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
