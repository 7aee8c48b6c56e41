//! Storing and finding documents: the core loop of ltmc.
//!
//! A store call hashes the content (identical content is not embedded or
//! stored twice), chunks it losslessly, embeds every chunk in one batch, and
//! hands resource + chunks + vectors to the store as one transaction. A search
//! embeds the query and asks the store for the nearest chunks. Not here:
//! keyword search, ranking fusion, protocols.

use crate::ServiceError;
use ltmc_core::{
    ChunkConfig, NewChunk, NewResource, Project, PutOutcome, ResourceId, ScoredChunk, chunk_text,
    content_hash,
};
use ltmc_embed::Embedder;
use ltmc_store::{ChunkFilter, Store};
use serde::Serialize;
use std::sync::Arc;

/// What to store.
#[derive(Debug, Clone)]
pub struct StoreRequest {
    pub project: Project,
    pub file_name: String,
    pub resource_type: String,
    pub content: String,
    pub metadata: serde_json::Value,
}

/// What a search asks for.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub project: Project,
    pub query: String,
    pub top_k: usize,
    pub resource_type: Option<String>,
}

/// The answer to a store call, as the CLI and the tools report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredResource {
    pub resource_id: ResourceId,
    pub chunk_count: usize,
    pub duplicate: bool,
}

impl From<PutOutcome> for StoredResource {
    fn from(value: PutOutcome) -> Self {
        Self {
            resource_id: value.resource_id,
            chunk_count: value.chunk_count,
            duplicate: value.duplicate,
        }
    }
}

/// The largest `top_k` a search accepts: beyond it a caller wants a dump, not a search.
pub const MAX_TOP_K: usize = 1000;

/// ltmc's memory of documents: a store and an embedder, shared by every caller.
#[derive(Clone)]
pub struct Memory {
    store: Arc<dyn Store>,
    embedder: Arc<dyn Embedder>,
    chunking: ChunkConfig,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("model", &self.embedder.model_id())
            .field("chunking", &self.chunking)
            .finish_non_exhaustive()
    }
}

impl Memory {
    pub fn new(
        store: Arc<dyn Store>,
        embedder: Arc<dyn Embedder>,
        chunking: ChunkConfig,
    ) -> Result<Self, ServiceError> {
        chunking.validate()?;
        Ok(Self {
            store,
            embedder,
            chunking,
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }

    /// Stores one text. Identical content already in the project is returned
    /// as `duplicate: true` without embedding or writing anything.
    pub async fn store_text(&self, request: StoreRequest) -> Result<StoredResource, ServiceError> {
        validate_store(&request)?;
        let hash = content_hash(&request.content);
        if let Some(existing) = self.store.find_by_hash(&request.project, &hash).await? {
            return Ok(StoredResource {
                resource_id: existing.id,
                chunk_count: existing.chunk_count,
                duplicate: true,
            });
        }
        let spans = chunk_text(&request.content, &self.chunking);
        let texts: Vec<String> = spans
            .iter()
            .map(|s| request.content[s.start..s.end].to_owned())
            .collect();
        let vectors = self.embed_owned(texts.clone()).await?;
        let chunks = spans
            .iter()
            .zip(texts)
            .zip(vectors)
            .enumerate()
            .map(|(ordinal, ((span, text), vector))| NewChunk {
                ordinal,
                start: span.start,
                end: span.end,
                text,
                vector,
            })
            .collect();
        let resource = NewResource {
            project: request.project,
            file_name: request.file_name,
            resource_type: request.resource_type,
            content: request.content,
            metadata: request.metadata,
        };
        Ok(self.store.put_resource(resource, chunks).await?.into())
    }

    /// The chunks nearest in meaning to the query, best first.
    pub async fn search(&self, request: SearchRequest) -> Result<Vec<ScoredChunk>, ServiceError> {
        if request.query.trim().is_empty() {
            return Err(ServiceError::invalid(
                "query",
                "is empty; give the words to search for",
            ));
        }
        if request.top_k == 0 || request.top_k > MAX_TOP_K {
            return Err(ServiceError::invalid(
                "top_k",
                format!("must be between 1 and {MAX_TOP_K}, got {}", request.top_k),
            ));
        }
        let query = self.embed_one(&request.query).await?;
        let filter = ChunkFilter {
            resource_type: request.resource_type,
        };
        Ok(self
            .store
            .nearest_chunks(&request.project, &query, request.top_k, &filter)
            .await?)
    }

    /// Deletes a resource with its chunks and vectors; returns how many chunks went.
    pub async fn delete(&self, project: &Project, id: ResourceId) -> Result<usize, ServiceError> {
        Ok(self.store.delete_resource(project, id).await?)
    }

    /// Embeds texts on a blocking thread: the model is CPU-bound and must not
    /// stall the async runtime that serves other callers.
    pub async fn embed_owned(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, ServiceError> {
        let embedder = Arc::clone(&self.embedder);
        tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            embedder.embed(&refs)
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("embedding task failed: {e}")))?
        .map_err(ServiceError::from)
    }

    pub async fn embed_one(&self, text: &str) -> Result<Vec<f32>, ServiceError> {
        self.embed_owned(vec![text.to_owned()])
            .await?
            .pop()
            .ok_or_else(|| ServiceError::Internal("embedder returned no vector".into()))
    }
}

fn validate_store(request: &StoreRequest) -> Result<(), ServiceError> {
    if request.content.trim().is_empty() {
        return Err(ServiceError::invalid(
            "content",
            "is empty; there is nothing to remember",
        ));
    }
    if request.content.contains('\0') {
        return Err(ServiceError::invalid(
            "content",
            "contains NUL bytes (binary data?); store text only",
        ));
    }
    if request.file_name.trim().is_empty() {
        return Err(ServiceError::invalid(
            "file_name",
            "is empty; give the resource a name",
        ));
    }
    if request.resource_type.trim().is_empty() {
        return Err(ServiceError::invalid(
            "resource_type",
            "is empty; use e.g. \"document\" or \"code\"",
        ));
    }
    Ok(())
}
