//! Helpers more than one tool uses: answer shapes of chunks, messages,
//! todos, edges, attempts, patterns and rules, and the shared lookups.
//!
//! Not here: any tool (each is one file under `tools/`).

pub(crate) mod chat;
pub(crate) mod citations;
pub(crate) mod code;
pub(crate) mod fix;
pub(crate) mod graph;
pub(crate) mod memory;
pub(crate) mod todo;
