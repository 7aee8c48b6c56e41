//! Recording that a pattern was applied, on PostgreSQL: one transaction
//! that locks the pattern and the audit (`FOR NO KEY UPDATE`), moves the
//! pattern's metrics with `PatternMetrics::after` and the audit's status,
//! history and notes as an upsert would. Not listing applications (the trait
//! impl in `mod.rs`).

use super::rows::{APPLICATION_COLUMNS, application_from_row, stored_pattern};
use super::write::audit_i32;
use crate::PgStore;
use crate::error::{Result, not_found};
use crate::fix::audits::{self, set_outcome};
use deadpool_postgres::GenericClient;
use ltmc_core::fix::{NewApplication, PatternMetrics};
use ltmc_core::{PatternId, Project};
use ltmc_store::entity;
use ltmc_store::{RecordedApplication, outcome_status};
use std::fmt::Write as _;

/// [`PatternStore::record_application`]: one transaction.
pub(super) async fn record(
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
        .ok_or_else(|| not_found(entity::FIX_PATTERN, id, project))?;
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
                .ok_or_else(|| not_found(entity::FILE_AUDIT, audit_id, project))?,
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

/// The pattern exists in `project` (a plain read), else `NotFound`.
pub(super) async fn check_pattern_exists<C: GenericClient>(
    client: &C,
    project: &Project,
    id: PatternId,
) -> Result<()> {
    let stmt = client
        .prepare_cached("SELECT 1 FROM fix_patterns WHERE id = $1 AND project = $2")
        .await?;
    match client.query_opt(&stmt, &[&id.0, &project.as_str()]).await? {
        Some(_) => Ok(()),
        None => Err(not_found(entity::FIX_PATTERN, id, project)),
    }
}

/// The line an application adds to its audit's notes, e.g.
/// `2026-11-21T10:00:00.000Z: applied pattern #12 (Title): success in 30 min
/// (saved 15 min): notes` (one line).
pub(super) fn outcome_line(
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
