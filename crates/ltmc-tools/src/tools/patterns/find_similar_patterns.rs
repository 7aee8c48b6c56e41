//! The `find_similar_patterns` tool (patterns group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shapes::TextList;
use crate::shared::fix::{Query, Scored};
use crate::shared::fix::{audit_not_found, workflows};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::AuditId;
use ltmc_service::fix::patterns::{SimilarRequest, find_similar_patterns};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct FindSimilarArgs {
    /// A file audit: its technical_debt, layer, workflows and file path are the query.
    pub file_audit_id: Option<i64>,
    /// Or (and) the debt to fix, in words.
    pub text: Option<String>,
    /// Only patterns of this layer (1-7); boosts the confidence of matches.
    pub layer: Option<i64>,
    /// Only patterns sharing a workflow (`"WF1,WF4"` or an array); overlap boosts the confidence.
    pub workflows: Option<TextList>,
    /// The file to fix: only patterns for its file type.
    pub file_path: Option<String>,
    /// Only patterns whose stored confidence_score is at least this.
    #[serde(default)]
    pub min_confidence: f64,
    /// Minimum raw cosine similarity of the content (default: the seed's 0.65; for all-MiniLM-L6-v2, whose cosines sit lower, 0.15, the floor of its calibration, which then offers only candidates more likely right than wrong).
    pub similarity_threshold: Option<f64>,
    /// At most this many (default 10).
    #[serde(default = "crate::args::defaults::ten")]
    #[schemars(range(min = 1, max = 100))]
    pub limit: usize,
    /// Also unreviewed patterns (default: reviewed only).
    #[serde(default)]
    pub include_unreviewed: bool,
}

/// The ranked patterns and what the query was resolved to.
#[derive(Debug, Clone, Serialize)]
pub struct FindSimilarOutput {
    pub query: Query,
    pub patterns: Vec<Scored>,
    pub count: usize,
}

/// `find_similar_patterns`.
pub struct FindSimilarPatterns;

impl Tool for FindSimilarPatterns {
    const NAME: &'static str = "find_similar_patterns";
    const DESCRIPTION: &'static str = "Find proven fix patterns for a file audit's debt or a described problem: cosine similarity of content and problem embeddings, filtered by layer, workflows and file type (reviewed patterns only unless include_unreviewed), ranked by confidence = similarity (calibrated: the probability the pattern is the right fix over the full-context boost, when the model has a calibration) x1.2 on a layer match x(1 + 0.3 workflow overlap) x(1 + (success_rate - 0.5) 0.2) when applied before x1.1 on a file-type match, capped at 1. Each result shows similarity, problem_similarity, computed_confidence and its factors, and raw_similarity, calibrated_similarity, fix_probability and the calibration used.";
    const GROUP: ToolGroup = ToolGroup::Patterns;
    const WRITES: bool = false;
    type Args = FindSimilarArgs;
    type Output = FindSimilarOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<FindSimilarOutput, ToolError> {
        let request = SimilarRequest {
            audit_id: a.file_audit_id.map(AuditId),
            text: a.text,
            layer: a.layer,
            workflows: workflows(a.workflows),
            file_path: a.file_path,
            min_confidence: a.min_confidence,
            similarity_threshold: a.similarity_threshold,
            limit: Some(a.limit),
            include_unreviewed: a.include_unreviewed,
        };
        let (resolved, scored) = find_similar_patterns(&tools.memory, &tools.project, &request)
            .await
            .map_err(audit_not_found)?;
        Ok(FindSimilarOutput {
            query: Query::from(&resolved),
            count: scored.len(),
            patterns: scored.iter().map(Scored::from).collect(),
        })
    }
}
