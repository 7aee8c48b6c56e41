//! `ltmc bench`: measurements of a real store on this machine, printed as one
//! JSON object (`--json`) or a short table. Benchmark scripts compare these
//! numbers side by side with other tools; nothing here asserts a target.

use crate::cli::BenchCommand;
use crate::context::Context;
use crate::output;
use ltmc_store::ChunkFilter;
use serde_json::json;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const DEFAULT_QUERIES: [&str; 10] = [
    "why did the database migration fail",
    "how do we retry a request with backoff",
    "memory leak in the connection pool",
    "unique constraint failed on insert",
    "how are vector ids allocated",
    "slow test suite after the upgrade",
    "where is the configuration file loaded",
    "deadlock between two threads holding locks",
    "parse a date from a string",
    "rollback plan for a failed deploy",
];

pub async fn run(ctx: &Context, command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Search {
            queries,
            rounds,
            top_k,
            fill: target,
        } => {
            if let Some(target) = target {
                fill(ctx, target).await?;
            }
            search(ctx, queries, rounds.max(1), top_k).await
        }
        BenchCommand::Patterns {
            queries,
            rounds,
            patterns,
        } => super::bench_patterns::run(ctx, queries, rounds.max(1), patterns).await,
        BenchCommand::Beir {
            dir,
            work_dir,
            limit_queries,
            whole_documents,
            samples,
        } => super::beir::run(ctx, &dir, work_dir, limit_queries, whole_documents, samples).await,
        BenchCommand::Recall {
            fixture,
            work_dir,
            samples,
        } => super::recall_set::run(ctx, &fixture, work_dir, samples).await,
        BenchCommand::FitRelevance { files } => {
            super::relevance::fit_relevance(ctx, &files, ltmc_embed::DEFAULT_MODEL_ID)
        }
    }
}

async fn search(
    ctx: &Context,
    queries: Vec<String>,
    rounds: usize,
    top_k: usize,
) -> anyhow::Result<ExitCode> {
    let queries: Vec<String> = if queries.is_empty() {
        DEFAULT_QUERIES.iter().map(|q| (*q).to_owned()).collect()
    } else {
        queries
    };
    let started = Instant::now();
    let memory = ctx.memory(false)?;
    let open = started.elapsed();
    let info = memory.store().info().await?;
    let filter = ChunkFilter::default();

    let (mut embed, mut search, mut total) = (Vec::new(), Vec::new(), Vec::new());
    // Round 0 warms caches (the store's in-memory index, the model's buffers).
    for round in 0..=rounds {
        for q in &queries {
            let t0 = Instant::now();
            let vector = memory.embed_one(q).await?;
            let t1 = Instant::now();
            let hits = memory
                .store()
                .nearest_chunks(&ctx.project, &vector, top_k, &filter)
                .await?;
            let t2 = Instant::now();
            anyhow::ensure!(
                hits.len() == top_k.min(usize::try_from(info.chunks).unwrap_or(usize::MAX)),
                "search returned {} hits",
                hits.len()
            );
            if round > 0 {
                embed.push(t1 - t0);
                search.push(t2 - t1);
                total.push(t2 - t0);
            }
        }
    }
    let report = json!({
        "chunks": info.chunks,
        "queries": total.len(),
        "top_k": top_k,
        "open_ms": ms(open),
        "embed_ms": summary(&mut embed),
        "search_ms": summary(&mut search),
        "total_ms": summary(&mut total),
    });
    if ctx.json {
        output::json_line(&report)?;
    } else {
        output::line(&format!(
            "{} chunks, {} timed queries (top {top_k}); open + model load {:.1} ms",
            info.chunks,
            total.len(),
            ms(open)
        ));
        for part in ["embed_ms", "search_ms", "total_ms"] {
            output::line(&format!(
                "{part:<10} p50 {:>8.2}  p99 {:>8.2}  mean {:>8.2}",
                report[part]["p50"].as_f64().unwrap_or(f64::NAN),
                report[part]["p99"].as_f64().unwrap_or(f64::NAN),
                report[part]["mean"].as_f64().unwrap_or(f64::NAN)
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Chunks per filler resource.
const FILL_CHUNKS_PER_RESOURCE: usize = 100;

/// Adds synthetic chunks to the project until it holds `target`, then brings
/// the index files up to date (building the graph, with a progress bar).
async fn fill(ctx: &Context, target: usize) -> anyhow::Result<()> {
    use ltmc_core::{NewChunk, NewResource};
    use ltmc_index::synthetic::{Clusters, Random};
    use std::fmt::Write as _;

    let embedder = ctx.embedder()?;
    let store = ctx.open_for_write(embedder.as_ref())?;
    let have = store
        .list_resources(&ctx.project, &ltmc_store::ResourceFilter::default())
        .await?
        .iter()
        .map(|r| r.chunk_count)
        .sum::<usize>();
    let dimension = embedder.dimension();
    let mut random = Random::new(0x5eed_f111 ^ have as u64);
    let clusters = Clusters::new((target / 1000).clamp(20, 2000), dimension, &mut random);
    let words = [
        "cache", "index", "vector", "commit", "rollback", "trigger", "graph", "segment", "parser",
        "token", "socket", "retry", "budget", "schema", "cursor", "shard",
    ];
    let started = Instant::now();
    let mut added = 0usize;
    while have + added < target {
        let n = FILL_CHUNKS_PER_RESOURCE.min(target - have - added);
        let mut content = String::new();
        let mut chunks = Vec::with_capacity(n);
        for ordinal in 0..n {
            let start = content.len();
            let _ = write!(content, "filler chunk {} ", have + added + ordinal);
            for _ in 0..12 {
                content.push_str(words[random.below(words.len())]);
                content.push(' ');
            }
            content.push_str(".\n");
            chunks.push(NewChunk {
                ordinal,
                start,
                end: content.len(),
                text: content[start..].to_owned(),
                vector: clusters.sample(&mut random),
            });
        }
        let resource = NewResource {
            project: ctx.project.clone(),
            file_name: format!("filler-{}", have + added),
            resource_type: "filler".into(),
            content,
            metadata: json!({"synthetic": true}),
        };
        store.put_resource(resource, chunks).await?;
        added += n;
    }
    tracing::info!(
        added,
        seconds = started.elapsed().as_secs_f64(),
        "filled with synthetic chunks; updating the vector index"
    );
    store.sync_indexes().await?;
    Ok(())
}

pub(super) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50, p95, p99 (nearest rank), max and mean in milliseconds.
pub(super) fn summary(samples: &mut [Duration]) -> serde_json::Value {
    samples.sort();
    let rank = |percent: usize| {
        let i = (percent * samples.len())
            .div_ceil(100)
            .clamp(1, samples.len());
        ms(samples[i - 1])
    };
    let mean = samples.iter().map(|d| ms(*d)).sum::<f64>() / samples.len() as f64;
    let max = samples.last().map_or(f64::NAN, |d| ms(*d));
    json!({"p50": rank(50), "p95": rank(95), "p99": rank(99), "max": max, "mean": mean})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        samples.reverse();
        let s = summary(&mut samples);
        assert!((s["p50"].as_f64().unwrap() - 50.0).abs() < 1e-9);
        assert!((s["p95"].as_f64().unwrap() - 95.0).abs() < 1e-9);
        assert!((s["p99"].as_f64().unwrap() - 99.0).abs() < 1e-9);
        assert!((s["max"].as_f64().unwrap() - 100.0).abs() < 1e-9);
        assert!((s["mean"].as_f64().unwrap() - 50.5).abs() < 1e-9);
    }
}
