//! A sentence-transformers BERT model run in-process on candle: tokenise, BERT forward,
//! attention-masked mean pooling, L2 normalisation: the pipeline of all-MiniLM-L6-v2.
//!
//! It loads a model folder (`config.json`, `tokenizer.json`, `model.safetensors`) once
//! and then embeds many times. It does not find or download models (`provision.rs`),
//! and it only knows mean pooling, which is what the models we ship use.

use std::fmt;
use std::path::Path;
use std::time::Instant;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{Encoding, Tokenizer};
use tracing::debug;

use crate::error;
use crate::pipeline::{
    BatchLimits, MAX_TOKENS, embed_sorted, existing, l2_normalise, read_tokenizer,
};
use crate::{EmbedError, Embedder};

/// A BERT sentence embedder, loaded once and shared across threads.
pub struct BertEmbedder {
    model: BertModel,
    tokenizer: Tokenizer,
    model_id: String,
    dimension: usize,
    pad_id: u32,
    device: Device,
}

impl fmt::Debug for BertEmbedder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BertEmbedder")
            .field("model_id", &self.model_id)
            .field("dimension", &self.dimension)
            .finish_non_exhaustive()
    }
}

impl BertEmbedder {
    /// Longest input in tokens, [CLS] and [SEP] included (see `pipeline::MAX_TOKENS`).
    pub const MAX_TOKENS: usize = MAX_TOKENS;

    /// Most texts run through the model at once; larger inputs are split.
    pub const MAX_BATCH: usize = 32;

    /// Most padded tokens (texts x longest text) in one forward pass. Measured on a
    /// 2-core x86: 200-word texts cost about 50% more CPU each in batches of 16-32 than
    /// of 1-4, as the attention scores (batch x 12 x len x len floats) outgrow the
    /// caches; short texts still go 32 at a time.
    pub const MAX_BATCH_TOKENS: usize = 1024;

    /// Loads the model in `dir`. Its id comes from the folder's ltmc manifest (written
    /// by `ModelStore` and `testing::write_tiny_bert`), else `local/<folder name>`.
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        let model_id = crate::provision::read_model_id(dir).unwrap_or_else(|| {
            let name = dir
                .file_name()
                .map_or_else(|| "model".to_owned(), |n| n.to_string_lossy().into_owned());
            format!("local/{name}")
        });
        Self::load_with_id(dir, model_id)
    }

    /// Loads the model in `dir` and reports `model_id` as its id.
    pub fn load_with_id(dir: &Path, model_id: impl Into<String>) -> Result<Self, EmbedError> {
        let started = Instant::now();
        let config_path = existing(dir, "config.json")?;
        let tokenizer_path = existing(dir, "tokenizer.json")?;
        let weights_path = existing(dir, "model.safetensors")?;

        let config = read_config(&config_path)?;
        let tokenizer = read_tokenizer(
            &tokenizer_path,
            config.vocab_size,
            config.max_position_embeddings,
        )?;
        let pad_id = tokenizer
            .token_to_id("[PAD]")
            .or_else(|| u32::try_from(config.pad_token_id).ok())
            .unwrap_or(0);

        let device = Device::Cpu;
        let vb = mmap_weights(&weights_path, &device)
            .map_err(|e| error::corrupt(&weights_path, e.to_string()))?;
        let model = BertModel::load(vb, &config)
            .map_err(|e| error::corrupt(&weights_path, e.to_string()))?;

        let model_id = model_id.into();
        debug!(
            %model_id,
            dir = %dir.display(),
            elapsed_ms = started.elapsed().as_millis(),
            "embedding model loaded"
        );
        Ok(Self {
            model,
            tokenizer,
            model_id,
            dimension: config.hidden_size,
            pad_id,
            device,
        })
    }

    /// Runs one padded batch and returns its pooled, normalised vectors in order.
    fn embed_batch(&self, batch: &[&Encoding]) -> candle_core::Result<Vec<Vec<f32>>> {
        let rows = batch.len();
        let width = batch.iter().map(|e| e.get_ids().len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(rows * width);
        let mut type_ids = Vec::with_capacity(rows * width);
        let mut mask = Vec::with_capacity(rows * width);
        for enc in batch {
            let len = enc.get_ids().len();
            ids.extend_from_slice(enc.get_ids());
            ids.resize(ids.len() + width - len, self.pad_id);
            type_ids.extend_from_slice(enc.get_type_ids());
            type_ids.resize(type_ids.len() + width - len, 0);
            mask.resize(mask.len() + len, 1u32);
            mask.resize(mask.len() + width - len, 0);
        }
        let ids = Tensor::from_vec(ids, (rows, width), &self.device)?;
        let type_ids = Tensor::from_vec(type_ids, (rows, width), &self.device)?;
        let mask = Tensor::from_vec(mask, (rows, width), &self.device)?;

        let hidden = self.model.forward(&ids, &type_ids, Some(&mask))?;
        // Mean over real tokens only: padding must not move a text's vector, or the
        // same text would embed differently depending on its batch neighbours.
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let counts = mask.sum(1)?.clamp(1e-9f32, f32::MAX)?;
        let pooled = summed.broadcast_div(&counts)?.to_vec2::<f32>()?;
        Ok(pooled.into_iter().map(l2_normalise).collect())
    }
}

impl Embedder for BertEmbedder {
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
                .map_err(|e| EmbedError::Inference(e.to_string()))
        })
    }
}

fn read_config(path: &Path) -> Result<Config, EmbedError> {
    let bytes =
        std::fs::read(path).map_err(|e| error::corrupt(path, format!("cannot read it: {e}")))?;
    let config: Config =
        serde_json::from_slice(&bytes).map_err(|e| error::corrupt(path, e.to_string()))?;
    // Checked here because candle would otherwise fail on the first embed, or not at all.
    if config.hidden_size == 0
        || config.num_attention_heads == 0
        || !config
            .hidden_size
            .is_multiple_of(config.num_attention_heads)
        || config.max_position_embeddings < 2
    {
        return Err(error::corrupt(
            path,
            format!(
                "impossible shape: hidden_size {}, num_attention_heads {}, \
                 max_position_embeddings {}",
                config.hidden_size, config.num_attention_heads, config.max_position_embeddings
            ),
        ));
    }
    Ok(config)
}

/// Maps `model.safetensors` instead of reading it: the weights are copied into tensors
/// once and the mapping is dropped with the `VarBuilder`, so 90 MB is not held twice.
#[allow(unsafe_code)]
fn mmap_weights(path: &Path, device: &Device) -> candle_core::Result<VarBuilder<'static>> {
    // SAFETY: the mapping is undefined behaviour only if the file changes while mapped.
    // ltmc never writes a model file in place: `ModelStore` installs and replaces
    // models by renaming whole folders, so a mapped file keeps its contents, and the
    // mapping lives only while `BertModel::load` copies the tensors out of it.
    unsafe { VarBuilder::from_mmaped_safetensors(&[path], DType::F32, device) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TINY_BERT_MODEL_ID, write_tiny_bert};
    /// The cosine of two unit vectors.
    use ltmc_core::vector::dot as cos;

    fn tiny() -> (tempfile::TempDir, BertEmbedder) {
        let dir = tempfile::tempdir().unwrap();
        write_tiny_bert(dir.path()).unwrap();
        let embedder = BertEmbedder::load(dir.path()).unwrap();
        (dir, embedder)
    }

    const TEXTS: [&str; 6] = [
        "fix the database connection pool leak",
        "hello world",
        "",
        "a much longer text about search and vector index and memory and cache and rules",
        "ÜBER café naïve 日本語 🙂",
        "x",
    ];

    #[test]
    fn loads_with_the_manifest_id_and_the_config_dimension() {
        let (_dir, e) = tiny();
        assert_eq!(e.model_id(), TINY_BERT_MODEL_ID);
        assert_eq!(e.dimension(), 32);
    }

    #[test]
    fn vectors_are_unit_length_and_deterministic() {
        let (_dir, e) = tiny();
        let a = e.embed(&TEXTS).unwrap();
        assert_eq!(a.len(), TEXTS.len());
        for v in &a {
            assert_eq!(v.len(), 32);
            assert!((ltmc_core::vector::norm(v) - 1.0).abs() < 1e-5);
        }
        assert_eq!(a, e.embed(&TEXTS).unwrap());
    }

    #[test]
    fn a_batch_equals_one_by_one_in_input_order() {
        let (_dir, e) = tiny();
        let batch = e.embed(&TEXTS).unwrap();
        for (text, from_batch) in TEXTS.iter().zip(&batch) {
            let single = e.embed(&[text]).unwrap().remove(0);
            let c = cos(&single, from_batch);
            assert!(c > 0.99999, "{text:?}: cosine {c}");
        }
    }

    #[test]
    fn more_texts_than_one_batch_keep_their_order() {
        let (_dir, e) = tiny();
        crate::pipeline::assert_long_batches_keep_order(&e);
    }

    #[test]
    fn empty_input_gives_empty_output() {
        let (_dir, e) = tiny();
        assert!(e.embed(&[]).unwrap().is_empty());
    }

    #[test]
    fn a_very_long_text_is_truncated_not_rejected() {
        let (_dir, e) = tiny();
        let long = "the quick memory index ".repeat(2000);
        let longer = long.clone() + "and a different ending that is cut off";
        let v = e.embed(&[&long, &longer]).unwrap();
        // Both are cut at 256 tokens, before they differ.
        assert!(cos(&v[0], &v[1]) > 0.99999);
    }

    #[test]
    fn missing_and_damaged_files_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let err = BertEmbedder::load(dir.path()).unwrap_err();
        assert!(matches!(err, EmbedError::ModelMissing { .. }), "{err:?}");

        write_tiny_bert(dir.path()).unwrap();
        let weights = dir.path().join("model.safetensors");
        let bytes = std::fs::read(&weights).unwrap();
        std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
        let err = BertEmbedder::load(dir.path()).unwrap_err();
        assert!(matches!(err, EmbedError::ModelCorrupt { .. }), "{err:?}");
        assert_eq!(err.hint(), Some("run `ltmc model fetch --force`"));

        std::fs::write(dir.path().join("config.json"), b"{").unwrap();
        let err = BertEmbedder::load(dir.path()).unwrap_err();
        assert!(matches!(err, EmbedError::ModelCorrupt { .. }), "{err:?}");
    }
}
