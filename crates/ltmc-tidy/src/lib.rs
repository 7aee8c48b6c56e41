//! `ltmc-tidy` holds no code: its integration tests (`tests/it/`) check the
//! workspace itself, the way rust-analyzer's `xtask tidy` does. `cargo test`
//! runs them with the rest of the suite.
//!
//! It is not a linter to run by hand and not a dependency of any crate; see
//! `tests/it/main.rs` for what is checked and why.
