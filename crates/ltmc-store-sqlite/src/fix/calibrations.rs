//! The team's refitted fix-pattern calibrations: [`CalibrationStore`] for
//! [`SqliteStore`], over `fix_calibrations` (migration 0006). A calibration
//! is stored as its JSON; the newest row of a model not undone is active, and
//! an undo only sets `undone_at`. Not here: fitting or using one (service).

use crate::SqliteStore;
use crate::error::Result;
use crate::resources::bad_value;
use async_trait::async_trait;
use ltmc_core::fix::calibration::Calibration;
use ltmc_core::{Project, now_rfc3339};
use ltmc_store::{CalibrationStore, StoreError, StoredCalibration};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

const COLUMNS: &str = "id, calibration, report, created_at, undone_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<StoredCalibration> {
    let calibration: String = row.get(1)?;
    let report: String = row.get(2)?;
    Ok(StoredCalibration {
        id: row.get(0)?,
        calibration: Calibration::from_json(&calibration).map_err(|e| bad_value(1, e))?,
        report: serde_json::from_str(&report).map_err(|e| bad_value(2, e))?,
        created_at: row.get(3)?,
        undone_at: row.get(4)?,
    })
}

#[async_trait]
impl CalibrationStore for SqliteStore {
    async fn add_calibration(
        &self,
        project: &Project,
        calibration: &Calibration,
        report: &serde_json::Value,
    ) -> std::result::Result<StoredCalibration, StoreError> {
        let (text, report) = ltmc_store::validate::calibration_texts(calibration, report)?;
        let (project, model) = (project.clone(), calibration.model_id.clone());
        self.call(move |state, _| {
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let stored = tx
                .prepare_cached(&format!(
                    "INSERT INTO fix_calibrations \
                     (project, model_id, calibration, report, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5) RETURNING {COLUMNS}"
                ))?
                .query_row(
                    params![project.as_str(), model, text, report, now_rfc3339()],
                    from_row,
                )?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn active_calibration(
        &self,
        project: &Project,
        model_id: &str,
    ) -> std::result::Result<Option<StoredCalibration>, StoreError> {
        let (project, model) = (project.clone(), model_id.to_owned());
        self.call(move |state, _| -> Result<_> {
            Ok(state
                .conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM fix_calibrations \
                     WHERE project = ?1 AND model_id = ?2 AND undone_at IS NULL \
                     ORDER BY id DESC LIMIT 1"
                ))?
                .query_row(params![project.as_str(), model], from_row)
                .optional()?)
        })
        .await
    }

    async fn undo_calibration(
        &self,
        project: &Project,
        model_id: &str,
    ) -> std::result::Result<Option<StoredCalibration>, StoreError> {
        let (project, model) = (project.clone(), model_id.to_owned());
        self.call(move |state, _| {
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let undone = tx
                .prepare_cached(&format!(
                    "UPDATE fix_calibrations SET undone_at = ?3 WHERE id = \
                     (SELECT id FROM fix_calibrations \
                      WHERE project = ?1 AND model_id = ?2 AND undone_at IS NULL \
                      ORDER BY id DESC LIMIT 1) RETURNING {COLUMNS}"
                ))?
                .query_row(params![project.as_str(), model, now_rfc3339()], from_row)
                .optional()?;
            tx.commit()?;
            Ok(undone)
        })
        .await
    }

    async fn list_calibrations(
        &self,
        project: &Project,
        model_id: &str,
    ) -> std::result::Result<Vec<StoredCalibration>, StoreError> {
        let (project, model) = (project.clone(), model_id.to_owned());
        self.call(move |state, _| -> Result<_> {
            let rows = state
                .conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM fix_calibrations \
                     WHERE project = ?1 AND model_id = ?2 ORDER BY id DESC"
                ))?
                .query_map(params![project.as_str(), model], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }
}
