//! The embedder contract: the [`Embedder`] trait every text-to-vector backend
//! implements, and [`EmbedError`], the errors it reports.
//!
//! It lives in ltmc-core, not in ltmc-embed, so that crates which only call a
//! model (the use cases, MCP, HTTP) depend on the contract without compiling
//! candle and tokenizers; ltmc-embed implements it and re-exports both names,
//! so `ltmc_embed::Embedder` keeps working. ltmc-core rather than a crate of
//! its own because every such caller already depends on ltmc-core and the
//! contract is vocabulary, like the records: no I/O, no dependency beyond
//! thiserror. Not here: any model, the model cache, or the recovery hints'
//! wording (ltmc-embed builds the errors that carry them).
//!
//! Synchronous on purpose: embedding is CPU-bound, so async callers run it on a
//! blocking thread (`tokio::task::spawn_blocking`) instead of pretending it
//! yields.

use std::path::PathBuf;

/// Turns texts into unit-length vectors of a fixed dimension.
pub trait Embedder: Send + Sync {
    /// A stable name of the model, recorded in every store it writes to.
    fn model_id(&self) -> &str;

    /// The length of every vector this embedder returns.
    fn dimension(&self) -> usize;

    /// One L2-normalised vector per text, in order. Empty input gives empty output.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
}

/// The embedding layer's error enum. Callers map it once, at their own
/// boundary (the CLI prints `error:` and `hint:` lines, MCP turns it into a
/// tool error).
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The model files are not in the cache and could not be fetched.
    #[error("model not available: {reason}")]
    ModelMissing { reason: String, hint: String },
    /// A model file is present but damaged (checksum or format).
    #[error("model file {path} is corrupt: {reason}")]
    ModelCorrupt {
        path: PathBuf,
        reason: String,
        hint: String,
    },
    /// The inference runtime (ONNX Runtime's shared library) is missing,
    /// damaged, of another architecture or version, or refused to load.
    #[error("embedding runtime not available: {reason}")]
    RuntimeUnavailable { reason: String, hint: String },
    /// Tokenising or running the model failed.
    #[error("embedding failed: {0}")]
    Inference(String),
    /// The input cannot be embedded.
    #[error("invalid input: {0}")]
    Invalid(String),
}

impl EmbedError {
    /// How the user fixes it, when there is something to do.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Self::ModelMissing { hint, .. }
            | Self::ModelCorrupt { hint, .. }
            | Self::RuntimeUnavailable { hint, .. } => Some(hint),
            Self::Inference(_) | Self::Invalid(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_model_errors_carry_a_hint() {
        let missing = EmbedError::ModelMissing {
            reason: "offline".into(),
            hint: "fetch it".into(),
        };
        assert_eq!(missing.hint(), Some("fetch it"));
        assert_eq!(missing.to_string(), "model not available: offline");
        assert_eq!(EmbedError::Invalid("empty".into()).hint(), None);
        assert_eq!(EmbedError::Inference("oom".into()).hint(), None);
    }
}
