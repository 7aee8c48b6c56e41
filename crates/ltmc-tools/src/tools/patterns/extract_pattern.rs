//! The `extract_pattern` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shapes::{IntList, TextList};
use crate::shared::citations::{self, CitationArg};
use crate::shared::fix::audit_not_found;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::PatternId;
use ltmc_core::fix::{FixPattern, GuardianRule, PatternRelationship};
use ltmc_service::fix::patterns::InferredField;
use ltmc_service::fix::patterns::RuleSpecArg;
use ltmc_service::fix::patterns::{PatternDraft, extract_pattern};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A fix to turn into a pattern. Everything but the solution may be left
/// out when `source_file_audit_id` names an audit (layers, workflows, file
/// types and problem come from it); problem type, code type, severity, tags
/// and the title are inferred when not given.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
pub struct ExtractPatternArgs {
    /// A short name of the fix; made from the problem when left out.
    pub title: Option<String>,
    /// What was wrong, in general terms; the source audit's technical_debt when left out.
    pub problem_description: Option<String>,
    /// The steps of the fix, in order: an array, or one text (the seed's `solution_steps TEXT`) split into steps on its lines and numbering ("1. ... 2. ...").
    #[serde(default)]
    pub solution_steps: TextList,
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
    /// Regexes (Rust regex syntax) of the code the fix removed; they become guardian rules for Security and Architecture patterns. An array, or one text with one regex per line.
    #[serde(default)]
    pub anti_patterns: TextList,
    /// Named guardian rules made from the anti-patterns.
    #[serde(default)]
    pub guardian_rules: Vec<GuardianRuleArg>,
    /// Architecture layers 1-7 (1 Models & ENUMs, 2 Schemas, 3 Routers, 4 Services, 5 Configuration, 6 UI, 7 Testing): one or an array.
    pub layers: Option<IntList>,
    /// Workflows, e.g. `["WF1", "WF4"]` or `"WF1,WF4"`.
    pub workflows: Option<TextList>,
    /// File types with the dot, e.g. `[".py"]` or `".py,.js"`.
    pub file_types: Option<TextList>,
    /// Free tags (an array or comma-separated text); inferred when left out.
    pub tags: Option<TextList>,
    /// Security, Architecture, Standards or UI-UX; inferred when left out.
    pub problem_type: Option<String>,
    /// e.g. hardcoded_secret, auth_missing; inferred when left out.
    pub code_type: Option<String>,
    /// CRITICAL, HIGH, MEDIUM or LOW; inferred when left out.
    pub severity: Option<String>,
    /// The file audit the fix was made for.
    pub source_file_audit_id: Option<i64>,
    /// Task ids of the fix (DART or any tracker): an array or comma-separated text.
    #[serde(default)]
    pub dart_task_ids: TextList,
    /// Files the fix touched (an array or comma-separated text).
    #[serde(default)]
    pub related_files: TextList,
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
    /// Spans of files under the project root the fix is about (e.g. the
    /// fixed code); stored with a hash of the cited lines and checked when
    /// the pattern is recommended.
    #[serde(default)]
    pub citations: Vec<CitationArg>,
}

/// A named guardian rule of a draft (the seed's `guardian_rules` columns, the layer being the pattern's first).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
pub struct GuardianRuleArg {
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

impl From<ExtractPatternArgs> for PatternDraft {
    fn from(a: ExtractPatternArgs) -> Self {
        Self {
            title: a.title,
            problem_description: a.problem_description,
            solution_steps: a.solution_steps.into_steps(),
            code_before: a.code_before,
            code_after: a.code_after,
            verification_steps: a.verification_steps,
            learnings: a.learnings,
            prevention_guidance: a.prevention_guidance,
            anti_patterns: a.anti_patterns.into_lines(),
            guardian_rules: a
                .guardian_rules
                .into_iter()
                .map(RuleSpecArg::from)
                .collect(),
            layers: a.layers.map(IntList::into_list),
            workflows: a.workflows.map(TextList::into_list),
            file_types: a.file_types.map(TextList::into_list),
            tags: a.tags.map(TextList::into_list),
            problem_type: a.problem_type,
            code_type: a.code_type,
            severity: a.severity,
            source_file_audit_id: a.source_file_audit_id,
            dart_task_ids: a.dart_task_ids.into_list(),
            related_files: a.related_files.into_list(),
            created_by: a.created_by,
            applied_count: a.applied_count,
            success_rate: a.success_rate,
            avg_time_saved: a.avg_time_saved,
            confidence_score: a.confidence_score,
            last_applied: a.last_applied,
            citations: Vec::new(),
        }
    }
}

impl From<GuardianRuleArg> for RuleSpecArg {
    fn from(a: GuardianRuleArg) -> Self {
        Self {
            rule_name: a.rule_name,
            rule_type: a.rule_type,
            rule_pattern: a.rule_pattern,
            severity: a.severity,
            action_required: a.action_required,
        }
    }
}

/// The stored pattern, what was inferred, linked and made from it.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractPatternOutput {
    pub pattern_id: PatternId,
    /// Every field of the new (unreviewed) pattern.
    pub pattern: FixPattern,
    /// The fields filled in by inference, and why.
    pub inferred: Vec<InferredField>,
    /// The links to similar patterns made on the way.
    pub relationships: Vec<PatternRelationship>,
    /// The rules made from the pattern (Security and Architecture patterns).
    pub guardian_rules: Vec<GuardianRule>,
    pub message: String,
}

/// `extract_pattern`.
pub struct ExtractPattern;

impl Tool for ExtractPattern {
    const NAME: &'static str = "extract_pattern";
    const DESCRIPTION: &'static str = "Turn a fix into a reusable fix pattern: problem, solution steps, code before/after, verification, learnings, prevention, anti-patterns (regexes), layers, workflows, file types. Missing problem_type / code_type / severity / tags / title are inferred (the answer says which and why); the content, code and problem embeddings are made; similar patterns are linked; Security and Architecture patterns get guardian rules, each tested on the pattern's own code. Optional citations name the code it is about (spans of files under the project root); recommend_fix checks them. The pattern starts unreviewed. Returns pattern_id, pattern, inferred, relationships, guardian_rules.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = ExtractPatternArgs;
    type Output = ExtractPatternOutput;

    async fn run(tools: &Tools, draft: Self::Args) -> Result<ExtractPatternOutput, ToolError> {
        let cited = citations::make(tools, &draft.citations)?;
        let draft = PatternDraft {
            citations: cited,
            ..PatternDraft::from(draft)
        };
        let extracted = extract_pattern(&tools.memory, &tools.project, draft)
            .await
            .map_err(audit_not_found)?;
        let ltmc_service::fix::patterns::Extracted { stored, inferred } = extracted;
        let active = stored.rules.iter().filter(|r| r.active).count();
        let message = format!(
            "pattern {} \"{}\" stored unreviewed ({} field(s) inferred), linked to {} similar pattern(s), {} guardian rule(s) made ({} active)",
            stored.pattern.id,
            stored.pattern.title,
            inferred.len(),
            stored.relationships.len(),
            stored.rules.len(),
            active
        );
        Ok(ExtractPatternOutput {
            pattern_id: stored.pattern.id,
            pattern: stored.pattern,
            inferred,
            relationships: stored.relationships,
            guardian_rules: stored.rules,
            message,
        })
    }
}
