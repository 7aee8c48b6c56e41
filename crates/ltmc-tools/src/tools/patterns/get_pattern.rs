//! The `get_pattern` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::fix::pattern_not_found;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::PatternId;
use ltmc_core::fix::{
    FixPattern, GuardianRule, PatternApplication, RelatedPattern, RelationshipType, RuleFilter,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct PatternIdArgs {
    /// The fix pattern's id.
    pub pattern_id: i64,
}

/// A pattern with everything attached to it.
#[derive(Debug, Clone, Serialize)]
pub struct GetPatternOutput {
    /// Every field of the pattern.
    pub pattern: FixPattern,
    /// Its relationships of every type, strongest first.
    pub related_patterns: Vec<RelatedPattern>,
    /// The rules made from it.
    pub guardian_rules: Vec<GuardianRule>,
    /// Its recorded applications.
    pub applications: Vec<PatternApplication>,
}

/// `get_pattern`.
pub struct GetPattern;

impl Tool for GetPattern {
    const NAME: &'static str = "get_pattern";
    const DESCRIPTION: &'static str = "A fix pattern with every field, its related patterns, its guardian rules and its recorded applications.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = false;
    type Args = PatternIdArgs;
    type Output = GetPatternOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<GetPatternOutput, ToolError> {
        let store = tools.memory.store();
        let id = PatternId(a.pattern_id);
        let p = store
            .get_pattern(&tools.project, id)
            .await
            .map_err(|e| pattern_not_found(e.into()))?;
        let related = store
            .related_patterns(&tools.project, id, &RelationshipType::ALL)
            .await?;
        let rules = store
            .list_rules(
                &tools.project,
                &RuleFilter {
                    source_pattern_id: Some(id),
                    ..RuleFilter::default()
                },
            )
            .await?;
        let applications = store.list_applications(&tools.project, Some(id)).await?;
        Ok(GetPatternOutput {
            pattern: p,
            related_patterns: related,
            guardian_rules: rules,
            applications,
        })
    }
}
