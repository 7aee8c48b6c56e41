//! The arguments of the fix-pattern tools (SPEC section 5), one struct per
//! tool, their schemas derived like the LTMC tools' (`args.rs`). Field names
//! follow the seed's columns (`layer_number`, `technical_debt`,
//! `source_file_audit_id`...). Not here: what the tools do.

use schemars::JsonSchema;
use serde::Deserialize;

mod defaults {
    pub fn yes() -> bool {
        true
    }
    pub fn one() -> f64 {
        1.0
    }
    pub fn hundred() -> usize {
        100
    }
    pub fn fifty() -> usize {
        50
    }
    pub fn ten() -> usize {
        10
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpsertFileAuditArgs {
    /// The file's path relative to the project root; an audit per path (an existing one is updated).
    pub file_path: String,
    /// Architecture layer 1-7 (1 Models & ENUMs, 2 Schemas, 3 Routers, 4 Services, 5 Configuration, 6 UI, 7 Testing).
    pub layer_number: i64,
    /// Workflows the file serves, e.g. `["WF1", "WF4"]` (an entry may also be `"WF1,WF4"`).
    pub workflows: Option<Vec<String>>,
    /// The technical debt found in the file; leave out for a clean file.
    pub technical_debt: Option<String>,
    /// Not Started, In Progress, Complete or Failed (default Not Started).
    pub status: Option<String>,
    /// Implementation notes.
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListFileAuditsArgs {
    /// Only audits of this layer (1-7).
    pub layer: Option<i64>,
    /// Only audits serving this workflow, e.g. "WF3".
    pub workflow: Option<String>,
    /// Only audits with this status.
    pub status: Option<String>,
    /// true: only audits with technical debt; false: only clean files.
    pub has_debt: Option<bool>,
    /// At most this many.
    #[serde(default = "defaults::hundred")]
    #[schemars(range(min = 1, max = 100_000))]
    pub limit: usize,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ImportFileAuditsArgs {
    /// The audits as CSV (a header row: file_path, layer_number, workflows, technical_debt, status, notes) or JSON (an array of objects with those fields).
    pub content: Option<String>,
    /// Or a CSV/JSON file to read, inside the project root.
    pub file_path: Option<String>,
    /// csv or json; guessed from the file name or the content when left out.
    pub format: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct PatternIdArgs {
    /// The fix pattern's id.
    pub pattern_id: i64,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReviewPatternArgs {
    /// The fix pattern's id.
    pub pattern_id: i64,
    /// true marks it reviewed (searchable by default), false sends it back to the review queue.
    #[serde(default = "defaults::yes")]
    pub reviewed: bool,
    /// The reviewer's notes.
    pub reviewer_notes: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListPatternsArgs {
    /// Only reviewed (true) or unreviewed (false, the review queue) patterns.
    pub reviewed: Option<bool>,
    /// Only this problem type: Security, Architecture, Standards, UI-UX.
    pub problem_type: Option<String>,
    /// Only patterns of this layer (1-7).
    pub layer: Option<i64>,
    /// Only patterns of this workflow.
    pub workflow: Option<String>,
    /// Only patterns with this tag.
    pub tag: Option<String>,
    /// At most this many, newest first.
    #[serde(default = "defaults::fifty")]
    #[schemars(range(min = 1, max = 100_000))]
    pub limit: usize,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct LinkPatternsArgs {
    /// The pattern the relationship starts at.
    pub source_pattern_id: i64,
    /// The related pattern ("target is a <type> of source").
    pub target_pattern_id: i64,
    /// prerequisite, follows, conflicts or enhances.
    pub relationship_type: String,
    /// How strong, 0 to 1.
    #[serde(default = "defaults::one")]
    pub strength: f64,
    /// Why they relate.
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RelatedPatternsArgs {
    /// The fix pattern's id.
    pub pattern_id: i64,
    /// Relationship types to follow (default prerequisite, follows, enhances).
    pub relationship_types: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct FindSimilarArgs {
    /// A file audit: its technical_debt, layer, workflows and file path are the query.
    pub file_audit_id: Option<i64>,
    /// Or (and) the debt to fix, in words.
    pub text: Option<String>,
    /// Only patterns of this layer (1-7); boosts the confidence of matches.
    pub layer: Option<i64>,
    /// Only patterns sharing a workflow; overlap boosts the confidence.
    pub workflows: Option<Vec<String>>,
    /// The file to fix: only patterns for its file type.
    pub file_path: Option<String>,
    /// Only patterns whose stored confidence_score is at least this.
    #[serde(default)]
    pub min_confidence: f64,
    /// Minimum cosine similarity of the content (default: 0.65, the seed's; 0.35 with all-MiniLM-L6-v2).
    pub similarity_threshold: Option<f64>,
    /// At most this many (default 10).
    #[serde(default = "defaults::ten")]
    #[schemars(range(min = 1, max = 100))]
    pub limit: usize,
    /// Also unreviewed patterns (default: reviewed only).
    #[serde(default)]
    pub include_unreviewed: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RecommendFixArgs {
    /// A file audit: its technical_debt, layer, workflows and file path are the query.
    pub file_audit_id: Option<i64>,
    /// Or (and) the debt to fix, in words.
    pub text: Option<String>,
    /// The layer (1-7), when no audit gives it.
    pub layer: Option<i64>,
    /// The workflows, when no audit gives them.
    pub workflows: Option<Vec<String>>,
    /// The file to fix, when no audit gives it; checked against the guardian rules when it exists under the project root.
    pub file_path: Option<String>,
    /// Minimum cosine similarity of the content (default: 0.65, the seed's; 0.35 with all-MiniLM-L6-v2).
    pub similarity_threshold: Option<f64>,
    /// At most this many candidates (default 10).
    #[serde(default = "defaults::ten")]
    #[schemars(range(min = 1, max = 100))]
    pub limit: usize,
    /// Also unreviewed patterns.
    #[serde(default)]
    pub include_unreviewed: bool,
    /// Skip the search and plan a new solution.
    #[serde(default)]
    pub force_new_solution: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RecordOutcomeArgs {
    /// The pattern that was applied.
    pub pattern_id: i64,
    /// Whether the fix worked.
    pub success: bool,
    /// The audited file it was applied to (its status and notes are updated).
    pub file_audit_id: Option<i64>,
    /// The file, when it has no audit.
    pub file_path: Option<String>,
    /// Minutes the fix took.
    pub time_taken: Option<i64>,
    /// Minutes the pattern saved.
    pub time_saved: Option<i64>,
    /// What happened.
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
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
    #[serde(default = "defaults::yes")]
    pub active: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListGuardianRulesArgs {
    /// Only rules of this layer.
    pub layer: Option<i64>,
    /// Only active (true) or inactive (false) rules.
    pub active: Option<bool>,
    /// Only prevention, detection or enforcement rules.
    pub rule_type: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SetRuleActiveArgs {
    /// The rule's id.
    pub rule_id: i64,
    /// true activates, false deactivates.
    pub active: bool,
    /// Why (kept with a deactivated rule).
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CheckGuardianArgs {
    /// A file or directory inside the project root.
    pub file_path: Option<String>,
    /// Or the code itself (file_path then only names it, for file-type scoping).
    pub content: Option<String>,
    /// Only the rules of this layer (default: every layer).
    pub layer: Option<i64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct InsightsArgs {
    /// How many of the most reused patterns to list.
    #[serde(default = "defaults::ten")]
    #[schemars(range(min = 1, max = 1000))]
    pub top: usize,
    /// Open audited debt whose best pattern's confidence is below this is a knowledge gap (default 0.8).
    pub gap_threshold: Option<f64>,
}
