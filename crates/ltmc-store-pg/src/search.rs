//! STUB (being written): the PostgreSQL VectorSearch.
#![allow(unused_variables, clippy::unused_async)]
use crate::PgStore;
use async_trait::async_trait;
use ltmc_core::*;
use ltmc_store::*;

#[async_trait]
impl VectorSearch for PgStore {
    async fn nearest_chunks(
        &self,
        project: &Project,
        query: &[f32],
        k: usize,
        filter: &ChunkFilter,
    ) -> Result<Vec<ScoredChunk>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL nearest_chunks: not written yet".into(),
        ))
    }
}
