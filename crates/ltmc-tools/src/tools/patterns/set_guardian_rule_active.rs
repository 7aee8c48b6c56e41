//! The `set_guardian_rule_active` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::RuleId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct SetRuleActiveArgs {
    /// The rule's id.
    pub rule_id: i64,
    /// true activates, false deactivates.
    pub active: bool,
    /// Why (kept with a deactivated rule).
    pub reason: Option<String>,
}

/// The rule's new state.
#[derive(Debug, Clone, Serialize)]
pub struct SetGuardianRuleActiveOutput {
    pub rule_id: RuleId,
    pub active: bool,
    pub inactive_reason: Option<String>,
    pub message: String,
}

/// `set_guardian_rule_active`.
pub struct SetGuardianRuleActive;

impl Tool for SetGuardianRuleActive {
    const NAME: &'static str = "set_guardian_rule_active";
    const DESCRIPTION: &'static str = "Activate or deactivate a guardian rule (with the reason).";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = SetRuleActiveArgs;
    type Output = SetGuardianRuleActiveOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<SetGuardianRuleActiveOutput, ToolError> {
        let rule = tools
            .memory
            .store()
            .set_rule_active(&tools.project, RuleId(a.rule_id), a.active, a.reason)
            .await
            .map_err(|e| {
                ToolError::not_found("rule_id", "list_guardian_rules shows the ids")(e.into())
            })?;
        Ok(SetGuardianRuleActiveOutput {
            rule_id: rule.id,
            active: rule.active,
            message: format!(
                "rule {} \"{}\" is {}",
                rule.id,
                rule.rule_name,
                if rule.active { "active" } else { "inactive" }
            ),
            inactive_reason: rule.inactive_reason,
        })
    }
}
