//! `near_tie`: recall@1 and recall@10 of the HNSW index against exact search
//! on near-tie-heavy data, the shape agent memories have (issue 21, item 9):
//! many short notes built from one template, most differing from others in
//! a single word, so the best few similarities of a query are nearly tied.
//!
//! Every note is queried twice: by its own text (exact top-1: itself) and by
//! a paraphrase (the same facts reordered and reworded). A query's top-1 is
//! a hit when the index's first id is exact search's first id, or its score
//! equals the exact best (a duplicate vector). Each search mode runs on the
//! same graph: `graph` is the walk's own order and scores (the index before
//! issue 21), `rerank` is [`HnswIndex::search`] (a wider candidate pool
//! re-scored exactly from the stored vectors). Also prints p50/p99 latency.
//!
//! ```text
//! cargo run --release -p ltmc-index --example near_tie -- --notes 5000 --embedder model
//! ```
//!
//! `--embedder model` (default) embeds with the real all-MiniLM-L6-v2 from
//! the model cache (ltmc-embed, ONNX); `hash` uses the deterministic test
//! embedder (word hashing: more exact ties, less like real text). A
//! measurement tool, not a test: it asserts nothing and prints a table. The
//! test of the behaviour is `hnsw.rs`'s near-tie test.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_possible_truncation
)]

use ltmc_embed::Embedder;
use ltmc_index::synthetic::Random;
use ltmc_index::{ExactIndex, Hit, HnswIndex, HnswParams};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

const VERBS: &[(&str, &str)] = &[
    ("Fixed", "fixed"),
    ("Resolved", "resolved"),
    ("Patched", "patched"),
    ("Debugged", "debugged"),
    ("Tracked down", "tracked down"),
];
const ISSUES: &[&str] = &[
    "a deadlock",
    "a memory leak",
    "a race condition",
    "a timeout",
    "a panic",
    "a crash on startup",
    "an off-by-one error",
    "a null dereference",
    "a slow query",
    "a flaky test",
];
const MODULES: &[&str] = &[
    "the connection pool",
    "the request router",
    "the cache layer",
    "the session store",
    "the job scheduler",
    "the auth middleware",
    "the billing service",
    "the search indexer",
    "the upload handler",
    "the config loader",
];
const CAUSES: &[&str] = &[
    "a missing lock",
    "an unbounded retry loop",
    "a stale cache entry",
    "a wrong array index",
    "a leaked file handle",
    "an unchecked integer overflow",
    "a missing timeout",
    "a double free",
    "an unawaited future",
    "a bad default value",
];
const FIXES: &[(&str, &str)] = &[
    ("added a guard", "adding a guard"),
    ("added a regression test", "adding a regression test"),
    ("bounded the retries", "bounding the retries"),
    ("evicted the entry", "evicting the entry"),
    ("fixed the index", "fixing the index"),
    ("closed the handle", "closing the handle"),
    ("checked the bound", "checking the bound"),
    ("set a timeout", "setting a timeout"),
    ("awaited the future", "awaiting the future"),
    ("changed the default", "changing the default"),
];

struct Args {
    notes: usize,
    embedder: String,
    expansions: Vec<usize>,
    /// A file keeping the embeddings between runs (embedding is the slow part).
    cache: Option<String>,
    /// Only ids divisible by this pass the filter (1: no filter), as when a
    /// search leaves out other resource types: the walk meets rejected nodes.
    keep_every: i64,
}

fn args() -> Args {
    let mut args = Args {
        notes: 5000,
        embedder: "model".into(),
        expansions: vec![HnswParams::default().expansion_search],
        cache: None,
        keep_every: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--notes" => args.notes = value.parse().expect("--notes N"),
            "--embedder" => args.embedder = value,
            "--cache" => args.cache = Some(value),
            "--keep-every" => args.keep_every = value.parse().expect("--keep-every N"),
            "--ef" => {
                args.expansions = value
                    .split(',')
                    .map(|v| v.trim().parse().expect("--ef N,N"))
                    .collect();
            }
            other => panic!(
                "unknown flag {other}; use --notes, --embedder model|hash, --ef, --cache, --keep-every"
            ),
        }
    }
    args
}

/// Short questions, each matching many notes nearly equally (one or two of
/// a note's facets): the low-similarity near-ties of the issue.
fn questions() -> Vec<String> {
    let mut out = Vec::new();
    for issue in ISSUES {
        out.push(format!("how did we fix {issue}?"));
        for module in MODULES {
            out.push(format!("{issue} in {module}"));
        }
    }
    for cause in CAUSES {
        out.push(format!("what went wrong because of {cause}"));
        for module in MODULES {
            out.push(format!("{cause} in {module}"));
        }
    }
    for (fix, _) in FIXES {
        out.push(format!("where we {fix}"));
    }
    out
}

/// How many notes are also queried by a paraphrase.
const PARAPHRASED: usize = 500;

/// The embeddings of `texts`, from `cache` when it holds them (raw
/// little-endian f32 rows after a count and a dimension, u64 each).
fn embed_cached(embedder: &dyn Embedder, texts: &[&str], cache: Option<&str>) -> Vec<Vec<f32>> {
    let key = |n: usize| format!("{}.{n}", cache.unwrap_or_default());
    if let Some(bytes) = cache.and_then(|_| std::fs::read(key(texts.len())).ok()) {
        let dimension =
            usize::try_from(u64::from_le_bytes(bytes[8..16].try_into().unwrap())).unwrap();
        let floats: Vec<f32> = bytes[16..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        return floats.chunks(dimension).map(<[f32]>::to_vec).collect();
    }
    let rows = embed(embedder, texts);
    if cache.is_some() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&(rows.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&(rows[0].len() as u64).to_le_bytes());
        for v in rows.iter().flatten() {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        std::fs::write(key(texts.len()), bytes).expect("writing the cache");
    }
    rows
}

/// `n` distinct notes and a paraphrase of each, deterministic.
fn notes(n: usize) -> Vec<(String, String)> {
    let mut random = Random::new(21);
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(n);
    let combinations = VERBS.len() * ISSUES.len() * MODULES.len() * CAUSES.len() * FIXES.len();
    assert!(n <= combinations, "at most {combinations} notes");
    while out.len() < n {
        let pick = [
            random.below(VERBS.len()),
            random.below(ISSUES.len()),
            random.below(MODULES.len()),
            random.below(CAUSES.len()),
            random.below(FIXES.len()),
        ];
        if !seen.insert(pick) {
            continue;
        }
        let [verb, issue, module, cause, fix] = pick;
        let note = format!(
            "{} {} in {} caused by {}; {}.",
            VERBS[verb].0, ISSUES[issue], MODULES[module], CAUSES[cause], FIXES[fix].0
        );
        let paraphrase = format!(
            "{} in {} came from {} and was {} by {}",
            ISSUES[issue], MODULES[module], CAUSES[cause], VERBS[verb].1, FIXES[fix].1
        );
        out.push((note, paraphrase));
    }
    out
}

fn embed(embedder: &dyn Embedder, texts: &[&str]) -> Vec<Vec<f32>> {
    let mut out = Vec::with_capacity(texts.len());
    for batch in texts.chunks(64) {
        out.extend(embedder.embed(batch).expect("embedding"));
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[derive(Default)]
struct Tally {
    queries: usize,
    top1: usize,
    near_ties: usize,
    near_tie_top1: usize,
    at10: usize,
    micros: Vec<f64>,
}

fn main() {
    let args = args();
    let notes = notes(args.notes);
    let embedder: Arc<dyn Embedder> = if args.embedder == "hash" {
        Arc::new(ltmc_embed::testing::HashEmbedder::new(384).expect("hash embedder"))
    } else {
        let store = ltmc_embed::ModelStore::from_env().expect("the model cache");
        ltmc_embed::load_default(&store).expect("the model (ltmc model fetch)")
    };
    let started = Instant::now();
    let questions = questions();
    let texts: Vec<&str> = notes
        .iter()
        .map(|(n, _)| n.as_str())
        .chain(notes.iter().take(PARAPHRASED).map(|(_, p)| p.as_str()))
        .chain(questions.iter().map(String::as_str))
        .collect();
    let cache = args
        .cache
        .as_ref()
        .map(|c| format!("{c}.{}", args.embedder));
    let mut stored = embed_cached(embedder.as_ref(), &texts, cache.as_deref());
    let queries = stored.split_off(notes.len());
    eprintln!(
        "embedded {} texts in {:.1} s ({})",
        texts.len(),
        started.elapsed().as_secs_f64(),
        args.embedder
    );
    let dimension = stored[0].len();
    let items: Vec<(i64, &[f32])> = stored
        .iter()
        .enumerate()
        .map(|(i, v)| (i as i64 + 1, v.as_slice()))
        .collect();
    let mut exact = ExactIndex::new(dimension);
    for (id, v) in &items {
        exact.insert(*id, v).unwrap();
    }
    let all: Vec<&[f32]> = stored.iter().chain(&queries).map(Vec::as_slice).collect();
    let every = args.keep_every.max(1);
    let keep = move |id: i64| id % every == 0;
    let truth: Vec<Vec<Hit>> = all
        .iter()
        .map(|q| exact.search(q, 10, &keep).unwrap())
        .collect();

    println!(
        "notes {}  embedder {}  dimension {dimension}  filter: ids divisible by {every}  \
         queries {} ({} self, {} paraphrases, {} questions)",
        notes.len(),
        args.embedder,
        all.len(),
        notes.len(),
        PARAPHRASED.min(notes.len()),
        questions.len()
    );
    println!(
        "{:<7} {:>4} {:>9} {:>11} {:>9} {:>15} {:>10} {:>8} {:>8}",
        "mode",
        "ef",
        "recall@1",
        "self@1",
        "other@1",
        "near-tie@1",
        "recall@10",
        "p50 µs",
        "p99 µs"
    );
    for &ef in &args.expansions {
        let params = HnswParams {
            expansion_search: ef,
            ..HnswParams::default()
        };
        let mut hnsw = HnswIndex::new(dimension, params).unwrap();
        hnsw.insert_many(&items).unwrap();
        for mode in ["graph", "rerank"] {
            let mut tally = Tally::default();
            let mut self_top1 = 0;
            let mut other_top1 = 0;
            for (n, (query, expected)) in all.iter().zip(&truth).enumerate() {
                let t = Instant::now();
                let got = if mode == "graph" {
                    hnsw.search_graph_order(query, 10, 0, &keep).unwrap()
                } else {
                    hnsw.search(query, 10, 0, &keep).unwrap()
                };
                tally.micros.push(t.elapsed().as_secs_f64() * 1e6);
                let best = &expected[0];
                let hit = got
                    .first()
                    .is_some_and(|h| h.id == best.id || h.score >= best.score - 1e-6);
                tally.queries += 1;
                tally.top1 += usize::from(hit);
                if n < notes.len() {
                    // A note filtered out is not its own first hit.
                    self_top1 += usize::from(hit);
                } else {
                    other_top1 += usize::from(hit);
                }
                if expected.len() > 1 && best.score - expected[1].score < 0.005 {
                    tally.near_ties += 1;
                    tally.near_tie_top1 += usize::from(hit);
                }
                tally.at10 += got
                    .iter()
                    .filter(|h| expected.iter().any(|e| e.id == h.id))
                    .count();
            }
            tally.micros.sort_by(f64::total_cmp);
            println!(
                "{mode:<7} {ef:>4} {:>9.4} {:>11} {:>9} {:>15} {:>10.4} {:>8.0} {:>8.0}",
                tally.top1 as f64 / tally.queries as f64,
                format!("{self_top1}/{}", notes.len()),
                format!("{other_top1}/{}", all.len() - notes.len()),
                format!("{}/{}", tally.near_tie_top1, tally.near_ties),
                tally.at10 as f64 / (tally.queries * 10) as f64,
                percentile(&tally.micros, 0.5),
                percentile(&tally.micros, 0.99),
            );
        }
    }
}
