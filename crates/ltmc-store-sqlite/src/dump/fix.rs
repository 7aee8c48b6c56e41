//! The fix-pattern tables of a SQLite dump: file audits and their history,
//! fix patterns with their three vectors (`fix_pattern_vectors`, one slot
//! per kind), relationships, applications, guardian rules and their hits.
//! Not the orchestration or the other table families (see `dump`).

use super::{json, json_text, rows, ts, vector};
use crate::blob;
use crate::error::Result;
use ltmc_store::{
    AuditHistoryRecord, CalibrationRecord, Dump, FileAuditRecord, FixPatternRecord,
    GuardianRuleRecord, PatternApplicationRecord, PatternRelationshipRecord, RuleHitRecord,
};
use rusqlite::{Connection, params};

/// The slots of pattern vectors (migration 0005): kind base + pattern id.
const PATTERN_VECTOR_KINDS: [(&str, i64); 3] = [
    ("content", 1 << 40),
    ("code", 2 << 40),
    ("problem", 3 << 40),
];

/// Reads the fix-pattern tables into `dump`.
pub(super) fn export(conn: &Connection, dimension: Option<usize>, dump: &mut Dump) -> Result<()> {
    dump.file_audits = rows(
        conn,
        &format!(
            "SELECT id, project, file_path, layer_number, workflows, technical_debt, status, \
             notes, pattern_id, {}, {}, {}, {} FROM file_audits ORDER BY id",
            ts("work_started_at"),
            ts("work_completed_at"),
            ts("created_at"),
            ts("updated_at")
        ),
        |row| {
            Ok(FileAuditRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                file_path: row.get(2)?,
                layer_number: row.get(3)?,
                workflows: json(row, 4)?,
                technical_debt: row.get(5)?,
                status: row.get(6)?,
                notes: row.get(7)?,
                pattern_id: row.get(8)?,
                work_started_at: row.get(9)?,
                work_completed_at: row.get(10)?,
                created_at: row.get(11)?,
                updated_at: row.get(12)?,
            })
        },
    )?;

    dump.file_audit_history = rows(
        conn,
        &format!(
            "SELECT id, audit_id, from_status, to_status, {} FROM file_audit_history ORDER BY id",
            ts("at")
        ),
        |row| {
            Ok(AuditHistoryRecord {
                id: row.get(0)?,
                audit_id: row.get(1)?,
                from_status: row.get(2)?,
                to_status: row.get(3)?,
                at: row.get(4)?,
            })
        },
    )?;

    dump.fix_patterns = export_patterns(conn, dimension)?;

    dump.pattern_relationships = rows(
        conn,
        &format!(
            "SELECT id, project, source_pattern_id, target_pattern_id, relationship_type, \
             strength, description, {} FROM pattern_relationships ORDER BY id",
            ts("created_at")
        ),
        |row| {
            Ok(PatternRelationshipRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                source_pattern_id: row.get(2)?,
                target_pattern_id: row.get(3)?,
                relationship_type: row.get(4)?,
                strength: row.get(5)?,
                description: row.get(6)?,
                created_at: row.get(7)?,
            })
        },
    )?;

    dump.pattern_applications = rows(
        conn,
        &format!(
            "SELECT id, project, pattern_id, audit_id, file_path, success, time_taken, \
             time_saved, notes, {} FROM pattern_applications ORDER BY id",
            ts("applied_at")
        ),
        |row| {
            Ok(PatternApplicationRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                pattern_id: row.get(2)?,
                audit_id: row.get(3)?,
                file_path: row.get(4)?,
                success: row.get(5)?,
                time_taken: row.get(6)?,
                time_saved: row.get(7)?,
                notes: row.get(8)?,
                applied_at: row.get(9)?,
            })
        },
    )?;

    dump.guardian_rules = rows(
        conn,
        &format!(
            "SELECT id, project, layer_number, rule_name, rule_type, rule_pattern, severity, \
             action_required, source_pattern_id, active, inactive_reason, hit_count, \
             files_hit, {}, {} FROM guardian_rules ORDER BY id",
            ts("last_hit_at"),
            ts("created_at")
        ),
        |row| {
            Ok(GuardianRuleRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                layer_number: row.get(2)?,
                rule_name: row.get(3)?,
                rule_type: row.get(4)?,
                rule_pattern: row.get(5)?,
                severity: row.get(6)?,
                action_required: row.get(7)?,
                source_pattern_id: row.get(8)?,
                active: row.get(9)?,
                inactive_reason: row.get(10)?,
                hit_count: row.get(11)?,
                files_hit: row.get(12)?,
                last_hit_at: row.get(13)?,
                created_at: row.get(14)?,
            })
        },
    )?;

    dump.guardian_rule_hits = rows(
        conn,
        &format!(
            "SELECT rule_id, file_path, hits, {} FROM guardian_rule_hits",
            ts("last_hit_at")
        ),
        |row| {
            Ok(RuleHitRecord {
                rule_id: row.get(0)?,
                file_path: row.get(1)?,
                hits: row.get(2)?,
                last_hit_at: row.get(3)?,
            })
        },
    )?;

    dump.fix_calibrations = rows(
        conn,
        &format!(
            "SELECT id, project, model_id, calibration, report, {}, {} \
             FROM fix_calibrations ORDER BY id",
            ts("created_at"),
            ts("undone_at")
        ),
        |row| {
            Ok(CalibrationRecord {
                id: row.get(0)?,
                project: row.get(1)?,
                model_id: row.get(2)?,
                calibration: json(row, 3)?,
                report: json(row, 4)?,
                created_at: row.get(5)?,
                undone_at: row.get(6)?,
            })
        },
    )?;
    Ok(())
}

/// The patterns with their three vectors (each a row of fix_pattern_vectors).
fn export_patterns(conn: &Connection, dimension: Option<usize>) -> Result<Vec<FixPatternRecord>> {
    let sql = format!(
        "SELECT p.id, p.project, p.title, p.problem_type, p.code_type, p.severity, p.tags, \
         p.layers, p.workflows, p.file_types, p.problem_description, p.solution_steps, \
         p.code_before, p.code_after, p.verification_steps, p.learnings, p.prevention_guidance, \
         p.source_file_audit_id, p.applied_to_files, p.dart_task_ids, p.related_files, \
         p.applied_count, p.success_rate, p.avg_time_saved, p.confidence_score, {}, \
         p.guardian_rules, p.anti_patterns, {}, {}, p.created_by, p.reviewed, p.reviewer_notes, \
         vc.vector, vk.vector, vp.vector, p.citations \
         FROM fix_patterns p \
         LEFT JOIN fix_pattern_vectors vc ON vc.slot = {} + p.id \
         LEFT JOIN fix_pattern_vectors vk ON vk.slot = {} + p.id \
         LEFT JOIN fix_pattern_vectors vp ON vp.slot = {} + p.id \
         ORDER BY p.id",
        ts("p.last_applied"),
        ts("p.created_at"),
        ts("p.updated_at"),
        PATTERN_VECTOR_KINDS[0].1,
        PATTERN_VECTOR_KINDS[1].1,
        PATTERN_VECTOR_KINDS[2].1,
    );
    let patterns = rows(conn, &sql, |row| {
        let pattern = FixPatternRecord {
            id: row.get(0)?,
            project: row.get(1)?,
            title: row.get(2)?,
            problem_type: row.get(3)?,
            code_type: row.get(4)?,
            severity: row.get(5)?,
            tags: json(row, 6)?,
            layers: json(row, 7)?,
            workflows: json(row, 8)?,
            file_types: json(row, 9)?,
            problem_description: row.get(10)?,
            solution_steps: row.get(11)?,
            code_before: row.get(12)?,
            code_after: row.get(13)?,
            verification_steps: row.get(14)?,
            learnings: row.get(15)?,
            prevention_guidance: row.get(16)?,
            source_file_audit_id: row.get(17)?,
            applied_to_files: json(row, 18)?,
            dart_task_ids: json(row, 19)?,
            related_files: json(row, 20)?,
            applied_count: row.get(21)?,
            success_rate: row.get(22)?,
            avg_time_saved: row.get(23)?,
            confidence_score: row.get(24)?,
            last_applied: row.get(25)?,
            guardian_rules: json(row, 26)?,
            anti_patterns: json(row, 27)?,
            created_at: row.get(28)?,
            updated_at: row.get(29)?,
            created_by: row.get(30)?,
            reviewed: row.get(31)?,
            reviewer_notes: row.get(32)?,
            citations: json(row, 36)?,
            content_vector: Vec::new(),
            code_vector: Vec::new(),
            problem_vector: Vec::new(),
        };
        let vectors: [Option<Vec<u8>>; 3] = [row.get(33)?, row.get(34)?, row.get(35)?];
        Ok((pattern, vectors))
    })?;
    patterns
        .into_iter()
        .map(|(mut pattern, [content, code, problem])| {
            let id = pattern.id;
            pattern.content_vector =
                vector(content, dimension, &format!("fix pattern {id} (content)"))?;
            pattern.code_vector = vector(code, dimension, &format!("fix pattern {id} (code)"))?;
            pattern.problem_vector =
                vector(problem, dimension, &format!("fix pattern {id} (problem)"))?;
            Ok(pattern)
        })
        .collect()
}

/// The fix-pattern tables. Audits and patterns name each other (an audit's
/// last pattern, a pattern's source audit): audits go in without their
/// pattern, which is set once the patterns are in.
pub(super) fn import(conn: &Connection, dump: &Dump) -> Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO file_audits (id, project, file_path, layer_number, workflows, \
         technical_debt, status, notes, pattern_id, work_started_at, work_completed_at, \
         created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, ?10, ?11, ?12)",
    )?;
    for a in &dump.file_audits {
        stmt.execute(params![
            a.id,
            a.project,
            a.file_path,
            a.layer_number,
            json_text(&a.workflows)?,
            a.technical_debt,
            a.status,
            a.notes,
            a.work_started_at,
            a.work_completed_at,
            a.created_at,
            a.updated_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO file_audit_history (id, audit_id, from_status, to_status, at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for h in &dump.file_audit_history {
        stmt.execute(params![h.id, h.audit_id, h.from_status, h.to_status, h.at])?;
    }
    insert_patterns(conn, dump)?;
    let mut stmt = conn.prepare("UPDATE file_audits SET pattern_id = ?2 WHERE id = ?1")?;
    for a in &dump.file_audits {
        if let Some(pattern) = a.pattern_id {
            stmt.execute(params![a.id, pattern])?;
        }
    }
    let mut stmt = conn.prepare(
        "INSERT INTO pattern_relationships (id, project, source_pattern_id, target_pattern_id, \
         relationship_type, strength, description, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for r in &dump.pattern_relationships {
        stmt.execute(params![
            r.id,
            r.project,
            r.source_pattern_id,
            r.target_pattern_id,
            r.relationship_type,
            r.strength,
            r.description,
            r.created_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO pattern_applications (id, project, pattern_id, audit_id, file_path, \
         success, time_taken, time_saved, notes, applied_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for a in &dump.pattern_applications {
        stmt.execute(params![
            a.id,
            a.project,
            a.pattern_id,
            a.audit_id,
            a.file_path,
            a.success,
            a.time_taken,
            a.time_saved,
            a.notes,
            a.applied_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO guardian_rules (id, project, layer_number, rule_name, rule_type, \
         rule_pattern, severity, action_required, source_pattern_id, active, inactive_reason, \
         hit_count, files_hit, last_hit_at, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    for g in &dump.guardian_rules {
        stmt.execute(params![
            g.id,
            g.project,
            g.layer_number,
            g.rule_name,
            g.rule_type,
            g.rule_pattern,
            g.severity,
            g.action_required,
            g.source_pattern_id,
            g.active,
            g.inactive_reason,
            g.hit_count,
            g.files_hit,
            g.last_hit_at,
            g.created_at
        ])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO guardian_rule_hits (rule_id, file_path, hits, last_hit_at) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for h in &dump.guardian_rule_hits {
        stmt.execute(params![h.rule_id, h.file_path, h.hits, h.last_hit_at])?;
    }
    let mut stmt = conn.prepare(
        "INSERT INTO fix_calibrations (id, project, model_id, calibration, report, created_at, \
         undone_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in &dump.fix_calibrations {
        stmt.execute(params![
            c.id,
            c.project,
            c.model_id,
            json_text(&c.calibration)?,
            json_text(&c.report)?,
            c.created_at,
            c.undone_at
        ])?;
    }
    Ok(())
}

fn insert_patterns(conn: &Connection, dump: &Dump) -> Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO fix_patterns (id, project, reviewed, confidence_score, applied_count, \
         layers, workflows, file_types, tags, problem_type, code_type, severity, success_rate, \
         avg_time_saved, last_applied, source_file_audit_id, applied_to_files, dart_task_ids, \
         related_files, anti_patterns, guardian_rules, created_by, reviewer_notes, created_at, \
         updated_at, title, problem_description, solution_steps, code_before, code_after, \
         verification_steps, learnings, prevention_guidance, citations) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
         ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)",
    )?;
    let mut vector = conn.prepare(
        "INSERT INTO fix_pattern_vectors (slot, pattern_id, kind, vector) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for p in &dump.fix_patterns {
        stmt.execute(params![
            p.id,
            p.project,
            p.reviewed,
            p.confidence_score,
            p.applied_count,
            json_text(&p.layers)?,
            json_text(&p.workflows)?,
            json_text(&p.file_types)?,
            json_text(&p.tags)?,
            p.problem_type,
            p.code_type,
            p.severity,
            p.success_rate,
            p.avg_time_saved,
            p.last_applied,
            p.source_file_audit_id,
            json_text(&p.applied_to_files)?,
            json_text(&p.dart_task_ids)?,
            json_text(&p.related_files)?,
            json_text(&p.anti_patterns)?,
            json_text(&p.guardian_rules)?,
            p.created_by,
            p.reviewer_notes,
            p.created_at,
            p.updated_at,
            p.title,
            p.problem_description,
            p.solution_steps,
            p.code_before,
            p.code_after,
            p.verification_steps,
            p.learnings,
            p.prevention_guidance,
            json_text(&p.citations)?
        ])?;
        let vectors = [&p.content_vector, &p.code_vector, &p.problem_vector];
        for ((kind, base), values) in PATTERN_VECTOR_KINDS.iter().zip(vectors) {
            vector.execute(params![base + p.id, p.id, kind, blob::encode(values)])?;
        }
    }
    Ok(())
}
