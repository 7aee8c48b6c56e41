//! The `recommend_fix` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use ltmc_service::fix::patterns::{
    SimilarRequest,
    recommend_fix,
};
use ltmc_core::AuditId;
use crate::shared::fix::{workflows, audit_not_found, scored_json, context_json};
use crate::error::ToolError;
use crate::{Tool, ToolGroup, Tools};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
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

/// `recommend_fix`.
pub struct RecommendFix;

impl Tool for RecommendFix {
    const NAME: &'static str = "recommend_fix";
    const DESCRIPTION: &'static str = "Decide how to fix a file's debt: guardian warnings for the file, the ranked patterns, and the decision apply (top confidence > 0.8), adapt (a weaker match: use it as a starting point and verify) or new (no match), with the steps to follow and the related patterns. Returns decision, pattern_id, confidence, steps, guardian_warnings, candidates.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = true;
    type Args = RecommendFixArgs;
    type Output = Value;

    async fn run(tools: &Tools, a: Self::Args) -> Result<Value, ToolError> {

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
    let warnings: Vec<Value> = r
        .guardian
        .as_ref()
        .map(|g| {
            g.report
                .violations
                .iter()
                .map(|v| serde_json::to_value(v).unwrap_or(Value::Null))
                .collect()
        })
        .unwrap_or_default();
    Ok(json!({
        "decision": r.decision,
        "query": context_json(&r.resolved),
        "pattern_id": top.map(|c| c.pattern.id),
        "confidence": top.map(|c| c.confidence.confidence),
        "recommended_pattern": top.map(scored_json),
        "steps": r.steps,
        "prevention_guidance": top.and_then(|c| c.pattern.prevention_guidance.clone()),
        "code_before": top.and_then(|c| c.pattern.code_before.clone()),
        "code_after": top.and_then(|c| c.pattern.code_after.clone()),
        "related_patterns": r.related,
        "guardian_checked": r.guardian.is_some(),
        "guardian_warnings": warnings,
        "candidates": r.candidates.iter().map(scored_json).collect::<Vec<_>>(),
        "message": match (r.decision, top) {
            (ltmc_core::fix::Decision::Apply, Some(c)) => format!(
                "apply pattern {} \"{}\" (confidence {:.2} > 0.8)", c.pattern.id, c.pattern.title, c.confidence.confidence
            ),
            (ltmc_core::fix::Decision::Adapt, Some(c)) => format!(
                "adapt pattern {} \"{}\" (confidence {:.2}, not above 0.8): verify it fits", c.pattern.id, c.pattern.title, c.confidence.confidence
            ),
            _ => "no pattern matches: solve it new and extract the fix as a pattern".to_owned(),
        },
    }))
    }
}
