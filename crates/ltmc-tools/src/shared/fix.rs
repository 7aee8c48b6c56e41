//! Helpers shared by the fix-pattern tools (SPEC section 5): file audits, fix patterns,
//! recommendations and outcomes, guardian rules and checks, insights.
//!
//! Parse, call the `fix` use cases, shape the answer (seed column names).
//! Not here: inference, search, scoring or scanning (`crate::fix`, `ltmc-guard`).
//!
//! (Moved out of the per-tool files: only what more than one tool uses or what
//! shapes a shared answer.)

use crate::error::ToolError;
use crate::shapes::TextList;
use ltmc_core::citation::CheckedCitation;
use ltmc_core::fix::parse_workflows;
use ltmc_core::fix::{Confidence, ProblemType, Severity};
use ltmc_core::{AuditId, PatternId};
use ltmc_service::ServiceError;
use ltmc_service::fix::calibrated::CalibrationUsed;
use ltmc_service::fix::patterns::{Resolved, ScoredPattern};
use ltmc_store::StoreError;
use serde::Serialize;

pub(crate) fn err(e: ltmc_core::CoreError) -> ToolError {
    ToolError::from(ServiceError::from(e))
}

pub(crate) fn workflows(values: Option<TextList>) -> Option<Vec<String>> {
    values.map(|v| parse_workflows(&v.into_list().join(",")))
}

pub(crate) fn pattern_not_found(e: ServiceError) -> ToolError {
    ToolError::not_found("pattern_id", "list_patterns shows the ids")(e)
}

/// A missing source audit names `file_audit_id`; any other error (a
/// related pattern removed meanwhile included) is mapped as it is.
pub(crate) fn audit_not_found(e: ServiceError) -> ToolError {
    match &e {
        ServiceError::Store(StoreError::NotFound { entity, .. })
            if *entity == ltmc_store::entity::FILE_AUDIT =>
        {
            ToolError::not_found("file_audit_id", "list_file_audits shows the ids")(e)
        }
        _ => ToolError::from(e),
    }
}

/// A ranked pattern as `find_similar_patterns` and `recommend_fix` show it.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    pub pattern_id: PatternId,
    pub title: String,
    pub problem_type: ProblemType,
    pub code_type: Option<String>,
    pub severity: Severity,
    pub layers: Vec<i64>,
    pub workflows: Vec<String>,
    pub file_types: Vec<String>,
    pub problem_description: String,
    pub solution_steps: Vec<String>,
    pub applied_count: i64,
    pub success_rate: f64,
    pub confidence_score: f64,
    pub reviewed: bool,
    pub similarity: f64,
    pub problem_similarity: f64,
    pub computed_confidence: f64,
    pub confidence_factors: Confidence,
    /// The content cosine as the store found it (the same as `similarity`).
    pub raw_similarity: f64,
    /// What the seed's scoring was fed instead of the raw cosine, when the
    /// model has a calibration; null without one.
    pub calibrated_similarity: Option<f64>,
    /// The calibrated probability that this pattern is the right fix.
    pub fix_probability: Option<f64>,
    /// Which calibration scored it (source, model, when fitted).
    pub calibration: Option<CalibrationUsed>,
    /// The pattern's citations to code (extract_pattern's), checked against
    /// the files now by recommend_fix.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<CheckedCitation>,
    /// Why it ranks below candidates whose cited code still holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranked_down: Option<String>,
}

impl From<&ScoredPattern> for Scored {
    fn from(s: &ScoredPattern) -> Self {
        let p = &s.pattern;
        Self {
            pattern_id: p.id,
            title: p.title.clone(),
            problem_type: p.problem_type,
            code_type: p.code_type.clone(),
            severity: p.severity,
            layers: p.layers.clone(),
            workflows: p.workflows.clone(),
            file_types: p.file_types.clone(),
            problem_description: p.problem_description.clone(),
            solution_steps: p.steps().into_iter().map(str::to_owned).collect(),
            applied_count: p.applied_count,
            success_rate: p.success_rate,
            confidence_score: p.confidence_score,
            reviewed: p.reviewed,
            similarity: s.similarity,
            problem_similarity: s.problem_similarity,
            computed_confidence: s.confidence.confidence,
            confidence_factors: s.confidence.clone(),
            raw_similarity: s.similarity,
            calibrated_similarity: s.calibrated.as_ref().map(|c| c.calibrated_similarity),
            fix_probability: s.calibrated.as_ref().map(|c| c.probability),
            calibration: s.calibrated.as_ref().map(|c| c.calibration.clone()),
            citations: s.citations.clone(),
            ranked_down: s.ranked_down.clone(),
        }
    }
}

/// What a fix-pattern query was resolved to.
#[derive(Debug, Clone, Serialize)]
pub struct Query {
    pub file_audit_id: Option<AuditId>,
    pub technical_debt: String,
    pub layer: Option<i64>,
    pub workflows: Vec<String>,
    pub file_path: Option<String>,
    pub file_extension: Option<String>,
}

impl From<&Resolved> for Query {
    fn from(r: &Resolved) -> Self {
        Self {
            file_audit_id: r.audit.as_ref().map(|a| a.id),
            technical_debt: r.debt.clone(),
            layer: r.context.layer,
            workflows: r.context.workflows.clone(),
            file_path: r.file_path.clone(),
            file_extension: r.context.file_extension.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ToolErrorKind;

    fn missing(entity: &'static str) -> ServiceError {
        ServiceError::Store(StoreError::NotFound {
            entity,
            id: "7".into(),
            project: "default".into(),
        })
    }

    #[test]
    fn only_a_missing_audit_names_file_audit_id() {
        let audit = audit_not_found(missing(ltmc_store::entity::FILE_AUDIT));
        assert_eq!(audit.kind(), ToolErrorKind::NotFound);
        assert!(audit.message().starts_with("file_audit_id: "), "{audit}");

        let pattern = audit_not_found(missing(ltmc_store::entity::FIX_PATTERN));
        assert_eq!(pattern.kind(), ToolErrorKind::NotFound);
        assert!(!pattern.message().contains("file_audit_id"), "{pattern}");
        assert!(pattern.message().contains("fix pattern 7"), "{pattern}");
    }
}
