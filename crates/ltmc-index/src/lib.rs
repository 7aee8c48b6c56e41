//! ltmc-index: vector indexes keyed by ltmc's own vector ids.
//!
//! [`ExactIndex`] is brute-force cosine search: the first search path of the
//! embedded store and the oracle any approximate index is tested against.
//! The index knows nothing of storage or embeddings: it is a cache the store
//! fills from its database, never the truth.

mod exact;

pub use exact::{ExactIndex, Hit, IndexError};
