//! STUB (being written): the PostgreSQL KeywordSearch.
#![allow(unused_variables, clippy::unused_async)]
use crate::PgStore;
use async_trait::async_trait;
use ltmc_core::*;
use ltmc_store::*;

#[async_trait]
impl KeywordSearch for PgStore {
    async fn keyword_chunks(
        &self,
        project: &Project,
        query: &str,
        k: usize,
        filter: &ChunkFilter,
    ) -> Result<Vec<ScoredChunk>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL keyword_chunks: not written yet".into(),
        ))
    }
}
