//! With the real model: the rare-term set (`fixtures/rare_terms.json`,
//! issue 20). Its notes come in families that share their everyday words and
//! differ in one unusual term (an error code, a function, a person, a
//! version…); each answerable question names one such term, and the rest
//! name a term nothing stored holds, or a topic nothing covers.
//!
//! Checked: hybrid search puts the right note first at least as often as
//! keyword search and as vector search; the first hit's calibrated relevance
//! tells answerable questions from the others (ROC AUC ≥ 0.8); and, through
//! the tools, `ask_with_context` says nothing relevant is stored rather than
//! answering from the nearest note, and `min_relevance` filters by relevance.

use crate::real_model::model;
use ltmc_core::relevance::roc_auc;
use ltmc_core::{ChunkConfig, Project};
use ltmc_service::{Memory, SearchMode, SearchRequest, StoreRequest};
use ltmc_store_sqlite::{EmbeddingSpec, SqliteStore};
use ltmc_tools::Tools;
use serde_json::{Value, json};
use std::sync::Arc;

const FIXTURE: &str = include_str!("../fixtures/rare_terms.json");

async fn stored(dir: &std::path::Path, documents: &[Value]) -> Memory {
    let model = model();
    let spec = EmbeddingSpec {
        model_id: model.model_id().to_owned(),
        dimension: model.dimension(),
    };
    let store = SqliteStore::open(&dir.join("ltmc.db"), Some(&spec)).unwrap();
    let memory = Memory::new(Arc::new(store), model, ChunkConfig::default()).unwrap();
    let requests = documents
        .iter()
        .map(|d| StoreRequest {
            project: Project::default(),
            file_name: d["file_name"].as_str().unwrap().to_owned(),
            resource_type: "document".into(),
            content: d["content"].as_str().unwrap().to_owned(),
            metadata: json!({}),
        })
        .collect();
    for answer in memory.store_batch(requests).await {
        answer.unwrap();
    }
    memory
}

#[tokio::test]
async fn hybrid_finds_rare_terms_and_relevance_says_when_nothing_answers() {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let questions = fixture["queries"].as_array().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let memory = stored(dir.path(), fixture["documents"].as_array().unwrap()).await;

    let mut first = std::collections::HashMap::new();
    // Per question: the hybrid first hit's relevance and whether it is right.
    let mut hybrid_tops: Vec<(f64, bool)> = Vec::new();
    for mode in [SearchMode::Vector, SearchMode::Keyword, SearchMode::Hybrid] {
        let mut right = 0;
        for q in questions {
            let hits = memory
                .search(SearchRequest {
                    project: Project::default(),
                    query: q["question"].as_str().unwrap().to_owned(),
                    top_k: 3,
                    resource_type: None,
                    mode,
                })
                .await
                .unwrap();
            let expect = q["expect"].as_str();
            if expect.is_some() && hits.first().map(|h| h.file_name.as_str()) == expect {
                right += 1;
            }
            if mode == SearchMode::Hybrid {
                let relevance = hits.first().and_then(|h| h.relevance).unwrap_or(0.0);
                hybrid_tops.push((f64::from(relevance), expect.is_some()));
            }
        }
        first.insert(mode, right);
    }
    let answerable = questions.iter().filter(|q| q["expect"].is_string()).count();
    let hybrid = first[&SearchMode::Hybrid];
    assert!(
        hybrid >= first[&SearchMode::Keyword],
        "of {answerable}: {first:?}"
    );
    assert!(
        hybrid >= first[&SearchMode::Vector],
        "of {answerable}: {first:?}"
    );
    let auc = roc_auc(&hybrid_tops).unwrap();
    assert!(auc >= 0.8, "AUC {auc:.3}");

    // Through the tools, ask_with_context's default: the unanswerable
    // question whose first hit is least relevant is "nothing relevant"; the
    // answerable one whose first hit is most relevant is answered from it.
    let by_relevance = |answerable: bool| {
        let mut picked: Vec<(f64, &Value)> = hybrid_tops
            .iter()
            .zip(questions)
            .filter(|((_, a), _)| *a == answerable)
            .map(|((r, _), q)| (*r, q))
            .collect();
        picked.sort_by(|a, b| a.0.total_cmp(&b.0));
        picked
    };
    let tools = Tools::new(memory, Project::default(), None);
    let (lowest, absent) = by_relevance(false)[0];
    let out = tools
        .call(
            "ask_with_context",
            json!({"query": absent["question"], "conversation_id": "rare"}),
        )
        .await;
    assert!(!out.is_error, "{:?}", out.value);
    assert_eq!(
        out.value["answer_source"], "none",
        "{lowest} {:#}",
        out.value
    );
    let answer = out.value["answer"].as_str().unwrap();
    assert!(answer.starts_with("Nothing relevant"), "{answer}");
    assert_eq!(out.value["chunks_used"], 0);
    let (highest, asked) = *by_relevance(true).last().unwrap();
    let out = tools
        .call(
            "ask_with_context",
            json!({"query": asked["question"], "conversation_id": "rare"}),
        )
        .await;
    assert_eq!(
        out.value["answer_source"], "extractive",
        "{highest} {:#}",
        out.value
    );
    assert_eq!(out.value["top_documents"][0]["file_name"], asked["expect"]);

    // min_relevance keeps exactly the hits at least that relevant, in order.
    let retrieve = |min: Option<f64>| {
        let mut args = json!({"query": asked["question"], "conversation_id": "rare", "top_k": 5});
        if let Some(min) = min {
            args["min_relevance"] = json!(min);
        }
        tools.call("retrieve_memory", args)
    };
    let all = retrieve(None).await;
    let all = all.value["retrieved_chunks"].as_array().unwrap().clone();
    assert_eq!(all.len(), 5);
    let second = all[1]["relevance"].as_f64().unwrap();
    let kept = retrieve(Some(second)).await;
    let kept = kept.value["retrieved_chunks"].as_array().unwrap().clone();
    let expected: Vec<&Value> = all
        .iter()
        .filter(|h| h["relevance"].as_f64().unwrap() >= second)
        .collect();
    assert_eq!(kept.iter().collect::<Vec<_>>(), expected);
    // Relevance follows the ranking, so the first two are always kept.
    assert!(kept.len() >= 2, "{kept:#?}");
    let refused = retrieve(Some(1.5)).await;
    assert!(refused.is_error, "{:?}", refused.value);
    assert!(
        refused.value["error"]
            .as_str()
            .unwrap()
            .contains("min_relevance")
    );
}
