//! Recording the outcome of applying a pattern: the application is
//! validated and stored, which moves the pattern's metrics and the audit's
//! status and notes in one write. Not the recommendation that preceded it
//! (`recommend`).

use crate::{Memory, ServiceError};
use ltmc_core::Project;
use ltmc_core::fix::NewApplication;
use ltmc_store::RecordedApplication;

/// Records the outcome of applying a pattern (metrics, audit status, notes).
pub async fn record_outcome(
    memory: &Memory,
    project: &Project,
    application: NewApplication,
) -> Result<RecordedApplication, ServiceError> {
    let application = application.validated()?;
    Ok(memory
        .store()
        .record_application(project, application)
        .await?)
}
