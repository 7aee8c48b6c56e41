//! `ltmc bench beir`: retrieval quality of every search mode on a BEIR-layout
//! collection (SciFact ships in ../shared/data/scifact), scored the way the
//! published numbers are: nDCG@10 with gain 2^rel - 1 and a log2 discount,
//! and recall@10, averaged over the judged queries.
//!
//! Documents are stored as ordinary resources (title and text), so this
//! measures exactly what `ltmc search` does; a document's rank is the rank of
//! its best chunk. `--whole-documents` stores each document as one chunk (the
//! model reads its first 256 word pieces), the layout of the published scores. Not a general evaluation toolkit: one collection, three
//! modes, two metrics.

use super::bench::{ms, summary};
use super::relevance::{Row, WRITTEN_RANKS, write_rows};
use crate::context::Context;
use crate::output;
use anyhow::{Context as _, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use ltmc_core::ChunkConfig;
use ltmc_service::{SearchMode, SearchRequest, StoreRequest};
use serde::Deserialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Chunks fetched per query so that ten distinct documents survive when a
/// document contributes several chunks.
const CHUNKS_PER_QUERY: usize = 100;
const CUTOFF: usize = 10;

#[derive(Deserialize)]
struct Doc {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    title: String,
    text: String,
}

#[derive(Deserialize)]
struct Query {
    #[serde(rename = "_id")]
    id: String,
    text: String,
}

pub async fn run(
    ctx: &Context,
    dir: &Path,
    work_dir: Option<PathBuf>,
    limit_queries: Option<usize>,
    whole_documents: bool,
    samples: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let docs: Vec<Doc> = read_jsonl(&dir.join("corpus.jsonl"))?;
    let queries: Vec<Query> = read_jsonl(&dir.join("queries.jsonl"))?;
    let qrels = read_qrels(&dir.join("qrels-test.tsv"))?;
    let mut judged: Vec<&Query> = queries
        .iter()
        .filter(|q| qrels.contains_key(&q.id))
        .collect();
    if let Some(n) = limit_queries {
        judged.truncate(n);
    }
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("beir");
    let mut ctx = ctx.clone();
    let layout = if whole_documents { "-whole" } else { "" };
    ctx.data_dir =
        work_dir.unwrap_or_else(|| std::env::temp_dir().join(format!("ltmc-beir-{name}{layout}")));
    let chunking = if whole_documents {
        // One chunk per document: longer than any SciFact document.
        ChunkConfig {
            max_bytes: 1 << 30,
            overlap_bytes: 0,
        }
    } else {
        ChunkConfig::default()
    };
    let memory = ctx.memory_with(true, chunking)?;

    let started = Instant::now();
    let bar = ProgressBar::new(docs.len() as u64);
    if let Ok(style) = ProgressStyle::with_template("storing {name} {bar:30} {pos}/{len} {eta}") {
        bar.set_style(style.with_key(
            "name",
            |_: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str("corpus");
            },
        ));
    }
    let mut fresh = 0usize;
    for batch in docs.chunks(64) {
        let requests = batch
            .iter()
            .map(|d| StoreRequest {
                project: ctx.project.clone(),
                file_name: d.id.clone(),
                resource_type: "document".into(),
                content: if d.title.is_empty() {
                    d.text.clone()
                } else {
                    format!("{}\n\n{}", d.title, d.text)
                },
                metadata: json!({}),
            })
            .collect();
        for answer in memory.store_batch(requests).await {
            if !answer?.duplicate {
                fresh += 1;
            }
        }
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    let ingest = started.elapsed();
    let info = memory.store().info().await?;

    let mut report = json!({
        "collection": name,
        "layout": if whole_documents { "one chunk per document" } else { "chunked as ltmc store does" },
        "documents": docs.len(),
        "chunks": info.chunks,
        "queries": judged.len(),
        "ingest_s": ingest.as_secs_f64(),
        "ingested_now": fresh,
        "modes": {},
    });
    let mut rows = Vec::new();
    for mode in [SearchMode::Vector, SearchMode::Keyword, SearchMode::Hybrid] {
        let (mut ndcg, mut recall, mut latency) = (0.0, 0.0, Vec::new());
        for q in &judged {
            let t0 = Instant::now();
            let hits = memory
                .search(SearchRequest {
                    project: ctx.project.clone(),
                    query: q.text.clone(),
                    top_k: CHUNKS_PER_QUERY,
                    resource_type: None,
                    mode,
                })
                .await?;
            latency.push(t0.elapsed());
            let mut seen = HashSet::new();
            let ranked: Vec<&str> = hits
                .iter()
                .map(|h| h.file_name.as_str())
                .filter(|id| seen.insert(*id))
                .take(CUTOFF)
                .collect();
            let judgements = &qrels[&q.id];
            if samples.is_some() {
                let mut seen = HashSet::new();
                let firsts = hits.iter().filter(|h| seen.insert(h.file_name.as_str()));
                for (i, hit) in firsts.take(WRITTEN_RANKS).enumerate() {
                    let relevant = judgements.contains_key(&hit.file_name);
                    rows.push(Row::new(
                        name,
                        &q.text,
                        mode,
                        i + 1,
                        hit,
                        relevant,
                        judgements.len(),
                    ));
                }
            }
            ndcg += ndcg_at(&ranked, judgements, CUTOFF);
            recall += recall_at(&ranked, judgements, CUTOFF);
        }
        let n = judged.len().max(1) as f64;
        report["modes"][serde_json::to_value(mode)?.as_str().unwrap_or("mode")] = json!({
            "ndcg@10": ndcg / n,
            "recall@10": recall / n,
            "latency_ms": summary(&mut latency),
        });
    }
    if let Some(path) = samples {
        write_rows(&path, &rows)?;
    }
    if ctx.json {
        output::json_line(&report)?;
    } else {
        output::line(&format!(
            "{name}: {} documents ({} chunks), {} judged queries; stored in {:.1} s ({} new)",
            docs.len(),
            info.chunks,
            judged.len(),
            ms(ingest) / 1000.0,
            fresh
        ));
        output::line(&format!(
            "{:<8} {:>8} {:>10} {:>12}",
            "mode", "nDCG@10", "recall@10", "p50 ms"
        ));
        for mode in ["vector", "keyword", "hybrid"] {
            let m = &report["modes"][mode];
            output::line(&format!(
                "{mode:<8} {:>8.4} {:>10.4} {:>12.2}",
                m["ndcg@10"].as_f64().unwrap_or(f64::NAN),
                m["recall@10"].as_f64().unwrap_or(f64::NAN),
                m["latency_ms"]["p50"].as_f64().unwrap_or(f64::NAN)
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        crate::failure::with_hint(
            anyhow!("cannot read {}: {e}", path.display()),
            "give a BEIR collection directory (corpus.jsonl, queries.jsonl, qrels-test.tsv)",
        )
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: not a BEIR record", path.display(), i + 1))
        })
        .collect()
}

/// query id → (document id → relevance), from `query-id corpus-id score` lines.
fn read_qrels(path: &Path) -> anyhow::Result<HashMap<String, HashMap<String, u32>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut qrels: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        if i == 0 && cols.first() == Some(&"query-id") || line.trim().is_empty() {
            continue;
        }
        let [q, d, rel] = cols[..] else {
            return Err(anyhow!(
                "{}:{}: expected 3 tab-separated columns",
                path.display(),
                i + 1
            ));
        };
        let rel: u32 = rel
            .trim()
            .parse()
            .with_context(|| format!("{}:{}: bad score", path.display(), i + 1))?;
        if rel > 0 {
            qrels
                .entry(q.to_owned())
                .or_default()
                .insert(d.to_owned(), rel);
        }
    }
    Ok(qrels)
}

/// nDCG@k with gain 2^rel - 1 and discount log2(rank + 1), rank from 1.
fn ndcg_at(ranked: &[&str], judgements: &HashMap<String, u32>, k: usize) -> f64 {
    let gain = |rel: u32| 2f64.powi(i32::try_from(rel).unwrap_or(i32::MAX)) - 1.0;
    let discount = |i: usize| (i as f64 + 2.0).log2();
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| judgements.get(*id).map_or(0.0, |&r| gain(r) / discount(i)))
        .sum();
    let mut ideal: Vec<u32> = judgements.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, &r)| gain(r) / discount(i))
        .sum();
    if idcg == 0.0 { 0.0 } else { dcg / idcg }
}

fn recall_at(ranked: &[&str], judgements: &HashMap<String, u32>, k: usize) -> f64 {
    if judgements.is_empty() {
        return 0.0;
    }
    let found = ranked
        .iter()
        .take(k)
        .filter(|id| judgements.contains_key(**id))
        .count();
    found as f64 / judgements.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, u32)]) -> HashMap<String, u32> {
        pairs.iter().map(|(d, r)| ((*d).to_owned(), *r)).collect()
    }

    fn check(ranked: &[&str], pairs: &[(&str, u32)], ndcg: f64, recall: f64) {
        let j = judged(pairs);
        assert!(
            (ndcg_at(ranked, &j, 10) - ndcg).abs() < 1e-9,
            "ndcg {ranked:?}"
        );
        assert!(
            (recall_at(ranked, &j, 10) - recall).abs() < 1e-9,
            "recall {ranked:?}"
        );
    }

    #[test]
    fn metrics() {
        check(&["a", "b"], &[("a", 1)], 1.0, 1.0);
        check(&["x", "a"], &[("a", 1)], 1.0 / 3f64.log2(), 1.0);
        check(&["x", "y"], &[("a", 1)], 0.0, 0.0);
        check(
            &["a", "x", "b"],
            &[("a", 1), ("b", 1)],
            (1.0 + 0.5) / (1.0 + 1.0 / 3f64.log2()),
            1.0,
        );
        check(
            &["b"],
            &[("a", 1), ("b", 1)],
            1.0 / (1.0 + 1.0 / 3f64.log2()),
            0.5,
        );
    }
}
