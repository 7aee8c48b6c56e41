//! The `set_guardian_rule_active` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::RuleId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct SetRuleActiveArgs {
    /// The rule's id.
    pub rule_id: i64,
    /// true activates, false deactivates.
    pub active: bool,
    /// Why (kept with a deactivated rule).
    pub reason: Option<String>,
}

/// `set_guardian_rule_active`.
pub struct SetGuardianRuleActive;

impl Tool for SetGuardianRuleActive {
    const NAME: &'static str = "set_guardian_rule_active";
    const DESCRIPTION: &'static str = "Activate or deactivate a guardian rule (with the reason).";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = SetRuleActiveArgs;
    type Output = Value;

    async fn run(tools: &Tools, a: Self::Args) -> Result<Value, ToolError> {
        let rule = tools
            .memory
            .store()
            .set_rule_active(&tools.project, RuleId(a.rule_id), a.active, a.reason)
            .await
            .map_err(|e| {
                ToolError::not_found("rule_id", "list_guardian_rules shows the ids")(e.into())
            })?;
        Ok(json!({
            "rule_id": rule.id,
            "active": rule.active,
            "inactive_reason": rule.inactive_reason,
            "message": format!("rule {} \"{}\" is {}", rule.id, rule.rule_name, if rule.active { "active" } else { "inactive" }),
        }))
    }
}
