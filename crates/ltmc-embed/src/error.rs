//! The embedding layer's error enum, and the hints that tell a user how to recover.
//!
//! It is not a place for I/O or logging: callers map these errors once, at their own
//! boundary (the CLI prints `error:` and `hint:` lines, MCP turns them into tool errors).

use std::path::PathBuf;

/// Hint for a model file that is present but cannot be trusted.
pub(crate) const HINT_REFETCH: &str = "run `ltmc model fetch --force`";

/// Hint for a model that is not in the cache at all.
pub(crate) const HINT_FETCH: &str = "run `ltmc model fetch`";

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
            Self::ModelMissing { hint, .. } | Self::ModelCorrupt { hint, .. } => Some(hint),
            Self::Inference(_) | Self::Invalid(_) => None,
        }
    }

    /// A damaged file whose cure is a fresh download.
    pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self::ModelCorrupt {
            path: path.into(),
            reason: reason.into(),
            hint: HINT_REFETCH.to_owned(),
        }
    }
}
