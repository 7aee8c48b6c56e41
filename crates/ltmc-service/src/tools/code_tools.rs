//! The Code Pattern Memory tools (seed 001): `log_code_attempt`,
//! `get_code_patterns`, `analyze_code_patterns_tool`.
//!
//! Parse, call the `attempts` use cases, shape the answer with the seed's
//! field names (an attempt is a "pattern" there). Not here: embedding,
//! linking or statistics logic (`attempts.rs`).

use super::Tools;
use super::args::{AnalyzeCodePatternsArgs, GetCodePatternsArgs, LogCodeAttemptArgs, parse};
use super::reply::{ToolError, ToolResult};
use crate::ServiceError;
use crate::attempts::{analyze_attempts, find_attempts, log_attempt};
use ltmc_core::{AttemptFilter, AttemptResult, CodeAttempt, NewCodeAttempt, present};
use serde_json::{Value, json};

fn result_of(field: &'static str, value: &str) -> Result<AttemptResult, ToolError> {
    AttemptResult::parse(field, value).map_err(|e| ToolError::from(ServiceError::from(e)))
}

fn pattern_json(a: &CodeAttempt) -> Value {
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

pub(super) async fn log_code_attempt(tools: &Tools, args: Value) -> ToolResult {
    let a: LogCodeAttemptArgs = parse(args)?;
    let result = result_of("result", &a.result)?;
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
        },
    )
    .await?;
    let attempt = &logged.attempt;
    let links: Vec<Value> = logged
        .links
        .iter()
        .map(|l| {
            json!({
                "pattern_id": l.related,
                "context_type": l.kind.as_str(),
                "similarity": l.similarity,
            })
        })
        .collect();
    Ok(json!({
        "pattern_id": attempt.id,
        "resource_id": attempt.resource_id,
        "result": attempt.result,
        "created_at": attempt.created_at,
        "message": format!(
            "code attempt stored as pattern {} with result {}, linked to {} earlier attempt{}",
            attempt.id,
            attempt.result.as_str(),
            links.len(),
            if links.len() == 1 { "" } else { "s" }
        ),
        "links": links,
    }))
}

pub(super) async fn get_code_patterns(tools: &Tools, args: Value) -> ToolResult {
    let a: GetCodePatternsArgs = parse(args)?;
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
    let found = find_attempts(&tools.memory, &tools.project, &a.query, &filter, a.top_k).await?;
    let patterns: Vec<Value> = found
        .iter()
        .map(|(attempt, similarity)| {
            let mut p = pattern_json(attempt);
            p["similarity"] = json!(similarity);
            p
        })
        .collect();
    Ok(json!({
        "query": a.query,
        "count": patterns.len(),
        "patterns": patterns,
    }))
}

pub(super) async fn analyze_code_patterns(tools: &Tools, args: Value) -> ToolResult {
    let a: AnalyzeCodePatternsArgs = parse(args)?;
    let filter = AttemptFilter {
        result: None,
        function_name: present(a.function_name),
        file_name: present(a.file_name),
        module_name: present(a.module_name),
        since: None,
    };
    let filters = json!({
        "function_name": filter.function_name,
        "file_name": filter.file_name,
        "module_name": filter.module_name,
    });
    let (analysis, since) =
        analyze_attempts(&tools.memory, &tools.project, filter, a.time_range_days).await?;
    let mut out = serde_json::to_value(&analysis)
        .map_err(|e| ToolError::new(format!("could not encode the analysis: {e}")))?;
    out["time_range_days"] = json!(a.time_range_days);
    out["since"] = json!(since);
    out["filters"] = filters;
    Ok(out)
}
