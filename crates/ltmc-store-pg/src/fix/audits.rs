//! File audits: [`AuditStore`] for [`PgStore`].
//!
//! Rows of `file_audit` (migration 0003; the seed's table name), unique per
//! project by path, with every status they took in `file_audit_history`: the
//! creation, then each change, stamped with the transaction's time, as the
//! row's own times are. An update replaces the audited fields and keeps the
//! id, the pattern, the creation time and the work times, which move only
//! with the status (in SQL, [`WORK_TIMES`]): the first `In Progress` (or a
//! jump straight to an end) starts the work, `Complete` or `Failed` ends it.
//! The same transition is applied when a pattern's application decides the
//! status (`patterns.rs`, through [`set_outcome`]). An upsert locks the
//! existing row (`FOR NO KEY UPDATE`), and a creation raced by another
//! server's becomes an update of it, never a unique violation. Not here:
//! importing CSV or JSON (service), deleting audits.

use super::bad_column;
use crate::PgStore;
use crate::error::{Result, not_found};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::fix::{AuditFilter, AuditStatus, AuditStatusChange, FileAudit, NewFileAudit};
use ltmc_core::{AuditId, PatternId, Project};
use ltmc_store::entity;
use ltmc_store::validate::sql_limit;
use ltmc_store::{AuditStore, StoreError};
use tokio_postgres::Row;

#[async_trait]
impl AuditStore for PgStore {
    async fn upsert_audit(
        &self,
        project: &Project,
        audit: NewFileAudit,
    ) -> Result<(FileAudit, bool), StoreError> {
        async {
            let audit = audit.validated()?;
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            let stored = upsert(&tx, project, &audit).await?;
            tx.commit().await?;
            Ok(stored)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn upsert_audits(
        &self,
        project: &Project,
        audits: Vec<NewFileAudit>,
    ) -> Result<Vec<(FileAudit, bool)>, StoreError> {
        async {
            // All checked before the transaction: one bad row writes none.
            let audits = audits
                .into_iter()
                .map(NewFileAudit::validated)
                .collect::<Result<Vec<_>, _>>()?;
            if audits.is_empty() {
                return Ok(Vec::new());
            }
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            let mut stored = Vec::with_capacity(audits.len());
            for audit in &audits {
                stored.push(upsert(&tx, project, audit).await?);
            }
            tx.commit().await?;
            Ok(stored)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn get_audit(&self, project: &Project, id: AuditId) -> Result<FileAudit, StoreError> {
        async {
            let client = self.client().await?;
            audit(&client, project, id, false)
                .await?
                .ok_or_else(|| not_found(entity::FILE_AUDIT, id, project))
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn find_audit_by_path(
        &self,
        project: &Project,
        file_path: &str,
    ) -> Result<Option<FileAudit>, StoreError> {
        // Stored paths are normalized (trimmed, `/` separators): so is this one.
        let file_path = file_path.trim().replace('\\', "/");
        async {
            let client = self.client().await?;
            find_by_path(&client, project, &file_path, false).await
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn list_audits(
        &self,
        project: &Project,
        filter: &AuditFilter,
    ) -> Result<Vec<FileAudit>, StoreError> {
        async {
            let client = self.client().await?;
            // One statement for every filter: a filter not given is NULL and
            // no condition. A blank workflow is no condition.
            let workflow = filter
                .workflow
                .as_deref()
                .map(str::trim)
                .filter(|w| !w.is_empty());
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {AUDIT_COLUMNS} FROM file_audit a WHERE a.project = $1 \
                     AND ($2::bigint IS NULL OR a.layer_number = $2) \
                     AND ($3::text IS NULL OR a.status = $3) \
                     AND ($4::text IS NULL OR a.workflows @> ARRAY[$4::text]) \
                     AND ($5::boolean IS NULL OR (a.technical_debt IS NOT NULL) = $5) \
                     ORDER BY a.layer_number, a.file_path COLLATE \"C\" LIMIT $6"
                ))
                .await?;
            let rows = client
                .query(
                    &stmt,
                    &[
                        &project.as_str(),
                        &filter.layer,
                        &filter.status.map(AuditStatus::as_str),
                        &workflow,
                        &filter.has_debt,
                        &filter.limit.map(sql_limit),
                    ],
                )
                .await?;
            rows.iter().map(audit_from_row).collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn audit_history(
        &self,
        project: &Project,
        id: AuditId,
    ) -> Result<Vec<AuditStatusChange>, StoreError> {
        async {
            let client = self.client().await?;
            // One statement, one snapshot: no row for an unknown audit, one
            // row per change otherwise (every audit has its creation).
            let stmt = client
                .prepare_cached(
                    "SELECT h.from_status, h.to_status, ltmc_ts(h.at) FROM file_audit a \
                     LEFT JOIN file_audit_history h ON h.audit_id = a.id \
                     WHERE a.id = $1 AND a.project = $2 ORDER BY h.id",
                )
                .await?;
            let rows = client.query(&stmt, &[&id.0, &project.as_str()]).await?;
            if rows.is_empty() {
                return Err(not_found(entity::FILE_AUDIT, id, project));
            }
            let mut changes = Vec::with_capacity(rows.len());
            for row in &rows {
                let Some(to) = row.try_get::<_, Option<String>>(1)? else {
                    continue;
                };
                let from: Option<String> = row.try_get(0)?;
                changes.push(AuditStatusChange {
                    audit_id: id,
                    from: from.map(|s| parse_status("from_status", &s)).transpose()?,
                    to: parse_status("to_status", &to)?,
                    at: row.try_get(2)?,
                });
            }
            Ok(changes)
        }
        .await
        .map_err(|e| self.fail(e))
    }
}

/// The work times after the status becomes `$new` (a text parameter),
/// as `SET` assignments reading the row's old values: an unchanged status
/// moves nothing; `In Progress` starts the work unless it was started;
/// `Complete` or `Failed` ends it now (and starts it, if nobody said it had
/// started). `{new}` is replaced by the parameter's placeholder.
const WORK_TIMES: &str = "work_started_at = CASE \
         WHEN status = {new} OR {new} = 'Not Started' THEN work_started_at \
         ELSE coalesce(work_started_at, now()) END, \
     work_completed_at = CASE \
         WHEN status <> {new} AND {new} IN ('Complete', 'Failed') THEN now() \
         ELSE work_completed_at END";

/// Creates the (validated) audit or replaces the fields of the one with its
/// path, inside the caller's transaction; returns it and whether it was
/// created.
async fn upsert<C: GenericClient>(
    client: &C,
    project: &Project,
    audit: &NewFileAudit,
) -> Result<(FileAudit, bool)> {
    let layer = super::layer_i32("layer_number", audit.layer_number)?;
    let status = audit.status.as_str();
    // At most twice: a creation that another server's raced finds its row.
    for _ in 0..2 {
        if let Some(old) = find_by_path(client, project, &audit.file_path, true).await? {
            let stmt = client
                .prepare_cached(&format!(
                    "WITH a AS (UPDATE file_audit SET layer_number = $2, workflows = $3, \
                     technical_debt = $4, status = $5, notes = $6, {}, updated_at = now() \
                     WHERE id = $1 RETURNING *), \
                     h AS (INSERT INTO file_audit_history (audit_id, from_status, to_status, at) \
                     SELECT a.id, $7::text, a.status, a.updated_at FROM a \
                     WHERE a.status <> $7::text) \
                     SELECT {AUDIT_COLUMNS} FROM a",
                    WORK_TIMES.replace("{new}", "$5::text")
                ))
                .await?;
            let row = client
                .query_one(
                    &stmt,
                    &[
                        &old.id.0,
                        &layer,
                        &audit.workflows,
                        &audit.technical_debt,
                        &status,
                        &audit.notes,
                        &old.status.as_str(),
                    ],
                )
                .await?;
            return Ok((audit_from_row(&row)?, false));
        }
        let stmt = client
            .prepare_cached(&format!(
                "WITH a AS (INSERT INTO file_audit (project, file_path, layer_number, workflows, \
                 technical_debt, status, notes, work_started_at, work_completed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, \
                 CASE WHEN $6 = 'Not Started' THEN NULL ELSE now() END, \
                 CASE WHEN $6 IN ('Complete', 'Failed') THEN now() END) \
                 ON CONFLICT (project, file_path) DO NOTHING RETURNING *), \
                 h AS (INSERT INTO file_audit_history (audit_id, from_status, to_status, at) \
                 SELECT a.id, NULL, a.status, a.created_at FROM a) \
                 SELECT {AUDIT_COLUMNS} FROM a"
            ))
            .await?;
        let row = client
            .query_opt(
                &stmt,
                &[
                    &project.as_str(),
                    &audit.file_path,
                    &layer,
                    &audit.workflows,
                    &audit.technical_debt,
                    &status,
                    &audit.notes,
                ],
            )
            .await?;
        if let Some(row) = row {
            return Ok((audit_from_row(&row)?, true));
        }
    }
    Err(crate::error::Error::Store(StoreError::Conflict(format!(
        "file audit {:?} of project {project} was created and removed by another writer \
         meanwhile; retry",
        audit.file_path
    ))))
}

/// Records that a pattern was applied to `audit` with this outcome, inside
/// the caller's transaction (which holds the audit's row lock): the pattern,
/// the status (with its history and work times, as an upsert moves them) and
/// the notes (replaced by `notes`). Returns the audit as stored now.
pub(super) async fn set_outcome<C: GenericClient>(
    client: &C,
    audit: &FileAudit,
    pattern: PatternId,
    status: AuditStatus,
    notes: &str,
) -> Result<FileAudit> {
    let stmt = client
        .prepare_cached(&format!(
            "WITH a AS (UPDATE file_audit SET pattern_id = $2, status = $3, notes = $4, {}, \
             updated_at = now() WHERE id = $1 RETURNING *), \
             h AS (INSERT INTO file_audit_history (audit_id, from_status, to_status, at) \
             SELECT a.id, $5::text, a.status, a.updated_at FROM a WHERE a.status <> $5::text) \
             SELECT {AUDIT_COLUMNS} FROM a",
            WORK_TIMES.replace("{new}", "$3::text")
        ))
        .await?;
    let row = client
        .query_one(
            &stmt,
            &[
                &audit.id.0,
                &pattern.0,
                &status.as_str(),
                &notes,
                &audit.status.as_str(),
            ],
        )
        .await?;
    audit_from_row(&row)
}

/// The audit `id` of `project`, if there is one; locked `FOR NO KEY UPDATE` when
/// `lock` (inside a write transaction).
pub(super) async fn audit<C: GenericClient>(
    client: &C,
    project: &Project,
    id: AuditId,
    lock: bool,
) -> Result<Option<FileAudit>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {AUDIT_COLUMNS} FROM file_audit a WHERE a.id = $1 AND a.project = $2{}",
            if lock { " FOR NO KEY UPDATE" } else { "" }
        ))
        .await?;
    client
        .query_opt(&stmt, &[&id.0, &project.as_str()])
        .await?
        .as_ref()
        .map(audit_from_row)
        .transpose()
}

async fn find_by_path<C: GenericClient>(
    client: &C,
    project: &Project,
    file_path: &str,
    lock: bool,
) -> Result<Option<FileAudit>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {AUDIT_COLUMNS} FROM file_audit a WHERE a.project = $1 AND a.file_path = $2{}",
            if lock { " FOR NO KEY UPDATE" } else { "" }
        ))
        .await?;
    client
        .query_opt(&stmt, &[&project.as_str(), &file_path])
        .await?
        .as_ref()
        .map(audit_from_row)
        .transpose()
}

/// The columns [`audit_from_row`] reads, in order, of the audit `a`.
const AUDIT_COLUMNS: &str = "a.id, a.file_path, a.layer_number, a.workflows, a.technical_debt, \
     a.status, a.notes, a.pattern_id, ltmc_ts(a.work_started_at), \
     ltmc_ts(a.work_completed_at), ltmc_ts(a.created_at), ltmc_ts(a.updated_at)";

fn audit_from_row(row: &Row) -> Result<FileAudit> {
    let layer: i32 = row.try_get(2)?;
    let status: String = row.try_get(5)?;
    Ok(FileAudit {
        id: AuditId(row.try_get(0)?),
        file_path: row.try_get(1)?,
        layer_number: i64::from(layer),
        workflows: row.try_get(3)?,
        technical_debt: row.try_get(4)?,
        status: parse_status("file_audit.status", &status)?,
        notes: row.try_get(6)?,
        pattern_id: row.try_get::<_, Option<i64>>(7)?.map(PatternId),
        work_started_at: row.try_get(8)?,
        work_completed_at: row.try_get(9)?,
        created_at: row.try_get(10)?,
        updated_at: row.try_get(11)?,
    })
}

fn parse_status(column: &'static str, value: &str) -> Result<AuditStatus> {
    AuditStatus::parse(column, value).map_err(|e| bad_column(column, e))
}
