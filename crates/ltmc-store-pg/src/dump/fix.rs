//! The fix-pattern tables of a PostgreSQL dump: file audits and their
//! history, fix patterns with their three vectors, relationships,
//! applications, guardian rules and their hits. Not the orchestration or the
//! other table families (see `dump`).

use super::rows;
use crate::error::Result;
use deadpool_postgres::GenericClient;
use ltmc_core::citation::Citation;
use ltmc_store::{
    AuditHistoryRecord, CalibrationRecord, Dump, FileAuditRecord, FixPatternRecord,
    GuardianRuleRecord, PatternApplicationRecord, PatternRelationshipRecord, RuleHitRecord,
};
use pgvector::Vector;
use tokio_postgres::Row;
use tokio_postgres::types::Json;

/// Reads the fix-pattern tables into `dump`.
pub(super) async fn export(tx: &impl GenericClient, dump: &mut Dump) -> Result<()> {
    dump.file_audits = rows(
        tx,
        "SELECT id, project, file_path, layer_number::int8, workflows, technical_debt, status, \
         notes, pattern_id, ltmc_ts(work_started_at), ltmc_ts(work_completed_at), \
         ltmc_ts(created_at), ltmc_ts(updated_at) FROM file_audit ORDER BY id",
        |row| {
            Ok(FileAuditRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                file_path: row.try_get(2)?,
                layer_number: row.try_get(3)?,
                workflows: row.try_get(4)?,
                technical_debt: row.try_get(5)?,
                status: row.try_get(6)?,
                notes: row.try_get(7)?,
                pattern_id: row.try_get(8)?,
                work_started_at: row.try_get(9)?,
                work_completed_at: row.try_get(10)?,
                created_at: row.try_get(11)?,
                updated_at: row.try_get(12)?,
            })
        },
    )
    .await?;

    dump.file_audit_history = rows(
        tx,
        "SELECT id, audit_id, from_status, to_status, ltmc_ts(at) FROM file_audit_history \
         ORDER BY id",
        |row| {
            Ok(AuditHistoryRecord {
                id: row.try_get(0)?,
                audit_id: row.try_get(1)?,
                from_status: row.try_get(2)?,
                to_status: row.try_get(3)?,
                at: row.try_get(4)?,
            })
        },
    )
    .await?;

    dump.fix_patterns = rows(
        tx,
        "SELECT id, project, title, problem_type, code_type, severity, tags, layers::int8[], \
         workflows, file_types, problem_description, solution_steps, code_before, code_after, \
         verification_steps, learnings, prevention_guidance, source_file_audit_id, \
         applied_to_files::int8[], dart_task_ids, related_files, applied_count, success_rate, \
         avg_time_saved, confidence_score, ltmc_ts(last_applied), guardian_rules, \
         anti_patterns, ltmc_ts(created_at), ltmc_ts(updated_at), created_by, reviewed, \
         reviewer_notes, content_embedding, code_embedding, problem_embedding, citations \
         FROM fix_patterns ORDER BY id",
        pattern_from_row,
    )
    .await?;

    dump.pattern_relationships = rows(
        tx,
        "SELECT id, project, source_pattern_id, target_pattern_id, relationship_type, strength, \
         description, ltmc_ts(created_at) FROM pattern_relationships ORDER BY id",
        |row| {
            Ok(PatternRelationshipRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                source_pattern_id: row.try_get(2)?,
                target_pattern_id: row.try_get(3)?,
                relationship_type: row.try_get(4)?,
                strength: row.try_get(5)?,
                description: row.try_get(6)?,
                created_at: row.try_get(7)?,
            })
        },
    )
    .await?;

    dump.pattern_applications = rows(
        tx,
        "SELECT id, project, pattern_id, audit_id, file_path, success, time_taken, time_saved, \
         notes, ltmc_ts(applied_at) FROM pattern_applications ORDER BY id",
        |row| {
            Ok(PatternApplicationRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                pattern_id: row.try_get(2)?,
                audit_id: row.try_get(3)?,
                file_path: row.try_get(4)?,
                success: row.try_get(5)?,
                time_taken: row.try_get(6)?,
                time_saved: row.try_get(7)?,
                notes: row.try_get(8)?,
                applied_at: row.try_get(9)?,
            })
        },
    )
    .await?;

    dump.guardian_rules = rows(
        tx,
        "SELECT id, project, layer_number::int8, rule_name, rule_type, rule_pattern, severity, \
         action_required, source_pattern_id, active, inactive_reason, hit_count, files_hit, \
         ltmc_ts(last_hit_at), ltmc_ts(created_at) FROM guardian_rules ORDER BY id",
        |row| {
            Ok(GuardianRuleRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                layer_number: row.try_get(2)?,
                rule_name: row.try_get(3)?,
                rule_type: row.try_get(4)?,
                rule_pattern: row.try_get(5)?,
                severity: row.try_get(6)?,
                action_required: row.try_get(7)?,
                source_pattern_id: row.try_get(8)?,
                active: row.try_get(9)?,
                inactive_reason: row.try_get(10)?,
                hit_count: row.try_get(11)?,
                files_hit: row.try_get(12)?,
                last_hit_at: row.try_get(13)?,
                created_at: row.try_get(14)?,
            })
        },
    )
    .await?;

    dump.guardian_rule_hits = rows(
        tx,
        "SELECT rule_id, file_path, hits, ltmc_ts(last_hit_at) FROM guardian_rule_hits",
        |row| {
            Ok(RuleHitRecord {
                rule_id: row.try_get(0)?,
                file_path: row.try_get(1)?,
                hits: row.try_get(2)?,
                last_hit_at: row.try_get(3)?,
            })
        },
    )
    .await?;

    dump.fix_calibrations = rows(
        tx,
        "SELECT id, project, model_id, calibration::text, report::text, ltmc_ts(created_at), \
         ltmc_ts(undone_at) FROM fix_calibrations ORDER BY id",
        |row| {
            let text = |i: usize| -> Result<serde_json::Value> {
                let t: String = row.try_get(i)?;
                serde_json::from_str(&t)
                    .map_err(|e| crate::error::corrupt(format!("fix_calibrations: {e}")))
            };
            Ok(CalibrationRecord {
                id: row.try_get(0)?,
                project: row.try_get(1)?,
                model_id: row.try_get(2)?,
                calibration: text(3)?,
                report: text(4)?,
                created_at: row.try_get(5)?,
                undone_at: row.try_get(6)?,
            })
        },
    )
    .await?;
    Ok(())
}

fn pattern_from_row(row: &Row) -> Result<FixPatternRecord> {
    Ok(FixPatternRecord {
        id: row.try_get(0)?,
        project: row.try_get(1)?,
        title: row.try_get(2)?,
        problem_type: row.try_get(3)?,
        code_type: row.try_get(4)?,
        severity: row.try_get(5)?,
        tags: row.try_get(6)?,
        layers: row.try_get(7)?,
        workflows: row.try_get(8)?,
        file_types: row.try_get(9)?,
        problem_description: row.try_get(10)?,
        solution_steps: row.try_get(11)?,
        code_before: row.try_get(12)?,
        code_after: row.try_get(13)?,
        verification_steps: row.try_get(14)?,
        learnings: row.try_get(15)?,
        prevention_guidance: row.try_get(16)?,
        source_file_audit_id: row.try_get(17)?,
        applied_to_files: row.try_get(18)?,
        dart_task_ids: row.try_get(19)?,
        related_files: row.try_get(20)?,
        applied_count: row.try_get(21)?,
        success_rate: row.try_get(22)?,
        avg_time_saved: row.try_get(23)?,
        confidence_score: row.try_get(24)?,
        last_applied: row.try_get(25)?,
        guardian_rules: row.try_get(26)?,
        anti_patterns: row.try_get(27)?,
        created_at: row.try_get(28)?,
        updated_at: row.try_get(29)?,
        created_by: row.try_get(30)?,
        reviewed: row.try_get(31)?,
        reviewer_notes: row.try_get(32)?,
        citations: row.try_get::<_, Json<Vec<Citation>>>(36)?.0,
        content_vector: row.try_get::<_, Vector>(33)?.to_vec(),
        code_vector: row.try_get::<_, Vector>(34)?.to_vec(),
        problem_vector: row.try_get::<_, Vector>(35)?.to_vec(),
    })
}

/// The fix-pattern tables. Audits and patterns name each other (an audit's
/// last pattern, a pattern's source audit): audits go in without their
/// pattern, which is set once the patterns are in.
pub(super) async fn import(tx: &impl GenericClient, dump: &Dump) -> Result<()> {
    let stmt = tx
        .prepare(
            "INSERT INTO file_audit (id, project, file_path, layer_number, workflows, \
             technical_debt, status, notes, pattern_id, work_started_at, work_completed_at, \
             created_at, updated_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4::int8, $5::text[], $6, $7, $8, NULL, \
                     $9::text::timestamptz, $10::text::timestamptz, $11::text::timestamptz, \
                     $12::text::timestamptz)",
        )
        .await?;
    for a in &dump.file_audits {
        tx.execute(
            &stmt,
            &[
                &a.id,
                &a.project,
                &a.file_path,
                &a.layer_number,
                &a.workflows,
                &a.technical_debt,
                &a.status,
                &a.notes,
                &a.work_started_at,
                &a.work_completed_at,
                &a.created_at,
                &a.updated_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO file_audit_history (id, audit_id, from_status, to_status, at) \
             OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5::text::timestamptz)",
        )
        .await?;
    for h in &dump.file_audit_history {
        tx.execute(
            &stmt,
            &[&h.id, &h.audit_id, &h.from_status, &h.to_status, &h.at],
        )
        .await?;
    }
    insert_patterns(tx, dump).await?;
    let stmt = tx
        .prepare("UPDATE file_audit SET pattern_id = $2 WHERE id = $1")
        .await?;
    for a in &dump.file_audits {
        if let Some(pattern) = a.pattern_id {
            tx.execute(&stmt, &[&a.id, &pattern]).await?;
        }
    }
    let stmt = tx
        .prepare(
            "INSERT INTO pattern_relationships (id, project, source_pattern_id, \
             target_pattern_id, relationship_type, strength, description, created_at) \
             OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6::float8, $7, $8::text::timestamptz)",
        )
        .await?;
    for r in &dump.pattern_relationships {
        tx.execute(
            &stmt,
            &[
                &r.id,
                &r.project,
                &r.source_pattern_id,
                &r.target_pattern_id,
                &r.relationship_type,
                &r.strength,
                &r.description,
                &r.created_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO pattern_applications (id, project, pattern_id, audit_id, file_path, \
             success, time_taken, time_saved, notes, applied_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::timestamptz)",
        )
        .await?;
    for a in &dump.pattern_applications {
        tx.execute(
            &stmt,
            &[
                &a.id,
                &a.project,
                &a.pattern_id,
                &a.audit_id,
                &a.file_path,
                &a.success,
                &a.time_taken,
                &a.time_saved,
                &a.notes,
                &a.applied_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO guardian_rules (id, project, layer_number, rule_name, rule_type, \
             rule_pattern, severity, action_required, source_pattern_id, active, \
             inactive_reason, hit_count, files_hit, last_hit_at, created_at) \
             OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3::int8, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                     $14::text::timestamptz, $15::text::timestamptz)",
        )
        .await?;
    for g in &dump.guardian_rules {
        tx.execute(
            &stmt,
            &[
                &g.id,
                &g.project,
                &g.layer_number,
                &g.rule_name,
                &g.rule_type,
                &g.rule_pattern,
                &g.severity,
                &g.action_required,
                &g.source_pattern_id,
                &g.active,
                &g.inactive_reason,
                &g.hit_count,
                &g.files_hit,
                &g.last_hit_at,
                &g.created_at,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO guardian_rule_hits (rule_id, file_path, hits, last_hit_at) \
             VALUES ($1, $2, $3, $4::text::timestamptz)",
        )
        .await?;
    for h in &dump.guardian_rule_hits {
        tx.execute(&stmt, &[&h.rule_id, &h.file_path, &h.hits, &h.last_hit_at])
            .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO fix_calibrations (id, project, model_id, calibration, report, \
             created_at, undone_at) OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4::text::jsonb, $5::text::jsonb, $6::text::timestamptz, \
             $7::text::timestamptz)",
        )
        .await?;
    for c in &dump.fix_calibrations {
        let (calibration, report) = (c.calibration.to_string(), c.report.to_string());
        tx.execute(
            &stmt,
            &[
                &c.id,
                &c.project,
                &c.model_id,
                &calibration,
                &report,
                &c.created_at,
                &c.undone_at,
            ],
        )
        .await?;
    }
    Ok(())
}

async fn insert_patterns(tx: &impl GenericClient, dump: &Dump) -> Result<()> {
    let stmt = tx
        .prepare(
            "INSERT INTO fix_patterns (id, project, title, problem_type, code_type, severity, \
             tags, layers, workflows, file_types, problem_description, solution_steps, \
             code_before, code_after, verification_steps, learnings, prevention_guidance, \
             source_file_audit_id, applied_to_files, dart_task_ids, related_files, \
             applied_count, success_rate, avg_time_saved, confidence_score, last_applied, \
             guardian_rules, anti_patterns, created_at, updated_at, created_by, reviewed, \
             reviewer_notes, content_embedding, code_embedding, problem_embedding, citations) \
             OVERRIDING SYSTEM VALUE \
             VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8::int8[], $9::text[], $10::text[], \
                     $11, $12, $13, $14, $15, $16, $17, $18, $19::int8[], $20::text[], \
                     $21::text[], $22, $23::float8, $24, $25::float8, $26::text::timestamptz, \
                     $27::jsonb, $28::text[], $29::text::timestamptz, $30::text::timestamptz, \
                     $31, $32, $33, $34, $35, $36, $37)",
        )
        .await?;
    for p in &dump.fix_patterns {
        let [content, code, problem] =
            [&p.content_vector, &p.code_vector, &p.problem_vector].map(|v| Vector::from(v.clone()));
        tx.execute(
            &stmt,
            &[
                &p.id,
                &p.project,
                &p.title,
                &p.problem_type,
                &p.code_type,
                &p.severity,
                &p.tags,
                &p.layers,
                &p.workflows,
                &p.file_types,
                &p.problem_description,
                &p.solution_steps,
                &p.code_before,
                &p.code_after,
                &p.verification_steps,
                &p.learnings,
                &p.prevention_guidance,
                &p.source_file_audit_id,
                &p.applied_to_files,
                &p.dart_task_ids,
                &p.related_files,
                &p.applied_count,
                &p.success_rate,
                &p.avg_time_saved,
                &p.confidence_score,
                &p.last_applied,
                &p.guardian_rules,
                &p.anti_patterns,
                &p.created_at,
                &p.updated_at,
                &p.created_by,
                &p.reviewed,
                &p.reviewer_notes,
                &content,
                &code,
                &problem,
                &Json(&p.citations),
            ],
        )
        .await?;
    }
    Ok(())
}
