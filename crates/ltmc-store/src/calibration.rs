//! Storage of the fix-pattern calibrations a team refits from its own
//! outcomes and reviews (issue 17: "Confidence Calibration: adjust confidence
//! scoring based on outcomes"). Kept in the store, so every process and both
//! backends use the same one; a refit can be undone, which makes the previous
//! one (or, when none is left, the shipped default) active again.
//!
//! Same rules as `traits.rs`: async, backend-neutral, every write one
//! transaction, every record scoped to a project. Not here: fitting or
//! applying a calibration (`ltmc_core::fix::calibration`, the service).

use crate::StoreError;
use async_trait::async_trait;
use ltmc_core::Project;
use ltmc_core::fix::calibration::Calibration;

/// A refitted calibration as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCalibration {
    pub id: i64,
    pub calibration: Calibration,
    /// What the refit measured (before and after), a JSON object the service writes.
    pub report: serde_json::Value,
    /// When it was stored (RFC 3339).
    pub created_at: String,
    /// When it was undone, if it was.
    pub undone_at: Option<String>,
}

/// The project's refitted calibrations, per embedding model.
#[async_trait]
pub trait CalibrationStore: Send + Sync {
    /// Stores `calibration` as the project's newest (and so active) one for
    /// its model. A calibration that does not validate is `Invalid`.
    async fn add_calibration(
        &self,
        project: &Project,
        calibration: &Calibration,
        report: &serde_json::Value,
    ) -> Result<StoredCalibration, StoreError>;

    /// The newest calibration of `model_id` that is not undone.
    async fn active_calibration(
        &self,
        project: &Project,
        model_id: &str,
    ) -> Result<Option<StoredCalibration>, StoreError>;

    /// Marks the active calibration of `model_id` undone and returns it;
    /// `None` when there is none (nothing changes).
    async fn undo_calibration(
        &self,
        project: &Project,
        model_id: &str,
    ) -> Result<Option<StoredCalibration>, StoreError>;

    /// Every calibration of `model_id`, newest first, undone ones included.
    async fn list_calibrations(
        &self,
        project: &Project,
        model_id: &str,
    ) -> Result<Vec<StoredCalibration>, StoreError>;
}
