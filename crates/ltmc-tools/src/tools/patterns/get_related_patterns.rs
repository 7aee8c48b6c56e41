//! The `get_related_patterns` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::fix::{err, pattern_not_found};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::PatternId;
use ltmc_core::fix::{RelatedPattern, RelationshipType};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct RelatedPatternsArgs {
    /// The fix pattern's id.
    pub pattern_id: i64,
    /// Relationship types to follow (default prerequisite, follows, enhances).
    pub relationship_types: Option<Vec<String>>,
}

/// The related patterns, strongest first.
#[derive(Debug, Clone, Serialize)]
pub struct GetRelatedPatternsOutput {
    pub related_patterns: Vec<RelatedPattern>,
    /// How many.
    pub count: usize,
}

/// `get_related_patterns`.
pub struct GetRelatedPatterns;

impl Tool for GetRelatedPatterns {
    const NAME: &'static str = "get_related_patterns";
    const DESCRIPTION: &'static str = "The patterns a fix pattern relates to, of the given relationship types (default prerequisite, follows, enhances), strongest first. Returns related_patterns [{id, title, relationship_type, strength, description}], count.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = false;
    type Args = RelatedPatternsArgs;
    type Output = GetRelatedPatternsOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<GetRelatedPatternsOutput, ToolError> {
        let types = match a.relationship_types {
            Some(list) if !list.is_empty() => list
                .iter()
                .map(|t| RelationshipType::parse("relationship_types", t))
                .collect::<Result<Vec<_>, _>>()
                .map_err(err)?,
            _ => RelationshipType::DEFAULT_RELATED.to_vec(),
        };
        let related = tools
            .memory
            .store()
            .related_patterns(&tools.project, PatternId(a.pattern_id), &types)
            .await
            .map_err(|e| pattern_not_found(e.into()))?;
        Ok(GetRelatedPatternsOutput {
            count: related.len(),
            related_patterns: related,
        })
    }
}
