//! End-to-end tests of the `ltmc` binary: real processes, real SQLite files,
//! and (in `real_model`) the real all-MiniLM-L6-v2 model.
//!
//! `cli` uses the deterministic hash embedder (`LTMC_EMBEDDER=hash`) to test
//! the command line's shapes and errors without a model; `real_model` proves
//! search by meaning, concurrency and lossless chunking with the real one.
//! `serve` checks the server processes by hand-written frames; `mcp_python`
//! drives them with the official MCP Python SDK; `two_servers` runs two
//! servers on one PostgreSQL under concurrent clients; `migrate_store` copies a
//! filled store SQLite to PostgreSQL and back; `mine` mines a small git
//! repository built by the test; `snapshots` locks the text and
//! JSON people read (search, recommendations, guard reports) with insta. With
//! `LTMC_TEST_BACKEND=postgres` each test's store is a PostgreSQL database.
//! `corruption` damages copies of a SQLite store for `doctor`; `hardening`
//! covers read-only stores, durability, a closed stdout, FIFOs and a data dir
//! that is a file.

mod calibrate;
mod citations;
mod cli;
mod corruption;
mod crash;
mod fix_patterns;
mod hardening;
mod legacy_migrate;
mod mcp_python;
mod migrate_store;
mod mine;
mod paraphrase;
mod rare_terms;
mod real_model;
mod review_queue;
mod seed_shapes;
mod serve;
mod snapshots;
mod support;
mod two_servers;
