//! STUB (being written): the PostgreSQL ChatStore.
#![allow(unused_variables, clippy::unused_async)]
use crate::PgStore;
use async_trait::async_trait;
use ltmc_core::*;
use ltmc_store::*;

#[async_trait]
impl ChatStore for PgStore {
    async fn log_message(
        &self,
        project: &Project,
        message: NewChatMessage,
        context: &[ChunkId],
    ) -> Result<ChatMessage, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL log_message: not written yet".into(),
        ))
    }

    async fn get_message(
        &self,
        project: &Project,
        id: MessageId,
    ) -> Result<ChatMessage, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL get_message: not written yet".into(),
        ))
    }

    async fn conversation(
        &self,
        project: &Project,
        conversation_id: &str,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL conversation: not written yet".into(),
        ))
    }

    async fn link_context(
        &self,
        project: &Project,
        message: MessageId,
        chunks: &[ChunkId],
    ) -> Result<usize, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL link_context: not written yet".into(),
        ))
    }

    async fn links_of_message(
        &self,
        project: &Project,
        message: MessageId,
    ) -> Result<Vec<ContextLink>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL links_of_message: not written yet".into(),
        ))
    }

    async fn messages_for_chunk(
        &self,
        project: &Project,
        chunk: ChunkId,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL messages_for_chunk: not written yet".into(),
        ))
    }

    async fn context_usage(
        &self,
        project: &Project,
        top: usize,
    ) -> Result<ContextUsage, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL context_usage: not written yet".into(),
        ))
    }
}
