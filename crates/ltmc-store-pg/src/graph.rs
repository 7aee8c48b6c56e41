//! STUB (being written): the PostgreSQL GraphStore.
#![allow(unused_variables, clippy::unused_async)]
use crate::PgStore;
use async_trait::async_trait;
use ltmc_core::*;
use ltmc_store::*;

#[async_trait]
impl GraphStore for PgStore {
    async fn put_edges(
        &self,
        project: &Project,
        edges: Vec<NewEdge>,
    ) -> Result<Vec<(Edge, bool)>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL put_edges: not written yet".into(),
        ))
    }

    async fn edges_of(
        &self,
        project: &Project,
        node: &str,
        relation: Option<&str>,
    ) -> Result<Vec<Edge>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL edges_of: not written yet".into(),
        ))
    }
}
