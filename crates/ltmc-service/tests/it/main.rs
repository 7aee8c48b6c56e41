//! Integration tests of the use cases on a real store (SQLite; PostgreSQL
//! with `LTMC_TEST_BACKEND=postgres`, which `scripts/test` runs too) with the
//! deterministic hash embedder: batched stores (duplicates inside a batch,
//! one bad text among good ones) and the three search modes. The tools are
//! tested in ltmc-tools.

mod backends_agree;
mod calibration;
mod extract_race;
mod k_stable;
mod support;

use ltmc_core::Project;
use ltmc_service::{SearchMode, SearchRequest, ServiceError, StoreRequest};
use support::memory;

fn request(name: &str, content: &str) -> StoreRequest {
    StoreRequest {
        project: Project::default(),
        file_name: name.into(),
        resource_type: "document".into(),
        content: content.into(),
        metadata: serde_json::json!({}),
    }
}

#[tokio::test]
async fn batch_answers_each_request_in_order() {
    let (memory, _backing) = memory().await;
    let answers = memory
        .store_batch(vec![
            request("a", "alpha beta gamma"),
            request("empty", "   "),
            request("b", "delta epsilon"),
            request("a-copy", "alpha beta gamma"),
        ])
        .await;
    assert_eq!(answers.len(), 4);
    let a = answers[0].as_ref().unwrap();
    assert!(!a.duplicate);
    assert!(matches!(
        answers[1],
        Err(ServiceError::Invalid {
            field: "content",
            ..
        })
    ));
    assert!(!answers[2].as_ref().unwrap().duplicate);
    let copy = answers[3].as_ref().unwrap();
    assert!(copy.duplicate);
    assert_eq!(copy.resource_id, a.resource_id);
    let info = memory.store().info().await.unwrap();
    assert_eq!((info.resources, info.chunks), (2, 2));

    // A later call finds the stored content without embedding it again.
    let again = memory
        .store_text(request("b2", "delta epsilon"))
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.resource_id, answers[2].as_ref().unwrap().resource_id);
}

#[tokio::test]
async fn long_text_chunks_are_stored_in_order_with_their_own_text() {
    let (memory, _backing) = memory().await;
    let text = "word ".repeat(2000) + "tail end";
    let stored = memory.store_text(request("long", &text)).await.unwrap();
    assert!(stored.chunk_count > 5);
    let chunks = memory
        .store()
        .chunks_of(&Project::default(), stored.resource_id)
        .await
        .unwrap();
    assert_eq!(chunks.len(), stored.chunk_count);
    for (i, c) in chunks.iter().enumerate() {
        assert_eq!(c.ordinal, i);
        assert_eq!(c.text, text[c.start..c.end]);
    }
    assert_eq!(chunks.last().unwrap().end, text.len());
}

#[tokio::test]
async fn search_modes_rank_their_own_way() {
    let (memory, _backing) = memory().await;
    for (name, content) in [
        ("code", "fn frobnicate_ledger_v7() { rebalance the ledger }"),
        ("prose", "the finance team rebalances ledgers every night"),
        ("other", "gardening tips for tomatoes in summer"),
    ] {
        memory.store_text(request(name, content)).await.unwrap();
    }
    let search = |query: &str, mode| {
        memory.search(SearchRequest {
            project: Project::default(),
            query: query.into(),
            top_k: 3,
            resource_type: None,
            mode,
        })
    };
    let keyword = search("frobnicate_ledger_v7", SearchMode::Keyword)
        .await
        .unwrap();
    assert_eq!(keyword.len(), 1);
    assert_eq!(keyword[0].file_name, "code");
    assert!(keyword[0].similarity.is_none() && keyword[0].keyword_score.is_some());

    let vector = search("tomatoes summer gardening", SearchMode::Vector)
        .await
        .unwrap();
    assert_eq!(vector[0].file_name, "other");
    assert_eq!(vector[0].similarity, Some(vector[0].score));

    let hybrid = search("frobnicate_ledger_v7 ledger", SearchMode::Hybrid)
        .await
        .unwrap();
    assert_eq!(hybrid[0].file_name, "code");
    assert!(hybrid[0].similarity.is_some() && hybrid[0].keyword_score.is_some());

    assert!(matches!(
        search("  ", SearchMode::Hybrid).await,
        Err(ServiceError::Invalid { field: "query", .. })
    ));
}
