//! Keeping the hits at least so relevant (issue 20): the one check behind
//! every `min_relevance` (the retrieval tools) and `--min-relevance`
//! (`ltmc search`). A minimum outside 0–1 is refused, and so is any minimum
//! when the embedding model has no relevance calibration (its hits carry
//! none, so every hit would silently go).
//!
//! Not here: the calibration itself (`ltmc_core::relevance`) nor where each
//! hit's relevance comes from (`Memory::search`).

use crate::{Memory, SearchHit, ServiceError};

/// A ranked answer with a calibrated relevance.
pub trait Relevant {
    fn relevance(&self) -> Option<f32>;
}

impl Relevant for SearchHit {
    fn relevance(&self) -> Option<f32> {
        self.relevance
    }
}

/// A document is as relevant as its best chunk.
impl Relevant for crate::documents::DocumentHit {
    fn relevance(&self) -> Option<f32> {
        self.chunks.first().and_then(|c| c.relevance)
    }
}

/// The hits at least `min` relevant (all of them without `min`), in order.
/// `field` names the parameter in errors (`min_relevance`, `--min-relevance`).
pub fn keep_relevant<T: Relevant>(
    memory: &Memory,
    hits: Vec<T>,
    min: Option<f32>,
    field: &'static str,
) -> Result<Vec<T>, ServiceError> {
    let Some(min) = min else {
        return Ok(hits);
    };
    if !(0.0..=1.0).contains(&min) {
        return Err(ServiceError::invalid(
            field,
            format!(
                "must be between 0 and 1, got {min}; 0.5 keeps what is more likely relevant than not"
            ),
        ));
    }
    if !memory.has_relevance() {
        return Err(ServiceError::invalid(
            field,
            format!(
                "the embedding model {} has no relevance calibration; leave {field} out",
                memory.embedder().model_id()
            ),
        ));
    }
    Ok(hits
        .into_iter()
        .filter(|h| h.relevance().is_some_and(|r| r >= min))
        .collect())
}
