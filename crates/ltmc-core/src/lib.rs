//! ltmc-core: the domain vocabulary of ltmc and the pure logic on it.
//!
//! It holds the newtype ids, the validated project name, the records that
//! every backend stores (resources, chunks) and the lossless chunker.
//! It deliberately does no I/O: no files, no database, no model. Everything
//! here is deterministic and testable with plain values.

pub mod chunker;
pub mod error;
pub mod ids;
pub mod project;
pub mod record;

pub use chunker::{ChunkConfig, ChunkSpan, chunk_text};
pub use error::CoreError;
pub use ids::{ChunkId, ResourceId, VectorId};
pub use project::Project;
pub use record::{
    Chunk, NewChunk, NewResource, PutOutcome, Resource, ScoredChunk, content_hash, now_rfc3339,
};
