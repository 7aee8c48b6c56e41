//! Fix patterns: extraction (inference of missing classifications, three
//! embeddings, relationships to similar patterns, guardian rules tested on
//! the pattern's own code), search with the seed's confidence, the
//! apply/adapt/new recommendation, and recording outcomes.
//!
//! One file per concept: the caller's draft (`draft`), extraction with its
//! embeddings and relationships (`extract`), the rules a pattern brings
//! (`rules`), similarity search and ranking (`similar`), the recommendation
//! (`recommend`) and outcomes (`outcome`). This file holds the defaults they
//! share and re-exports every public item, so `fix::patterns::X` paths hold.
//!
//! Not here: storage (`PatternStore`), rule checks (`guardian.rs`), JSON.

mod draft;
mod extract;
mod outcome;
mod recommend;
mod rules;
mod similar;

pub use draft::{InferredField, PatternDraft, RuleSpecArg};
pub use extract::{Extracted, embed_pattern, extract_pattern};
pub use outcome::record_outcome;
pub use recommend::{Recommendation, recommend_fix};
pub use rules::rules_from_pattern;
pub use similar::{Resolved, ScoredPattern, SimilarRequest, find_similar_patterns};
pub(crate) use similar::{context_query, rank};

/// The seed's default similarity threshold of `search_patterns_enhanced`,
/// made for OpenAI's 1536-dimension embeddings, whose cosines are bunched
/// high (unrelated texts score about 0.7 there).
pub const DEFAULT_SIMILARITY_THRESHOLD: f64 = 0.65;
/// The same cut for all-MiniLM-L6-v2, whose cosines spread over the whole
/// range: on the example set, debts a pattern covers score 0.40-0.66 against
/// it and the best unrelated pattern stays below 0.30, so 0.65 would find
/// almost nothing. Measured with `ltmc patterns similar` on
/// examples/fix-patterns (see the notes of issue 5).
pub const MINILM_SIMILARITY_THRESHOLD: f64 = 0.35;

/// The default threshold for the store's model: the seed's 0.65, or the
/// calibrated cut for all-MiniLM-L6-v2.
pub fn default_similarity_threshold(model_id: &str) -> f64 {
    if model_id.to_ascii_lowercase().contains("minilm") {
        MINILM_SIMILARITY_THRESHOLD
    } else {
        DEFAULT_SIMILARITY_THRESHOLD
    }
}
/// The seed's default number of results.
pub const DEFAULT_LIMIT: usize = 10;
/// At most this many relationships are discovered for a new pattern.
pub const MAX_DISCOVERED: usize = 5;
