//! Helpers shared by the Code Pattern Memory tools (seed 001): `log_code_attempt`,
//! `get_code_patterns`, `analyze_code_patterns_tool`.
//!
//! Parse, call the `attempts` use cases, shape the answer with the seed's
//! field names (an attempt is a "pattern" there). Not here: embedding,
//! linking or statistics logic (`attempts.rs`).
//!
//! (Moved out of the per-tool files: only what more than one tool uses or what
//! shapes a shared answer.)

use crate::error::ToolError;
use ltmc_core::{AttemptResult, CodeAttempt};
use ltmc_service::ServiceError;
use serde_json::{Value, json};

pub(crate) fn result_of(field: &'static str, value: &str) -> Result<AttemptResult, ToolError> {
    AttemptResult::parse(field, value).map_err(|e| ToolError::from(ServiceError::from(e)))
}

pub(crate) fn pattern_json(a: &CodeAttempt) -> Value {
    json!({
        "pattern_id": a.id,
        "input_prompt": a.input_prompt,
        "generated_code": a.generated_code,
        "result": a.result,
        "function_name": a.function_name,
        "file_name": a.file_name,
        "module_name": a.module_name,
        "execution_time_ms": a.execution_time_ms,
        "error_message": a.error_message,
        "tags": a.tags,
        "created_at": a.created_at,
    })
}
