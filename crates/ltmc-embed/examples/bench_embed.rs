//! Embedding throughput of the real model: texts per second for short (~8 words) and
//! long (~200 words) texts at batch sizes 1 and 32, printed as one JSON object.
//!
//! A data-output program, hence stdout. The texts are generated exactly as
//! `scripts/parity/bench_embed.py` generates them (same word list, same LCG), or read
//! from a JSON file `{"short": [...], "long": [...]}` given as the only argument, so the
//! two implementations can be compared side by side. It is not a test: no thresholds.
//!
//!     LTMC_RUNTIME=onnx|candle cargo run --release -p ltmc-embed --example bench_embed -- [texts.json]
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::time::Instant;

use ltmc_embed::{Embedder, ModelChoice, ModelStore, Runtime};
use serde::Deserialize;

const SHORT_TEXTS: usize = 256;
const SHORT_WORDS: usize = 8;
const LONG_TEXTS: usize = 64;
const LONG_WORDS: usize = 200;

const WORDS: &[&str] = &[
    "memory",
    "agent",
    "fix",
    "pattern",
    "database",
    "index",
    "vector",
    "search",
    "query",
    "cache",
    "error",
    "retry",
    "timeout",
    "connection",
    "pool",
    "leak",
    "test",
    "build",
    "deploy",
    "service",
    "layer",
    "rule",
    "guardian",
    "debt",
    "refactor",
    "module",
    "function",
    "class",
    "method",
    "return",
    "value",
    "string",
    "number",
    "list",
    "map",
    "thread",
    "lock",
    "async",
    "await",
    "future",
    "stream",
    "buffer",
    "file",
    "path",
    "config",
    "token",
    "model",
    "embed",
    "chunk",
    "document",
    "store",
    "load",
    "save",
    "delete",
    "update",
    "insert",
    "select",
    "join",
    "table",
    "column",
    "row",
    "schema",
    "migration",
    "backup",
    "rollback",
    "commit",
    "branch",
    "merge",
    "review",
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "is",
    "it",
    "for",
    "on",
    "with",
    "when",
    "after",
    "before",
    "because",
    "fails",
    "works",
    "slow",
    "fast",
    "again",
];

#[derive(Deserialize)]
struct Texts {
    short: Vec<String>,
    long: Vec<String>,
}

/// Knuth's MMIX LCG; the Python script uses the same constants and seed.
struct Lcg(u64);

impl Lcg {
    fn word(&mut self) -> &'static str {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let i = usize::try_from((self.0 >> 33) % WORDS.len() as u64).unwrap_or(0);
        WORDS[i]
    }

    fn text(&mut self, words: usize) -> String {
        (0..words)
            .map(|_| self.word())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn generate() -> Texts {
    let mut lcg = Lcg(42);
    let short = (0..SHORT_TEXTS).map(|_| lcg.text(SHORT_WORDS)).collect();
    let long = (0..LONG_TEXTS).map(|_| lcg.text(LONG_WORDS)).collect();
    Texts { short, long }
}

/// Texts per second embedding `texts` in calls of `batch` texts.
fn throughput(model: &dyn Embedder, texts: &[String], batch: usize) -> Result<f64, Box<dyn Error>> {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let started = Instant::now();
    for chunk in refs.chunks(batch) {
        model.embed(chunk)?;
    }
    Ok(texts.len() as f64 / started.elapsed().as_secs_f64())
}

/// Median latency in ms of embedding one 10-word query, over 50 runs.
fn query_p50_ms(model: &dyn Embedder) -> Result<f64, Box<dyn Error>> {
    let query = ["why did the database connection pool leak under load yesterday"];
    let mut times = Vec::with_capacity(50);
    for _ in 0..50 {
        let started = Instant::now();
        model.embed(&query)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn main() -> Result<(), Box<dyn Error>> {
    let texts = match std::env::args_os().nth(1) {
        Some(path) => serde_json::from_slice(&std::fs::read(path)?)?,
        None => generate(),
    };
    let store = ModelStore::from_env()?;
    let load_started = Instant::now();
    let runtime = Runtime::from_env()?;
    let threads = ltmc_embed::threads_or_default(None);
    let choice: ModelChoice = std::env::var("LTMC_MODEL")
        .ok()
        .filter(|v| !v.is_empty())
        .map_or(Ok(ModelChoice::default()), |v| v.parse())?;
    let model = ltmc_embed::load_model(&store, choice, runtime, Some(threads))?;
    let load_ms = load_started.elapsed().as_secs_f64() * 1000.0;

    // Warm-up: first calls pay for allocations and thread-pool start.
    let refs: Vec<&str> = texts
        .short
        .iter()
        .chain(&texts.long)
        .take(48)
        .map(String::as_str)
        .collect();
    model.embed(&refs)?;

    // A variant other than the exact model: how far its vectors are from the exact
    // model's on the same texts (cosine, min and median).
    let cosine_to_fp32 = if choice == ModelChoice::default() {
        serde_json::Value::Null
    } else {
        let exact = ltmc_embed::load(&store, runtime, Some(threads))?;
        let all: Vec<&str> = texts
            .short
            .iter()
            .chain(&texts.long)
            .map(String::as_str)
            .collect();
        let a = model.embed(&all)?;
        let b = exact.embed(&all)?;
        let mut cos: Vec<f32> = a
            .iter()
            .zip(&b)
            .map(|(x, y)| ltmc_core::vector::dot(x, y))
            .collect();
        cos.sort_by(f32::total_cmp);
        serde_json::json!({"min": cos[0], "median": cos[cos.len() / 2]})
    };

    let result = serde_json::json!({
        "model": model.model_id(),
        "cosine_to_fp32": cosine_to_fp32,
        "impl": format!("ltmc-rust-{runtime}"),
        "profile": if cfg!(debug_assertions) { "dev" } else { "release" },
        // $LTMC_THREADS, else the physical cores.
        "threads": threads,
        "load_ms": round1(load_ms),
        "short_texts": texts.short.len(),
        "long_texts": texts.long.len(),
        "short_b1": round1(throughput(model.as_ref(), &texts.short, 1)?),
        "short_b32": round1(throughput(model.as_ref(), &texts.short, 32)?),
        "long_b1": round1(throughput(model.as_ref(), &texts.long, 1)?),
        "long_b32": round1(throughput(model.as_ref(), &texts.long, 32)?),
        "query_p50_ms": (query_p50_ms(model.as_ref())? * 100.0).round() / 100.0,
    });
    println!("{result}");
    Ok(())
}
