//! Integration tests of every tool through the registry, on a real store
//! (SQLite; PostgreSQL with `LTMC_TEST_BACKEND=postgres`, which
//! `scripts/test` runs too) with the deterministic hash embedder: the tool
//! list (`tools_spec`), and each family of the LTMC tools (`tools_*`).

mod support;
mod tools_chat;
mod tools_code;
mod tools_graph;
mod tools_llm;
mod tools_memory;
mod tools_spec;
mod tools_todo;
