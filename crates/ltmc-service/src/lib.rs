//! ltmc-service: the use cases of ltmc, written against traits only.
//!
//! [`Memory`] stores text (chunk, embed, one transactional write), searches
//! by meaning, deletes, and checks a store's health. It holds an
//! `Arc<dyn Store>` and an `Arc<dyn Embedder>`, so the same code serves the
//! embedded SQLite store, a PostgreSQL store, the real model or a test
//! embedder. It knows no protocol (CLI, MCP, HTTP are callers) and no backend.

mod error;
mod memory;
mod search;

pub use error::ServiceError;
pub use memory::{MAX_TOP_K, Memory, SearchRequest, StoreRequest, StoredResource};
pub use search::{RRF_K, SearchHit, SearchMode};
