//! The `link_resources` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::{ToolError, non_empty};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::{EdgeId, NewEdge};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// 16. `link_resources`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct LinkResourcesArgs {
    /// Node the relationship starts at (e.g. a resource id).
    #[schemars(extend("type" = ["string", "integer"]))]
    pub source_id: String,
    /// Node the relationship ends at.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub target_id: String,
    /// Kind of relationship, e.g. "references", "depends_on", "related_to".
    pub relation: String,
}

/// The relationship as stored.
#[derive(Debug, Clone, Serialize)]
pub struct LinkResourcesOutput {
    /// Always true: the relationship exists now.
    pub relationship_created: bool,
    /// False when it existed already.
    pub new: bool,
    pub source_id: String,
    pub target_id: String,
    pub relationship_type: String,
    pub edge_id: EdgeId,
    /// UTC, RFC 3339.
    pub created_at: String,
}

/// `link_resources`.
pub struct LinkResources;

impl Tool for LinkResources {
    const NAME: &'static str = "link_resources";
    const DESCRIPTION: &'static str = "Add a relationship to the graph (nodes are document ids or any names). Returns relationship_created, source_id, target_id, relationship_type.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = true;
    type Args = LinkResourcesArgs;
    type Output = LinkResourcesOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<LinkResourcesOutput, ToolError> {
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
        Ok(LinkResourcesOutput {
            relationship_created: true,
            new,
            source_id: edge.source,
            target_id: edge.target,
            relationship_type: edge.relation,
            edge_id: edge.id,
            created_at: edge.created_at,
        })
    }
}
