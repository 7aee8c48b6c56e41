//! The embedder trait every text-to-vector backend implements.
//!
//! Synchronous on purpose: embedding is CPU-bound, so async callers run it on a
//! blocking thread (`tokio::task::spawn_blocking`) instead of pretending it
//! yields.

use crate::EmbedError;

/// Turns texts into unit-length vectors of a fixed dimension.
pub trait Embedder: Send + Sync {
    /// A stable name of the model, recorded in every store it writes to.
    fn model_id(&self) -> &str;

    /// The length of every vector this embedder returns.
    fn dimension(&self) -> usize;

    /// One L2-normalised vector per text, in order. Empty input gives empty output.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
}
