//! The service layer's error: the store's and the embedder's errors, plus
//! input the use cases refuse before touching either.

use ltmc_core::CoreError;
use ltmc_core::embed::EmbedError;
use ltmc_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Input refused before anything was written; names the field and the fix.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Embed(#[from] EmbedError),
    /// A guardian rule's regex, or a guardian scan, failed.
    #[error(transparent)]
    Guard(#[from] ltmc_guard::GuardError),
    /// A blocking task (embedding) panicked or was cancelled.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

impl From<CoreError> for ServiceError {
    fn from(value: CoreError) -> Self {
        match value {
            CoreError::Invalid { field, reason } => Self::Invalid { field, reason },
        }
    }
}
