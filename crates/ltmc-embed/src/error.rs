//! The recovery hints of the embedding layer's errors, and the helper that
//! builds a "damaged file" error with its hint.
//!
//! The error enum itself, [`EmbedError`], lives in ltmc-core (`ltmc_core::embed`)
//! beside the `Embedder` trait, so that crates calling a model need not
//! compile candle; this crate re-exports it. Not a place for I/O or logging.

use ltmc_core::embed::EmbedError;
use std::path::PathBuf;

/// Hint for a model file that is present but cannot be trusted.
pub(crate) const HINT_REFETCH: &str = "run `ltmc model fetch --force`";

/// Hint for a model that is not in the cache at all.
pub(crate) const HINT_FETCH: &str = "run `ltmc model fetch`";

/// A damaged file whose cure is a fresh download.
pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> EmbedError {
    EmbedError::ModelCorrupt {
        path: path.into(),
        reason: reason.into(),
        hint: HINT_REFETCH.to_owned(),
    }
}
