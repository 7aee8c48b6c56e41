//! `ltmc bench recall FIXTURE`: first-result accuracy of each search mode on
//! a committed question set (`crates/ltmc/tests/fixtures/rare_terms.json`:
//! notes, and questions that name the note they expect, or `null` when no
//! stored note answers them), and how well the first hit's relevance tells
//! the answerable questions from the others (ROC AUC).
//!
//! The notes are stored through `Memory` as `ltmc store` would, in a fresh
//! store (a temporary directory, removed after; or `--work-dir`, kept and
//! reused). Not a general evaluation toolkit: one
//! fixture shape, three modes, two measures.

use super::relevance::{Row, WRITTEN_RANKS, write_rows};
use crate::context::Context;
use crate::output;
use anyhow::Context as _;
use ltmc_core::relevance::roc_auc;
use ltmc_service::{SearchMode, SearchRequest, StoreRequest};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Deserialize)]
struct Fixture {
    documents: Vec<Document>,
    queries: Vec<Query>,
}

#[derive(Deserialize)]
struct Document {
    file_name: String,
    content: String,
}

#[derive(Deserialize)]
struct Query {
    question: String,
    expect: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

pub async fn run(
    ctx: &Context,
    fixture_path: &Path,
    work_dir: Option<PathBuf>,
    samples: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(fixture_path)
        .with_context(|| format!("cannot read {}", fixture_path.display()))?;
    let fixture: Fixture = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a question set", fixture_path.display()))?;
    let name = fixture_path
        .file_stem()
        .and_then(|n| n.to_str())
        .unwrap_or("set")
        .to_owned();
    let mut ctx = ctx.clone();
    let temporary = work_dir.is_none();
    ctx.data_dir = work_dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("ltmc-recall-{name}-{}", std::process::id()))
    });
    let answer = measure(&ctx, &fixture, &name, samples).await;
    if temporary {
        let _ = std::fs::remove_dir_all(&ctx.data_dir);
    }
    answer
}

async fn measure(
    ctx: &Context,
    fixture: &Fixture,
    name: &str,
    samples: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let memory = ctx.memory_with(true, ltmc_core::ChunkConfig::default())?;
    let requests = fixture
        .documents
        .iter()
        .map(|d| StoreRequest {
            project: ctx.project.clone(),
            file_name: d.file_name.clone(),
            resource_type: "document".into(),
            content: d.content.clone(),
            metadata: json!({}),
        })
        .collect();
    for answer in memory.store_batch(requests).await {
        answer?;
    }

    let mut report = json!({
        "set": name,
        "documents": fixture.documents.len(),
        "answerable": fixture.queries.iter().filter(|q| q.expect.is_some()).count(),
        "unanswerable": fixture.queries.iter().filter(|q| q.expect.is_none()).count(),
        "modes": {},
    });
    let mut rows = Vec::new();
    for mode in [SearchMode::Vector, SearchMode::Keyword, SearchMode::Hybrid] {
        let (mut first, mut answerable) = (0usize, 0usize);
        let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let (mut top_relevance, mut top_score) = (Vec::new(), Vec::new());
        for q in &fixture.queries {
            let hits = memory
                .search(SearchRequest {
                    project: ctx.project.clone(),
                    query: q.question.clone(),
                    top_k: WRITTEN_RANKS,
                    resource_type: None,
                    mode,
                })
                .await?;
            let is_answerable = q.expect.is_some();
            if let Some(expect) = &q.expect {
                answerable += 1;
                let hit = hits.first().is_some_and(|h| &h.file_name == expect);
                first += usize::from(hit);
                let kind = by_kind
                    .entry(q.kind.clone().unwrap_or_else(|| "-".into()))
                    .or_default();
                kind.0 += usize::from(hit);
                kind.1 += 1;
            }
            if let Some(top) = hits.first() {
                top_score.push((f64::from(top.score), is_answerable));
                if let Some(r) = top.relevance {
                    top_relevance.push((f64::from(r), is_answerable));
                }
            } else {
                // Nothing found at all is the strongest "no".
                top_score.push((f64::NEG_INFINITY, is_answerable));
                top_relevance.push((0.0, is_answerable));
            }
            for (i, hit) in hits.iter().enumerate() {
                let relevant = q.expect.as_deref() == Some(hit.file_name.as_str());
                rows.push(Row::new(
                    name,
                    &q.question,
                    mode,
                    i + 1,
                    hit,
                    relevant,
                    usize::from(is_answerable),
                ));
            }
        }
        let key = serde_json::to_value(mode)?;
        report["modes"][key.as_str().unwrap_or("mode")] = json!({
            "first_result_accuracy": first as f64 / answerable.max(1) as f64,
            "first": first,
            "by_kind": by_kind
                .iter()
                .map(|(k, (hit, n))| (k.clone(), json!(format!("{hit}/{n}"))))
                .collect::<serde_json::Map<_, _>>(),
            "first_hit_relevance_auc": roc_auc(&top_relevance),
            "first_hit_score_auc": roc_auc(&top_score),
        });
    }
    if let Some(path) = samples {
        write_rows(&path, &rows)?;
    }
    if ctx.json {
        output::json_line(&report)?;
    } else {
        output::line(&format!(
            "{name}: {} notes, {} answerable and {} unanswerable questions",
            report["documents"], report["answerable"], report["unanswerable"]
        ));
        output::line(&format!(
            "{:<8} {:>14} {:>14} {:>12}",
            "mode", "first right", "relevance AUC", "score AUC"
        ));
        for mode in ["vector", "keyword", "hybrid"] {
            let m = &report["modes"][mode];
            output::line(&format!(
                "{mode:<8} {:>14} {:>14.4} {:>12.4}",
                format!("{}/{}", m["first"], report["answerable"]),
                m["first_hit_relevance_auc"].as_f64().unwrap_or(f64::NAN),
                m["first_hit_score_auc"].as_f64().unwrap_or(f64::NAN),
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}
