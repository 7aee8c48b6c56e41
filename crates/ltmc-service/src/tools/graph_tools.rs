//! The relationship-graph tools: `link_resources`, `query_graph`,
//! `get_document_relationships_tool`, `auto_link_documents`.
//!
//! Nodes are names (document ids or anything else); edges are unique per
//! (source, target, relation). Auto-linking is the `linking` use case; this
//! file reads its documents from the arguments (or from memory when only a
//! stored resource id is given). Not here: similarity or term logic.

use super::Tools;
use super::args::{
    AutoLinkArgs, DocRelationshipsArgs, LinkResourcesArgs, QueryGraphArgs, describe, parse,
};
use super::memory_tools::name_field;
use super::reply::{ToolError, ToolResult, non_empty};
use crate::linking::{AUTO_LINK_METHOD, AUTO_LINK_RELATION, LinkDocument, auto_link};
use ltmc_core::{Edge, NewEdge, ResourceId};
use serde_json::{Value, json};

fn edge_json(e: &Edge) -> Value {
    json!({
        "source_id": e.source,
        "target_id": e.target,
        "relationship_type": e.relation,
        "properties": e.properties,
        "created_at": e.created_at,
        "edge_id": e.id,
    })
}

pub(super) async fn link_resources(tools: &Tools, args: Value) -> ToolResult {
    let a: LinkResourcesArgs = parse(args)?;
    let source = non_empty(
        "source_id",
        &a.source_id,
        "give the node the relationship starts at",
    )?;
    let target = non_empty(
        "target_id",
        &a.target_id,
        "give the node the relationship ends at",
    )?;
    let relation = non_empty(
        "relation",
        &a.relation,
        "give the kind of relationship, e.g. \"references\"",
    )?;
    if source == target {
        return Err(ToolError::new(format!(
            "source_id and target_id are both {source:?}; a relationship links two different nodes"
        )));
    }
    let stored = tools
        .memory
        .store()
        .put_edges(
            &tools.project,
            vec![NewEdge {
                source: source.to_owned(),
                target: target.to_owned(),
                relation: relation.to_owned(),
                properties: json!({}),
            }],
        )
        .await?;
    let (edge, new) = stored
        .into_iter()
        .next()
        .ok_or_else(|| ToolError::new("the store did not return the stored relationship"))?;
    Ok(json!({
        "relationship_created": true,
        "new": new,
        "source_id": edge.source,
        "target_id": edge.target,
        "relationship_type": edge.relation,
        "edge_id": edge.id,
        "created_at": edge.created_at,
    }))
}

async fn relationships(tools: &Tools, node: &str, relation: Option<&str>) -> ToolResult {
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

pub(super) async fn query_graph(tools: &Tools, args: Value) -> ToolResult {
    let a: QueryGraphArgs = parse(args)?;
    let entity = non_empty(
        "entity",
        &a.entity,
        "give the node whose relationships to list",
    )?;
    let relation = a
        .relation_type
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let mut out = relationships(tools, entity, relation).await?;
    out["entity"] = json!(entity);
    Ok(out)
}

pub(super) async fn document_relationships(tools: &Tools, args: Value) -> ToolResult {
    let a: DocRelationshipsArgs = parse(args)?;
    let doc_id = non_empty("doc_id", &a.doc_id, "give the document id")?;
    let mut out = relationships(tools, doc_id, None).await?;
    out["doc_id"] = json!(doc_id);
    Ok(out)
}

pub(super) async fn auto_link_documents(tools: &Tools, args: Value) -> ToolResult {
    let a: AutoLinkArgs = parse(args)?;
    let mut documents = Vec::with_capacity(a.documents.len());
    for (i, doc) in a.documents.iter().enumerate() {
        let Some(id) = name_field(doc, "id") else {
            return Err(ToolError::new(format!(
                "documents[{i}] needs an \"id\" (the graph node to link), got {}",
                describe(&Value::Object(doc.clone()))
            )));
        };
        let given = ["content", "text"]
            .iter()
            .find_map(|k| doc.get(*k).and_then(Value::as_str))
            .filter(|c| !c.trim().is_empty());
        let content = match given {
            Some(c) => c.to_owned(),
            None => stored_content(tools, i, &id).await?,
        };
        documents.push(LinkDocument {
            id,
            title: name_field(doc, "title"),
            content,
        });
    }
    // The schema bounds it to [-1, 1], where f32 is precise enough.
    #[allow(clippy::cast_possible_truncation)]
    let threshold = a.threshold as f32;
    let report = auto_link(&tools.memory, &tools.project, &documents, threshold).await?;
    Ok(json!({
        "links_created": report.links_created,
        "links_updated": report.links_updated,
        "documents_processed": report.documents_processed,
        "relationship_type": AUTO_LINK_RELATION,
        "method": AUTO_LINK_METHOD,
        "threshold": a.threshold,
        "links": report.links,
    }))
}

/// The content of a document given only by the id of a stored resource.
async fn stored_content(tools: &Tools, i: usize, id: &str) -> Result<String, ToolError> {
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
