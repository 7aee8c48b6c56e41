//! The `list_guardian_rules` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::fix::err;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::fix::{GuardianRule, RuleFilter, RuleType};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ListGuardianRulesArgs {
    /// Only rules of this layer.
    pub layer: Option<i64>,
    /// Only active (true) or inactive (false) rules.
    pub active: Option<bool>,
    /// Only prevention, detection or enforcement rules.
    pub rule_type: Option<String>,
}

/// The rules with their hit statistics, by layer and name.
#[derive(Debug, Clone, Serialize)]
pub struct ListGuardianRulesOutput {
    pub rules: Vec<GuardianRule>,
    /// How many.
    pub count: usize,
}

/// `list_guardian_rules`.
pub struct ListGuardianRules;

impl Tool for ListGuardianRules {
    const NAME: &'static str = "list_guardian_rules";
    const DESCRIPTION: &'static str = "List guardian rules by layer and name with their hit statistics; filter by layer, active, rule_type. Returns rules, count.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = false;
    type Args = ListGuardianRulesArgs;
    type Output = ListGuardianRulesOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<ListGuardianRulesOutput, ToolError> {
        let rule_type = a
            .rule_type
            .as_deref()
            .map(|t| RuleType::parse("rule_type", t))
            .transpose()
            .map_err(err)?;
        let rules = tools
            .memory
            .store()
            .list_rules(
                &tools.project,
                &RuleFilter {
                    layer: a.layer,
                    active: a.active,
                    rule_type,
                    source_pattern_id: None,
                },
            )
            .await?;
        Ok(ListGuardianRulesOutput {
            count: rules.len(),
            rules,
        })
    }
}
