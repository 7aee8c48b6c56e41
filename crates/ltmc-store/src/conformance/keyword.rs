//! Checks of keyword search: rare words, identifiers and error strings,
//! escaping of free text, project isolation, filters, freshness after puts
//! and deletes, and BM25 ranking.

use super::{
    ChunkFilter, ChunkId, NASTY_QUERIES, Store, assert_sound, chunk_ids, chunks_of, excluding,
    keyword, keyword_with, project, put, put_whole, resource, scores, split,
};
use ltmc_core::terms::TermStats;

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

/// Excluded types are left out inside the keyword search: `k` hits whenever
/// `k` matching chunks of the other types exist.
pub async fn keyword_excludes_types(store: &dyn Store) {
    let p = project("alpha");
    for i in 0..12 {
        let text = format!("fn needle_{i}() {{ needle needle needle }}");
        put_whole(store, &p, "c", "code", &text).await;
    }
    for i in 0..3 {
        let text = format!("document {i} mentions one needle among many other words");
        put_whole(store, &p, "d", "document", &text).await;
    }
    put_whole(store, &p, "n", "note", "a note with a needle").await;
    for (excluded, k, expected) in [
        (&["code"][..], 3, 3),
        (&["code"][..], 10, 4),
        (&["code", "note"][..], 10, 3),
        (&["code", "document", "note"][..], 10, 0),
        (&["absent"][..], 20, 16),
        (&[][..], 5, 5),
    ] {
        let hits = keyword_with(store, &p, "needle", k, &excluding(excluded)).await;
        assert_eq!(hits.len(), expected, "{excluded:?} k={k}");
        assert!(
            hits.iter()
                .all(|h| !excluded.contains(&h.resource_type.as_str())),
            "{excluded:?}: {hits:?}"
        );
    }
    let contradiction = ChunkFilter {
        resource_type: Some("code".to_owned()),
        exclude_types: vec!["code".to_owned()],
    };
    assert!(
        keyword_with(store, &p, "needle", 5, &contradiction)
            .await
            .is_empty()
    );
    assert_sound(store).await;
}

/// `term_stats` counts, per content term of a query in order, the project's
/// chunks that hold it (an identifier as a phrase, stemmed words as the
/// keyword search matches them), and the project's chunk count; other
/// projects, function words and deleted chunks do not count.
pub async fn keyword_term_stats_count_within_project(store: &dyn Store) {
    let p = project("alpha");
    let texts = [
        "the deploy failed with ORA-00942 after the migration",
        "the deploy failed again, deploys are fragile",
        "parse_config_v17 rejected the deploy manifest",
        "config parse notes: v17 of the parser",
    ];
    let mut ids = Vec::new();
    for text in texts {
        ids.push(put_whole(store, &p, "n.md", "document", text).await);
    }
    put_whole(
        store,
        &project("beta"),
        "x.md",
        "document",
        "deploy deploy ORA-00942",
    )
    .await;
    let p = &p;
    let stats =
        |query: &'static str| async move { store.term_stats(p, query).await.expect("term_stats") };
    let s = stats("Why did the deploy fail with ORA-00942?").await;
    // "why did the with" are function words; deploy, fail, ORA-00942? remain.
    assert_eq!(s.chunks, 4, "{s:?}");
    assert_eq!(s.documents, [3, 2, 1], "{s:?}");
    let s = stats("parse_config_v17 missing").await;
    assert_eq!(s.documents, [1, 0], "{s:?}");
    assert_eq!(stats("?! ...").await, TermStats::default());
    assert!(s.idf(1) > s.idf(0) && s.idf(0) > 0.0, "{s:?}");

    store
        .delete_resource(p, ids[0].resource_id)
        .await
        .expect("delete_resource");
    let s = stats("deploy ORA-00942").await;
    assert_eq!((s.chunks, s.documents.clone()), (3, vec![2, 0]), "{s:?}");
    assert_sound(store).await;
}
