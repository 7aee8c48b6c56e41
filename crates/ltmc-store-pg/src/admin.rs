//! STUB (being written): the PostgreSQL StoreAdmin.
#![allow(unused_variables, clippy::unused_async)]
use crate::PgStore;
use async_trait::async_trait;
use ltmc_core::*;
use ltmc_store::*;

#[async_trait]
impl StoreAdmin for PgStore {
    async fn info(&self) -> Result<StoreInfo, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL info: not written yet".into(),
        ))
    }

    async fn check_integrity(&self) -> Result<IntegrityReport, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL check_integrity: not written yet".into(),
        ))
    }

    async fn check_indexes(&self) -> Result<Vec<IndexStatus>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL check_indexes: not written yet".into(),
        ))
    }

    async fn rebuild_indexes(
        &self,
        project: Option<&Project>,
    ) -> Result<Vec<IndexStatus>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL rebuild_indexes: not written yet".into(),
        ))
    }

    async fn sync_indexes(&self) -> Result<(), StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL sync_indexes: not written yet".into(),
        ))
    }
}
