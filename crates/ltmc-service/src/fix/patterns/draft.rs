//! A fix as a caller describes it before it is a pattern: [`PatternDraft`]
//! and its named rules ([`RuleSpecArg`]), what inference filled in
//! ([`InferredField`]), and the title made from the problem. Not the
//! extraction itself (`extract`) nor the core's validation of the finished
//! pattern (`ltmc_core::fix::NewFixPattern::validated`).

use ltmc_core::citation::Citation;
use ltmc_core::fix::RuleSpec;
use serde::{Deserialize, Serialize};

/// A fix to turn into a pattern. Everything but the solution may be left
/// out when `source_file_audit_id` names an audit (layers, workflows, file
/// types and problem come from it); problem type, code type, severity, tags
/// and the title are inferred when not given.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PatternDraft {
    /// A short name of the fix; made from the problem when left out.
    pub title: Option<String>,
    /// What was wrong, in general terms; the source audit's technical_debt when left out.
    pub problem_description: Option<String>,
    /// The steps of the fix, in order.
    #[serde(default)]
    pub solution_steps: Vec<String>,
    /// The code before the fix.
    pub code_before: Option<String>,
    /// The code after the fix.
    pub code_after: Option<String>,
    /// How the fix was verified.
    pub verification_steps: Option<String>,
    /// What was learned.
    pub learnings: Option<String>,
    /// How to keep the problem out of new code.
    pub prevention_guidance: Option<String>,
    /// Regexes (Rust regex syntax) of the code the fix removed; they become guardian rules for Security and Architecture patterns.
    #[serde(default)]
    pub anti_patterns: Vec<String>,
    /// Named guardian rules made from the anti-patterns.
    #[serde(default)]
    pub guardian_rules: Vec<RuleSpecArg>,
    /// Architecture layers 1-7 (1 Models & ENUMs, 2 Schemas, 3 Routers, 4 Services, 5 Configuration, 6 UI, 7 Testing).
    pub layers: Option<Vec<i64>>,
    /// Workflows, e.g. `["WF1", "WF4"]`.
    pub workflows: Option<Vec<String>>,
    /// File types with the dot, e.g. `[".py"]`.
    pub file_types: Option<Vec<String>>,
    /// Free tags; inferred when left out.
    pub tags: Option<Vec<String>>,
    /// Security, Architecture, Standards or UI-UX; inferred when left out.
    pub problem_type: Option<String>,
    /// e.g. hardcoded_secret, auth_missing; inferred when left out.
    pub code_type: Option<String>,
    /// CRITICAL, HIGH, MEDIUM or LOW; inferred when left out.
    pub severity: Option<String>,
    /// The file audit the fix was made for.
    pub source_file_audit_id: Option<i64>,
    /// Task ids of the fix (DART or any tracker).
    #[serde(default)]
    pub dart_task_ids: Vec<String>,
    /// Files the fix touched.
    #[serde(default)]
    pub related_files: Vec<String>,
    /// Who extracted it.
    pub created_by: Option<String>,
    /// When importing a pattern with a history from elsewhere: times applied (default 0).
    pub applied_count: Option<i64>,
    /// ... its success rate 0-1 (default 1.0).
    pub success_rate: Option<f64>,
    /// ... the minutes it saved on average (default 0).
    pub avg_time_saved: Option<i64>,
    /// ... how confident you are in it, 0-1 (default 1.0).
    pub confidence_score: Option<f64>,
    /// ... when it was last applied (RFC 3339).
    pub last_applied: Option<String>,
    /// Spans of code the fix is about, already read and hashed
    /// (`crate::citations::make`).
    #[serde(default)]
    pub citations: Vec<Citation>,
}

/// A named guardian rule of a draft (the seed's `guardian_rules` columns, the layer being the pattern's first).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct RuleSpecArg {
    /// Unique within the layer.
    pub rule_name: String,
    /// prevention, detection or enforcement.
    pub rule_type: String,
    /// The regex (Rust regex syntax).
    pub rule_pattern: String,
    /// CRITICAL, HIGH, MEDIUM or LOW (default: the pattern's).
    pub severity: Option<String>,
    /// What to do when it fires (default: apply this pattern).
    pub action_required: Option<String>,
}

impl From<RuleSpecArg> for RuleSpec {
    fn from(a: RuleSpecArg) -> Self {
        Self {
            rule_name: a.rule_name,
            rule_type: a.rule_type,
            rule_pattern: a.rule_pattern,
            severity: a.severity,
            action_required: a.action_required,
        }
    }
}

/// A field filled in by inference, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InferredField {
    pub field: &'static str,
    pub value: serde_json::Value,
    pub reason: String,
}

/// A title from the problem's first sentence, at most 80 characters.
pub(super) fn title_from(problem: &str) -> String {
    let first = problem
        .split(['.', '\n'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or(problem)
        .trim();
    let mut title: String = first.chars().take(77).collect();
    if first.chars().count() > 77 {
        title.push_str("...");
    }
    format!("Fix: {title}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_first_sentence() {
        assert_eq!(
            title_from("Keys are committed. More."),
            "Fix: Keys are committed"
        );
    }
}
