//! The `get_code_patterns` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::citations::check_resource;
use crate::shared::code::{AttemptView, result_of};
use crate::shared::memory::{Relevant, keep_relevant};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::citation::{CheckedCitation, CitationStatus};
use ltmc_core::{AttemptFilter, present};
use ltmc_service::MAX_TOP_K;
use ltmc_service::attempts::find_attempts;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 21. `get_code_patterns`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct GetCodePatternsArgs {
    /// What you are about to write; attempts are ranked by meaning.
    pub query: String,
    /// Only attempts with this result: "pass", "fail" or "partial".
    #[schemars(extend("enum" = ["pass", "fail", "partial"]))]
    pub result_filter: Option<String>,
    /// Only attempts for this function.
    pub function_name: Option<String>,
    /// Only attempts in this file.
    pub file_name: Option<String>,
    /// Only attempts in this module.
    pub module_name: Option<String>,
    /// How many attempts to return.
    #[serde(default = "crate::args::defaults::five")]
    #[schemars(range(min = 1, max = MAX_TOP_K))]
    pub top_k: usize,
    /// Keep only attempts at least this relevant (0–1, calibrated from their
    /// similarity); leave out to get top_k attempts whatever their relevance.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub min_relevance: Option<f32>,
}

/// A code attempt found for the query.
#[derive(Debug, Clone, Serialize)]
pub struct FoundAttempt {
    #[serde(flatten)]
    pub attempt: AttemptView,
    /// Cosine similarity to the query.
    pub similarity: f32,
    /// How likely the attempt is what the query looks for (0–1, the model's
    /// vector calibration of the similarity); null without a calibration.
    pub relevance: Option<f32>,
    /// The attempt's citations to code, checked against the files now.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<CheckedCitation>,
    /// The worst of them: verified, moved, changed or missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation_status: Option<CitationStatus>,
    /// Why it was ranked below the attempts whose code still holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranked_down: Option<String>,
}

impl Relevant for FoundAttempt {
    fn relevance(&self) -> Option<f32> {
        self.relevance
    }
}

/// The attempts most similar to the query.
#[derive(Debug, Clone, Serialize)]
pub struct GetCodePatternsOutput {
    pub query: String,
    /// How many.
    pub count: usize,
    pub patterns: Vec<FoundAttempt>,
}

/// `get_code_patterns`.
pub struct GetCodePatterns;

impl Tool for GetCodePatterns {
    const NAME: &'static str = "get_code_patterns";
    const DESCRIPTION: &'static str = "Earlier code attempts most similar in meaning to what you are about to write, optionally only passes or failures, or of one function, file or module. Returns patterns [{pattern_id, input_prompt, generated_code, result, ..., similarity, relevance, citations?, citation_status?, ranked_down?}], count, query; min_relevance keeps only attempts at least that relevant. Attempts that cite code (log_code_attempt's citations) are checked against the files now; those whose code changed or is gone come last, saying why.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = GetCodePatternsArgs;
    type Output = GetCodePatternsOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<GetCodePatternsOutput, ToolError> {
        let filter = AttemptFilter {
            result: a
                .result_filter
                .as_deref()
                .map(|r| result_of("result_filter", r))
                .transpose()?,
            function_name: present(a.function_name),
            file_name: present(a.file_name),
            module_name: present(a.module_name),
            since: None,
        };
        let found =
            find_attempts(&tools.memory, &tools.project, &a.query, &filter, a.top_k).await?;
        let calibration = tools.memory.relevance_model().map(|m| m.vector);
        let mut fresh = Vec::new();
        let mut stale = Vec::new();
        for (attempt, similarity) in &found {
            let checked = check_resource(tools, attempt.resource_id).await?;
            let found = FoundAttempt {
                attempt: AttemptView::from(attempt),
                similarity: *similarity,
                relevance: calibration.map(|c| c.relevance(*similarity)),
                citation_status: checked.status,
                ranked_down: checked.ranked_down.clone(),
                citations: checked.citations,
            };
            // Attempts whose cited code changed or is gone come last, never hidden.
            if found.ranked_down.is_some() {
                stale.push(found);
            } else {
                fresh.push(found);
            }
        }
        fresh.extend(stale);
        let patterns = keep_relevant(tools, fresh, a.min_relevance)?;
        Ok(GetCodePatternsOutput {
            query: a.query,
            count: patterns.len(),
            patterns,
        })
    }
}
