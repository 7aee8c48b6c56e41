//! Finding patterns for a debt: the request resolved against its audit
//! (debt text, layer, workflows, file type), the seed's
//! `search_patterns_enhanced` query for that context, and the seed's
//! confidence ranking. Not the apply/adapt/new decision (`recommend`).

use super::DEFAULT_LIMIT;
use crate::{Memory, ServiceError};
use ltmc_core::fix::{
    Confidence, FileAudit, FixContext, FixPattern, PatternFacts, file_extension, problem_query,
    score_confidence,
};
use ltmc_core::{AuditId, Project, present};
use ltmc_store::{PatternMatch, PatternQuery};

/// What to search patterns for: a file audit, or free text with context.
#[derive(Debug, Clone, Default)]
pub struct SimilarRequest {
    pub audit_id: Option<AuditId>,
    /// The debt to find a fix for; the audit's technical_debt when left out.
    pub text: Option<String>,
    pub layer: Option<i64>,
    pub workflows: Option<Vec<String>>,
    pub file_path: Option<String>,
    pub min_confidence: f64,
    pub similarity_threshold: Option<f64>,
    pub limit: Option<usize>,
    pub include_unreviewed: bool,
}

/// A pattern found, with the seed's similarities and the confidence factors.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPattern {
    pub pattern: FixPattern,
    pub similarity: f64,
    pub problem_similarity: f64,
    /// Of the debt and the pattern's code embedding (a calibration feature).
    pub code_similarity: f64,
    pub confidence: Confidence,
    /// The calibrated score, when the model has a calibration (`calibrated.rs`).
    pub calibrated: Option<crate::fix::calibrated::CalibratedScore>,
    /// The pattern's citations checked against the files now (only
    /// `recommend_fix` checks them; empty otherwise).
    pub citations: Vec<ltmc_core::citation::CheckedCitation>,
    /// Why it ranks below the candidates whose cited code still holds.
    pub ranked_down: Option<String>,
}

/// The resolved context of a request: the debt text and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub audit: Option<FileAudit>,
    pub debt: String,
    pub context: FixContext,
    pub file_path: Option<String>,
}

pub(super) async fn resolve(
    memory: &Memory,
    project: &Project,
    request: &SimilarRequest,
) -> Result<Resolved, ServiceError> {
    let audit = match request.audit_id {
        Some(id) => Some(memory.store().get_audit(project, id).await?),
        None => None,
    };
    let debt = match present(request.text.clone()) {
        Some(t) => t,
        None => match audit.as_ref().and_then(|a| a.technical_debt.clone()) {
            Some(d) => d,
            None if audit.is_some() => {
                return Err(ServiceError::invalid(
                    "file_audit_id",
                    "names an audit without technical_debt; give the debt as text or update the audit",
                ));
            }
            None => {
                return Err(ServiceError::invalid(
                    "text",
                    "is missing; describe the debt to fix, or give a file_audit_id",
                ));
            }
        },
    };
    let layer = request.layer.or(audit.as_ref().map(|a| a.layer_number));
    if let Some(l) = layer {
        ltmc_core::fix::audit::check_layer("layer", l)?;
    }
    let workflows = request
        .workflows
        .clone()
        .or_else(|| audit.as_ref().map(|a| a.workflows.clone()))
        .unwrap_or_default();
    let file_path =
        present(request.file_path.clone()).or(audit.as_ref().map(|a| a.file_path.clone()));
    let context = FixContext {
        layer,
        workflows: ltmc_core::fix::normalize_list(workflows.iter().map(String::as_str)),
        file_extension: file_path.as_deref().and_then(file_extension),
    };
    Ok(Resolved {
        audit,
        debt,
        context,
        file_path,
    })
}

/// The seed's `find_similar_patterns`: `search_patterns_enhanced` (content
/// and problem cosine, filtered by layer, workflows and file type, reviewed
/// patterns only unless asked) then `score_pattern_confidence`, best first.
pub async fn find_similar_patterns(
    memory: &Memory,
    project: &Project,
    request: &SimilarRequest,
) -> Result<(Resolved, Vec<ScoredPattern>), ServiceError> {
    let resolved = resolve(memory, project, request).await?;
    let model_id = memory.embedder().model_id();
    let calibration = crate::fix::calibrated::active(memory, project).await?;
    let threshold = request
        .similarity_threshold
        .unwrap_or_else(|| crate::fix::calibrated::raw_threshold(calibration.as_ref(), model_id));
    if !(-1.0..=1.0).contains(&threshold) {
        return Err(ServiceError::invalid(
            "similarity_threshold",
            format!("is {threshold}; use a cosine similarity from -1 to 1 (default 0.65)"),
        ));
    }
    if !(0.0..=1.0).contains(&request.min_confidence) {
        return Err(ServiceError::invalid(
            "min_confidence",
            format!("is {}; use a number from 0 to 1", request.min_confidence),
        ));
    }
    let limit = request
        .limit
        .unwrap_or(DEFAULT_LIMIT)
        .clamp(1, crate::MAX_TOP_K);
    let scored = search_scored(memory, project, &resolved, threshold, request, limit).await?;
    let scored = crate::fix::calibrated::apply(
        calibration.as_ref(),
        scored,
        &resolved.debt,
        &resolved.context,
    );
    Ok((resolved, scored))
}

async fn search_scored(
    memory: &Memory,
    project: &Project,
    resolved: &Resolved,
    threshold: f64,
    request: &SimilarRequest,
    limit: usize,
) -> Result<Vec<ScoredPattern>, ServiceError> {
    // The problem query is the debt as written (`problem_query`), so one
    // embedding serves as both the content and the problem query.
    let vector = memory.embed_one(&problem_query(&resolved.debt)).await?;
    let ctx = &resolved.context;
    let matches = memory
        .store()
        .search_patterns(
            project,
            &context_query(
                vector,
                ctx,
                threshold,
                request.min_confidence,
                limit,
                request.include_unreviewed,
            ),
        )
        .await?;
    Ok(rank(matches, ctx))
}

/// The seed's `search_patterns_enhanced` arguments for a debt in its
/// context: its layer, workflows and file type filter the patterns.
pub(crate) fn context_query(
    vector: Vec<f32>,
    ctx: &FixContext,
    similarity_threshold: f64,
    min_confidence: f64,
    limit: usize,
    include_unreviewed: bool,
) -> PatternQuery {
    PatternQuery {
        problem: Some(vector.clone()),
        content: vector,
        layers: ctx.layer.map(|l| vec![l]),
        workflows: Some(ctx.workflows.clone()).filter(|w| !w.is_empty()),
        file_extension: ctx.file_extension.clone(),
        min_confidence,
        similarity_threshold,
        limit,
        include_unreviewed,
    }
}

/// Scores each match with the seed's confidence for `ctx`, best first
/// (equal confidences keep the search's order).
pub(crate) fn rank(matches: Vec<PatternMatch>, ctx: &FixContext) -> Vec<ScoredPattern> {
    let mut scored: Vec<ScoredPattern> = matches
        .into_iter()
        .map(|m| {
            let confidence = score_confidence(
                m.similarity,
                PatternFacts {
                    layers: &m.pattern.layers,
                    workflows: &m.pattern.workflows,
                    file_types: &m.pattern.file_types,
                    applied_count: m.pattern.applied_count,
                    success_rate: m.pattern.success_rate,
                },
                ctx,
            );
            ScoredPattern {
                pattern: m.pattern,
                similarity: m.similarity,
                problem_similarity: m.problem_similarity,
                code_similarity: m.code_similarity,
                confidence,
                calibrated: None,
                citations: Vec::new(),
                ranked_down: None,
            }
        })
        .collect();
    scored.sort_by(|a, b| b.confidence.confidence.total_cmp(&a.confidence.confidence));
    scored
}
