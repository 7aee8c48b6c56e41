//! The `check_guardian_rules` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::{Tool, ToolGroup, Tools};
use ltmc_guard::Violation;
use ltmc_service::fix::guardian::{CheckTarget, check_rules};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct CheckGuardianArgs {
    /// A file or directory inside the project root.
    pub file_path: Option<String>,
    /// Or the code itself (file_path then only names it, for file-type scoping).
    pub content: Option<String>,
    /// Only the rules of this layer (default: every layer).
    pub layer: Option<i64>,
}

/// The violations found and what was checked.
#[derive(Debug, Clone, Serialize)]
pub struct CheckGuardianRulesOutput {
    pub violations: Vec<Violation>,
    /// How many violations.
    pub count: usize,
    /// How many of them are of enforcement rules.
    pub enforcement_violations: usize,
    pub files_scanned: u64,
    pub files_skipped: u64,
    pub rules_checked: usize,
    /// No violation.
    pub passed: bool,
    pub message: String,
}

/// `check_guardian_rules`.
pub struct CheckGuardianRules;

impl Tool for CheckGuardianRules {
    const NAME: &'static str = "check_guardian_rules";
    const DESCRIPTION: &'static str = "Check a file or directory (inside the project root, never outside it) or given content against the active guardian rules of a layer or of all layers. Returns violations [{rule_name, rule_type, severity, action_required, file_path, line, column, snippet}], count, enforcement_violations, files_scanned.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = CheckGuardianArgs;
    type Output = CheckGuardianRulesOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<CheckGuardianRulesOutput, ToolError> {
        let target = match (a.content, a.file_path) {
            (Some(content), file_path) => CheckTarget::Content { content, file_path },
            (None, Some(path)) => CheckTarget::Path(path),
            (None, None) => {
                return Err(ToolError::new(
                    "give file_path (a file or directory inside the project root) or content (the code to check)",
                ));
            }
        };
        let check = check_rules(
            tools.memory.store().as_ref(),
            &tools.project,
            tools.project_root.as_deref(),
            target,
            a.layer,
            true,
        )
        .await?;
        let report = &check.report;
        Ok(CheckGuardianRulesOutput {
            violations: report.violations.clone(),
            count: report.violations.len(),
            enforcement_violations: report.enforcement_violations(),
            files_scanned: report.files_scanned,
            files_skipped: report.files_skipped,
            rules_checked: check.rules.len(),
            passed: report.violations.is_empty(),
            message: format!(
                "{} violation(s), {} of them enforcement, in {} file(s) checked against {} rule(s)",
                report.violations.len(),
                report.enforcement_violations(),
                report.files_scanned,
                check.rules.len()
            ),
        })
    }
}
