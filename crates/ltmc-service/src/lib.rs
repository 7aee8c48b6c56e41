//! ltmc-service: the use cases of ltmc, written against traits only.
//!
//! [`Memory`] stores text (chunk, embed, one transactional write), searches
//! by meaning, deletes, and checks a store's health. It holds an
//! `Arc<dyn Store>` and an `Arc<dyn Embedder>`, so the same code serves the
//! embedded SQLite store, a PostgreSQL store, the real model or a test
//! embedder. It knows no protocol (CLI, MCP, HTTP are callers) and no backend.

mod error;
mod memory;

pub use error::ServiceError;
pub use memory::{Memory, SearchRequest, StoreRequest, StoredResource};
