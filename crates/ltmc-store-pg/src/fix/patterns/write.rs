//! Storing a pattern on PostgreSQL: the checks, then one transaction that
//! inserts the row with its three pgvector embeddings, the relationships from
//! it and the guardian rules made from it; and the relationship upsert that
//! `link_patterns` shares. Not reading patterns back (`rows`) nor recording
//! applications (`applications`).

use super::rows::{RELATIONSHIP_COLUMNS, relationship_from_row, stored_pattern};
use crate::PgStore;
use crate::error::{Error, Result, invalid};
use crate::fix::guardian::{TakenName, insert_rule, rules_of_pattern};
use crate::fix::{check_audit, check_pattern, check_vector, layer_i32};
use deadpool_postgres::GenericClient;
use ltmc_core::fix::{
    NewFixPattern, NewGuardianRule, NewRelationship, PatternEmbeddings, PatternRelationship,
};
use ltmc_core::{AuditId, PatternId, Project};
use ltmc_store::StoredPattern;
use pgvector::Vector;
use tokio_postgres::types::Json;

/// The source a relationship is validated with before its pattern has an
/// id: no pattern has it, so the check that a relationship does not point at
/// its own source cannot misfire on a target given by the caller.
pub(super) const NO_SOURCE: PatternId = PatternId(i64::MIN);

/// [`PatternStore::put_pattern`]: checks, then one transaction.
pub(super) async fn put(
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

/// The values of a pattern's row that are not its fields as they are.
pub(in crate::fix) struct PatternRow {
    pub(in crate::fix) layers: Vec<i32>,
    pub(in crate::fix) applied_to_files: Vec<i32>,
}

impl PatternRow {
    pub(in crate::fix) fn of(pattern: &NewFixPattern) -> Result<Self> {
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
pub(super) fn audit_i32(id: AuditId) -> Result<i32> {
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
pub(in crate::fix) async fn insert_pattern<C: GenericClient>(
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
             problem_embedding, created_by, reviewed, reviewer_notes, citations) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20, $21, $22, $23, $24, $25::text::timestamptz, $26, $27, $28, \
             $29, $30, $31, $32, $33, $34) RETURNING id",
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
                &Json(&pattern.citations),
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
pub(super) async fn upsert_relationship<C: GenericClient>(
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
pub(super) async fn relationships_from<C: GenericClient>(
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
