//! Helpers shared by the Code Pattern Memory tools (seed 001): `log_code_attempt`,
//! `get_code_patterns`, `analyze_code_patterns_tool`.
//!
//! Parse, call the `attempts` use cases, shape the answer with the seed's
//! field names (an attempt is a "pattern" there). Not here: embedding,
//! linking or statistics logic (`attempts.rs`).
//!
//! (Moved out of the per-tool files: only what more than one tool uses or what
//! shapes a shared answer: [`AttemptView`].)

use crate::error::ToolError;
use ltmc_core::{AttemptId, AttemptResult, CodeAttempt};
use ltmc_service::ServiceError;
use serde::Serialize;

pub(crate) fn result_of(field: &'static str, value: &str) -> Result<AttemptResult, ToolError> {
    AttemptResult::parse(field, value).map_err(|e| ToolError::from(ServiceError::from(e)))
}

/// A code attempt with the seed's field names (an attempt is a "pattern" there).
#[derive(Debug, Clone, Serialize)]
pub struct AttemptView {
    pub pattern_id: AttemptId,
    pub input_prompt: String,
    pub generated_code: String,
    pub result: AttemptResult,
    pub function_name: Option<String>,
    pub file_name: Option<String>,
    pub module_name: Option<String>,
    pub execution_time_ms: Option<i64>,
    pub error_message: Option<String>,
    pub tags: Vec<String>,
    /// UTC, RFC 3339.
    pub created_at: String,
}

impl From<&CodeAttempt> for AttemptView {
    fn from(a: &CodeAttempt) -> Self {
        Self {
            pattern_id: a.id,
            input_prompt: a.input_prompt.clone(),
            generated_code: a.generated_code.clone(),
            result: a.result,
            function_name: a.function_name.clone(),
            file_name: a.file_name.clone(),
            module_name: a.module_name.clone(),
            execution_time_ms: a.execution_time_ms,
            error_message: a.error_message.clone(),
            tags: a.tags.clone(),
            created_at: a.created_at.clone(),
        }
    }
}
