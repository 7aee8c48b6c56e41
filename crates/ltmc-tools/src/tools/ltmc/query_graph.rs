//! The `query_graph` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::{ToolError, non_empty};
use crate::shared::graph::{EdgeView, relationships};
use crate::{Tool, ToolGroup, Tools};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 17. `query_graph`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct QueryGraphArgs {
    /// Node whose relationships to list.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub entity: String,
    /// Only relationships of this kind.
    pub relation_type: Option<String>,
}

/// The relationships of a node.
#[derive(Debug, Clone, Serialize)]
pub struct QueryGraphOutput {
    /// The node, trimmed.
    pub entity: String,
    /// How many.
    pub count: usize,
    pub relationships: Vec<EdgeView>,
}

/// `query_graph`.
pub struct QueryGraph;

impl Tool for QueryGraph {
    const NAME: &'static str = "query_graph";
    const DESCRIPTION: &'static str = "The relationships that start or end at a node, optionally of one kind. Returns relationships [{source_id, target_id, relationship_type, properties}], count.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = QueryGraphArgs;
    type Output = QueryGraphOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<QueryGraphOutput, ToolError> {
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
        let relationships = relationships(tools, entity, relation).await?;
        Ok(QueryGraphOutput {
            entity: entity.to_owned(),
            count: relationships.len(),
            relationships,
        })
    }
}
