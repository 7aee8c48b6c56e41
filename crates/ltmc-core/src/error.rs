//! The error enum of ltmc-core: invalid values caught before they reach a store.
//!
//! Only validation lives here; storage and embedding failures have their own
//! enums in their own crates.

/// A value that ltmc refuses, with the field it came from and how to fix it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CoreError {
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl CoreError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}
