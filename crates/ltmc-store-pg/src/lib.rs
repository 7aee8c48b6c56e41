//! ltmc-store-pg: the scale-out ltmc store on PostgreSQL with pgvector, for
//! teams that run several ltmc servers against one database.
//!
//! Vectors live in pgvector columns beside their rows (a chunk and its vector
//! are one row, so they cannot disagree) with HNSW indexes on cosine distance;
//! keyword search is PostgreSQL full text (tsvector, GIN); every id comes from
//! a database sequence, so servers never collide. Numbered migrations create
//! the schema (and the `vector` extension when missing) under an advisory
//! lock, so several servers may start at once. The fix-pattern tables keep
//! the seed's array columns with GIN indexes, and the seed's
//! `search_patterns_enhanced` / `get_related_patterns` exist as SQL functions.
//! A whole store can be exported and imported with its ids (`StoreDump`, for
//! `ltmc migrate-store`).
//!
//! Not here: the traits and the conformance suite (ltmc-store), the embedded
//! backend (ltmc-store-sqlite), anything above storage.

mod admin;
mod attempts;
mod chat;
mod checks;
mod dump;
mod engine;
mod error;
mod fix;
mod fold;
mod graph;
mod keyword;
mod open;
mod resources;
mod search;
mod store;
pub mod testing;
mod todos;

pub use open::{LATEST_SCHEMA_VERSION, PgOptions, is_postgres_url};
pub use store::PgStore;
