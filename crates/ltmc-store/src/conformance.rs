//! The conformance suite: what every storage backend must do, as test code
//! that each backend runs against fresh stores of its own.
//!
//! Each check is a public async function taking a fresh, empty store opened
//! with [`spec()`]; it panics (asserts) on a violation and ends by asserting
//! that the store's integrity check is clean. A backend runs them all with one
//! line in its integration tests:
//!
//! ```text
//! // async fn fresh(spec: &EmbeddingSpec) -> (MyStore, Guard) { ... }
//! ltmc_store::store_conformance_tests!(fresh);
//! ```
//!
//! which expands to one `#[tokio::test]` per check (the caller needs `tokio`
//! with `macros` and `rt`). The guard keeps whatever backs the store (a temp
//! dir, a database) alive for the test. Vectors are made here, from the chunk
//! text, deterministically: no model and no randomness. This is not a
//! benchmark and not a test of any one backend's internals.

use crate::{ChunkFilter, EmbeddingSpec, ResourceFilter, Store, StoreError};
use ltmc_core::{
    Chunk, ChunkId, NewChunk, NewResource, Project, PutOutcome, Resource, ResourceId, ScoredChunk,
    content_hash,
};

/// The dimension of the suite's vectors: small, so failures print readably.
pub const DIMENSION: usize = 8;

/// The embedding model a store under test must be opened with.
pub fn spec() -> EmbeddingSpec {
    EmbeddingSpec {
        model_id: "ltmc-conformance-8d".to_owned(),
        dimension: DIMENSION,
    }
}

/// Expands to one `#[tokio::test]` per conformance check. `$fresh` is an
/// async fn (or closure) `(&EmbeddingSpec) -> (impl Store, Guard)` returning
/// a new, empty store; the guard is dropped when the test ends.
///
/// Every check function of [`crate::conformance`] must be listed here.
#[macro_export]
macro_rules! store_conformance_tests {
    ($fresh:expr) => {
        $crate::store_conformance_tests!(@each $fresh;
            put_get_list_chunks_roundtrip,
            listing_is_newest_first_and_limited,
            vector_ids_unique_and_increasing,
            vector_ids_never_reused_after_delete,
            duplicate_content_writes_nothing,
            same_content_in_two_projects_is_two_resources,
            projects_are_isolated,
            wrong_dimension_writes_nothing,
            bad_chunk_writes_nothing,
            nearest_finds_own_chunk_first,
            nearest_respects_k_and_order,
            selective_filter_still_yields_k,
            search_follows_puts_and_deletes,
            index_agrees_and_rebuilds,
            info_reports_model_and_counts,
            keyword_finds_rare_word,
            keyword_matches_identifiers_and_error_strings,
            keyword_queries_never_error,
            keyword_projects_are_isolated,
            keyword_selective_filter_still_yields_k,
            keyword_follows_puts_and_deletes,
            keyword_duplicate_put_indexes_once,
            keyword_ranks_more_and_rarer_terms_higher,
        );
    };
    (@each $fresh:expr; $($check:ident),+ $(,)?) => {
        $(
            #[::tokio::test]
            async fn $check() {
                let (store, _guard) = ($fresh)(&$crate::conformance::spec()).await;
                $crate::conformance::$check(&store).await;
            }
        )+
    };
}

// ---------------------------------------------------------------- checks

/// What is put is what is read back: resource fields, hash, listing, chunks.
pub async fn put_get_list_chunks_roundtrip(store: &dyn Store) {
    let p = project("alpha");
    let content = "alpha beta gamma delta epsilon zeta eta theta iota kappa";
    let mut new = resource(&p, "notes.md", "document", content);
    new.metadata = serde_json::json!({"tags": ["x", "y"], "n": 1});
    let chunks = split(content, 3);
    let out = put(store, new.clone(), chunks.clone()).await;
    assert!(!out.duplicate);
    assert_eq!(out.chunk_count, 3);

    let got = get(store, &p, out.resource_id).await;
    assert_eq!(got.id, out.resource_id);
    assert_eq!(got.project, p);
    assert_eq!(got.file_name, "notes.md");
    assert_eq!(got.resource_type, "document");
    assert_eq!(got.content, content);
    assert_eq!(got.content_hash, content_hash(content));
    assert_eq!(got.chunk_count, 3);
    assert_eq!(got.metadata, new.metadata);
    assert!(
        got.created_at.len() >= 20 && got.created_at.as_bytes()[10] == b'T',
        "created_at {:?} is not RFC 3339",
        got.created_at
    );

    let by_hash = store.find_by_hash(&p, &content_hash(content)).await;
    assert_eq!(by_hash.expect("find_by_hash").map(|r| r.id), Some(got.id));
    let missing = store.find_by_hash(&p, &content_hash("other")).await;
    assert!(missing.expect("find_by_hash").is_none());

    assert_eq!(list(store, &p, None).await, vec![got.clone()]);
    assert!(list(store, &p, Some("code")).await.is_empty());
    assert_eq!(list(store, &p, Some("document")).await, vec![got.clone()]);

    let stored = chunks_of(store, &p, out.resource_id).await;
    assert_eq!(stored.len(), 3);
    for (stored, given) in stored.iter().zip(&chunks) {
        assert_eq!(stored.resource_id, out.resource_id);
        assert_eq!(stored.ordinal, given.ordinal);
        assert_eq!((stored.start, stored.end), (given.start, given.end));
        assert_eq!(stored.text, given.text);
    }
    assert_sound(store).await;
}

/// Listings put the newest resource first and honour the limit.
pub async fn listing_is_newest_first_and_limited(store: &dyn Store) {
    let p = project("alpha");
    let mut ids = Vec::new();
    for i in 0..3 {
        let content = format!("resource number {i} of the listing test");
        let out = put(
            store,
            resource(&p, "f", "note", &content),
            split(&content, 1),
        )
        .await;
        ids.push(out.resource_id);
    }
    let listed: Vec<ResourceId> = list(store, &p, None).await.iter().map(|r| r.id).collect();
    assert_eq!(listed, vec![ids[2], ids[1], ids[0]]);
    let filter = ResourceFilter {
        resource_type: None,
        limit: Some(2),
    };
    let limited = store.list_resources(&p, &filter).await.expect("list");
    assert_eq!(
        limited.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );
    assert_sound(store).await;
}

/// Vector ids are unique and strictly increase in the order chunks are stored.
pub async fn vector_ids_unique_and_increasing(store: &dyn Store) {
    let p = project("alpha");
    let mut all = Vec::new();
    for i in 0..4 {
        let content = format!("document {i}: some words to split into a few chunks");
        let out = put(
            store,
            resource(&p, "f", "document", &content),
            split(&content, 3),
        )
        .await;
        all.extend(chunks_of(store, &p, out.resource_id).await);
    }
    let vector_ids: Vec<i64> = all.iter().map(|c| c.vector_id.0).collect();
    assert!(
        vector_ids.windows(2).all(|w| w[0] < w[1]),
        "vector ids not strictly increasing: {vector_ids:?}"
    );
    let mut chunk_ids: Vec<i64> = all.iter().map(|c| c.id.0).collect();
    chunk_ids.sort_unstable();
    chunk_ids.dedup();
    assert_eq!(chunk_ids.len(), all.len(), "chunk ids repeat");
    assert_sound(store).await;
}

/// A deleted resource's vector ids are never handed out again, and it is gone.
pub async fn vector_ids_never_reused_after_delete(store: &dyn Store) {
    let p = project("alpha");
    let first = "the first resource, deleted soon";
    let a = put(store, resource(&p, "a", "document", first), split(first, 3)).await;
    let a_ids: Vec<i64> = chunks_of(store, &p, a.resource_id)
        .await
        .iter()
        .map(|c| c.vector_id.0)
        .collect();
    let deleted = store
        .delete_resource(&p, a.resource_id)
        .await
        .expect("delete");
    assert_eq!(deleted, 3);

    let second = "the second resource, stored after the delete";
    let b = put(
        store,
        resource(&p, "b", "document", second),
        split(second, 3),
    )
    .await;
    let max_a = a_ids.iter().max().copied().unwrap_or_default();
    for chunk in chunks_of(store, &p, b.resource_id).await {
        assert!(
            chunk.vector_id.0 > max_a,
            "vector id {} reused or went backwards (deleted ids {a_ids:?})",
            chunk.vector_id
        );
    }
    assert_not_found(&store.get_resource(&p, a.resource_id).await);
    assert_not_found(&store.chunks_of(&p, a.resource_id).await);
    assert_not_found(&store.delete_resource(&p, a.resource_id).await);
    assert_eq!(counts(store).await, (1, 3, 3));
    assert_sound(store).await;
}

/// Identical content in one project is stored once; the second put writes nothing.
pub async fn duplicate_content_writes_nothing(store: &dyn Store) {
    let p = project("alpha");
    let content = "the same text, stored twice";
    let first = put(
        store,
        resource(&p, "a.md", "document", content),
        split(content, 2),
    )
    .await;
    let before = counts(store).await;
    // Another name and another chunking: the content decides.
    let again = put(
        store,
        resource(&p, "b.md", "note", content),
        split(content, 3),
    )
    .await;
    assert!(again.duplicate);
    assert_eq!(again.resource_id, first.resource_id);
    assert_eq!(again.chunk_count, 2);
    assert_eq!(counts(store).await, before);
    assert_eq!(get(store, &p, first.resource_id).await.file_name, "a.md");
    assert_sound(store).await;
}

/// Duplicate detection is per project.
pub async fn same_content_in_two_projects_is_two_resources(store: &dyn Store) {
    let (p1, p2) = (project("alpha"), project("beta"));
    let content = "shared text in two projects";
    let a = put(
        store,
        resource(&p1, "a", "document", content),
        split(content, 2),
    )
    .await;
    let b = put(
        store,
        resource(&p2, "a", "document", content),
        split(content, 2),
    )
    .await;
    assert!(!a.duplicate && !b.duplicate);
    assert_ne!(a.resource_id, b.resource_id);
    assert_eq!(list(store, &p1, None).await.len(), 1);
    assert_eq!(list(store, &p2, None).await.len(), 1);
    assert_eq!(counts(store).await, (2, 4, 4));
    assert_sound(store).await;
}

/// No call with one project reads, finds or deletes another project's data.
pub async fn projects_are_isolated(store: &dyn Store) {
    let (p1, p2) = (project("alpha"), project("beta"));
    let text1 = "private to alpha: the launch codes";
    let text2 = "private to beta: the lunch menu";
    let r1 = put(
        store,
        resource(&p1, "a", "document", text1),
        split(text1, 2),
    )
    .await;
    let r2 = put(
        store,
        resource(&p2, "b", "document", text2),
        split(text2, 2),
    )
    .await;

    assert_not_found(&store.get_resource(&p2, r1.resource_id).await);
    assert_not_found(&store.chunks_of(&p2, r1.resource_id).await);
    assert_not_found(&store.delete_resource(&p2, r1.resource_id).await);
    assert_eq!(get(store, &p1, r1.resource_id).await.content, text1);
    let by_hash = store.find_by_hash(&p2, &content_hash(text1)).await;
    assert!(by_hash.expect("find_by_hash").is_none());
    let listed: Vec<ResourceId> = list(store, &p2, None).await.iter().map(|r| r.id).collect();
    assert_eq!(listed, vec![r2.resource_id]);

    // A query that is exactly one of alpha's vectors, asked in beta.
    let query = vector_for(&chunks_of(store, &p1, r1.resource_id).await[0].text);
    let hits = nearest(store, &p2, &query, 10, None).await;
    assert_eq!(hits.len(), 2);
    assert!(
        hits.iter().all(|h| h.chunk.resource_id == r2.resource_id),
        "{hits:?}"
    );
    let empty = nearest(store, &project("gamma"), &query, 10, None).await;
    assert!(empty.is_empty());
    assert_sound(store).await;
}

/// A vector of another dimension is refused with its sizes, and nothing is written.
pub async fn wrong_dimension_writes_nothing(store: &dyn Store) {
    let p = project("alpha");
    let content = "three chunks, the middle one with a short vector";
    let mut chunks = split(content, 3);
    chunks[1].vector.pop();
    let before = counts(store).await;
    let err = store
        .put_resource(resource(&p, "a", "document", content), chunks)
        .await
        .expect_err("a 7-dimensional vector must be refused");
    assert!(
        matches!(err, StoreError::WrongDimension { expected: DIMENSION, got } if got == DIMENSION - 1),
        "{err:?}"
    );
    assert_eq!(counts(store).await, before);
    assert!(list(store, &p, None).await.is_empty());

    let err = store
        .nearest_chunks(&p, &[0.5; DIMENSION + 1], 3, &ChunkFilter::default())
        .await
        .expect_err("a 9-dimensional query must be refused");
    assert!(matches!(err, StoreError::WrongDimension { .. }), "{err:?}");
    assert_sound(store).await;
}

/// A chunk outside its content, or not matching it, is Invalid; nothing is written.
pub async fn bad_chunk_writes_nothing(store: &dyn Store) {
    type Spoil = fn(&mut Vec<NewChunk>);
    let p = project("alpha");
    let content = "short content";
    let cases: [(&str, Spoil); 3] = [
        ("range past the end", |c| c[1].end += 5),
        ("text not the range", |c| {
            c[0].text = "something else".into();
        }),
        ("no chunks", Vec::clear),
    ];
    for (what, spoil) in cases {
        let mut chunks = split(content, 2);
        spoil(&mut chunks);
        let result = store
            .put_resource(resource(&p, "a", "document", content), chunks)
            .await;
        assert!(
            matches!(result, Err(StoreError::Invalid(_))),
            "{what}: {result:?}"
        );
        assert_eq!(counts(store).await, (0, 0, 0), "{what}");
    }
    let empty = store
        .put_resource(resource(&p, "a", "document", ""), Vec::new())
        .await;
    assert!(
        matches!(empty, Err(StoreError::Invalid(_))),
        "empty content: {empty:?}"
    );
    assert_eq!(counts(store).await, (0, 0, 0));
    assert_sound(store).await;
}

/// Every stored chunk is the first hit for its own vector, with score ~1.
pub async fn nearest_finds_own_chunk_first(store: &dyn Store) {
    let p = project("alpha");
    let mut stored = Vec::new();
    for (name, kind) in [("a.md", "document"), ("b.rs", "code")] {
        let content = format!("{name} holds text that is cut into four pieces of {kind}");
        let out = put(
            store,
            resource(&p, name, kind, &content),
            split(&content, 4),
        )
        .await;
        for chunk in chunks_of(store, &p, out.resource_id).await {
            stored.push((chunk, name, kind));
        }
    }
    for (chunk, name, kind) in &stored {
        let hits = nearest(store, &p, &vector_for(&chunk.text), 3, None).await;
        assert_eq!(hits.len(), 3);
        let top = &hits[0];
        assert_eq!(
            &top.chunk, chunk,
            "its own vector must find chunk {}",
            chunk.id
        );
        assert!((top.score - 1.0).abs() < 1e-4, "score {}", top.score);
        assert_eq!(
            (top.file_name.as_str(), top.resource_type.as_str()),
            (*name, *kind)
        );
        assert!(hits[1].score < top.score);
    }
    assert_sound(store).await;
}

/// At most `k` hits, best first, scores in [-1, 1].
pub async fn nearest_respects_k_and_order(store: &dyn Store) {
    let p = project("alpha");
    let content = "eight chunks of text make a small but real index for k";
    put(
        store,
        resource(&p, "a", "document", content),
        split(content, 8),
    )
    .await;
    let query = vector_for("a query that is none of the chunks");
    for (k, expected) in [(0, 0), (1, 1), (5, 5), (8, 8), (100, 8)] {
        let hits = nearest(store, &p, &query, k, None).await;
        assert_eq!(hits.len(), expected, "k = {k}");
        assert!(
            hits.windows(2).all(|w| w[0].score >= w[1].score),
            "not best first: {:?}",
            scores(&hits)
        );
        assert!(hits.iter().all(|h| (-1.0001..=1.0001).contains(&h.score)));
    }
    assert_sound(store).await;
}

/// A filter that keeps few chunks still yields `k` when `k` pass it: it is
/// applied inside the search, not to a top-k cut afterwards.
pub async fn selective_filter_still_yields_k(store: &dyn Store) {
    let p = project("alpha");
    let docs = "many document chunks that crowd the top of every ranking";
    put(store, resource(&p, "d", "document", docs), split(docs, 12)).await;
    let code = "fn few() { code chunks }";
    put(store, resource(&p, "c", "code", code), split(code, 3)).await;
    // A query that is exactly a document chunk: the code chunks rank low.
    let query = vector_for(&split(docs, 12)[0].text);
    for (kind, k, expected) in [
        ("code", 3, 3),
        ("code", 2, 2),
        ("code", 10, 3),
        ("document", 12, 12),
        ("todo", 5, 0),
    ] {
        let hits = nearest(store, &p, &query, k, Some(kind)).await;
        assert_eq!(hits.len(), expected, "{kind} k={k}");
        assert!(
            hits.iter().all(|h| h.resource_type == kind),
            "{kind}: {hits:?}"
        );
    }
    assert_sound(store).await;
}

/// Search sees a put at once and never returns a deleted resource's chunks.
pub async fn search_follows_puts_and_deletes(store: &dyn Store) {
    let p = project("alpha");
    let text1 = "first resource, searched, then deleted";
    let r1 = put(store, resource(&p, "a", "document", text1), split(text1, 2)).await;
    let q1 = vector_for(&split(text1, 2)[0].text);
    assert_eq!(
        nearest(store, &p, &q1, 1, None).await[0].chunk.resource_id,
        r1.resource_id
    );

    let text2 = "second resource, stored after a search";
    let r2 = put(store, resource(&p, "b", "document", text2), split(text2, 2)).await;
    let q2 = vector_for(&split(text2, 2)[1].text);
    assert_eq!(
        nearest(store, &p, &q2, 1, None).await[0].chunk.resource_id,
        r2.resource_id
    );

    store
        .delete_resource(&p, r1.resource_id)
        .await
        .expect("delete");
    let hits = nearest(store, &p, &q1, 10, None).await;
    assert_eq!(hits.len(), 2);
    assert!(
        hits.iter().all(|h| h.chunk.resource_id == r2.resource_id),
        "{hits:?}"
    );
    assert_sound(store).await;
}

/// The vector index of every project agrees with the stored vectors after
/// puts and deletes; a rebuild changes no best answer.
pub async fn index_agrees_and_rebuilds(store: &dyn Store) {
    let statuses = store.check_indexes().await.expect("check indexes");
    assert!(statuses.is_empty(), "{statuses:?}");
    let (a, b) = (project("alpha"), project("beta"));
    let mut kept = Vec::new();
    for i in 0..6 {
        let text = format!("alpha-{i} ").repeat(6);
        let r = put(store, resource(&a, "a", "document", &text), split(&text, 3)).await;
        kept.push((r.resource_id, text));
    }
    let text = "one beta resource, two chunks";
    put(store, resource(&b, "b", "code", text), split(text, 2)).await;
    for (id, _) in kept.drain(..2) {
        store.delete_resource(&a, id).await.expect("delete");
    }
    let statuses = store.check_indexes().await.expect("check indexes");
    let mut seen: Vec<(String, u64, u64)> = statuses
        .iter()
        .map(|s| (s.project.clone(), s.indexed, s.stored))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [("alpha".to_owned(), 12, 12), ("beta".to_owned(), 2, 2)],
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(crate::IndexStatus::agrees),
        "{statuses:?}"
    );
    let q = vector_for(&split(&kept[1].1, 3)[2].text);
    let answer = nearest(store, &a, &q, 5, None).await;
    let rebuilt = store.rebuild_indexes(Some(&a)).await.expect("rebuild");
    assert_eq!(rebuilt.len(), 1);
    assert!(rebuilt[0].agrees(), "{rebuilt:?}");
    // An approximate index may order near-ties differently after a rebuild;
    // the best hit and the count may not change.
    let again = nearest(store, &a, &q, 5, None).await;
    assert_eq!(again.len(), answer.len());
    assert_eq!(again[0].chunk.id, answer[0].chunk.id);
    assert_eq!(answer[0].chunk.resource_id, kept[1].0);
    let all = store.rebuild_indexes(None).await.expect("rebuild all");
    assert_eq!(all.len(), 2);
    store.sync_indexes().await.expect("sync");
    assert_sound(store).await;
}

/// `info` names the model and dimension the store was opened with, and counts.
pub async fn info_reports_model_and_counts(store: &dyn Store) {
    let info = store.info().await.expect("info");
    assert_eq!(info.embedding_model, spec().model_id);
    assert_eq!(info.dimension, DIMENSION);
    assert_eq!(info.schema_version, info.latest_schema_version);
    assert!(!info.backend.is_empty() && !info.location.is_empty());
    assert_eq!((info.resources, info.chunks, info.vectors), (0, 0, 0));
    let p = project("alpha");
    let content = "one resource with five chunks for the counts";
    put(
        store,
        resource(&p, "a", "document", content),
        split(content, 5),
    )
    .await;
    assert_eq!(counts(store).await, (1, 5, 5));
    assert_sound(store).await;
}

// ------------------------------------------------------- keyword checks

/// A rare word finds its chunk, with the resource's name and type; `k`
/// bounds the answer; equal scores go to the lower chunk id.
pub async fn keyword_finds_rare_word(store: &dyn Store) {
    let p = project("alpha");
    let fog = put_whole(store, &p, "a.md", "document", "harbor fog rolls in").await;
    let ferry = put_whole(
        store,
        &p,
        "b.md",
        "document",
        "harbor zanzibar ferry leaves",
    )
    .await;
    let cranes = put_whole(store, &p, "c.rs", "code", "harbor cranes unload ships").await;

    let hits = keyword(store, &p, "zanzibar", 10, None).await;
    assert_eq!(chunk_ids(&hits), [ferry.id], "{hits:?}");
    assert_eq!(hits[0].chunk, ferry);
    assert_eq!(
        (hits[0].file_name.as_str(), hits[0].resource_type.as_str()),
        ("b.md", "document")
    );
    assert!(keyword(store, &p, "absent", 10, None).await.is_empty());

    // Same length, one "harbor" each: equal scores, so chunk id order.
    for (k, expected) in [(0, 0), (1, 1), (2, 2), (3, 3), (100, 3)] {
        let hits = keyword(store, &p, "harbor", k, None).await;
        assert_eq!(chunk_ids(&hits), [fog.id, ferry.id, cranes.id][..expected]);
    }
    assert_sound(store).await;
}

/// An identifier and an error message match as written, punctuation and all.
pub async fn keyword_matches_identifiers_and_error_strings(store: &dyn Store) {
    let p = project("alpha");
    let ident = put_whole(
        store,
        &p,
        "a.rs",
        "code",
        "pub fn parse_config_v2(path: &Path) -> Config",
    )
    .await;
    put_whole(
        store,
        &p,
        "b.md",
        "document",
        "config notes: parse v2 later, then config",
    )
    .await;
    let error = put_whole(
        store,
        &p,
        "c.log",
        "error",
        "error: UNIQUE constraint failed: ResourceChunks.vector_id (code 2067)",
    )
    .await;
    put_whole(
        store,
        &p,
        "d.md",
        "document",
        "a unique constraint keeps chunks apart",
    )
    .await;

    let hits = keyword(store, &p, "parse_config_v2", 10, None).await;
    assert_eq!(hits.first().map(|h| h.chunk.id), Some(ident.id), "{hits:?}");
    let query = "UNIQUE constraint failed: ResourceChunks.vector_id";
    let hits = keyword(store, &p, query, 10, None).await;
    assert_eq!(hits.first().map(|h| h.chunk.id), Some(error.id), "{hits:?}");
    let hits = keyword(store, &p, "ResourceChunks.vector_id", 10, None).await;
    assert_eq!(chunk_ids(&hits), [error.id], "{hits:?}");
    assert_sound(store).await;
}

/// Free text that is FTS5 / tsquery syntax, or would be without escaping.
#[rustfmt::skip]
const NASTY_QUERIES: &[&str] = &[
    "\"", "\"\"", "'", "AND OR NOT", "*", "(", ")", "-", "NEAR(", "NEAR(stone bridge, 2)",
    "stone AND", "OR bridge", "NOT", "text:stone", "^stone", "stone*", "{text}: stone",
    "\"stone", "stone\"", "a\"b", "\\", ":", "+-*/", "!", "&", "|", "<->", "\0",
    "stone\0bridge", "café ß 日本語", "", "   ", "\n\t",
];

/// Free text is never a query-syntax error: quotes, operators, punctuation and
/// control characters are words or nothing. A query with no word finds nothing.
pub async fn keyword_queries_never_error(store: &dyn Store) {
    let p = project("alpha");
    let text = "meet near the (old) \"stone\" bridge - at noon* sharp";
    let chunk = put_whole(store, &p, "a.md", "document", text).await;
    for &query in NASTY_QUERIES {
        let result = store
            .keyword_chunks(&p, query, 5, &ChunkFilter::default())
            .await;
        assert!(result.is_ok(), "{query:?}: {result:?}");
    }
    for query in ["\"", "\"\"", "*", "(", "-", "+-*/", "\0", "", "   "] {
        assert!(
            keyword(store, &p, query, 5, None).await.is_empty(),
            "{query:?}"
        );
    }
    // Operator-like and quote-laden terms are plain words.
    for query in ["NEAR(", "\"stone", "stone*", "^stone", "stone\0bridge"] {
        let hits = keyword(store, &p, query, 5, None).await;
        assert_eq!(chunk_ids(&hits), [chunk.id], "{query:?}");
    }
    assert_sound(store).await;
}

/// Keyword search never returns another project's chunks.
pub async fn keyword_projects_are_isolated(store: &dyn Store) {
    let (p1, p2) = (project("alpha"), project("beta"));
    put_whole(
        store,
        &p1,
        "a",
        "document",
        "alpha keeps the launch codes in the vault",
    )
    .await;
    let b = put_whole(
        store,
        &p2,
        "b",
        "document",
        "beta keeps the lunch menu in the vault",
    )
    .await;
    let hits = keyword(store, &p2, "vault launch codes", 10, None).await;
    assert_eq!(chunk_ids(&hits), [b.id], "{hits:?}");
    assert!(keyword(store, &p2, "launch", 10, None).await.is_empty());
    assert!(
        keyword(store, &project("gamma"), "vault", 10, None)
            .await
            .is_empty()
    );
    assert_sound(store).await;
}

/// A type filter runs inside the search: `k` hits when `k` of that type
/// match, however many better-scoring chunks of other types there are.
pub async fn keyword_selective_filter_still_yields_k(store: &dyn Store) {
    let p = project("alpha");
    for i in 0..12 {
        let text = format!("document {i}: needle needle needle");
        put_whole(store, &p, "d", "document", &text).await;
    }
    for i in 0..3 {
        let text = format!("fn find_{i}() returns one needle from a long list of candidate places");
        put_whole(store, &p, "c", "code", &text).await;
    }
    for (kind, k, expected) in [
        (Some("code"), 3, 3),
        (Some("code"), 2, 2),
        (Some("code"), 10, 3),
        (Some("document"), 12, 12),
        (Some("document"), 5, 5),
        (Some("todo"), 5, 0),
        (None, 20, 15),
    ] {
        let hits = keyword(store, &p, "needle", k, kind).await;
        assert_eq!(hits.len(), expected, "{kind:?} k={k}");
        assert!(
            hits.iter()
                .all(|h| kind.is_none_or(|kind| h.resource_type == kind)),
            "{kind:?}: {hits:?}"
        );
    }
    assert_sound(store).await;
}

/// Keyword search sees a put at once and never returns a deleted resource's
/// chunks, also when the same content is stored again.
pub async fn keyword_follows_puts_and_deletes(store: &dyn Store) {
    let p = project("alpha");
    let text1 = "an ephemeral note about walruses";
    let first = put_whole(store, &p, "a", "document", text1).await;
    assert_eq!(
        chunk_ids(&keyword(store, &p, "walruses", 5, None).await),
        [first.id]
    );
    let second = put_whole(store, &p, "b", "document", "another ephemeral note").await;
    let hits = keyword(store, &p, "ephemeral", 5, None).await;
    assert_eq!(hits.len(), 2, "{hits:?}");

    store
        .delete_resource(&p, first.resource_id)
        .await
        .expect("delete");
    assert!(keyword(store, &p, "walruses", 5, None).await.is_empty());
    assert_eq!(
        chunk_ids(&keyword(store, &p, "ephemeral", 5, None).await),
        [second.id]
    );

    let again = put_whole(store, &p, "a", "document", text1).await;
    assert_ne!(again.id, first.id);
    assert_eq!(
        chunk_ids(&keyword(store, &p, "walruses", 5, None).await),
        [again.id]
    );
    assert_sound(store).await;
}

/// A duplicate put indexes nothing: each chunk is one hit at most.
pub async fn keyword_duplicate_put_indexes_once(store: &dyn Store) {
    let p = project("alpha");
    let content = "marmalade recipe: oranges, sugar, water; the marmalade sets overnight";
    let first = put(
        store,
        resource(&p, "a.md", "document", content),
        split(content, 3),
    )
    .await;
    let again = put(
        store,
        resource(&p, "b.md", "note", content),
        split(content, 2),
    )
    .await;
    assert!(again.duplicate);
    let stored: Vec<ChunkId> = chunks_of(store, &p, first.resource_id)
        .await
        .iter()
        .map(|c| c.id)
        .collect();
    // `keyword` asserts the hits' chunk ids are distinct.
    let hits = keyword(
        store,
        &p,
        "marmalade recipe oranges sugar water sets",
        10,
        None,
    )
    .await;
    assert!(!hits.is_empty() && hits.len() <= 3, "{hits:?}");
    assert!(
        hits.iter().all(|h| stored.contains(&h.chunk.id)),
        "{hits:?}"
    );
    assert!(hits.iter().all(|h| h.file_name == "a.md"), "{hits:?}");
    assert_sound(store).await;
}

/// BM25: more occurrences and rarer terms rank higher. A chunk with the
/// common term three times and the rare one beats one with the rare term
/// alone, which beats every chunk with only the common term.
pub async fn keyword_ranks_more_and_rarer_terms_higher(store: &dyn Store) {
    let p = project("alpha");
    // Stored worst first, so that chunk id order is not the ranking.
    let mut common = Vec::new();
    for text in [
        "a gadget on the shelf",
        "gadget repair manual",
        "the gadget store",
        "gadget reviews weekly",
    ] {
        common.push(put_whole(store, &p, "c", "document", text).await.id);
    }
    let rare = put_whole(
        store,
        &p,
        "b",
        "document",
        "a quasar seen far away in the night sky",
    )
    .await;
    let best = put_whole(store, &p, "a", "document", "gadget gadget gadget quasar").await;
    let hits = keyword(store, &p, "gadget quasar", 10, None).await;
    let ids = chunk_ids(&hits);
    assert_eq!(ids.len(), 6, "{hits:?}");
    assert_eq!(&ids[..2], [best.id, rare.id], "{hits:?}");
    assert!(ids[2..].iter().all(|id| common.contains(id)), "{hits:?}");
    assert!(hits[1].score > hits[2].score, "{:?}", scores(&hits));
    assert_sound(store).await;
}

// ---------------------------------------------------------------- helpers

/// A deterministic unit vector derived from `text` (FNV-1a seeded splitmix):
/// distinct texts give vectors far apart in 8 dimensions, and a test can
/// recompute any chunk's vector from its text alone.
pub fn vector_for(text: &str) -> Vec<f32> {
    let mut state = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let raw: Vec<f32> = (0..DIMENSION)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            // Top 24 bits -> [-1, 1): exact in f32.
            (z >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect();
    let norm = raw.iter().map(|x| x * x).sum::<f32>().sqrt();
    raw.iter().map(|x| x / norm).collect()
}

/// `content` cut into `parts` contiguous chunks that cover all of it, each
/// with the vector of its text. `content` must be ASCII (byte = char).
pub fn split(content: &str, parts: usize) -> Vec<NewChunk> {
    assert!(content.is_ascii() && content.len() >= parts);
    let len = content.len();
    (0..parts)
        .map(|i| {
            let (start, end) = (len * i / parts, len * (i + 1) / parts);
            let text = content[start..end].to_owned();
            NewChunk {
                ordinal: i,
                start,
                end,
                vector: vector_for(&text),
                text,
            }
        })
        .collect()
}

pub fn project(name: &str) -> Project {
    Project::new(name).expect("test project names are valid")
}

pub fn resource(
    project: &Project,
    file_name: &str,
    resource_type: &str,
    content: &str,
) -> NewResource {
    NewResource {
        project: project.clone(),
        file_name: file_name.to_owned(),
        resource_type: resource_type.to_owned(),
        content: content.to_owned(),
        metadata: serde_json::json!({}),
    }
}

async fn put(store: &dyn Store, resource: NewResource, chunks: Vec<NewChunk>) -> PutOutcome {
    store
        .put_resource(resource, chunks)
        .await
        .expect("put_resource")
}

async fn get(store: &dyn Store, project: &Project, id: ResourceId) -> Resource {
    store.get_resource(project, id).await.expect("get_resource")
}

async fn list(store: &dyn Store, project: &Project, resource_type: Option<&str>) -> Vec<Resource> {
    let filter = ResourceFilter {
        resource_type: resource_type.map(str::to_owned),
        limit: None,
    };
    store
        .list_resources(project, &filter)
        .await
        .expect("list_resources")
}

async fn chunks_of(store: &dyn Store, project: &Project, id: ResourceId) -> Vec<Chunk> {
    store.chunks_of(project, id).await.expect("chunks_of")
}

async fn nearest(
    store: &dyn Store,
    project: &Project,
    query: &[f32],
    k: usize,
    resource_type: Option<&str>,
) -> Vec<ScoredChunk> {
    let filter = ChunkFilter {
        resource_type: resource_type.map(str::to_owned),
    };
    store
        .nearest_chunks(project, query, k, &filter)
        .await
        .expect("nearest_chunks")
}

/// Stores `text` as a resource of one chunk; returns that chunk.
async fn put_whole(
    store: &dyn Store,
    project: &Project,
    file_name: &str,
    resource_type: &str,
    text: &str,
) -> Chunk {
    let out = put(
        store,
        resource(project, file_name, resource_type, text),
        split(text, 1),
    )
    .await;
    let mut chunks = chunks_of(store, project, out.resource_id).await;
    assert_eq!(chunks.len(), 1);
    chunks.remove(0)
}

/// A keyword search that must succeed, checked against what every answer
/// promises: at most `k` hits, of this project's chunks, each chunk once,
/// best first with equal scores in chunk id order.
async fn keyword(
    store: &dyn Store,
    project: &Project,
    query: &str,
    k: usize,
    resource_type: Option<&str>,
) -> Vec<ScoredChunk> {
    let filter = ChunkFilter {
        resource_type: resource_type.map(str::to_owned),
    };
    let hits = store
        .keyword_chunks(project, query, k, &filter)
        .await
        .unwrap_or_else(|err| panic!("keyword_chunks({query:?}): {err}"));
    assert!(
        hits.len() <= k,
        "{query:?}: {} hits for k = {k}",
        hits.len()
    );
    let mut ids = chunk_ids(&hits);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), hits.len(), "{query:?}: a chunk twice: {hits:?}");
    assert!(
        hits.iter().all(|h| h.score.is_finite()),
        "{query:?}: {:?}",
        scores(&hits)
    );
    assert!(
        hits.windows(2).all(|w| w[0]
            .score
            .total_cmp(&w[1].score)
            .then(w[1].chunk.id.cmp(&w[0].chunk.id))
            .is_gt()),
        "{query:?}: not best first, ties by chunk id: {:?}",
        hits.iter()
            .map(|h| (h.chunk.id, h.score))
            .collect::<Vec<_>>()
    );
    for hit in &hits {
        let own = store.chunks_of(project, hit.chunk.resource_id).await;
        assert!(
            own.is_ok_and(|chunks| chunks.contains(&hit.chunk)),
            "{query:?}: not a chunk of project {project}: {hit:?}"
        );
    }
    hits
}

fn chunk_ids(hits: &[ScoredChunk]) -> Vec<ChunkId> {
    hits.iter().map(|h| h.chunk.id).collect()
}

/// (resources, chunks, vectors) across all projects.
async fn counts(store: &dyn Store) -> (u64, u64, u64) {
    let info = store.info().await.expect("info");
    (info.resources, info.chunks, info.vectors)
}

fn scores(hits: &[ScoredChunk]) -> Vec<f32> {
    hits.iter().map(|h| h.score).collect()
}

fn assert_not_found<T: std::fmt::Debug>(result: &Result<T, StoreError>) {
    assert!(
        matches!(result, Err(StoreError::NotFound { .. })),
        "{result:?}"
    );
}

/// The store's own integrity check is clean and every project's vector
/// index agrees with the database.
pub async fn assert_sound(store: &dyn Store) {
    let report = store.check_integrity().await.expect("check_integrity");
    assert!(report.is_ok(), "integrity: {report:?}");
    let statuses = store.check_indexes().await.expect("check_indexes");
    assert!(
        statuses.iter().all(crate::IndexStatus::agrees),
        "index: {statuses:?}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_unit_and_distinct() {
        let a = vector_for("a");
        let b = vector_for("b");
        assert_eq!(a, vector_for("a"));
        assert_eq!(a.len(), DIMENSION);
        let norm: f32 = a.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        let cos: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!(cos < 0.99, "{cos}");
    }

    #[test]
    fn split_covers_content() {
        let chunks = split("abcdefghij", 3);
        let joined: String = chunks.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(joined, "abcdefghij");
        assert_eq!(chunks.last().map(|c| c.end), Some(10));
    }
}
