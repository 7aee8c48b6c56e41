//! ltmc-index: vector indexes keyed by ltmc's own vector ids.
//!
//! [`ExactIndex`] is brute-force cosine search: the search path of small
//! projects and the oracle the approximate index is tested against.
//! [`HnswIndex`] is approximate (HNSW, through usearch) for large ones.
//! The index knows nothing of storage or embeddings: it is a cache the store
//! fills from its database, never the truth.

mod exact;
mod hnsw;
pub mod synthetic;

pub use exact::{ExactIndex, Hit, IndexError};
pub use hnsw::{HnswIndex, HnswParams, RERANK_POOL};
