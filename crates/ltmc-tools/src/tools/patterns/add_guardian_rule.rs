//! The `add_guardian_rule` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::fix::err;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::fix::{GuardianRule, NewGuardianRule, RuleType, Severity};
use ltmc_core::{PatternId, RuleId};
use ltmc_service::fix::guardian::add_rule;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct AddGuardianRuleArgs {
    /// The layer (1-7) the rule guards.
    pub layer_number: i64,
    /// Unique within the layer.
    pub rule_name: String,
    /// prevention, detection or enforcement (enforcement hits fail `ltmc guard check`).
    pub rule_type: String,
    /// A regex (Rust regex syntax: no look-around or backreferences).
    pub rule_pattern: String,
    /// CRITICAL, HIGH, MEDIUM or LOW.
    pub severity: String,
    /// What to do when the rule fires.
    pub action_required: String,
    /// The pattern the rule comes from.
    pub source_pattern_id: Option<i64>,
    /// Whether the rule is checked (default true).
    #[serde(default = "crate::args::defaults::yes")]
    pub active: bool,
}

/// The rule as stored.
#[derive(Debug, Clone, Serialize)]
pub struct AddGuardianRuleOutput {
    pub rule_id: RuleId,
    pub rule: GuardianRule,
    pub message: String,
}

/// `add_guardian_rule`.
pub struct AddGuardianRule;

impl Tool for AddGuardianRule {
    const NAME: &'static str = "add_guardian_rule";
    const DESCRIPTION: &'static str = "Add a guardian rule: a regex (Rust syntax; an invalid one is refused with the parser's message) that flags code bringing a fixed debt back, for one layer, with its type (prevention, detection, enforcement), severity and required action. Returns rule_id, rule.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = AddGuardianRuleArgs;
    type Output = AddGuardianRuleOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<AddGuardianRuleOutput, ToolError> {
        let rule = add_rule(
            tools.memory.store().as_ref(),
            &tools.project,
            NewGuardianRule {
                layer_number: a.layer_number,
                rule_name: a.rule_name,
                rule_type: RuleType::parse("rule_type", &a.rule_type).map_err(err)?,
                rule_pattern: a.rule_pattern,
                severity: Severity::parse("severity", &a.severity).map_err(err)?,
                action_required: a.action_required,
                source_pattern_id: a.source_pattern_id.map(PatternId),
                active: a.active,
                inactive_reason: None,
            },
        )
        .await
        .map_err(|e| ToolError::not_found("source_pattern_id", "list_patterns shows the ids")(e))?;
        Ok(AddGuardianRuleOutput {
            rule_id: rule.id,
            message: format!(
                "guardian rule {} \"{}\" added to layer {}",
                rule.id, rule.rule_name, rule.layer_number
            ),
            rule,
        })
    }
}
