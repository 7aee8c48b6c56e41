//! ltmc-store-sqlite: the embedded ltmc store, one SQLite file per data
//! directory, implementing the `ltmc-store` traits.
//!
//! The file is the only truth. Vectors are rows beside their chunks, and each
//! process keeps a vector index per project (exact below a size threshold,
//! HNSW above it) that it brings up to date from the vector log, a table
//! written by triggers in the same transactions as the vectors, so several
//! processes (CLI, MCP servers) can share one data directory. A large
//! project's graph is also kept in a file beside the database, written now and
//! then with the log position it reflects, and rebuilt from the vectors when
//! missing or damaged. Writes are
//! single `BEGIN IMMEDIATE` transactions that validate first and allocate
//! vector ids inside the transaction. Keyword search is SQLite's FTS5 with
//! BM25, its index kept in step with the chunks by triggers in those same
//! transactions. The schema is created by numbered forward-only migrations on
//! open. Besides documents the file keeps chat messages and the chunks they
//! used, todos (with their own FTS5 index), the relationship graph, and code
//! attempts, each attempt's text a resource of one chunk so that its vector
//! is indexed like any other and its filters run inside the vector search.
//! The fix-pattern knowledge base (file audits, fix patterns with their three
//! embeddings, relationships, applications, guardian rules) has tables of its
//! own; pattern vectors stay out of the vector index and are searched exactly.
//! A whole store can be exported and imported with its ids (`StoreDump`,
//! for `ltmc migrate-store`).
//! rusqlite never appears in the public API: every driver error becomes
//! a `StoreError` in `error.rs`.
//!
//! Deliberately not here: connection pooling, and any knowledge of embedding
//! models beyond their name and dimension.

mod admin;
mod attempts;
mod blob;
mod cache;
mod chat;
mod dump;
mod error;
mod fix;
mod fold;
mod fts_query;
#[doc(hidden)]
pub mod fuzz;
mod graph;
mod index_file;
mod keyword;
mod meta;
mod migrate;
mod open;
mod resources;
mod search;
mod store;
mod todos;

pub use cache::IndexOptions;
pub use ltmc_index::HnswParams;
pub use ltmc_store::EmbeddingSpec;
pub use migrate::LATEST_SCHEMA_VERSION;
pub use open::{Durability, OpenOptions};
pub use store::{READ_ONLY_REFUSAL, SqliteStore};
