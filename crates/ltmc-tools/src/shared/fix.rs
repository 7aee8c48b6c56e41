//! Helpers shared by the fix-pattern tools (SPEC section 5): file audits, fix patterns,
//! recommendations and outcomes, guardian rules and checks, insights.
//!
//! Parse, call the `fix` use cases, shape the answer (seed column names).
//! Not here: inference, search, scoring or scanning (`crate::fix`, `ltmc-guard`).
//!
//! (Moved out of the per-tool files: only what more than one tool uses or what
//! shapes a shared answer.)

use crate::error::ToolError;
use ltmc_core::fix::{
    FixPattern, GuardianRule, parse_workflows,
};
use ltmc_service::ServiceError;
use ltmc_service::fix::patterns::ScoredPattern;
use serde_json::{Value, json};

pub(crate) fn err(e: ltmc_core::CoreError) -> ToolError {
    ToolError::from(ServiceError::from(e))
}

pub(crate) fn workflows(values: Option<Vec<String>>) -> Option<Vec<String>> {
    values.map(|v| parse_workflows(&v.join(",")))
}

pub(crate) fn pattern_not_found(e: ServiceError) -> ToolError {
    ToolError::not_found("pattern_id", "list_patterns shows the ids")(e)
}

pub(crate) fn audit_not_found(e: ServiceError) -> ToolError {
    ToolError::not_found("file_audit_id", "list_file_audits shows the ids")(e)
}

/// A pattern in a listing: what a reviewer scans.
pub(crate) fn pattern_summary(p: &FixPattern) -> Value {
    json!({
        "id": p.id,
        "title": p.title,
        "problem_type": p.problem_type,
        "code_type": p.code_type,
        "severity": p.severity,
        "layers": p.layers,
        "workflows": p.workflows,
        "file_types": p.file_types,
        "tags": p.tags,
        "reviewed": p.reviewed,
        "applied_count": p.applied_count,
        "success_rate": p.success_rate,
        "avg_time_saved": p.avg_time_saved,
        "created_at": p.created_at,
    })
}

pub(crate) fn scored_json(s: &ScoredPattern) -> Value {
    json!({
        "pattern_id": s.pattern.id,
        "title": s.pattern.title,
        "problem_type": s.pattern.problem_type,
        "code_type": s.pattern.code_type,
        "severity": s.pattern.severity,
        "layers": s.pattern.layers,
        "workflows": s.pattern.workflows,
        "file_types": s.pattern.file_types,
        "problem_description": s.pattern.problem_description,
        "solution_steps": s.pattern.steps(),
        "applied_count": s.pattern.applied_count,
        "success_rate": s.pattern.success_rate,
        "confidence_score": s.pattern.confidence_score,
        "reviewed": s.pattern.reviewed,
        "similarity": s.similarity,
        "problem_similarity": s.problem_similarity,
        "computed_confidence": s.confidence.confidence,
        "confidence_factors": s.confidence,
    })
}

pub(crate) fn rule_json(r: &GuardianRule) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

pub(crate) fn context_json(r: &ltmc_service::fix::patterns::Resolved) -> Value {
    json!({
        "file_audit_id": r.audit.as_ref().map(|a| a.id),
        "technical_debt": r.debt,
        "layer": r.context.layer,
        "workflows": r.context.workflows,
        "file_path": r.file_path,
        "file_extension": r.context.file_extension,
    })
}
