//! Embedders for tests that must not download anything: a feature-hashing embedder
//! with no model at all, and a tiny randomly initialised BERT written to disk so the
//! real loading and inference path runs in milliseconds.
//!
//! Always compiled (not behind `cfg(test)`) so other crates' tests can use them. Their
//! vectors carry no meaning beyond shared words; never use them to judge search quality.

mod hash;
mod tiny_bert;

pub use hash::HashEmbedder;
pub use tiny_bert::{TINY_BERT_MODEL_ID, write_tiny_bert};
