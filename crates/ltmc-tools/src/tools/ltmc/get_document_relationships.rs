//! The `get_document_relationships_tool` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::{ToolError, non_empty};
use crate::shared::graph::relationships;
use crate::{Tool, ToolGroup, Tools};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// 19. `get_document_relationships_tool`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct DocRelationshipsArgs {
    /// Node (document id) whose relationships to list.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub doc_id: String,
}

/// `get_document_relationships_tool`.
pub struct GetDocumentRelationships;

impl Tool for GetDocumentRelationships {
    const NAME: &'static str = "get_document_relationships_tool";
    const DESCRIPTION: &'static str = "The relationships of a document. Returns relationships [{source_id, target_id, relationship_type, properties}], count.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = DocRelationshipsArgs;
    type Output = Value;

    async fn run(tools: &Tools, a: Self::Args) -> Result<Value, ToolError> {
        let doc_id = non_empty("doc_id", &a.doc_id, "give the document id")?;
        let mut out = relationships(tools, doc_id, None).await?;
        out["doc_id"] = json!(doc_id);
        Ok(out)
    }
}
