//! STUB (being written): the PostgreSQL ResourceStore.
#![allow(unused_variables, clippy::unused_async)]
use crate::PgStore;
use async_trait::async_trait;
use ltmc_core::*;
use ltmc_store::*;

#[async_trait]
impl ResourceStore for PgStore {
    async fn put_resource(
        &self,
        resource: NewResource,
        chunks: Vec<NewChunk>,
    ) -> Result<PutOutcome, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL put_resource: not written yet".into(),
        ))
    }

    async fn find_by_hash(
        &self,
        project: &Project,
        content_hash: &str,
    ) -> Result<Option<Resource>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL find_by_hash: not written yet".into(),
        ))
    }

    async fn get_resource(
        &self,
        project: &Project,
        id: ResourceId,
    ) -> Result<Resource, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL get_resource: not written yet".into(),
        ))
    }

    async fn list_resources(
        &self,
        project: &Project,
        filter: &ResourceFilter,
    ) -> Result<Vec<Resource>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL list_resources: not written yet".into(),
        ))
    }

    async fn chunks_of(&self, project: &Project, id: ResourceId) -> Result<Vec<Chunk>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL chunks_of: not written yet".into(),
        ))
    }

    async fn delete_resource(
        &self,
        project: &Project,
        id: ResourceId,
    ) -> Result<usize, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL delete_resource: not written yet".into(),
        ))
    }
}
