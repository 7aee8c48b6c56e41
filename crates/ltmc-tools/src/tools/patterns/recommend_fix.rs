//! The `recommend_fix` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shapes::TextList;
use crate::shared::fix::{Query, Scored};
use crate::shared::fix::{audit_not_found, workflows};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::AuditId;
use ltmc_core::PatternId;
use ltmc_core::fix::{Decision, RelatedPattern};
use ltmc_guard::Violation;
use ltmc_service::fix::patterns::{SimilarRequest, recommend_fix};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct RecommendFixArgs {
    /// A file audit: its technical_debt, layer, workflows and file path are the query.
    pub file_audit_id: Option<i64>,
    /// Or (and) the debt to fix, in words.
    pub text: Option<String>,
    /// The layer (1-7), when no audit gives it.
    pub layer: Option<i64>,
    /// The workflows (`"WF1,WF4"` or an array), when no audit gives them.
    pub workflows: Option<TextList>,
    /// The file to fix, when no audit gives it; checked against the guardian rules when it exists under the project root.
    pub file_path: Option<String>,
    /// Minimum raw cosine similarity of the content (default: the seed's 0.65; for all-MiniLM-L6-v2, whose cosines sit lower, 0.15, the floor of its calibration, which then offers only candidates more likely right than wrong).
    pub similarity_threshold: Option<f64>,
    /// At most this many candidates (default 10).
    #[serde(default = "crate::args::defaults::ten")]
    #[schemars(range(min = 1, max = 100))]
    pub limit: usize,
    /// Also unreviewed patterns.
    #[serde(default)]
    pub include_unreviewed: bool,
    /// Skip the search and plan a new solution.
    #[serde(default)]
    pub force_new_solution: bool,
}

/// The decision, the steps to follow and what led to them.
#[derive(Debug, Clone, Serialize)]
pub struct RecommendFixOutput {
    /// apply, adapt or new.
    pub decision: Decision,
    pub query: Query,
    /// The top candidate, if any.
    pub pattern_id: Option<PatternId>,
    pub confidence: Option<f64>,
    pub recommended_pattern: Option<Scored>,
    pub steps: Vec<String>,
    pub prevention_guidance: Option<String>,
    pub code_before: Option<String>,
    pub code_after: Option<String>,
    pub related_patterns: Vec<RelatedPattern>,
    /// Whether the file was checked against the guardian rules.
    pub guardian_checked: bool,
    pub guardian_warnings: Vec<Violation>,
    pub candidates: Vec<Scored>,
    pub message: String,
}

/// `recommend_fix`.
pub struct RecommendFix;

impl Tool for RecommendFix {
    const NAME: &'static str = "recommend_fix";
    const DESCRIPTION: &'static str = "Decide how to fix a file's debt: guardian warnings for the file, the ranked patterns, and the decision apply (top confidence > 0.8), adapt (a weaker match: use it as a starting point and verify) or new (no match), with the steps to follow and the related patterns. A pattern whose cited code (extract_pattern's citations) changed or is gone ranks after the others and is adapted, never applied, saying why (candidates[].ranked_down). Returns decision, pattern_id, confidence, steps, guardian_warnings, candidates.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = RecommendFixArgs;
    type Output = RecommendFixOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<RecommendFixOutput, ToolError> {
        let request = SimilarRequest {
            audit_id: a.file_audit_id.map(AuditId),
            text: a.text,
            layer: a.layer,
            workflows: workflows(a.workflows),
            file_path: a.file_path,
            min_confidence: 0.0,
            similarity_threshold: a.similarity_threshold,
            limit: Some(a.limit),
            include_unreviewed: a.include_unreviewed,
        };
        let r = recommend_fix(
            &tools.memory,
            &tools.project,
            tools.project_root.as_deref(),
            &request,
            a.force_new_solution,
        )
        .await
        .map_err(audit_not_found)?;
        let top = r.candidates.first();
        let message = match (r.decision, top) {
            (Decision::Apply, Some(c)) => format!(
                "apply pattern {} \"{}\" (confidence {:.2} > 0.8)",
                c.pattern.id, c.pattern.title, c.confidence.confidence
            ),
            (Decision::Adapt, Some(c)) => format!(
                "adapt pattern {} \"{}\" (confidence {:.2}, not above 0.8): verify it fits",
                c.pattern.id, c.pattern.title, c.confidence.confidence
            ),
            _ => "no pattern matches: solve it new and extract the fix as a pattern".to_owned(),
        };
        Ok(RecommendFixOutput {
            decision: r.decision,
            query: Query::from(&r.resolved),
            pattern_id: top.map(|c| c.pattern.id),
            confidence: top.map(|c| c.confidence.confidence),
            recommended_pattern: top.map(Scored::from),
            prevention_guidance: top.and_then(|c| c.pattern.prevention_guidance.clone()),
            code_before: top.and_then(|c| c.pattern.code_before.clone()),
            code_after: top.and_then(|c| c.pattern.code_after.clone()),
            guardian_checked: r.guardian.is_some(),
            guardian_warnings: r.guardian.map(|g| g.report.violations).unwrap_or_default(),
            candidates: r.candidates.iter().map(Scored::from).collect(),
            steps: r.steps,
            related_patterns: r.related,
            message,
        })
    }
}
