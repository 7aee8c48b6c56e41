//! Helpers shared by the relationship-graph tools: `link_resources`, `query_graph`,
//! `get_document_relationships_tool`, `auto_link_documents`.
//!
//! Nodes are names (document ids or anything else); edges are unique per
//! (source, target, relation). Auto-linking is the `linking` use case; this
//! file reads its documents from the arguments (or from memory when only a
//! stored resource id is given). Not here: similarity or term logic.
//!
//! (Moved out of the per-tool files: only what more than one tool uses or what
//! shapes a shared answer: [`EdgeView`].)

use crate::Tools;
use crate::error::ToolError;
use ltmc_core::{Edge, EdgeId, ResourceId};
use serde::Serialize;
use serde_json::Value;

/// A relationship of the graph as the graph tools answer it.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeView {
    pub source_id: String,
    pub target_id: String,
    pub relationship_type: String,
    /// Free-form, as stored with the edge.
    pub properties: Value,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub edge_id: EdgeId,
}

impl From<&Edge> for EdgeView {
    fn from(e: &Edge) -> Self {
        Self {
            source_id: e.source.clone(),
            target_id: e.target.clone(),
            relationship_type: e.relation.clone(),
            properties: e.properties.clone(),
            created_at: e.created_at.clone(),
            edge_id: e.id,
        }
    }
}

/// The relationships of a node (of one relation, when given).
pub(crate) async fn relationships(
    tools: &Tools,
    node: &str,
    relation: Option<&str>,
) -> Result<Vec<EdgeView>, ToolError> {
    let edges = tools
        .memory
        .store()
        .edges_of(&tools.project, node, relation)
        .await?;
    Ok(edges.iter().map(EdgeView::from).collect())
}

/// The content of a document given only by the id of a stored resource.
pub(crate) async fn stored_content(tools: &Tools, i: usize, id: &str) -> Result<String, ToolError> {
    let missing = || {
        ToolError::new(format!(
            "documents[{i}] (id {id:?}) has no \"content\" or \"text\" and is not a stored resource id; give its text"
        ))
    };
    let resource_id = id.parse::<i64>().map_err(|_| missing())?;
    match tools
        .memory
        .store()
        .get_resource(&tools.project, ResourceId(resource_id))
        .await
    {
        Ok(resource) => Ok(resource.content),
        Err(ltmc_store::StoreError::NotFound { .. }) => Err(missing()),
        Err(e) => Err(e.into()),
    }
}
