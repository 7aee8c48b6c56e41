//! The `log_code_attempt` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::citations::{self, CitationArg};
use crate::shared::code::result_of;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::{AttemptId, AttemptResult, NewCodeAttempt, ResourceId};
use ltmc_service::attempts::log_attempt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 20. `log_code_attempt`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct LogCodeAttemptArgs {
    /// What the code was generated for.
    pub input_prompt: String,
    /// The code that was generated.
    pub generated_code: String,
    /// How it went: "pass", "fail" or "partial".
    #[schemars(extend("enum" = ["pass", "fail", "partial"]))]
    pub result: String,
    /// Function the code implements.
    pub function_name: Option<String>,
    /// File the code lives in.
    pub file_name: Option<String>,
    /// Module the code lives in.
    pub module_name: Option<String>,
    /// How long running or testing it took, in milliseconds.
    #[schemars(range(min = 0))]
    pub execution_time_ms: Option<i64>,
    /// The error it failed with.
    pub error_message: Option<String>,
    /// Free labels.
    pub tags: Option<Vec<String>>,
    /// Code the attempt is about: spans of files under the project root, checked whenever get_code_patterns returns it (verified, moved, changed, missing).
    #[serde(default)]
    pub citations: Vec<CitationArg>,
}

/// An earlier attempt the new one was linked to.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptLinkView {
    /// The earlier attempt.
    pub pattern_id: AttemptId,
    /// How they relate.
    pub context_type: &'static str,
    /// Cosine similarity of the two attempts' vectors.
    pub similarity: f32,
}

/// The stored attempt and its links.
#[derive(Debug, Clone, Serialize)]
pub struct LogCodeAttemptOutput {
    /// The attempt's id (a "pattern" in the seed's words).
    pub pattern_id: AttemptId,
    pub resource_id: ResourceId,
    pub result: AttemptResult,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub message: String,
    pub links: Vec<AttemptLinkView>,
}

/// `log_code_attempt`.
pub struct LogCodeAttempt;

impl Tool for LogCodeAttempt {
    const NAME: &'static str = "log_code_attempt";
    const DESCRIPTION: &'static str = "Log a code-generation attempt and how it went (pass, fail, partial), so later attempts can learn from it. Links it to earlier attempts of the same function, file or module and to similar ones. Optional citations name the code it is about; get_code_patterns checks them. Returns pattern_id, message.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = true;
    type Args = LogCodeAttemptArgs;
    type Output = LogCodeAttemptOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<LogCodeAttemptOutput, ToolError> {
        let result = result_of("result", &a.result)?;
        let citations = citations::make(tools, &a.citations)?;
        let logged = log_attempt(
            &tools.memory,
            &tools.project,
            NewCodeAttempt {
                input_prompt: a.input_prompt,
                generated_code: a.generated_code,
                result,
                function_name: a.function_name,
                file_name: a.file_name,
                module_name: a.module_name,
                execution_time_ms: a.execution_time_ms,
                error_message: a.error_message,
                tags: a.tags.unwrap_or_default(),
                citations,
            },
        )
        .await?;
        let attempt = &logged.attempt;
        let links: Vec<AttemptLinkView> = logged
            .links
            .iter()
            .map(|l| AttemptLinkView {
                pattern_id: l.related,
                context_type: l.kind.as_str(),
                similarity: l.similarity,
            })
            .collect();
        Ok(LogCodeAttemptOutput {
            pattern_id: attempt.id,
            resource_id: attempt.resource_id,
            result: attempt.result,
            created_at: attempt.created_at.clone(),
            message: format!(
                "code attempt stored as pattern {} with result {}, linked to {} earlier attempt{}",
                attempt.id,
                attempt.result.as_str(),
                links.len(),
                if links.len() == 1 { "" } else { "s" }
            ),
            links,
        })
    }
}
