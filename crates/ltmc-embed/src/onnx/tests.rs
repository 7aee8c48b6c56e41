//! Unit tests of [`OnnxEmbedder`] on the tiny test BERT: the same vectors as
//! candle on the same weights, batching, truncation and load errors. They need
//! the ONNX Runtime library, fetched into the user's cache on first run like the
//! real model. Parity with Python is the integration test's job (`tests/it`).

use super::*;
use crate::BertEmbedder;
use crate::ModelStore;
use crate::testing::{TINY_BERT_MODEL_ID, write_tiny_bert};
use ltmc_core::vector::dot as cos;

fn library() -> std::path::PathBuf {
    ModelStore::from_env()
        .and_then(|s| s.ensure_runtime())
        .unwrap_or_else(|e| panic!("ONNX Runtime: {e}\nhint: {:?}", e.hint()))
}

fn tiny() -> (tempfile::TempDir, OnnxEmbedder) {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_bert(dir.path()).unwrap();
    let embedder =
        OnnxEmbedder::load_with_id(dir.path(), TINY_BERT_MODEL_ID, &library(), 2).unwrap();
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
fn the_same_vectors_as_candle_on_the_same_weights() {
    let (dir, onnx) = tiny();
    let candle = BertEmbedder::load(dir.path()).unwrap();
    assert_eq!(onnx.dimension(), 32);
    assert_eq!(onnx.model_id(), TINY_BERT_MODEL_ID);
    let a = onnx.embed(&TEXTS).unwrap();
    let b = candle.embed(&TEXTS).unwrap();
    for ((x, y), text) in a.iter().zip(&b).zip(TEXTS) {
        assert!((ltmc_core::vector::norm(x) - 1.0).abs() < 1e-5);
        let c = cos(x, y);
        assert!(c > 0.9999, "{text:?}: cosine {c}");
    }
}

#[test]
fn a_batch_equals_one_by_one_in_input_order() {
    let (_dir, e) = tiny();
    crate::pipeline::assert_long_batches_keep_order(&e);
    assert!(e.embed(&[]).unwrap().is_empty());
}

#[test]
fn a_very_long_text_is_truncated_not_rejected() {
    let (_dir, e) = tiny();
    let long = "the quick memory index ".repeat(2000);
    let longer = long.clone() + "and a different ending that is cut off";
    let v = e.embed(&[&long, &longer]).unwrap();
    assert!(cos(&v[0], &v[1]) > 0.99999);
}

#[test]
fn missing_and_damaged_files_are_typed_errors() {
    let lib = library();
    let dir = tempfile::tempdir().unwrap();
    let err = OnnxEmbedder::load_with_id(dir.path(), "m", &lib, 1).unwrap_err();
    assert!(matches!(err, EmbedError::ModelMissing { .. }), "{err:?}");

    write_tiny_bert(dir.path()).unwrap();
    let weights = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    let err = OnnxEmbedder::load_with_id(dir.path(), "m", &lib, 1).unwrap_err();
    assert!(matches!(err, EmbedError::ModelCorrupt { .. }), "{err:?}");
    assert_eq!(err.hint(), Some("run `ltmc model fetch --force`"));
}
