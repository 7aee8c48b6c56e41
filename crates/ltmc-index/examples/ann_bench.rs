//! `ann_bench`: the approximate index against exact search, side by side in
//! one run: build time, memory, query latency p50/p99 and recall@k of HNSW
//! against the exact answer, at each size asked for.
//!
//! Data: clustered synthetic unit vectors (one cluster per thousand vectors,
//! each with its own spread); queries are fresh samples of the same clusters.
//! By default the spread is isotropic (every direction: the hardest case for a
//! graph index); `--rank R` makes each cluster spread along R directions of
//! its own, closer to how sentence embeddings sit. Deterministic (fixed seed).
//!
//! ```text
//! cargo run -p ltmc-index --example ann_bench -- --sizes 100000,1000000 --queries 200
//! ```
//!
//! A measurement tool, not a test: it asserts nothing and prints a table.

// A measurement tool printing a table; its casts are of counts and timings.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_possible_truncation
)]

use ltmc_index::synthetic::{Clusters, Random};
use ltmc_index::{ExactIndex, Hit, HnswIndex, HnswParams};
use std::time::Instant;

struct Args {
    sizes: Vec<usize>,
    queries: usize,
    dimension: usize,
    k: usize,
    expansions: Vec<usize>,
    /// 0: isotropic clusters; otherwise each cluster spreads along this many directions.
    rank: usize,
}

fn parse_list(value: &str) -> Vec<usize> {
    value
        .split(',')
        .map(|v| v.trim().replace('_', "").parse().expect("a number"))
        .collect()
}

fn args() -> Args {
    let mut args = Args {
        sizes: vec![100_000, 1_000_000],
        queries: 200,
        dimension: 384,
        k: 10,
        expansions: vec![HnswParams::default().expansion_search],
        rank: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--sizes" => args.sizes = parse_list(&value),
            "--queries" => args.queries = value.parse().expect("--queries N"),
            "--dimension" => args.dimension = value.parse().expect("--dimension N"),
            "--k" => args.k = value.parse().expect("--k N"),
            "--ef" => args.expansions = parse_list(&value),
            "--rank" => args.rank = value.parse().expect("--rank N"),
            other => {
                panic!("unknown flag {other}; flags: --sizes --queries --dimension --k --ef --rank")
            }
        }
    }
    args
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64() * 1000.0)
}

fn main() {
    let args = args();
    println!(
        "| vectors | index | build (s) | memory (MB) | ef | p50 (ms) | p99 (ms) | recall@{} | p50 speed-up |",
        args.k
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for &n in &args.sizes {
        let mut random = Random::new(0x9e37_79b9_7f4a_7c15 ^ n as u64);
        let count = (n / 1000).clamp(20, 2000);
        let clusters = if args.rank == 0 {
            Clusters::new(count, args.dimension, &mut random)
        } else {
            Clusters::low_rank(count, args.dimension, args.rank, &mut random)
        };
        eprintln!("generating {n} vectors...");
        let data: Vec<Vec<f32>> = (0..n).map(|_| clusters.sample(&mut random)).collect();
        let queries: Vec<Vec<f32>> = (0..args.queries)
            .map(|_| clusters.sample(&mut random))
            .collect();

        eprintln!("exact index...");
        let (exact, exact_build) = timed(|| {
            let mut index = ExactIndex::new(args.dimension);
            for (i, v) in data.iter().enumerate() {
                index.insert(i as i64 + 1, v).expect("insert");
            }
            index
        });
        let mut truth: Vec<Vec<Hit>> = Vec::new();
        let mut exact_ms = Vec::new();
        for q in &queries {
            let (hits, ms) = timed(|| exact.search(q, args.k, &|_| true).expect("search"));
            truth.push(hits);
            exact_ms.push(ms);
        }
        exact_ms.sort_by(f64::total_cmp);
        let exact_megabytes = (n * args.dimension * 4) as f64 / 1e6;
        let exact_p50 = percentile(&exact_ms, 0.5);
        println!(
            "| {n} | exact | {:.1} | {exact_megabytes:.0} | - | {exact_p50:.2} | {:.2} | 1.000 | 1x |",
            exact_build / 1000.0,
            percentile(&exact_ms, 0.99)
        );
        drop(exact);

        eprintln!("hnsw index (one thread)...");
        let items: Vec<(i64, &[f32])> = data
            .iter()
            .enumerate()
            .map(|(i, v)| (i as i64 + 1, v.as_slice()))
            .collect();
        let (mut hnsw, hnsw_build) = timed(|| {
            let mut index = HnswIndex::new(args.dimension, HnswParams::default()).expect("new");
            for batch in items.chunks(50_000) {
                index.insert_many(batch).expect("insert");
                eprint!(".");
            }
            eprintln!();
            index
        });
        let hnsw_megabytes = hnsw.memory_bytes() as f64 / 1e6;
        for &ef in &args.expansions {
            let mut ms_all = Vec::new();
            let mut found = 0usize;
            for (q, expected) in queries.iter().zip(&truth) {
                let (hits, ms) = timed(|| hnsw.search(q, args.k, ef, &|_| true).expect("search"));
                ms_all.push(ms);
                found += hits
                    .iter()
                    .filter(|h| expected.iter().any(|e| e.id == h.id))
                    .count();
            }
            ms_all.sort_by(f64::total_cmp);
            let p50 = percentile(&ms_all, 0.5);
            println!(
                "| {n} | hnsw M={} efc={} | {:.1} | {hnsw_megabytes:.0} | {ef} | {p50:.3} | {:.3} | {:.4} | {:.0}x |",
                HnswParams::default().connectivity,
                HnswParams::default().expansion_add,
                hnsw_build / 1000.0,
                percentile(&ms_all, 0.99),
                found as f64 / (queries.len() * args.k) as f64,
                exact_p50 / p50
            );
        }
    }
}
