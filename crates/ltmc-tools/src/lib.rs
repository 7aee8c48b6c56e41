//! ltmc-tools: the tools agents call, the only JSON boundary of ltmc's use
//! cases. The 22 tools of the LTMC contract (SPEC section 4) and the 17 of
//! the fix-pattern knowledge base (SPEC section 5), in two groups a server
//! can expose separately.
//!
//! Each tool is one file under `tools/ltmc/` or `tools/patterns/` holding its
//! typed arguments (the input schema is derived from them), its description,
//! group, whether it writes, and `run`: typed arguments to a typed answer
//! ([`Tool`]). [`REGISTRY`] (built in `tools.rs`, the only list of tools)
//! erases the types for the adapters: MCP (`ltmc-mcp`), JSON-RPC and REST
//! (`ltmc-http`), and the CLI's `ltmc tool`; the CLI's typed commands call
//! [`run`] with the tool's own types instead.
//!
//! Not here: transports, and the use cases themselves (`ltmc-service`, typed
//! and protocol-free).

pub mod args;
mod error;
#[doc(hidden)]
pub mod fuzz;
mod registry;
pub mod shapes;
mod shared;
pub mod tools;

pub use args::{MAX_CONTEXT_TOKENS, MAX_LIMIT, VALID_SOURCES};
pub use error::{ToolError, ToolErrorKind};
pub use ltmc_service::llm::LlmConfig;
pub use registry::{
    DEFAULT_CALL_TIMEOUT, REGISTRY, Tool, ToolEntry, ToolGroup, ToolOutcome, ToolSpec, Tools,
    answer, entry, run, run_json,
};
pub use shared::chat::MessageView;
pub use shared::code::AttemptView;
pub use shared::fix::{Query, Scored};
pub use shared::graph::EdgeView;
pub use shared::memory::{ChatHit, ChunkHit, TopDocument};
pub use shared::todo::TodoView;
pub use tools::*;
