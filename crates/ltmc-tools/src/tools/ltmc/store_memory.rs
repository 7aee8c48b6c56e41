//! The `store_memory` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::{ToolError, non_empty};
use crate::shared::citations::{self, CitationArg};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::citation::{Citation, metadata_of};
use ltmc_core::{CODE_ATTEMPT_TYPE, ResourceId};
use ltmc_service::StoreRequest;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 1. `store_memory`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct StoreMemoryArgs {
    /// Name of the document (a file name or any label); shown in search results.
    pub file_name: String,
    /// The text to remember. Stored whole, chunked and embedded.
    pub content: String,
    /// Kind of resource, e.g. "document", "code", "note".
    #[serde(default = "crate::args::defaults::document")]
    pub resource_type: String,
    /// Code this memory is about: spans of files under the project root, checked whenever the memory is retrieved (verified, moved, changed, missing).
    #[serde(default)]
    pub citations: Vec<CitationArg>,
}

/// Where the text was stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoreMemoryOutput {
    pub resource_id: ResourceId,
    pub chunk_count: usize,
    /// Identical content was already stored: nothing new was written.
    pub duplicate: bool,
    /// The citations stored, each with the hash of its lines and the commit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
    pub message: String,
}

/// `store_memory`.
pub struct StoreMemory;

impl Tool for StoreMemory {
    const NAME: &'static str = "store_memory";
    const DESCRIPTION: &'static str = "Remember a document, note or piece of code: it is chunked, embedded and stored, searchable by meaning and by keyword. Identical content is stored once (the answer says so). Optional citations name the code it is about (spans of files under the project root); retrieval checks them. Returns resource_id, chunk_count, message.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = true;
    type Args = StoreMemoryArgs;
    type Output = StoreMemoryOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<StoreMemoryOutput, ToolError> {
        let resource_type = non_empty(
            "resource_type",
            &a.resource_type,
            "use e.g. \"document\" or \"code\"",
        )?
        .to_owned();
        if resource_type == CODE_ATTEMPT_TYPE {
            return Err(ToolError::new(format!(
                "resource_type {CODE_ATTEMPT_TYPE:?} is reserved for code attempts; log them with log_code_attempt"
            )));
        }
        let citations = citations::make(tools, &a.citations)?;
        let metadata = metadata_of(&citations);
        let file_name = a.file_name.trim().to_owned();
        let stored = tools
            .memory
            .store_text(StoreRequest {
                project: tools.project.clone(),
                file_name: file_name.clone(),
                resource_type,
                content: a.content,
                metadata,
            })
            .await?;
        let message = if stored.duplicate {
            format!(
                "identical content is already stored as resource {} ({} chunks); nothing new was written{}",
                stored.resource_id,
                stored.chunk_count,
                if citations.is_empty() {
                    ""
                } else {
                    " (the stored memory keeps its own citations)"
                }
            )
        } else {
            format!(
                "stored {file_name:?} as resource {} in {} chunks",
                stored.resource_id, stored.chunk_count
            )
        };
        Ok(StoreMemoryOutput {
            resource_id: stored.resource_id,
            chunk_count: stored.chunk_count,
            duplicate: stored.duplicate,
            citations,
            message,
        })
    }
}
