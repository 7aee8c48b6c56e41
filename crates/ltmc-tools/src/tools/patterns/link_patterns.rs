//! The `link_patterns` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::fix::{err, pattern_not_found};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::fix::{NewRelationship, PatternRelationship, RelationshipType};
use ltmc_core::{PatternId, RelationshipId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct LinkPatternsArgs {
    /// The pattern the relationship starts at.
    pub source_pattern_id: i64,
    /// The related pattern ("target is a <type> of source").
    pub target_pattern_id: i64,
    /// prerequisite, follows, conflicts or enhances.
    pub relationship_type: String,
    /// How strong, 0 to 1.
    #[serde(default = "crate::args::defaults::one")]
    pub strength: f64,
    /// Why they relate.
    pub description: Option<String>,
}

/// The relationship as stored.
#[derive(Debug, Clone, Serialize)]
pub struct LinkPatternsOutput {
    pub relationship_id: RelationshipId,
    pub relationship: PatternRelationship,
    pub message: String,
}

/// `link_patterns`.
pub struct LinkPatterns;

impl Tool for LinkPatterns {
    const NAME: &'static str = "link_patterns";
    const DESCRIPTION: &'static str = "Relate two fix patterns: \"target is a <prerequisite|follows|conflicts|enhances> of source\", with a strength 0-1 (an existing link of that type is updated). Returns relationship_id, relationship.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = LinkPatternsArgs;
    type Output = LinkPatternsOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<LinkPatternsOutput, ToolError> {
        let relationship_type =
            RelationshipType::parse("relationship_type", &a.relationship_type).map_err(err)?;
        let rel = NewRelationship {
            source: PatternId(a.source_pattern_id),
            target: PatternId(a.target_pattern_id),
            relationship_type,
            strength: a.strength,
            description: a.description,
        }
        .validated()
        .map_err(err)?;
        let stored = tools
            .memory
            .store()
            .link_patterns(&tools.project, rel)
            .await
            .map_err(|e| pattern_not_found(e.into()))?;
        Ok(LinkPatternsOutput {
            relationship_id: stored.id,
            message: format!(
                "pattern {} is a {} of pattern {} (strength {})",
                stored.target,
                stored.relationship_type.as_str(),
                stored.source,
                stored.strength
            ),
            relationship: stored,
        })
    }
}
