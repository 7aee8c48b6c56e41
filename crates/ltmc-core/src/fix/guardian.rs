//! Guardian rules (seed 000's `guardian_rules`): a regex per architecture
//! layer that flags code bringing a fixed kind of debt back, with what to do
//! about it. Rules are made by hand or from a pattern's anti-patterns.
//!
//! Values and validation only. Compiling and running the regexes is
//! `ltmc-guard`'s job (this crate has no regex engine); storing them and their
//! hit statistics the backends'.

use super::audit::check_layer;
use super::pattern::Severity;
use crate::{CoreError, PatternId, RuleId, present};
use serde::{Deserialize, Serialize};

/// What kind of rule it is. Any active rule that matches is reported;
/// `enforcement` hits make `ltmc guard check` fail (exit code 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleType {
    Prevention,
    Detection,
    Enforcement,
}

impl RuleType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prevention => "prevention",
            Self::Detection => "detection",
            Self::Enforcement => "enforcement",
        }
    }

    pub fn parse(field: &'static str, value: &str) -> Result<Self, CoreError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "prevention" => Ok(Self::Prevention),
            "detection" => Ok(Self::Detection),
            "enforcement" => Ok(Self::Enforcement),
            other => Err(CoreError::invalid(
                field,
                format!("{other:?} is not a rule type; use prevention, detection or enforcement"),
            )),
        }
    }
}

/// A rule to add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewGuardianRule {
    /// 1 to 7.
    pub layer_number: i64,
    /// Unique per layer.
    pub rule_name: String,
    pub rule_type: RuleType,
    /// A Rust `regex` (linear time; no look-around or backreferences).
    pub rule_pattern: String,
    pub severity: Severity,
    pub action_required: String,
    pub source_pattern_id: Option<PatternId>,
    pub active: bool,
    /// Why the rule is inactive (e.g. it failed its test on the pattern's code).
    pub inactive_reason: Option<String>,
}

impl NewGuardianRule {
    /// Checks the fields other than the regex (which `ltmc-guard` compiles).
    pub fn validated(mut self) -> Result<Self, CoreError> {
        check_layer("layer_number", self.layer_number)?;
        self.rule_name = self.rule_name.trim().to_owned();
        if self.rule_name.is_empty() {
            return Err(CoreError::invalid(
                "rule_name",
                "is empty; name the rule (unique within its layer)",
            ));
        }
        if self.rule_pattern.trim().is_empty() {
            return Err(CoreError::invalid(
                "rule_pattern",
                "is empty; give the regex the rule looks for",
            ));
        }
        self.action_required = self.action_required.trim().to_owned();
        if self.action_required.is_empty() {
            return Err(CoreError::invalid(
                "action_required",
                "is empty; say what to do when the rule fires",
            ));
        }
        self.inactive_reason = present(self.inactive_reason);
        Ok(self)
    }
}

/// A stored rule with its hit statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardianRule {
    pub id: RuleId,
    pub layer_number: i64,
    pub rule_name: String,
    pub rule_type: RuleType,
    pub rule_pattern: String,
    pub severity: Severity,
    pub action_required: String,
    pub source_pattern_id: Option<PatternId>,
    pub active: bool,
    pub inactive_reason: Option<String>,
    /// Matches recorded by checks run through ltmc.
    pub hit_count: i64,
    /// Distinct files those matches were in.
    pub files_hit: i64,
    pub last_hit_at: Option<String>,
    pub created_at: String,
}

/// Which rules a listing returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleFilter {
    pub layer: Option<i64>,
    pub active: Option<bool>,
    pub rule_type: Option<RuleType>,
    pub source_pattern_id: Option<PatternId>,
}

/// Matches of one rule in one file, to add to its statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleHit {
    pub rule_id: RuleId,
    pub file_path: String,
    pub count: u64,
}
