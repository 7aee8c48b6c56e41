//! ltmc-service: the use cases of ltmc, written against traits only.
//!
//! [`Memory`] stores text (chunk, embed, one transactional write), searches
//! by meaning, deletes, and checks a store's health. It holds an
//! `Arc<dyn Store>` and an `Arc<dyn Embedder>`, so the same code serves the
//! embedded SQLite store, a PostgreSQL store, the real model or a test
//! embedder. It knows no protocol (CLI, MCP, HTTP are callers) and no backend.
//!
//! Beside it, the use cases the LTMC tools are made of, callable by the CLI
//! too: [`documents`] (whole documents of one type), [`answer`] (context
//! packing, extractive answers), [`llm`] (an OpenAI-compatible chat
//! endpoint), [`linking`] (auto-linking documents by meaning), [`attempts`]
//! (code attempts: log, find, analyse), [`fix`] (the fix-pattern knowledge
//! base: audits, patterns, guardian rules, insights). Typed and
//! protocol-free: the tools (the JSON boundary) are the ltmc-tools crate.

pub mod answer;
pub mod attempts;
pub mod citations;
pub mod documents;
mod error;
pub mod fix;
pub mod linking;
pub mod llm;
mod memory;
mod query_cache;
pub mod relevance;
mod search;
pub mod text;

pub use error::ServiceError;
pub use llm::LlmConfig;
pub use memory::{MAX_TOP_K, Memory, SearchRequest, StoreRequest, StoredResource};
pub use search::{IDENTIFIER_WEIGHT, SearchHit, SearchMode, WORD_WEIGHT};
