//! Calibrated confidence in pattern searches (issue 17, item 2): which
//! calibration a search uses (the shipped default of the store's model), the
//! raw cosine the store is asked for, and the candidates rescored with the
//! calibrated similarity fed into the seed's scoring shape, those below the
//! calibration's keep threshold dropped. `find_similar_patterns` and
//! `recommend_fix` call it; without a calibration for the model (a test
//! embedder, another model) nothing changes.
//!
//! Not the mapping itself (`ltmc_core::fix::calibration`), not the search.

use super::patterns::{ScoredPattern, default_similarity_threshold};
use crate::{Memory, ServiceError};
use ltmc_core::Project;
use ltmc_core::fix::calibration::{
    Calibration, CalibrationSource, Measures, default_for, features_of, lexical_overlap,
    pattern_terms_text,
};
use ltmc_core::fix::{FixContext, PatternFacts, score_confidence};
use serde::Serialize;

/// Which calibration scored a candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationUsed {
    pub source: CalibrationSource,
    pub model_id: String,
    pub fitted_at: String,
}

/// A candidate's calibrated score and what it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibratedScore {
    /// The content cosine, as the store found it.
    pub raw_similarity: f64,
    /// The probability that the pattern is the right fix.
    pub probability: f64,
    /// What the seed's scoring shape was fed (the probability over the
    /// boost of a fully matching context).
    pub calibrated_similarity: f64,
    /// Its rank score minus the best other candidate's.
    pub margin: f64,
    pub calibration: CalibrationUsed,
}

/// The shipped calibration of the model, when there is one.
pub fn for_model(model_id: &str) -> Option<Calibration> {
    default_for(model_id)
}

/// The calibration searches use: the team's active refit of the store's
/// model (`ltmc patterns calibrate`), else the shipped default, else none.
pub async fn active(
    memory: &Memory,
    project: &Project,
) -> Result<Option<Calibration>, ServiceError> {
    let model_id = memory.embedder().model_id();
    let stored = memory.store().active_calibration(project, model_id).await?;
    Ok(stored
        .map(|s| s.calibration)
        .or_else(|| for_model(model_id)))
}

/// The raw cosine to ask the store for when the caller gave none: the
/// calibration's floor, else the model's uncalibrated threshold.
pub fn raw_threshold(calibration: Option<&Calibration>, model_id: &str) -> f64 {
    calibration.map_or_else(|| default_similarity_threshold(model_id), |c| c.raw_floor)
}

/// Rescores the candidates with the calibration (best first; equal
/// confidences keep their order), dropping those below its keep threshold.
/// Without a calibration they are returned as they are.
pub fn apply(
    calibration: Option<&Calibration>,
    scored: Vec<ScoredPattern>,
    debt: &str,
    ctx: &FixContext,
) -> Vec<ScoredPattern> {
    let Some(cal) = calibration else {
        return scored;
    };
    let measured: Vec<Measures> = scored
        .iter()
        .map(|s| {
            let p = &s.pattern;
            Measures {
                content: s.similarity,
                problem: s.problem_similarity,
                code: s.code_similarity,
                lexical: lexical_overlap(
                    debt,
                    &pattern_terms_text(
                        &p.title,
                        &p.problem_description,
                        &p.tags,
                        p.code_before.as_deref(),
                    ),
                ),
            }
        })
        .collect();
    let features = features_of(&measured, cal.raw_floor);
    let used = CalibrationUsed {
        source: cal.source,
        model_id: cal.model_id.clone(),
        fitted_at: cal.fitted_at.clone(),
    };
    let mut out: Vec<ScoredPattern> = scored
        .into_iter()
        .zip(features)
        .filter_map(|(mut s, f)| {
            let probability = cal.probability(f);
            if probability < cal.keep_threshold {
                return None;
            }
            let calibrated_similarity = cal.calibrated_similarity(f);
            s.confidence = score_confidence(
                calibrated_similarity,
                PatternFacts {
                    layers: &s.pattern.layers,
                    workflows: &s.pattern.workflows,
                    file_types: &s.pattern.file_types,
                    applied_count: s.pattern.applied_count,
                    success_rate: s.pattern.success_rate,
                },
                ctx,
            );
            s.calibrated = Some(CalibratedScore {
                raw_similarity: s.similarity,
                probability,
                calibrated_similarity,
                margin: f.margin,
                calibration: used.clone(),
            });
            Some(s)
        })
        .collect();
    out.sort_by(|a, b| b.confidence.confidence.total_cmp(&a.confidence.confidence));
    out
}
