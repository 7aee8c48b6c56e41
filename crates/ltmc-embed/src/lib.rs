//! ltmc-embed: text to vector.
//!
//! The [`Embedder`] trait, the real sentence-transformers all-MiniLM-L6-v2 on
//! candle (`BertEmbedder`), model provisioning into a local cache
//! (`ModelStore`), and embedders for tests that need no download.
//! It knows nothing of storage or search.

mod embedder;
mod error;

pub use embedder::Embedder;
pub use error::EmbedError;
