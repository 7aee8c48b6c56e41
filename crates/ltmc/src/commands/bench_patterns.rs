//! `ltmc bench patterns`: warm latency of `find_similar_patterns` on a store
//! of many fix patterns (issue 5 asks for its p50 over 10,000), split into
//! the query's embedding, the store's pattern search with a precomputed
//! vector, and the whole service call, each without and with the layer and
//! workflow filters. Printed as one JSON object (`--json`) or a table.
//!
//! The filler starts from the example data set's patterns
//! (examples/fix-patterns/patterns.json, built in): each is embedded once with
//! the real model, and every synthetic pattern is a copy of one with its own
//! place in the text, layers, workflows, file types, review flag and metrics,
//! and its three vectors are that seed's, perturbed (noise from the random
//! source `bench search --fill` uses) and made unit length again. So real
//! debt descriptions find them with the similarities the model gives, and
//! the threshold, the ranking and the reading of the best patterns all run
//! as they would on real data.
//!
//! Not a test of search quality (synthetic variants are near-duplicates of
//! 25 seeds) and not an assertion of any target: it measures and prints.

use super::bench::summary;
use crate::context::Context;
use crate::output;
use anyhow::Context as _;
use ltmc_core::fix::{
    NewFixPattern, PatternEmbeddings, PatternFilter, ProblemType, RuleSpec, Severity, problem_query,
};
use ltmc_embed::Embedder;
use ltmc_index::synthetic::Random;
use ltmc_service::Memory;
use ltmc_service::fix::patterns::{
    DEFAULT_LIMIT, SimilarRequest, default_similarity_threshold, embed_pattern,
    find_similar_patterns,
};
use ltmc_store::PatternQuery;
use serde::Deserialize;
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Debts as an agent would describe them, most covered by some seed
/// pattern in other words, a few by none.
const DEFAULT_QUERIES: [&str; 10] = [
    "SQL built by string concatenation in the search endpoint",
    "blocking HTTP call inside async handler",
    "API key hard-coded in the settings module",
    "order endpoint returns orders of other customers, no ownership check",
    "passwords stored as unsalted SHA-256 hashes",
    "one query per row when exporting orders with their items",
    "outbound calls to the shipping partner have no timeout",
    "exception swallowed when the receipt email fails",
    "two concurrent checkouts oversell the last item in stock",
    "screen reader cannot tell which label belongs to which input",
];

/// Filters of the timed searches: a name, the layer, the workflows.
const FILTERS: [(&str, Option<i64>, &[&str]); 4] = [
    ("none", None, &[]),
    ("layer 4", Some(4), &[]),
    ("WF4", None, &["WF4"]),
    ("layer 3, WF1|WF4", Some(3), &["WF1", "WF4"]),
];

/// The seed patterns: the example data set.
const SEEDS: &str = include_str!("../../../../examples/fix-patterns/patterns.json");

/// The fields of an example pattern the filler copies.
#[derive(Debug, Deserialize)]
struct Seed {
    title: String,
    problem_type: String,
    severity: String,
    code_type: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    layers: Vec<i64>,
    problem_description: String,
    solution_steps: Vec<String>,
    code_before: Option<String>,
    code_after: Option<String>,
    verification_steps: Option<String>,
    learnings: Option<String>,
    prevention_guidance: Option<String>,
    #[serde(default)]
    anti_patterns: Vec<String>,
    #[serde(default)]
    guardian_rules: Vec<RuleSpec>,
}

/// Where a variant's debt was seen: the only words that differ between
/// variants of one seed.
const PLACES: [&str; 12] = [
    "the orders service",
    "the catalogue API",
    "the checkout flow",
    "the payments worker",
    "the admin export",
    "the notification sender",
    "the auth module",
    "the shipping client",
    "the inventory job",
    "the reporting dashboard",
    "the mobile backend",
    "the billing service",
];

const WORKFLOWS: [&str; 7] = ["WF1", "WF2", "WF3", "WF4", "WF5", "WF6", "WF7"];

const FILE_TYPES: [&[&str]; 7] = [
    &[".py"],
    &[".py", ".sql"],
    &[".ts", ".tsx"],
    &[".rs"],
    &[".go"],
    &[".java"],
    &[".js"],
];

/// Share of filler patterns marked reviewed (the search reads only those).
const REVIEWED_SHARE: f64 = 0.85;

pub async fn run(
    ctx: &Context,
    queries: Vec<String>,
    rounds: usize,
    target: usize,
) -> anyhow::Result<ExitCode> {
    let queries: Vec<String> = if queries.is_empty() {
        DEFAULT_QUERIES.iter().map(|q| (*q).to_owned()).collect()
    } else {
        queries
    };
    let embedder = ctx.embedder()?;
    let filled = fill(ctx, &embedder, target).await?;
    // A fresh connection for the timing, as a new process would have.
    let memory = Memory::new(
        ctx.open_existing(Some(embedder.as_ref()))?,
        embedder.clone(),
        ctx.chunking,
    )?;
    let store = memory.store();
    let all = store
        .list_patterns(&ctx.project, &PatternFilter::default())
        .await?;
    let reviewed = all.iter().filter(|p| p.reviewed).count();
    let total_patterns = all.len();
    drop(all);
    let threshold = default_similarity_threshold(embedder.model_id());

    let mut vectors = Vec::with_capacity(queries.len());
    for q in &queries {
        vectors.push(memory.embed_one(&problem_query(q)).await?);
    }
    let mut embed = Vec::new();
    let mut search = vec![Vec::new(); FILTERS.len()];
    let mut whole = vec![Vec::new(); FILTERS.len()];
    let mut hits = vec![0usize; FILTERS.len()];
    // Round 0 warms caches (SQLite's pages, the model's buffers).
    for round in 0..=rounds {
        for q in &queries {
            let t0 = Instant::now();
            memory.embed_one(&problem_query(q)).await?;
            if round > 0 {
                embed.push(t0.elapsed());
            }
        }
        for (f, (_, layer, workflows)) in FILTERS.iter().enumerate() {
            let workflows: Option<Vec<String>> = (!workflows.is_empty())
                .then(|| workflows.iter().map(|w| (*w).to_owned()).collect());
            for (q, vector) in queries.iter().zip(&vectors) {
                // What find_similar_patterns asks the store for this request.
                let query = PatternQuery {
                    content: vector.clone(),
                    problem: Some(vector.clone()),
                    layers: layer.map(|l| vec![l]),
                    workflows: workflows.clone(),
                    file_extension: None,
                    min_confidence: 0.0,
                    similarity_threshold: threshold,
                    limit: DEFAULT_LIMIT,
                    include_unreviewed: false,
                };
                let t0 = Instant::now();
                let found = store.search_patterns(&ctx.project, &query).await?;
                let t1 = Instant::now();
                let request = SimilarRequest {
                    text: Some(q.clone()),
                    layer: *layer,
                    workflows: workflows.clone(),
                    ..SimilarRequest::default()
                };
                let (_, scored) = find_similar_patterns(&memory, &ctx.project, &request).await?;
                let t2 = Instant::now();
                anyhow::ensure!(
                    scored.len() == found.len(),
                    "find_similar_patterns found {} patterns, the store's search {}",
                    scored.len(),
                    found.len()
                );
                if round > 0 {
                    search[f].push(t1 - t0);
                    whole[f].push(t2 - t1);
                    hits[f] += found.len();
                }
            }
        }
    }

    let samples = queries.len() * rounds;
    let threads = threads();
    let mut report = json!({
        "patterns": total_patterns,
        "reviewed": reviewed,
        "added": filled.added,
        "fill_s": filled.seconds,
        "threads": threads,
        "queries": queries.len(),
        "rounds": rounds,
        "similarity_threshold": threshold,
        "limit": DEFAULT_LIMIT,
        "embed_ms": summary(&mut embed),
        "search_ms": {},
        "find_similar_ms": {},
        "mean_hits": {},
    });
    for (f, (name, _, _)) in FILTERS.iter().enumerate() {
        report["search_ms"][name] = summary(&mut search[f]);
        report["find_similar_ms"][name] = summary(&mut whole[f]);
        report["mean_hits"][name] = json!(hits[f] as f64 / samples.max(1) as f64);
    }
    if ctx.json {
        output::json_line(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    output::line(&format!(
        "{total_patterns} fix patterns ({reviewed} reviewed) in project {}; {} queries x {rounds} rounds; \
         {threads} threads; threshold {threshold}, limit {DEFAULT_LIMIT}",
        ctx.project,
        queries.len()
    ));
    if filled.added > 0 {
        output::line(&format!(
            "filled {} patterns in {:.1} s",
            filled.added, filled.seconds
        ));
    }
    output::line(&format!(
        "{:<14} {:<18} {:>8} {:>8} {:>8} {:>8} {:>6}",
        "part (ms)", "filter", "p50", "p95", "p99", "max", "hits"
    ));
    let row = |part: &str, filter: &str, s: &serde_json::Value, hits: Option<f64>| {
        let n = |k: &str| s[k].as_f64().unwrap_or(f64::NAN);
        output::line(&format!(
            "{part:<14} {filter:<18} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>6}",
            n("p50"),
            n("p95"),
            n("p99"),
            n("max"),
            hits.map_or_else(|| "-".to_owned(), |h| format!("{h:.1}"))
        ));
    };
    row("embed", "-", &report["embed_ms"], None);
    for (key, part) in [("search_ms", "search"), ("find_similar_ms", "find_similar")] {
        for (name, _, _) in FILTERS {
            row(
                part,
                name,
                &report[key][name],
                report["mean_hits"][name].as_f64(),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The threads the model's matrix products run on: `RAYON_NUM_THREADS`, else
/// the cores available (candle's rule).
fn threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

struct Filled {
    added: usize,
    seconds: f64,
}

/// Adds synthetic fix patterns to the project until it holds `target`, one
/// `put_pattern` (one transaction) each.
#[allow(clippy::cast_possible_truncation)] // a random spread narrowed to f32
async fn fill(
    ctx: &Context,
    embedder: &Arc<dyn Embedder>,
    target: usize,
) -> anyhow::Result<Filled> {
    let store = ctx.open_for_write(embedder.as_ref())?;
    let have = store
        .list_patterns(&ctx.project, &PatternFilter::default())
        .await?
        .len();
    if have >= target {
        return Ok(Filled {
            added: 0,
            seconds: 0.0,
        });
    }
    let started = Instant::now();
    let memory = Memory::new(store.clone(), embedder.clone(), ctx.chunking)?;
    let seeds: Vec<Seed> =
        serde_json::from_str(SEEDS).context("examples/fix-patterns/patterns.json")?;
    let mut seed_vectors = Vec::with_capacity(seeds.len());
    for seed in &seeds {
        let pattern = variant(seed, None, &mut Random::new(1))?;
        seed_vectors.push(embed_pattern(&memory, &pattern).await?);
    }
    let embed_seconds = started.elapsed().as_secs_f64();
    let mut random = Random::new(0x5eed_fa77 ^ have as u64);
    let mut last_log = Instant::now();
    for added in 0..target - have {
        let s = random.below(seeds.len());
        let place = PLACES[random.below(PLACES.len())];
        let pattern = variant(&seeds[s], Some(place), &mut random)?;
        // Cosine to the seed's vector about 0.65-0.93.
        let spread = 0.4 + 0.8 * random.uniform() as f32;
        let seed = &seed_vectors[s];
        let embeddings = PatternEmbeddings {
            content: perturb(&seed.content, spread, &mut random),
            code: perturb(&seed.code, spread, &mut random),
            problem: perturb(&seed.problem, spread, &mut random),
        };
        store
            .put_pattern(&ctx.project, pattern, embeddings, Vec::new(), Vec::new())
            .await?;
        if last_log.elapsed() > Duration::from_secs(5) {
            tracing::info!(added, of = target - have, "filling fix patterns");
            last_log = Instant::now();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        added = target - have,
        seconds,
        embed_seconds,
        "filled with synthetic fix patterns"
    );
    Ok(Filled {
        added: target - have,
        seconds,
    })
}

/// A copy of `seed` seen in `place` (the seed's own texts without one),
/// with its own classification and metrics.
fn variant(seed: &Seed, place: Option<&str>, random: &mut Random) -> anyhow::Result<NewFixPattern> {
    let (title, problem) = match place {
        Some(place) => (
            format!("{} ({place})", seed.title),
            format!("{} Seen in {place}.", seed.problem_description),
        ),
        None => (seed.title.clone(), seed.problem_description.clone()),
    };
    let mut p = NewFixPattern::new(
        title,
        ProblemType::parse("problem_type", &seed.problem_type)?,
        Severity::parse("severity", &seed.severity)?,
        seed.layers.clone(),
        problem,
        seed.solution_steps.join("\n"),
    );
    // Half keep the seed's first layer; each has one or two layers.
    let mut layers = Vec::new();
    if let Some(first) = seed.layers.first().filter(|_| random.uniform() < 0.5) {
        layers.push(*first);
    }
    while layers.len() < 1 + random.below(2) {
        let l = 1 + random.below(7) as i64;
        if !layers.contains(&l) {
            layers.push(l);
        }
    }
    p.layers = layers;
    let mut workflows = Vec::new();
    while workflows.len() < 1 + random.below(3) {
        let w = WORKFLOWS[random.below(WORKFLOWS.len())];
        if !workflows.contains(&w) {
            workflows.push(w);
        }
    }
    p.workflows = workflows.into_iter().map(str::to_owned).collect();
    p.file_types = FILE_TYPES[random.below(FILE_TYPES.len())]
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
    p.code_type.clone_from(&seed.code_type);
    p.tags.clone_from(&seed.tags);
    p.code_before.clone_from(&seed.code_before);
    p.code_after.clone_from(&seed.code_after);
    p.verification_steps.clone_from(&seed.verification_steps);
    p.learnings.clone_from(&seed.learnings);
    p.prevention_guidance.clone_from(&seed.prevention_guidance);
    p.anti_patterns.clone_from(&seed.anti_patterns);
    p.guardian_rules.clone_from(&seed.guardian_rules);
    p.reviewed = random.uniform() < REVIEWED_SHARE;
    p.applied_count = random.below(30) as i64;
    p.success_rate = 0.5 + 0.5 * random.uniform();
    p.avg_time_saved = random.below(120) as i64;
    p.confidence_score = 0.5 + 0.5 * random.uniform();
    p.created_by = Some("ltmc bench patterns".to_owned());
    Ok(p)
}

/// `vector` plus isotropic noise of total length about `spread`, unit length.
fn perturb(vector: &[f32], spread: f32, random: &mut Random) -> Vec<f32> {
    let scale = spread / (vector.len() as f32).sqrt();
    let mut v: Vec<f32> = vector.iter().map(|x| x + scale * random.normal()).collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            *x /= norm;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_and_make_valid_variants() {
        let seeds: Vec<Seed> = serde_json::from_str(SEEDS).unwrap();
        assert!(seeds.len() >= 10);
        let mut random = Random::new(7);
        for seed in &seeds {
            let p = variant(seed, Some(PLACES[0]), &mut random).unwrap();
            p.validated().unwrap();
        }
    }

    #[test]
    fn parses_the_command_line() {
        use clap::Parser as _;
        let cli = crate::cli::Cli::try_parse_from([
            "ltmc",
            "bench",
            "patterns",
            "--patterns",
            "500",
            "--rounds",
            "2",
            "a debt",
        ])
        .unwrap();
        match cli.command {
            crate::cli::Command::Bench {
                command:
                    crate::cli::BenchCommand::Patterns {
                        queries,
                        rounds,
                        patterns,
                    },
            } => {
                assert_eq!(
                    (queries, rounds, patterns),
                    (vec!["a debt".to_owned()], 2, 500)
                );
            }
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn perturbed_vectors_are_unit_and_near_the_seed() {
        let mut random = Random::new(3);
        let mut seed = vec![0.0_f32; 384];
        seed[0] = 1.0;
        let v = perturb(&seed, 0.5, &mut random);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4);
        assert!(v[0] > 0.8 && v[0] < 0.97, "cosine {}", v[0]);
    }
}
