//! The team's refitted fix-pattern calibrations: [`CalibrationStore`] for
//! [`PgStore`], over `fix_calibrations` (migration 0004). A calibration is
//! stored as JSONB (sent and read as text); the newest row of a model not
//! undone is active, and an undo only sets `undone_at`. Each write is one
//! statement, so its own transaction. Not here: fitting or using one (service).

use super::bad_column;
use crate::PgStore;
use crate::error::{Error, Result};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::Project;
use ltmc_core::fix::calibration::Calibration;
use ltmc_store::{CalibrationStore, StoreError, StoredCalibration};
use tokio_postgres::Row;

const COLUMNS: &str =
    "id, calibration::text, report::text, ltmc_ts(created_at), ltmc_ts(undone_at)";

fn from_row(row: &Row) -> Result<StoredCalibration> {
    let calibration: String = row.try_get(1)?;
    let report: String = row.try_get(2)?;
    Ok(StoredCalibration {
        id: row.try_get(0)?,
        calibration: Calibration::from_json(&calibration)
            .map_err(|e| bad_column("fix_calibrations.calibration", e))?,
        report: serde_json::from_str(&report)
            .map_err(|e| bad_column("fix_calibrations.report", e))?,
        created_at: row.try_get(3)?,
        undone_at: row.try_get(4)?,
    })
}

#[async_trait]
impl CalibrationStore for PgStore {
    async fn add_calibration(
        &self,
        project: &Project,
        calibration: &Calibration,
        report: &serde_json::Value,
    ) -> std::result::Result<StoredCalibration, StoreError> {
        async {
            let (text, report) = ltmc_store::validate::calibration_texts(calibration, report)?;
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(&format!(
                    "INSERT INTO fix_calibrations (project, model_id, calibration, report) \
                     VALUES ($1, $2, $3::text::jsonb, $4::text::jsonb) RETURNING {COLUMNS}"
                ))
                .await?;
            let row = client
                .query_one(
                    &stmt,
                    &[&project.as_str(), &calibration.model_id, &text, &report],
                )
                .await?;
            from_row(&row)
        }
        .await
        .map_err(|e: Error| self.fail(e))
    }

    async fn active_calibration(
        &self,
        project: &Project,
        model_id: &str,
    ) -> std::result::Result<Option<StoredCalibration>, StoreError> {
        async {
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM fix_calibrations \
                     WHERE project = $1 AND model_id = $2 AND undone_at IS NULL \
                     ORDER BY id DESC LIMIT 1"
                ))
                .await?;
            client
                .query_opt(&stmt, &[&project.as_str(), &model_id])
                .await?
                .as_ref()
                .map(from_row)
                .transpose()
        }
        .await
        .map_err(|e: Error| self.fail(e))
    }

    async fn undo_calibration(
        &self,
        project: &Project,
        model_id: &str,
    ) -> std::result::Result<Option<StoredCalibration>, StoreError> {
        async {
            let client = self.client().await?;
            // One statement: the row it picks is locked by the UPDATE, so two
            // undos at once undo two calibrations, never one twice.
            let stmt = client
                .prepare_cached(&format!(
                    "UPDATE fix_calibrations SET undone_at = now() WHERE id = \
                     (SELECT id FROM fix_calibrations \
                      WHERE project = $1 AND model_id = $2 AND undone_at IS NULL \
                      ORDER BY id DESC LIMIT 1 FOR UPDATE) RETURNING {COLUMNS}"
                ))
                .await?;
            client
                .query_opt(&stmt, &[&project.as_str(), &model_id])
                .await?
                .as_ref()
                .map(from_row)
                .transpose()
        }
        .await
        .map_err(|e: Error| self.fail(e))
    }

    async fn list_calibrations(
        &self,
        project: &Project,
        model_id: &str,
    ) -> std::result::Result<Vec<StoredCalibration>, StoreError> {
        async {
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM fix_calibrations \
                     WHERE project = $1 AND model_id = $2 ORDER BY id DESC"
                ))
                .await?;
            client
                .query(&stmt, &[&project.as_str(), &model_id])
                .await?
                .iter()
                .map(from_row)
                .collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e: Error| self.fail(e))
    }
}
