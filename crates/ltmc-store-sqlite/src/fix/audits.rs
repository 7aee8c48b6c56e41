//! File audits: [`AuditStore`] for [`SqliteStore`].
//!
//! Rows of `file_audits` (migration 0005), unique per project by path, with
//! every status they took in `file_audit_history`: the creation, then each
//! change, stamped with the same time as the write. An update replaces the
//! audited fields and keeps the id, the pattern, the creation time and the
//! work times, which move only with the status: the first `In Progress` (or
//! a jump straight to an end) starts the work, `Complete` or `Failed` ends
//! it. The same transition is applied when a pattern's application decides
//! the status (`patterns.rs`, through [`set_outcome`]). Not here: importing
//! CSV or JSON (service), deleting audits.

use super::{check_audit, json_column, json_text};
use crate::SqliteStore;
use crate::error::{Result, not_found};
use crate::resources::bad_value;
use async_trait::async_trait;
use ltmc_core::fix::{AuditFilter, AuditStatus, AuditStatusChange, FileAudit, NewFileAudit};
use ltmc_core::{AuditId, PatternId, Project, now_rfc3339};
use ltmc_store::entity;
use ltmc_store::validate::sql_limit;
use ltmc_store::{AuditStore, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params, params_from_iter};

#[async_trait]
impl AuditStore for SqliteStore {
    async fn upsert_audit(
        &self,
        project: &Project,
        audit: NewFileAudit,
    ) -> Result<(FileAudit, bool), StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let audit = audit.validated()?;
            let now = now_rfc3339();
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let stored = upsert(&tx, &project, &audit, &now)?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn upsert_audits(
        &self,
        project: &Project,
        audits: Vec<NewFileAudit>,
    ) -> Result<Vec<(FileAudit, bool)>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            // All checked before the transaction: one bad row writes none.
            let audits = audits
                .into_iter()
                .map(NewFileAudit::validated)
                .collect::<Result<Vec<_>, _>>()?;
            if audits.is_empty() {
                return Ok(Vec::new());
            }
            let now = now_rfc3339();
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut stored = Vec::with_capacity(audits.len());
            for audit in &audits {
                stored.push(upsert(&tx, &project, audit, &now)?);
            }
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn get_audit(&self, project: &Project, id: AuditId) -> Result<FileAudit, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            audit(&state.conn, &project, id)?
                .ok_or_else(|| not_found(entity::FILE_AUDIT, id, &project))
        })
        .await
    }

    async fn find_audit_by_path(
        &self,
        project: &Project,
        file_path: &str,
    ) -> Result<Option<FileAudit>, StoreError> {
        let project = project.clone();
        // Stored paths are normalized (trimmed, `/` separators): so is this one.
        let file_path = file_path.trim().replace('\\', "/");
        self.call(move |state, _| find_by_path(&state.conn, &project, &file_path))
            .await
    }

    async fn list_audits(
        &self,
        project: &Project,
        filter: &AuditFilter,
    ) -> Result<Vec<FileAudit>, StoreError> {
        let project = project.clone();
        let filter = filter.clone();
        self.call(move |state, _| {
            let (conditions, mut values) = where_clause(&project, &filter);
            // SQLite reads LIMIT -1 as "no limit".
            values.push(Value::Integer(filter.limit.map_or(-1, sql_limit)));
            let mut stmt = state.conn.prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM file_audits WHERE {conditions} \
                 ORDER BY layer_number, file_path LIMIT ?"
            ))?;
            let rows = stmt.query_map(params_from_iter(values), audit_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn audit_history(
        &self,
        project: &Project,
        id: AuditId,
    ) -> Result<Vec<AuditStatusChange>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let tx = state.conn.transaction()?;
            check_audit(&tx, &project, id)?;
            let changes = {
                let mut stmt = tx.prepare_cached(
                    "SELECT audit_id, from_status, to_status, at FROM file_audit_history \
                     WHERE audit_id = ?1 ORDER BY id",
                )?;
                let rows = stmt.query_map([id.0], change_from_row)?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            tx.commit()?;
            Ok(changes)
        })
        .await
    }
}

/// Creates the (validated) audit or replaces the fields of the one with its
/// path, inside the caller's write transaction; returns it and whether it
/// was created.
fn upsert(
    conn: &Connection,
    project: &Project,
    audit: &NewFileAudit,
    now: &str,
) -> Result<(FileAudit, bool)> {
    let workflows = json_text("workflows", &audit.workflows)?;
    let Some(old) = find_by_path(conn, project, &audit.file_path)? else {
        let (started, completed) = work_times(None, audit.status, now);
        let stored = conn
            .prepare_cached(&format!(
                "INSERT INTO file_audits (project, file_path, layer_number, workflows, \
                 technical_debt, status, notes, work_started_at, work_completed_at, \
                 created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) RETURNING {AUDIT_COLUMNS}"
            ))?
            .query_row(
                params![
                    project.as_str(),
                    audit.file_path,
                    audit.layer_number,
                    workflows,
                    audit.technical_debt,
                    audit.status.as_str(),
                    audit.notes,
                    started,
                    completed,
                    now
                ],
                audit_from_row,
            )?;
        record_change(conn, stored.id, None, stored.status, now)?;
        return Ok((stored, true));
    };
    let (started, completed) = work_times(Some(&old), audit.status, now);
    let stored = conn
        .prepare_cached(&format!(
            "UPDATE file_audits SET layer_number = ?2, workflows = ?3, technical_debt = ?4, \
             status = ?5, notes = ?6, work_started_at = ?7, work_completed_at = ?8, \
             updated_at = ?9 WHERE id = ?1 RETURNING {AUDIT_COLUMNS}"
        ))?
        .query_row(
            params![
                old.id.0,
                audit.layer_number,
                workflows,
                audit.technical_debt,
                audit.status.as_str(),
                audit.notes,
                started,
                completed,
                now
            ],
            audit_from_row,
        )?;
    if old.status != stored.status {
        record_change(conn, stored.id, Some(old.status), stored.status, now)?;
    }
    Ok((stored, false))
}

/// Records that a pattern was applied to `audit` with this outcome, inside
/// the caller's write transaction: the pattern, the status (with its history
/// and work times, as an upsert moves them) and the notes (replaced by
/// `notes`). Returns the audit as stored now.
pub(super) fn set_outcome(
    conn: &Connection,
    audit: &FileAudit,
    pattern: PatternId,
    status: AuditStatus,
    notes: &str,
    now: &str,
) -> Result<FileAudit> {
    let (started, completed) = work_times(Some(audit), status, now);
    let stored = conn
        .prepare_cached(&format!(
            "UPDATE file_audits SET pattern_id = ?2, status = ?3, notes = ?4, \
             work_started_at = ?5, work_completed_at = ?6, updated_at = ?7 \
             WHERE id = ?1 RETURNING {AUDIT_COLUMNS}"
        ))?
        .query_row(
            params![
                audit.id.0,
                pattern.0,
                status.as_str(),
                notes,
                started,
                completed,
                now
            ],
            audit_from_row,
        )?;
    if audit.status != status {
        record_change(conn, audit.id, Some(audit.status), status, now)?;
    }
    Ok(stored)
}

/// The work times after the status becomes `to` (from `old`'s, or on
/// creation): an unchanged status moves nothing; `In Progress` starts the
/// work unless it was started; `Complete` or `Failed` ends it now (and
/// starts it, if nobody said it had started).
fn work_times(
    old: Option<&FileAudit>,
    to: AuditStatus,
    now: &str,
) -> (Option<String>, Option<String>) {
    let (mut started, mut completed) = old.map_or((None, None), |a| {
        (a.work_started_at.clone(), a.work_completed_at.clone())
    });
    if old.is_some_and(|a| a.status == to) {
        return (started, completed);
    }
    match to {
        AuditStatus::NotStarted => {}
        AuditStatus::InProgress => {
            started.get_or_insert_with(|| now.to_owned());
        }
        AuditStatus::Complete | AuditStatus::Failed => {
            started.get_or_insert_with(|| now.to_owned());
            completed = Some(now.to_owned());
        }
    }
    (started, completed)
}

fn record_change(
    conn: &Connection,
    audit: AuditId,
    from: Option<AuditStatus>,
    to: AuditStatus,
    now: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO file_audit_history (audit_id, from_status, to_status, at) \
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        audit.0,
        from.map(AuditStatus::as_str),
        to.as_str(),
        now
    ])?;
    Ok(())
}

/// The conditions on `file_audits` (unqualified columns) of `filter` in
/// `project`, with their values in order; only the fields given become
/// conditions. A blank workflow is no condition.
fn where_clause(project: &Project, filter: &AuditFilter) -> (String, Vec<Value>) {
    let mut conditions = vec!["project = ?".to_owned()];
    let mut values = vec![Value::Text(project.as_str().to_owned())];
    if let Some(layer) = filter.layer {
        conditions.push("layer_number = ?".to_owned());
        values.push(Value::Integer(layer));
    }
    if let Some(status) = filter.status {
        conditions.push("status = ?".to_owned());
        values.push(Value::Text(status.as_str().to_owned()));
    }
    if let Some(workflow) = filter
        .workflow
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        conditions.push(
            "EXISTS (SELECT 1 FROM json_each(file_audits.workflows) WHERE value = ?)".to_owned(),
        );
        values.push(Value::Text(workflow.to_owned()));
    }
    match filter.has_debt {
        Some(true) => conditions.push("technical_debt IS NOT NULL".to_owned()),
        Some(false) => conditions.push("technical_debt IS NULL".to_owned()),
        None => {}
    }
    (conditions.join(" AND "), values)
}

/// The audit `id` of `project`, if there is one.
pub(super) fn audit(
    conn: &Connection,
    project: &Project,
    id: AuditId,
) -> Result<Option<FileAudit>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {AUDIT_COLUMNS} FROM file_audits WHERE id = ?1 AND project = ?2"
        ))?
        .query_row(params![id.0, project.as_str()], audit_from_row)
        .optional()?)
}

fn find_by_path(
    conn: &Connection,
    project: &Project,
    file_path: &str,
) -> Result<Option<FileAudit>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {AUDIT_COLUMNS} FROM file_audits WHERE project = ?1 AND file_path = ?2"
        ))?
        .query_row(params![project.as_str(), file_path], audit_from_row)
        .optional()?)
}

/// The columns [`audit_from_row`] reads, in order (unqualified, so that
/// `RETURNING` can name them too).
const AUDIT_COLUMNS: &str = "id, file_path, layer_number, workflows, technical_debt, status, \
                             notes, pattern_id, work_started_at, work_completed_at, \
                             created_at, updated_at";

fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<FileAudit> {
    let status: String = row.get(5)?;
    Ok(FileAudit {
        id: AuditId(row.get(0)?),
        file_path: row.get(1)?,
        layer_number: row.get(2)?,
        workflows: json_column(row, 3)?,
        technical_debt: row.get(4)?,
        status: AuditStatus::parse("status", &status).map_err(|err| bad_value(5, err))?,
        notes: row.get(6)?,
        pattern_id: row.get::<_, Option<i64>>(7)?.map(PatternId),
        work_started_at: row.get(8)?,
        work_completed_at: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
    })
}

fn change_from_row(row: &Row<'_>) -> rusqlite::Result<AuditStatusChange> {
    let from: Option<String> = row.get(1)?;
    let to: String = row.get(2)?;
    Ok(AuditStatusChange {
        audit_id: AuditId(row.get(0)?),
        from: from
            .map(|s| AuditStatus::parse("from_status", &s))
            .transpose()
            .map_err(|err| bad_value(1, err))?,
        to: AuditStatus::parse("to_status", &to).map_err(|err| bad_value(2, err))?,
        at: row.get(3)?,
    })
}
