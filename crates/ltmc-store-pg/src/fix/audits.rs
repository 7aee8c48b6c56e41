//! STUB (being written): the PostgreSQL AuditStore.
#![allow(unused_variables, clippy::unused_async)]
use crate::PgStore;
use async_trait::async_trait;
use ltmc_core::fix::*;
use ltmc_core::*;
use ltmc_store::*;

#[async_trait]
impl AuditStore for PgStore {
    async fn upsert_audit(
        &self,
        project: &Project,
        audit: NewFileAudit,
    ) -> Result<(FileAudit, bool), StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL upsert_audit: not written yet".into(),
        ))
    }

    async fn upsert_audits(
        &self,
        project: &Project,
        audits: Vec<NewFileAudit>,
    ) -> Result<Vec<(FileAudit, bool)>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL upsert_audits: not written yet".into(),
        ))
    }

    async fn get_audit(&self, project: &Project, id: AuditId) -> Result<FileAudit, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL get_audit: not written yet".into(),
        ))
    }

    async fn find_audit_by_path(
        &self,
        project: &Project,
        file_path: &str,
    ) -> Result<Option<FileAudit>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL find_audit_by_path: not written yet".into(),
        ))
    }

    async fn list_audits(
        &self,
        project: &Project,
        filter: &AuditFilter,
    ) -> Result<Vec<FileAudit>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL list_audits: not written yet".into(),
        ))
    }

    async fn audit_history(
        &self,
        project: &Project,
        id: AuditId,
    ) -> Result<Vec<AuditStatusChange>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL audit_history: not written yet".into(),
        ))
    }
}
