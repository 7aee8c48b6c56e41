//! `extract_pattern` while other clients remove the patterns it links to:
//! every extract succeeds (it searches again when a pattern it found is
//! gone before its write), and no stored relationship points at a removed
//! pattern. The race the 10-minute soak hit (issue 21).

use crate::support::memory;
use ltmc_core::Project;
use ltmc_core::fix::PatternFilter;
use ltmc_service::Memory;
use ltmc_service::fix::patterns::{PatternDraft, extract_pattern};
use ltmc_store::StoreError;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const EXTRACTORS: usize = 3;
const EXTRACTS_EACH: usize = 40;

fn draft(n: usize) -> PatternDraft {
    PatternDraft {
        title: Some(format!("Retry the flaky payments call {n}")),
        problem_description: Some(
            "The payments client gave up on the first timeout of the remote call".into(),
        ),
        solution_steps: vec![
            "Wrap the call in a bounded retry with backoff".into(),
            "Log each retry with the attempt number".into(),
        ],
        layers: Some(vec![4]),
        problem_type: Some("Standards".into()),
        ..PatternDraft::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn extract_links_survive_patterns_removed_meanwhile() {
    let (memory, _backing) = memory().await;
    let memory = Arc::new(memory);
    let project = Project::default();
    extract_pattern(&memory, &project, draft(0))
        .await
        .expect("first pattern");

    let done = Arc::new(AtomicBool::new(false));
    let rejecting = {
        let (memory, project, done) = (Arc::clone(&memory), project.clone(), Arc::clone(&done));
        tokio::spawn(async move { remove_newest_until(&memory, &project, &done).await })
    };
    let mut extractors = Vec::new();
    for e in 0..EXTRACTORS {
        let (memory, project) = (Arc::clone(&memory), project.clone());
        extractors.push(tokio::spawn(async move {
            let mut linked = 0;
            for i in 0..EXTRACTS_EACH {
                let stored = extract_pattern(&memory, &project, draft(1 + e * 100 + i))
                    .await
                    .unwrap_or_else(|err| panic!("extract {e}/{i} failed: {err}"));
                linked += stored.stored.relationships.len();
            }
            linked
        }));
    }
    let mut linked = 0;
    for extractor in extractors {
        linked += extractor.await.expect("extractor");
    }
    done.store(true, Ordering::SeqCst);
    let rejections = rejecting.await.expect("rejecting task");
    assert!(
        rejections > 0,
        "nothing was rejected; the race was not exercised"
    );
    assert!(linked > 0, "no extract linked a similar pattern");

    let store = memory.store();
    for p in store
        .list_patterns(&project, &PatternFilter::default())
        .await
        .expect("list")
    {
        for r in &p.related_patterns {
            store
                .get_pattern(&project, *r)
                .await
                .unwrap_or_else(|e| panic!("pattern {} links to {r}: {e}", p.id));
        }
    }
}

/// Rejects the newest pattern again and again (the one extracts are most
/// likely to have just found) until `done`; how many it removed.
async fn remove_newest_until(memory: &Memory, project: &Project, done: &AtomicBool) -> usize {
    let store = memory.store();
    let mut removed = 0;
    while !done.load(Ordering::SeqCst) {
        let newest = store
            .list_patterns(
                project,
                &PatternFilter {
                    limit: Some(1),
                    ..PatternFilter::default()
                },
            )
            .await
            .expect("list");
        if let Some(p) = newest.first() {
            match store.reject_pattern(project, p.id, None).await {
                Ok(_) => removed += 1,
                Err(StoreError::NotFound { .. }) => {}
                Err(e) => panic!("reject: {e}"),
            }
        }
        tokio::task::yield_now().await;
    }
    removed
}
