//! The `retrieve_by_type` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::{ToolError, non_empty};
use crate::shared::memory::{Relevant as _, keep_relevant};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::{ChunkId, ResourceId};
use ltmc_service::documents::search_documents;
use ltmc_service::{MAX_TOP_K, SearchHit};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// 7. `retrieve_by_type`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct RetrieveByTypeArgs {
    /// What to look for.
    pub query: String,
    /// Resource type to search, e.g. "document" or "code".
    pub doc_type: String,
    /// How many distinct documents to return.
    #[serde(default = "crate::args::defaults::five")]
    #[schemars(range(min = 1, max = MAX_TOP_K))]
    pub top_k: usize,
    /// Keep only documents whose best chunk is at least this relevant (0–1,
    /// calibrated); leave out to get top_k documents whatever their relevance.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub min_relevance: Option<f32>,
}

/// A document of the type asked for, with its matching chunks' text.
#[derive(Debug, Clone, Serialize)]
pub struct TypedDocument {
    pub id: ResourceId,
    /// Its file name.
    pub title: String,
    /// The matching chunks in document order, joined by `…` lines.
    pub content: String,
    /// Its resource type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// Free-form, as stored.
    pub metadata: Value,
    /// The score of its best chunk.
    pub score: f32,
    /// The calibrated relevance of its best chunk (0–1); null when the
    /// embedding model has no calibration.
    pub relevance: Option<f32>,
    /// The matching chunks, in document order.
    pub chunk_ids: Vec<ChunkId>,
    /// All its chunks.
    pub chunk_count: usize,
}

/// The documents of one type that match the query.
#[derive(Debug, Clone, Serialize)]
pub struct RetrieveByTypeOutput {
    pub query: String,
    pub doc_type: String,
    /// How many.
    pub count: usize,
    pub documents: Vec<TypedDocument>,
}

/// `retrieve_by_type`.
pub struct RetrieveByType;

impl Tool for RetrieveByType {
    const NAME: &'static str = "retrieve_by_type";
    const DESCRIPTION: &'static str = "Find the top_k distinct documents of one resource type (e.g. \"code\") that best match a query. Returns documents [{id, title, content (the matching chunks), type, created_at, metadata, score, relevance}], count; min_relevance keeps only documents at least that relevant.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = RetrieveByTypeArgs;
    type Output = RetrieveByTypeOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<RetrieveByTypeOutput, ToolError> {
        let doc_type = non_empty(
            "doc_type",
            &a.doc_type,
            "give a resource type such as \"document\" or \"code\"",
        )?;
        let found =
            search_documents(&tools.memory, &tools.project, &a.query, doc_type, a.top_k).await?;
        let found = keep_relevant(tools, found, a.min_relevance)?;
        let documents: Vec<TypedDocument> = found
            .iter()
            .map(|d| {
                let mut chunks: Vec<&SearchHit> = d.chunks.iter().collect();
                chunks.sort_by_key(|c| c.chunk.ordinal);
                let content = chunks
                    .iter()
                    .map(|c| c.chunk.text.trim())
                    .collect::<Vec<_>>()
                    .join("\n…\n");
                TypedDocument {
                    id: d.resource.id,
                    title: d.resource.file_name.clone(),
                    content,
                    resource_type: d.resource.resource_type.clone(),
                    created_at: d.resource.created_at.clone(),
                    metadata: d.resource.metadata.clone(),
                    score: d.score,
                    relevance: d.relevance(),
                    chunk_ids: chunks.iter().map(|c| c.chunk.id).collect(),
                    chunk_count: d.resource.chunk_count,
                }
            })
            .collect();
        Ok(RetrieveByTypeOutput {
            query: a.query,
            doc_type: doc_type.to_owned(),
            count: documents.len(),
            documents,
        })
    }
}
