//! STUB (being written): the PostgreSQL AttemptStore.
#![allow(unused_variables, clippy::unused_async)]
use crate::PgStore;
use async_trait::async_trait;
use ltmc_core::*;
use ltmc_store::*;

#[async_trait]
impl AttemptStore for PgStore {
    async fn put_attempt(
        &self,
        project: &Project,
        attempt: NewCodeAttempt,
        vector: Vec<f32>,
        links: Vec<AttemptLink>,
    ) -> Result<CodeAttempt, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL put_attempt: not written yet".into(),
        ))
    }

    async fn get_attempt(
        &self,
        project: &Project,
        id: AttemptId,
    ) -> Result<CodeAttempt, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL get_attempt: not written yet".into(),
        ))
    }

    async fn nearest_attempts(
        &self,
        project: &Project,
        query: &[f32],
        k: usize,
        filter: &AttemptFilter,
    ) -> Result<Vec<(CodeAttempt, f32)>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL nearest_attempts: not written yet".into(),
        ))
    }

    async fn list_attempts(
        &self,
        project: &Project,
        filter: &AttemptFilter,
    ) -> Result<Vec<CodeAttempt>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL list_attempts: not written yet".into(),
        ))
    }

    async fn attempt_links(
        &self,
        project: &Project,
        id: AttemptId,
    ) -> Result<Vec<AttemptLink>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL attempt_links: not written yet".into(),
        ))
    }
}
