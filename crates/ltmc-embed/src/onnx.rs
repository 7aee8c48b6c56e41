//! [`OnnxEmbedder`]: the sentence-transformers BERT pipeline run by ONNX Runtime,
//! ltmc's default embedding runtime (faster than candle on CPU; see
//! ARCHITECTURE.md). Tokenising, batching and pooling are shared with candle
//! (`pipeline.rs`); the forward pass is an ONNX graph ltmc builds from the model's
//! safetensors at load time (`onnx/graph.rs`), run on a session created once.
//!
//! Not here: fetching the model (`provision.rs`) or the runtime library
//! (`onnx/runtime.rs`), or any runtime choice (`runtime_choice.rs`).

mod graph;
mod proto;
pub mod runtime;

use std::fmt;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;
use tokenizers::{Encoding, Tokenizer};
use tracing::debug;

use crate::pipeline::{BatchLimits, embed_sorted, existing, mean_pool, read_tokenizer};
use crate::{EmbedError, Embedder};

pub(crate) use graph::Precision;

/// A BERT sentence embedder on ONNX Runtime, loaded once and shared across threads.
pub struct OnnxEmbedder {
    /// `Session::run` takes `&mut`: one forward pass at a time, each using all
    /// the intra-op threads.
    session: Mutex<Session>,
    tokenizer: Tokenizer,
    model_id: String,
    dimension: usize,
    pad_id: u32,
    threads: usize,
}

impl fmt::Debug for OnnxEmbedder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnnxEmbedder")
            .field("model_id", &self.model_id)
            .field("dimension", &self.dimension)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl OnnxEmbedder {
    /// Most texts run through the model at once; larger inputs are split.
    pub const MAX_BATCH: usize = 32;

    /// Most padded tokens (texts x longest text) in one forward pass.
    pub const MAX_BATCH_TOKENS: usize = 8192;

    /// Loads the model in `dir` on the ONNX Runtime library `lib`, reporting
    /// `model_id`, with `threads` intra-op threads.
    pub fn load_with_id(
        dir: &Path,
        model_id: impl Into<String>,
        lib: &Path,
        threads: usize,
    ) -> Result<Self, EmbedError> {
        Self::load_precision(dir, model_id.into(), lib, threads, Precision::Fp32)
    }

    pub(crate) fn load_precision(
        dir: &Path,
        model_id: String,
        lib: &Path,
        threads: usize,
        precision: Precision,
    ) -> Result<Self, EmbedError> {
        let started = Instant::now();
        let config_path = existing(dir, "config.json")?;
        let tokenizer_path = existing(dir, "tokenizer.json")?;
        let weights_path = existing(dir, "model.safetensors")?;
        let shape = graph::BertShape::read(&config_path)?;
        let tokenizer = read_tokenizer(
            &tokenizer_path,
            shape.vocab_size,
            shape.max_position_embeddings,
        )?;
        let pad_id = tokenizer
            .token_to_id("[PAD]")
            .or_else(|| u32::try_from(shape.pad_token_id).ok())
            .unwrap_or(0);

        let env = runtime::environment(lib)?;
        let model = graph::build(&shape, &weights_path, precision)?;
        let built_ms = started.elapsed().as_millis();
        let threads = threads.max(1);
        let session = Session::builder(env)
            .map_err(session_error)?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(session_error)?
            .with_intra_threads(threads)
            .map_err(session_error)?
            .with_inter_threads(1)
            .map_err(session_error)?
            .with_intra_op_spinning(spinning())
            .map_err(session_error)?
            .commit_from_memory(&model)
            .map_err(session_error)?;
        drop(model);

        debug!(
            %model_id,
            dir = %dir.display(),
            threads,
            graph_ms = built_ms,
            elapsed_ms = started.elapsed().as_millis(),
            "embedding model loaded on ONNX Runtime"
        );
        Ok(Self {
            session: Mutex::new(session),
            tokenizer,
            model_id,
            dimension: shape.hidden_size,
            pad_id,
            threads,
        })
    }

    /// The intra-op threads of the session.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs one padded batch and returns its pooled, normalised vectors in order.
    fn embed_batch(&self, batch: &[&Encoding]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let rows = batch.len();
        let width = batch.iter().map(|e| e.get_ids().len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(rows * width);
        let mut type_ids = Vec::with_capacity(rows * width);
        let mut mask = Vec::with_capacity(rows * width);
        let as_i32 = |v: u32| i32::try_from(v).unwrap_or(0);
        for enc in batch {
            let len = enc.get_ids().len();
            ids.extend(enc.get_ids().iter().map(|&v| as_i32(v)));
            ids.resize(ids.len() + width - len, as_i32(self.pad_id));
            type_ids.extend(enc.get_type_ids().iter().map(|&v| as_i32(v)));
            type_ids.resize(type_ids.len() + width - len, 0);
            mask.resize(mask.len() + len, 1i32);
            mask.resize(mask.len() + width - len, 0);
        }
        let failed = |e: ort::Error| EmbedError::Inference(format!("ONNX Runtime: {e}"));
        let tensor = |v: Vec<i32>| Tensor::from_array(([rows, width], v)).map_err(failed);
        let inputs = ort::inputs![
            graph::INPUT_IDS => tensor(ids)?,
            graph::TOKEN_TYPE_IDS => tensor(type_ids)?,
            graph::ATTENTION_MASK => tensor(mask)?,
        ];
        // A poisoned lock only means a run panicked; the session is still sound.
        let mut session = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let outputs = session.run(inputs).map_err(failed)?;
        let (shape, hidden) = outputs[graph::LAST_HIDDEN]
            .try_extract_tensor::<f32>()
            .map_err(failed)?;
        let dim = self.dimension;
        if shape.len() != 3 || hidden.len() != rows * width * dim {
            return Err(EmbedError::Inference(format!(
                "ONNX Runtime returned shape {shape:?}, expected [{rows}, {width}, {dim}]"
            )));
        }
        Ok(batch
            .iter()
            .enumerate()
            .map(|(r, enc)| {
                let start = r * width * dim;
                mean_pool(
                    &hidden[start..start + width * dim],
                    enc.get_ids().len(),
                    dim,
                )
            })
            .collect())
    }
}

fn session_error(e: impl fmt::Display) -> EmbedError {
    EmbedError::Inference(format!("ONNX Runtime session: {e}"))
}

/// Whether idle intra-op threads spin between parallel sections (ONNX Runtime's
/// default, fastest on an idle machine); `LTMC_ONNX_SPIN=0` makes them sleep,
/// kinder to a machine that is busy with other work.
fn spinning() -> bool {
    std::env::var("LTMC_ONNX_SPIN").map_or(true, |v| v.trim() != "0")
}

impl Embedder for OnnxEmbedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    fn dimension(&self) -> usize {
        self.dimension
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let limits = BatchLimits {
            texts: Self::MAX_BATCH,
            tokens: Self::MAX_BATCH_TOKENS,
        };
        embed_sorted(&self.tokenizer, texts, limits, |batch| {
            self.embed_batch(batch)
        })
    }
}

#[cfg(test)]
mod tests;
