//! Checks of documents and vector search: what is put is read back, vector
//! ids, duplicates, project isolation, validation, nearest-chunk search and
//! its filters, the vector index, the store's counts, and batch puts (each
//! item as a single put, all or nothing).

use super::{
    ChunkFilter, DIMENSION, NewChunk, NewResource, ResourceFilter, ResourceId, Store, StoreError,
    assert_batch_item, assert_invalid, assert_not_found, assert_sound, chunks_of, counts,
    excluding, get, list, nearest, nearest_with, project, put, resource, scores, spec, split,
    vector_for,
};
use ltmc_core::{CODE_ATTEMPT_TYPE, content_hash};

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

/// The resource type of code attempts is the attempts' own: a resource of
/// it is refused, and nothing is written.
pub async fn code_attempt_type_is_reserved(store: &dyn Store) {
    let p = project("alpha");
    let content = "looks like an attempt but is a document";
    let result = store
        .put_resource(
            resource(&p, "a", CODE_ATTEMPT_TYPE, content),
            split(content, 2),
        )
        .await;
    assert_invalid(&result, "resource_type");
    assert_eq!(counts(store).await, (0, 0, 0));
    assert_sound(store).await;
}

/// Excluded types are left out inside the search: `k` hits whenever `k`
/// chunks of the other types exist, however well the excluded ones match.
pub async fn nearest_excludes_types(store: &dyn Store) {
    let p = project("alpha");
    let code = "fn crowd() { code chunks that crowd the top of the ranking }";
    put(store, resource(&p, "c", "code", code), split(code, 12)).await;
    let docs = "few document chunks";
    put(store, resource(&p, "d", "document", docs), split(docs, 3)).await;
    let note = "one note";
    put(store, resource(&p, "n", "note", note), split(note, 1)).await;
    // Exactly a code chunk: every code chunk outranks nothing else by much.
    let query = vector_for(&split(code, 12)[0].text);
    for (excluded, k, expected) in [
        (&["code"][..], 3, 3),
        (&["code"][..], 10, 4),
        (&["code", "note"][..], 2, 2),
        (&["code", "note"][..], 10, 3),
        (&["code", "document", "note"][..], 10, 0),
        (&["absent"][..], 20, 16),
        (&[][..], 5, 5),
    ] {
        let hits = nearest_with(store, &p, &query, k, &excluding(excluded)).await;
        assert_eq!(hits.len(), expected, "{excluded:?} k={k}");
        assert!(
            hits.iter()
                .all(|h| !excluded.contains(&h.resource_type.as_str())),
            "{excluded:?}: {hits:?}"
        );
    }
    // A type both asked for and excluded: nothing.
    let contradiction = ChunkFilter {
        resource_type: Some("document".to_owned()),
        exclude_types: vec!["document".to_owned()],
    };
    assert!(
        nearest_with(store, &p, &query, 5, &contradiction)
            .await
            .is_empty()
    );
    // A type asked for, another excluded: the type decides.
    let both = ChunkFilter {
        resource_type: Some("document".to_owned()),
        exclude_types: vec!["code".to_owned()],
    };
    assert_eq!(nearest_with(store, &p, &query, 5, &both).await.len(), 3);
    assert_sound(store).await;
}

/// A batch put stores each item as a single put would, in order: one
/// outcome per item, chunks read back, vector ids increasing in batch
/// order, every chunk found by its own vector. Items may be of different
/// projects; an empty batch writes nothing.
pub async fn batch_put_stores_each_in_order(store: &dyn Store) {
    let (a, b) = (project("alpha"), project("beta"));
    let empty = store.put_resources(Vec::new()).await;
    assert!(empty.expect("an empty batch").is_empty());
    assert_eq!(counts(store).await, (0, 0, 0));

    let items = [
        (
            &a,
            "one.md",
            "document",
            "the first document of a batch, in three",
            3,
        ),
        (
            &a,
            "two.rs",
            "code",
            "fn second() { the batch's code file }",
            2,
        ),
        (
            &b,
            "three.md",
            "document",
            "the third, of another project",
            1,
        ),
    ];
    let batch = items
        .iter()
        .map(|&(p, name, kind, content, parts)| {
            (resource(p, name, kind, content), split(content, parts))
        })
        .collect();
    let outcomes = store.put_resources(batch).await.expect("put_resources");
    assert_eq!(outcomes.len(), 3);
    assert!(outcomes.iter().all(|o| !o.duplicate), "{outcomes:?}");
    assert!(
        outcomes
            .windows(2)
            .all(|w| w[0].resource_id < w[1].resource_id),
        "{outcomes:?}"
    );
    let mut vector_ids = Vec::new();
    for (&(p, name, kind, content, parts), out) in items.iter().zip(&outcomes) {
        assert_eq!(out.chunk_count, parts);
        let got = get(store, p, out.resource_id).await;
        assert_eq!(
            (got.file_name.as_str(), got.resource_type.as_str()),
            (name, kind)
        );
        assert_eq!(got.content, content);
        let chunks = chunks_of(store, p, out.resource_id).await;
        let texts: Vec<String> = chunks.iter().map(|c| c.text.clone()).collect();
        let given: Vec<String> = split(content, parts).into_iter().map(|c| c.text).collect();
        assert_eq!(texts, given);
        for chunk in chunks {
            let hits = nearest(store, p, &vector_for(&chunk.text), 1, None).await;
            assert_eq!(hits.first().map(|h| &h.chunk), Some(&chunk), "{name}");
            vector_ids.push(chunk.vector_id.0);
        }
    }
    assert!(
        vector_ids.windows(2).all(|w| w[0] < w[1]),
        "vector ids not increasing in batch order: {vector_ids:?}"
    );
    assert_eq!(list(store, &a, None).await.len(), 2);
    assert_eq!(list(store, &b, None).await.len(), 1);
    assert_eq!(counts(store).await, (3, 6, 6));
    assert_sound(store).await;
}

/// In a batch, content the project already holds, or that an earlier item
/// gave, is a duplicate with that resource's id and chunk count, and writes
/// nothing; the same content in another project is not.
pub async fn batch_put_finds_duplicates_before_and_within(store: &dyn Store) {
    let (a, b) = (project("alpha"), project("beta"));
    let stored = "content stored before the batch";
    let first = put(
        store,
        resource(&a, "first.md", "document", stored),
        split(stored, 2),
    )
    .await;
    let fresh = "content new in the batch, given twice";
    let outcomes = store
        .put_resources(vec![
            (resource(&a, "again.md", "note", stored), split(stored, 3)),
            (resource(&a, "fresh.md", "document", fresh), split(fresh, 2)),
            (
                resource(&a, "fresh-again.md", "note", fresh),
                split(fresh, 3),
            ),
            (
                resource(&b, "elsewhere.md", "document", stored),
                split(stored, 1),
            ),
        ])
        .await
        .expect("put_resources");
    let seen: Vec<(bool, usize)> = outcomes
        .iter()
        .map(|o| (o.duplicate, o.chunk_count))
        .collect();
    assert_eq!(seen, [(true, 2), (false, 2), (true, 2), (false, 1)]);
    assert_eq!(outcomes[0].resource_id, first.resource_id);
    assert_eq!(outcomes[2].resource_id, outcomes[1].resource_id);
    assert_ne!(outcomes[3].resource_id, first.resource_id);
    assert_eq!(counts(store).await, (3, 5, 5));
    assert_eq!(
        get(store, &a, first.resource_id).await.file_name,
        "first.md"
    );
    let fresh_one = get(store, &a, outcomes[1].resource_id).await;
    assert_eq!(fresh_one.file_name, "fresh.md");
    assert_eq!(list(store, &a, None).await.len(), 2);
    assert_eq!(list(store, &b, None).await.len(), 1);
    assert_sound(store).await;
}

/// A batch whose last item a single put would refuse fails whole, with that
/// put's error (an `Invalid` names the field and the item), and writes
/// nothing: not the good items before it, their chunks or their vectors.
pub async fn batch_put_refused_item_writes_nothing(store: &dyn Store) {
    type Spoil = fn(&mut NewResource, &mut Vec<NewChunk>);
    let p = project("alpha");
    let kept = "stored before the failing batches";
    let kept = put(
        store,
        resource(&p, "kept.md", "document", kept),
        split(kept, 2),
    )
    .await;
    let before = counts(store).await;
    let good = |i: usize| {
        let content = format!("good item {i} of a batch that fails");
        (
            resource(&p, "good.md", "document", &content),
            split(&content, 2),
        )
    };
    let cases: [(&str, Spoil); 4] = [
        ("resource_type", |r, _| r.resource_type = " ".into()),
        ("resource_type", |r, _| {
            r.resource_type = CODE_ATTEMPT_TYPE.into();
        }),
        ("chunks", |_, chunks| chunks.clear()),
        ("content", |r, chunks| {
            r.content.clear();
            chunks.clear();
        }),
    ];
    for (field, spoil) in cases {
        let mut batch = vec![good(0), good(1), good(2)];
        let (resource, chunks) = &mut batch[2];
        spoil(resource, chunks);
        let result = store.put_resources(batch).await;
        assert_invalid(&result, field);
        assert_batch_item(&result, 2);
        assert_eq!(counts(store).await, before, "{field}");
    }
    let mut batch = vec![good(0), good(1), good(2)];
    batch[2].1[1].vector.pop();
    let err = store
        .put_resources(batch)
        .await
        .expect_err("a 7-dimensional vector must be refused");
    assert!(
        matches!(err, StoreError::WrongDimension { expected: DIMENSION, got } if got == DIMENSION - 1),
        "{err:?}"
    );
    assert_eq!(counts(store).await, before);
    let listed: Vec<ResourceId> = list(store, &p, None).await.iter().map(|r| r.id).collect();
    assert_eq!(listed, [kept.resource_id]);
    let query = vector_for(&good(0).1[0].text);
    let hits = nearest(store, &p, &query, 10, None).await;
    assert!(
        hits.iter().all(|h| h.chunk.resource_id == kept.resource_id),
        "{hits:?}"
    );
    // Nothing of the refused batches is there to be a duplicate of.
    let again = store.put_resources(vec![good(0)]).await.expect("put");
    assert!(!again[0].duplicate, "{again:?}");
    assert_sound(store).await;
}
