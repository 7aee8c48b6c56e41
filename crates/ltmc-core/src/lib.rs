//! ltmc-core: the domain vocabulary of ltmc and the pure logic on it.
//!
//! It holds the newtype ids, the validated project name, the records that
//! every backend stores (resources, chunks, chat messages, todos, graph edges,
//! code attempts, and the fix-pattern knowledge base in `fix`) and the
//! lossless chunker.
//! It deliberately does no I/O: no files, no database, no model. Everything
//! here is deterministic and testable with plain values.

pub mod attempt;
pub mod chat;
pub mod chunker;
pub mod citation;
pub mod embed;
pub mod error;
pub mod fix;
#[doc(hidden)]
pub mod fuzz;
pub mod graph;
pub mod heading;
pub mod ids;
pub mod project;
pub mod record;
pub mod relevance;
pub mod terms;
pub mod todo;
pub mod vector;

pub use attempt::{
    AttemptFilter, AttemptLink, AttemptLinkKind, AttemptResult, CODE_ATTEMPT_TYPE, CodeAttempt,
    NewCodeAttempt, attempt_text,
};
pub use chat::{ChatMessage, ChunkUsage, ContextLink, ContextUsage, NewChatMessage};
pub use chunker::{ChunkConfig, ChunkSpan, chunk_text};
pub use error::CoreError;
pub use graph::{Edge, NewEdge};
pub use heading::embedding_text;
pub use ids::{
    ApplicationId, AttemptId, AuditId, ChunkId, EdgeId, MessageId, PatternId, RelationshipId,
    ResourceId, RuleId, TodoId, VectorId,
};
pub use project::Project;
pub use record::{
    Chunk, NewChunk, NewResource, PutOutcome, Resource, ScoredChunk, content_hash, now_rfc3339,
    present,
};
pub use todo::{NewTodo, Priority, Todo, TodoFilter};
