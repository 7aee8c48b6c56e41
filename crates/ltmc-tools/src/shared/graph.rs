//! Helpers shared by the relationship-graph tools: `link_resources`, `query_graph`,
//! `get_document_relationships_tool`, `auto_link_documents`.
//!
//! Nodes are names (document ids or anything else); edges are unique per
//! (source, target, relation). Auto-linking is the `linking` use case; this
//! file reads its documents from the arguments (or from memory when only a
//! stored resource id is given). Not here: similarity or term logic.
//!
//! (Moved out of the per-tool files: only what more than one tool uses or what
//! shapes a shared answer.)

use crate::Tools;
use crate::error::ToolError;
use ltmc_core::{Edge, ResourceId};
use serde_json::{Value, json};

pub(crate) fn edge_json(e: &Edge) -> Value {
    json!({
        "source_id": e.source,
        "target_id": e.target,
        "relationship_type": e.relation,
        "properties": e.properties,
        "created_at": e.created_at,
        "edge_id": e.id,
    })
}

pub(crate) async fn relationships(
    tools: &Tools,
    node: &str,
    relation: Option<&str>,
) -> Result<Value, ToolError> {
    let edges = tools
        .memory
        .store()
        .edges_of(&tools.project, node, relation)
        .await?;
    Ok(json!({
        "count": edges.len(),
        "relationships": edges.iter().map(edge_json).collect::<Vec<_>>(),
    }))
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
