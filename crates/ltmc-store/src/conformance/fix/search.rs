//! Checks of the pattern similarity search: the review, layer, workflow,
//! file-type and confidence filters, the strict threshold and the limit, and
//! ranking by cosine (content, or the mean with the problem vector), then
//! confidence, then applied count. Not pattern listings (`patterns`).

use super::{axis, close, embeddings, found, mix, pattern, put_pattern, query};
use crate::conformance::{DIMENSION, assert_sound, project};
use crate::{PatternQuery, Store, StoreError};
use ltmc_core::PatternId;
use ltmc_core::fix::PatternEmbeddings;

/// Reviewed patterns only unless asked; the layer, workflow, file-type and
/// confidence filters; the threshold (strictly above); the limit.
pub async fn pattern_search_filters(store: &dyn Store) {
    let p = project("alpha");
    let q = axis(0, 1.0);
    // All very similar to the query (cosine 1 or close), differing in what the filters read.
    let mut plain = pattern("plain");
    plain.layers = vec![4];
    let plain = put_pattern(store, &p, plain, embeddings(axis(0, 5.0), axis(1, 1.0))).await;
    let mut unreviewed = pattern("unreviewed");
    unreviewed.reviewed = false;
    let unreviewed = put_pattern(
        store,
        &p,
        unreviewed,
        embeddings(axis(0, 1.0), axis(1, 1.0)),
    )
    .await;
    let mut layered = pattern("layered");
    layered.layers = vec![2, 6];
    layered.workflows = vec!["WF3".to_owned(), "WF5".to_owned()];
    layered.file_types = vec![".tsx".to_owned()];
    let layered = put_pattern(
        store,
        &p,
        layered,
        embeddings(mix(&[(0, 1.0), (1, 0.1)]), axis(1, 1.0)),
    )
    .await;
    let mut python = pattern("python");
    python.file_types = vec![".py".to_owned()];
    python.workflows = vec!["WF1".to_owned()];
    python.confidence_score = 0.4;
    let python = put_pattern(
        store,
        &p,
        python,
        embeddings(mix(&[(0, 1.0), (2, 0.2)]), axis(1, 1.0)),
    )
    .await;
    // cos = 0.6: below the default threshold of 0.65.
    let weak = put_pattern(
        store,
        &p,
        pattern("weak"),
        embeddings(mix(&[(0, 3.0), (1, 4.0)]), axis(1, 1.0)),
    )
    .await;

    let sorted = |mut ids: Vec<PatternId>| {
        ids.sort();
        ids
    };
    assert_eq!(
        sorted(found(store, &p, &query(q.clone())).await),
        [plain.id, layered.id, python.id]
    );
    let all = PatternQuery {
        include_unreviewed: true,
        ..query(q.clone())
    };
    assert_eq!(
        sorted(found(store, &p, &all).await),
        [plain.id, unreviewed.id, layered.id, python.id]
    );
    let lower = PatternQuery {
        similarity_threshold: 0.5,
        ..all.clone()
    };
    assert_eq!(found(store, &p, &lower).await.len(), 5);
    let at_most = PatternQuery {
        similarity_threshold: 0.599,
        ..all.clone()
    };
    assert!(found(store, &p, &at_most).await.contains(&weak.id));

    let layers = PatternQuery {
        layers: Some(vec![6, 7]),
        ..query(q.clone())
    };
    assert_eq!(found(store, &p, &layers).await, [layered.id]);
    let no_layers = PatternQuery {
        layers: Some(Vec::new()),
        ..query(q.clone())
    };
    assert_eq!(
        found(store, &p, &no_layers).await.len(),
        3,
        "an empty list is no filter"
    );
    let workflows = PatternQuery {
        workflows: Some(vec!["WF5".to_owned(), "WF1".to_owned()]),
        ..query(q.clone())
    };
    assert_eq!(
        sorted(found(store, &p, &workflows).await),
        [layered.id, python.id]
    );
    let wf = PatternQuery {
        workflows: Some(vec!["WF".to_owned()]),
        ..query(q.clone())
    };
    assert!(
        found(store, &p, &wf).await.is_empty(),
        "workflows match whole names"
    );
    let py = PatternQuery {
        file_extension: Some(".py".to_owned()),
        ..query(q.clone())
    };
    assert_eq!(found(store, &p, &py).await, [python.id]);
    let upper = PatternQuery {
        file_extension: Some("PY".to_owned()),
        ..query(q.clone())
    };
    assert_eq!(
        found(store, &p, &upper).await,
        [python.id],
        "the extension is normalized"
    );
    let ts = PatternQuery {
        file_extension: Some(".ts".to_owned()),
        ..query(q.clone())
    };
    assert!(found(store, &p, &ts).await.is_empty());
    let confident = PatternQuery {
        min_confidence: 0.5,
        ..query(q.clone())
    };
    assert_eq!(
        sorted(found(store, &p, &confident).await),
        [plain.id, layered.id]
    );
    let one = PatternQuery {
        limit: 1,
        ..query(q.clone())
    };
    assert_eq!(found(store, &p, &one).await, [plain.id]);
    let zero = PatternQuery {
        limit: 0,
        ..query(q.clone())
    };
    assert!(found(store, &p, &zero).await.is_empty());
    let far = query(axis(3, 1.0));
    assert!(found(store, &p, &far).await.is_empty());

    let wrong = query(vec![1.0; DIMENSION - 1]);
    assert!(
        matches!(
            store.search_patterns(&p, &wrong).await,
            Err(StoreError::WrongDimension { .. })
        ),
        "a query of another dimension"
    );
    let bad_problem = PatternQuery {
        problem: Some(vec![1.0; DIMENSION + 2]),
        ..query(q.clone())
    };
    assert!(matches!(
        store.search_patterns(&p, &bad_problem).await,
        Err(StoreError::WrongDimension { .. })
    ));
    assert_sound(store).await;
}

/// Similarity is the cosine (a vector three times as long as the query is
/// similarity 1, which neither L2 distance nor a plain dot product gives);
/// results are ordered by the mean of content and problem similarity when
/// the query has a problem vector, by content similarity otherwise, then by
/// confidence, then by applied count.
pub async fn pattern_search_ranks_by_cosine(store: &dyn Store) {
    let p = project("alpha");
    let q = axis(0, 1.0);
    // content cos 1, problem cos 0 with the problem query below.
    let exact = put_pattern(
        store,
        &p,
        pattern("exact"),
        embeddings(axis(0, 3.0), axis(3, 2.0)),
    )
    .await;
    // content cos 0.8, problem cos 1.
    let both = put_pattern(
        store,
        &p,
        pattern("both"),
        embeddings(mix(&[(0, 4.0), (1, 3.0)]), axis(2, 0.5)),
    )
    .await;
    let only_content = store
        .search_patterns(&p, &query(q.clone()))
        .await
        .expect("search_patterns");
    let ranked: Vec<PatternId> = only_content.iter().map(|m| m.pattern.id).collect();
    assert_eq!(ranked, [exact.id, both.id]);
    assert!(
        close(only_content[0].similarity, 1.0),
        "cosine, not L2 or dot: {}",
        only_content[0].similarity
    );
    assert!(
        close(only_content[1].similarity, 0.8),
        "{}",
        only_content[1].similarity
    );
    assert!(
        only_content
            .iter()
            .all(|m| m.problem_similarity.abs() < 1e-12 && m.code_similarity.abs() < 1e-12)
    );
    // The code cosine is of the query's content vector and the code embedding.
    let other = project("beta");
    let coded = put_pattern(
        store,
        &other,
        pattern("coded"),
        PatternEmbeddings {
            content: axis(0, 1.0),
            code: mix(&[(0, 3.0), (1, 4.0)]),
            problem: axis(2, 1.0),
        },
    )
    .await;
    let in_other = store
        .search_patterns(&other, &query(q.clone()))
        .await
        .expect("search_patterns");
    assert_eq!(in_other.len(), 1);
    assert_eq!(in_other[0].pattern.id, coded.id);
    assert!(
        close(in_other[0].code_similarity, 0.6),
        "{}",
        in_other[0].code_similarity
    );
    assert_eq!(
        only_content[0].pattern,
        store.get_pattern(&p, exact.id).await.expect("get_pattern")
    );

    let with_problem = PatternQuery {
        problem: Some(axis(2, 7.0)),
        ..query(q.clone())
    };
    let matches = store
        .search_patterns(&p, &with_problem)
        .await
        .expect("search_patterns");
    let ranked: Vec<PatternId> = matches.iter().map(|m| m.pattern.id).collect();
    assert_eq!(ranked, [both.id, exact.id], "0.9 mean before 0.5");
    assert!(close(matches[0].similarity, 0.8) && close(matches[0].problem_similarity, 1.0));
    assert!(close(matches[1].similarity, 1.0) && close(matches[1].problem_similarity, 0.0));
    // The threshold is on the content similarity alone.
    let strict = PatternQuery {
        similarity_threshold: 0.9,
        ..with_problem.clone()
    };
    assert_eq!(found(store, &p, &strict).await, [exact.id]);

    // Ties: confidence first, then applied count, on vectors of equal direction.
    let tie_vectors = || embeddings(axis(4, 1.0), axis(5, 1.0));
    let mut low = pattern("low confidence");
    low.confidence_score = 0.5;
    low.applied_count = 50;
    let low = put_pattern(store, &p, low, tie_vectors()).await;
    let mut used = pattern("used");
    used.confidence_score = 0.9;
    used.applied_count = 7;
    let used = put_pattern(store, &p, used, tie_vectors()).await;
    let mut unused = pattern("unused");
    unused.confidence_score = 0.9;
    unused.applied_count = 0;
    let unused = put_pattern(store, &p, unused, embeddings(axis(4, 9.0), axis(5, 1.0))).await;
    assert_eq!(
        found(store, &p, &query(axis(4, 0.25))).await,
        [used.id, unused.id, low.id]
    );
    assert_sound(store).await;
}
