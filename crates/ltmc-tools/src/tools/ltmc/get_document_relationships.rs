//! The `get_document_relationships_tool` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::{ToolError, non_empty};
use crate::shared::graph::{EdgeView, relationships};
use crate::{Tool, ToolGroup, Tools};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 19. `get_document_relationships_tool`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct DocRelationshipsArgs {
    /// Node (document id) whose relationships to list.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub doc_id: String,
}

/// The relationships of a document.
#[derive(Debug, Clone, Serialize)]
pub struct GetDocumentRelationshipsOutput {
    /// The document, trimmed.
    pub doc_id: String,
    /// How many.
    pub count: usize,
    pub relationships: Vec<EdgeView>,
}

/// `get_document_relationships_tool`.
pub struct GetDocumentRelationships;

impl Tool for GetDocumentRelationships {
    const NAME: &'static str = "get_document_relationships_tool";
    const DESCRIPTION: &'static str = "The relationships of a document. Returns relationships [{source_id, target_id, relationship_type, properties}], count.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = DocRelationshipsArgs;
    type Output = GetDocumentRelationshipsOutput;

    async fn run(
        tools: &Tools,
        a: Self::Args,
    ) -> Result<GetDocumentRelationshipsOutput, ToolError> {
        let doc_id = non_empty("doc_id", &a.doc_id, "give the document id")?;
        let relationships = relationships(tools, doc_id, None).await?;
        Ok(GetDocumentRelationshipsOutput {
            doc_id: doc_id.to_owned(),
            count: relationships.len(),
            relationships,
        })
    }
}
