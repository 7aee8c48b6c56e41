//! The acceptance test of the embedder: the same vectors as Python
//! sentence-transformers (fixture made by `scripts/parity/make_fixture.py`).

use ltmc_embed::{DEFAULT_MODEL_ID, Embedder};
use serde::Deserialize;

use crate::support::{cosine, real_model, real_model_candle};

const MIN_COSINE: f32 = 0.9999;

#[derive(Deserialize)]
struct Fixture {
    model: String,
    texts: Vec<String>,
    vectors: Vec<Vec<f32>>,
}

fn fixture() -> Fixture {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity.json");
    serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("fixture is JSON")
}

/// The lowest cosine and a report of the texts below the threshold.
fn compare(expected: &[Vec<f32>], got: &[Vec<f32>], texts: &[String]) -> (f32, Vec<String>) {
    let mut min = f32::MAX;
    let mut failures = Vec::new();
    for ((e, g), text) in expected.iter().zip(got).zip(texts) {
        let c = cosine(e, g);
        min = min.min(c);
        if c < MIN_COSINE || c.is_nan() {
            let short: String = text.chars().take(60).collect();
            failures.push(format!("cosine {c:.7} for {short:?}"));
        }
    }
    (min, failures)
}

#[test]
fn onnx_matches_python_sentence_transformers_one_by_one_and_batched() {
    check_parity(real_model(), "onnx");
}

#[test]
fn candle_matches_python_sentence_transformers_one_by_one_and_batched() {
    check_parity(real_model_candle(), "candle");
}

// The minimum is worth seeing on success too: it shows how much margin is left.
#[allow(clippy::print_stderr)]
fn check_parity(model: &dyn Embedder, runtime: &str) {
    let fx = fixture();
    assert_eq!(fx.model, DEFAULT_MODEL_ID);
    assert_eq!(model.model_id(), DEFAULT_MODEL_ID);
    assert_eq!(model.dimension(), 384);
    assert_eq!(fx.texts.len(), fx.vectors.len());
    assert!(fx.texts.len() >= 60);

    let refs: Vec<&str> = fx.texts.iter().map(String::as_str).collect();
    let batched = model.embed(&refs).unwrap();
    let single: Vec<Vec<f32>> = refs
        .iter()
        .map(|t| model.embed(&[t]).unwrap().remove(0))
        .collect();
    assert_eq!(batched.len(), fx.texts.len());

    let (min_batched, bad_batched) = compare(&fx.vectors, &batched, &fx.texts);
    let (min_single, bad_single) = compare(&fx.vectors, &single, &fx.texts);
    eprintln!(
        "{runtime} parity over {} texts: min cosine batched {min_batched:.7}, one by one {min_single:.7}",
        fx.texts.len()
    );
    assert!(
        bad_batched.is_empty() && bad_single.is_empty(),
        "{runtime}: min cosine batched {min_batched}, one by one {min_single}\nbatched:\n{}\none by one:\n{}",
        bad_batched.join("\n"),
        bad_single.join("\n")
    );
}
