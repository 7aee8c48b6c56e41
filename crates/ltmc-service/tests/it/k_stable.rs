//! The ranking does not depend on `top_k` (issue 20, item 1): over random
//! stores and queries, for every mode (vector, keyword, hybrid), with and
//! without a type filter, the top k is the first k of the top K for k < K,
//! on the selected backend (SQLite; PostgreSQL with `LTMC_TEST_BACKEND=postgres`).
//! Stores hold up to 260 one-chunk notes, so the answers reach past the
//! first candidate tier (40 per side) into the next.
//!
//! Not a check of ranking quality (the search tests and benchmarks do that).

use crate::support::memory;
use ltmc_core::Project;
use ltmc_service::{SearchMode, SearchRequest, StoreRequest};
use proptest::prelude::*;

/// Words notes and queries are made of: a few common ones, so many notes
/// tie on keyword coverage, and rarer ones.
const WORDS: &[&str] = &[
    "pool",
    "timeout",
    "cache",
    "retry",
    "login",
    "token",
    "query",
    "index",
    "disk",
    "latency",
    "deploy",
    "rollback",
    "schema",
    "migration",
    "socket",
    "thread",
    "deadlock",
    "panic",
    "leak",
    "quota",
    "error",
    "service",
    "client",
    "server",
    "request",
    "the",
    "a",
    "failed",
    "slow",
    "E1042",
    "parse_config",
    "v2.3.1",
    "kafka",
    "redis",
    "postgres",
    "nginx",
];

fn text(indices: &[usize]) -> String {
    indices
        .iter()
        .map(|&i| WORDS[i % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, Clone)]
struct Case {
    notes: Vec<(Vec<usize>, bool)>,
    queries: Vec<Vec<usize>>,
    small: usize,
    large: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(
            (prop::collection::vec(0..WORDS.len(), 3..12), any::<bool>()),
            60..260,
        ),
        prop::collection::vec(prop::collection::vec(0..WORDS.len(), 1..5), 3),
        1usize..60,
        60usize..200,
    )
        .prop_map(|(notes, queries, small, large)| Case {
            notes,
            queries,
            small,
            large,
        })
}

async fn check(case: Case) -> Result<(), TestCaseError> {
    let (memory, _backing) = memory().await;
    let requests = case
        .notes
        .iter()
        .enumerate()
        .map(|(i, (words, note))| StoreRequest {
            project: Project::default(),
            file_name: format!("n{i}.md"),
            resource_type: if *note { "note" } else { "document" }.into(),
            // The number keeps every note distinct (no duplicates folded).
            content: format!("{} n{i}", text(words)),
            metadata: serde_json::json!({}),
        })
        .collect();
    for answer in memory.store_batch(requests).await {
        answer.map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    for query in &case.queries {
        for mode in [SearchMode::Vector, SearchMode::Keyword, SearchMode::Hybrid] {
            for resource_type in [None, Some("note".to_owned())] {
                let search = |top_k| SearchRequest {
                    project: Project::default(),
                    query: text(query),
                    top_k,
                    resource_type: resource_type.clone(),
                    mode,
                };
                let ids = |hits: Vec<ltmc_service::SearchHit>| {
                    hits.into_iter().map(|h| h.chunk.id).collect::<Vec<_>>()
                };
                let large = ids(memory
                    .search(search(case.large))
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?);
                for k in [1, case.small, case.large - 1] {
                    let small = ids(memory
                        .search(search(k))
                        .await
                        .map_err(|e| TestCaseError::fail(e.to_string()))?);
                    let n = k.min(large.len());
                    prop_assert_eq!(
                        &small[..],
                        &large[..n],
                        "{:?} {:?} query {:?}: top {} is not the first {} of top {}",
                        mode,
                        resource_type,
                        text(query),
                        k,
                        k,
                        case.large
                    );
                }
            }
        }
    }
    Ok(())
}

proptest! {
    // Each case builds a store (a database on PostgreSQL): few cases, large ones.
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn the_top_k_is_the_first_k_of_the_top_k_plus_n(case in case()) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(check(case))?;
    }
}
