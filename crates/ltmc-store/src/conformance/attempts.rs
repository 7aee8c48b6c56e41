//! Checks of code attempts: stored as an event with its text, chunk and
//! vector; invalid input and unknown links writing nothing; links; search by
//! meaning with the filters inside the search; listing; left out of document
//! searches when asked; gone with their resource; project isolation.

use super::{
    DIMENSION, Project, Store, StoreError, assert_invalid, assert_not_found, assert_sound,
    chunk_ids, chunks_of, counts, excluding, get, is_rfc3339, keyword, keyword_with, nearest,
    nearest_with, project, put, put_whole, resource, split, vector_for,
};
use ltmc_core::{
    AttemptFilter, AttemptId, AttemptLink, AttemptLinkKind, AttemptResult, CODE_ATTEMPT_TYPE,
    CodeAttempt, NewCodeAttempt, content_hash,
};

/// An attempt (stored with [`vector_for`] of its text).
fn attempt(prompt: &str, code: &str, result: AttemptResult) -> NewCodeAttempt {
    NewCodeAttempt {
        input_prompt: prompt.to_owned(),
        generated_code: code.to_owned(),
        result,
        function_name: None,
        file_name: None,
        module_name: None,
        execution_time_ms: None,
        error_message: None,
        tags: Vec::new(),
        citations: Vec::new(),
    }
}

/// `attempt` with a function, file and module.
fn placed(
    prompt: &str,
    result: AttemptResult,
    function: &str,
    file: &str,
    module: &str,
) -> NewCodeAttempt {
    let mut new = attempt(prompt, &format!("fn {function}() {{}}"), result);
    new.function_name = Some(function.to_owned());
    new.file_name = Some(file.to_owned());
    new.module_name = Some(module.to_owned());
    new
}

/// The vector an attempt is stored with: [`vector_for`] of its text.
fn vector_of(new: &NewCodeAttempt) -> Vec<f32> {
    vector_for(&new.text())
}

async fn put_attempt(
    store: &dyn Store,
    project: &Project,
    new: NewCodeAttempt,
    links: Vec<AttemptLink>,
) -> CodeAttempt {
    let vector = vector_of(&new);
    store
        .put_attempt(project, new, vector, links)
        .await
        .expect("put_attempt")
}

async fn nearest_attempts(
    store: &dyn Store,
    project: &Project,
    query: &[f32],
    k: usize,
    filter: &AttemptFilter,
) -> Vec<(CodeAttempt, f32)> {
    let found = store
        .nearest_attempts(project, query, k, filter)
        .await
        .expect("nearest_attempts");
    assert!(found.len() <= k);
    assert!(
        found.windows(2).all(|w| w[0].1 >= w[1].1),
        "not best first: {:?}",
        found.iter().map(|(a, s)| (a.id, *s)).collect::<Vec<_>>()
    );
    found
}

fn ids(found: &[(CodeAttempt, f32)]) -> Vec<AttemptId> {
    found.iter().map(|(a, _)| a.id).collect()
}

async fn listed(store: &dyn Store, project: &Project, filter: &AttemptFilter) -> Vec<AttemptId> {
    store
        .list_attempts(project, filter)
        .await
        .expect("list_attempts")
        .iter()
        .map(|a| a.id)
        .collect()
}

fn link(related: AttemptId, kind: AttemptLinkKind, similarity: f32) -> AttemptLink {
    AttemptLink {
        related,
        kind,
        similarity,
    }
}

/// An attempt reads back as given; its text is a resource of the attempts'
/// type with one chunk covering it, carrying the attempt's vector.
pub async fn attempt_put_get_roundtrip(store: &dyn Store) {
    let p = project("alpha");
    let mut new = placed(
        "parse the config file",
        AttemptResult::Fail,
        "parse_config",
        "src/config.rs",
        "config",
    );
    new.execution_time_ms = Some(42);
    new.error_message = Some("expected `;`".to_owned());
    new.tags = vec!["parser".to_owned(), "toml".to_owned()];
    let stored = put_attempt(store, &p, new.clone(), Vec::new()).await;
    assert_eq!(stored.input_prompt, new.input_prompt);
    assert_eq!(stored.generated_code, new.generated_code);
    assert_eq!(stored.result, AttemptResult::Fail);
    assert_eq!(stored.function_name.as_deref(), Some("parse_config"));
    assert_eq!(stored.file_name.as_deref(), Some("src/config.rs"));
    assert_eq!(stored.module_name.as_deref(), Some("config"));
    assert_eq!(stored.execution_time_ms, Some(42));
    assert_eq!(stored.error_message.as_deref(), Some("expected `;`"));
    assert_eq!(stored.tags, new.tags);
    assert!(is_rfc3339(&stored.created_at), "{}", stored.created_at);
    assert_eq!(
        store.get_attempt(&p, stored.id).await.expect("get_attempt"),
        stored
    );

    let text = new.text();
    let resource = get(store, &p, stored.resource_id).await;
    assert_eq!(resource.resource_type, CODE_ATTEMPT_TYPE);
    assert_eq!(resource.file_name, "src/config.rs");
    assert_eq!(resource.content, text);
    assert_eq!(resource.chunk_count, 1);
    let chunks = chunks_of(store, &p, stored.resource_id).await;
    assert_eq!(chunks.len(), 1);
    assert_eq!((chunks[0].start, chunks[0].end), (0, text.len()));
    assert_eq!(chunks[0].text, text);
    // Its vector is the attempt's: its own text finds it first.
    let hits = nearest(store, &p, &vector_of(&new), 1, Some(CODE_ATTEMPT_TYPE)).await;
    assert_eq!(hits[0].chunk, chunks[0]);
    assert!((hits[0].score - 1.0).abs() < 1e-4, "{}", hits[0].score);

    // Without a file name the resource is named for what it is.
    let bare = put_attempt(
        store,
        &p,
        attempt("p", "code", AttemptResult::Pass),
        Vec::new(),
    )
    .await;
    assert_eq!(bare.file_name, None);
    assert_eq!(bare.function_name, None);
    assert!(bare.tags.is_empty());
    assert_eq!(
        get(store, &p, bare.resource_id).await.file_name,
        "code_attempt"
    );
    assert_eq!(counts(store).await, (2, 2, 2));
    assert_sound(store).await;
}

/// Every attempt is an event: the same attempt twice is two attempts, and
/// neither is taken for a document with the same text (or the reverse).
pub async fn attempt_identical_twice_is_two_events(store: &dyn Store) {
    let p = project("alpha");
    let new = attempt("sort the list", "list.sort()", AttemptResult::Pass);
    let first = put_attempt(store, &p, new.clone(), Vec::new()).await;
    let second = put_attempt(store, &p, new.clone(), Vec::new()).await;
    assert_ne!(first.id, second.id);
    assert_ne!(first.resource_id, second.resource_id);
    let text = new.text();
    let by_hash = store
        .find_by_hash(&p, &content_hash(&text))
        .await
        .expect("find_by_hash");
    assert!(
        by_hash.is_none(),
        "an attempt is not a document: {by_hash:?}"
    );
    let document = put(
        store,
        resource(&p, "same.md", "document", &text),
        split(&text, 1),
    )
    .await;
    assert!(!document.duplicate);
    let third = put_attempt(store, &p, new, Vec::new()).await;
    assert_ne!(third.resource_id, document.resource_id);
    assert_eq!(
        listed(store, &p, &AttemptFilter::default()).await,
        [first.id, second.id, third.id]
    );
    assert_eq!(counts(store).await, (4, 4, 4));
    assert_sound(store).await;
}

/// Blank prompt or code, a vector of another dimension or all zeros, a
/// negative time, a blank tag, a similarity that is no cosine, or a link to
/// an unknown attempt: refused, and nothing is written.
pub async fn attempt_invalid_writes_nothing(store: &dyn Store) {
    type Spoil = fn(&mut NewCodeAttempt, &mut Vec<f32>, &mut Vec<AttemptLink>);
    let p = project("alpha");
    let earlier = put_attempt(
        store,
        &p,
        attempt("earlier", "x = 1", AttemptResult::Pass),
        Vec::new(),
    )
    .await;
    let before = counts(store).await;
    let cases: [(&str, Spoil); 8] = [
        ("input_prompt", |a, _, _| a.input_prompt = " ".into()),
        ("generated_code", |a, _, _| a.generated_code = String::new()),
        ("vector", |_, v, _| *v = vec![0.0; DIMENSION]),
        ("execution_time_ms", |a, _, _| {
            a.execution_time_ms = Some(-1);
        }),
        ("tags", |a, _, _| a.tags = vec!["ok".into(), String::new()]),
        ("links", |_, _, l| l[0].similarity = f32::NAN),
        ("links", |_, _, l| l[0].similarity = 1.5),
        ("dimension", |_, v, _| {
            v.pop();
        }),
    ];
    for (field, spoil) in cases {
        let mut new = attempt("a prompt", "some code", AttemptResult::Fail);
        let mut links = vec![link(earlier.id, AttemptLinkKind::SameFile, 0.5)];
        let mut vector = vector_of(&new);
        spoil(&mut new, &mut vector, &mut links);
        let result = store.put_attempt(&p, new, vector, links).await;
        if field == "dimension" {
            assert!(
                matches!(result, Err(StoreError::WrongDimension { .. })),
                "{result:?}"
            );
        } else {
            assert_invalid(&result, field);
        }
        assert_eq!(counts(store).await, before, "{field}");
    }
    let unknown = AttemptId(earlier.id.0 + 1000);
    let new = attempt("a prompt", "some code", AttemptResult::Fail);
    let result = store
        .put_attempt(
            &p,
            new.clone(),
            vector_of(&new),
            vec![
                link(earlier.id, AttemptLinkKind::SameFile, 0.5),
                link(unknown, AttemptLinkKind::SameModule, 0.4),
            ],
        )
        .await;
    assert_not_found(&result);
    assert_eq!(counts(store).await, before);
    assert_eq!(
        listed(store, &p, &AttemptFilter::default()).await,
        [earlier.id]
    );
    assert_not_found(&store.get_attempt(&p, unknown).await);
    assert_not_found(&store.attempt_links(&p, unknown).await);
    let since = AttemptFilter {
        since: Some("last tuesday".to_owned()),
        ..AttemptFilter::default()
    };
    assert_invalid(&store.list_attempts(&p, &since).await, "since");
    assert_invalid(
        &store.nearest_attempts(&p, &any_query(), 3, &since).await,
        "since",
    );
    assert_sound(store).await;
}

fn any_query() -> Vec<f32> {
    vector_for("any query")
}

/// Links are stored with the attempt and read back strongest first; a link
/// given twice is kept once.
pub async fn attempt_links_strongest_first(store: &dyn Store) {
    let p = project("alpha");
    let a = put_attempt(
        store,
        &p,
        attempt("a", "a()", AttemptResult::Fail),
        Vec::new(),
    )
    .await;
    let b = put_attempt(
        store,
        &p,
        attempt("b", "b()", AttemptResult::Pass),
        Vec::new(),
    )
    .await;
    let c = put_attempt(
        store,
        &p,
        attempt("c", "c()", AttemptResult::Partial),
        vec![
            link(a.id, AttemptLinkKind::SameFile, 0.25),
            link(b.id, AttemptLinkKind::SimilarFunction, 0.75),
            link(a.id, AttemptLinkKind::SimilarFunction, 0.5),
            link(b.id, AttemptLinkKind::SimilarFunction, 0.75),
        ],
    )
    .await;
    let links = store.attempt_links(&p, c.id).await.expect("attempt_links");
    assert_eq!(
        links,
        [
            link(b.id, AttemptLinkKind::SimilarFunction, 0.75),
            link(a.id, AttemptLinkKind::SimilarFunction, 0.5),
            link(a.id, AttemptLinkKind::SameFile, 0.25),
        ]
    );
    assert!(
        store
            .attempt_links(&p, a.id)
            .await
            .expect("attempt_links")
            .is_empty()
    );
    assert_sound(store).await;
}

/// The filter runs inside the search: `k` attempts whenever `k` pass it,
/// however many better matches fail it; each field narrows the answer.
pub async fn nearest_attempts_filter_inside_search(store: &dyn Store) {
    let p = project("alpha");
    let mut failed = Vec::new();
    for i in 0..20 {
        let new = placed(
            &format!("parse config variant {i}"),
            AttemptResult::Fail,
            "parse",
            "src/parse.rs",
            "parsing",
        );
        failed.push((put_attempt(store, &p, new.clone(), Vec::new()).await, new));
    }
    let mut passed = Vec::new();
    for (i, (function, file)) in [
        ("render", "src/view.rs"),
        ("render", "src/page.rs"),
        ("paint", "src/view.rs"),
    ]
    .into_iter()
    .enumerate()
    {
        let new = placed(
            &format!("draw the page {i}"),
            AttemptResult::Pass,
            function,
            file,
            "ui",
        );
        passed.push(put_attempt(store, &p, new, Vec::new()).await);
    }
    // A document with exactly the query's vector: attempts only, still.
    let (top, top_new) = &failed[0];
    let query = vector_of(top_new);
    let text = top_new.text();
    put(
        store,
        resource(&p, "doc.md", "document", &text),
        split(&text, 1),
    )
    .await;

    let all = nearest_attempts(store, &p, &query, 5, &AttemptFilter::default()).await;
    assert_eq!(all.len(), 5);
    assert_eq!(all[0].0, *top);
    assert!((all[0].1 - 1.0).abs() < 1e-4, "{}", all[0].1);

    let pass = AttemptFilter {
        result: Some(AttemptResult::Pass),
        ..AttemptFilter::default()
    };
    for (k, expected) in [(1, 1), (2, 2), (3, 3), (10, 3)] {
        let found = nearest_attempts(store, &p, &query, k, &pass).await;
        assert_eq!(found.len(), expected, "k={k}");
        assert!(found.iter().all(|(a, _)| a.result == AttemptResult::Pass));
    }
    let narrow = |function: Option<&str>, file: Option<&str>, module: Option<&str>| AttemptFilter {
        function_name: function.map(str::to_owned),
        file_name: file.map(str::to_owned),
        module_name: module.map(str::to_owned),
        ..AttemptFilter::default()
    };
    let mut by_function =
        ids(&nearest_attempts(store, &p, &query, 10, &narrow(Some("render"), None, None)).await);
    by_function.sort();
    assert_eq!(by_function, [passed[0].id, passed[1].id]);
    let mut by_file = ids(&nearest_attempts(
        store,
        &p,
        &query,
        10,
        &narrow(None, Some("src/view.rs"), None),
    )
    .await);
    by_file.sort();
    assert_eq!(by_file, [passed[0].id, passed[2].id]);
    let both = narrow(Some("render"), Some("src/view.rs"), Some("ui"));
    assert_eq!(
        ids(&nearest_attempts(store, &p, &query, 10, &both).await),
        [passed[0].id]
    );
    let module = nearest_attempts(store, &p, &query, 25, &narrow(None, None, Some("ui"))).await;
    assert_eq!(module.len(), 3);
    let fail_in_ui = AttemptFilter {
        result: Some(AttemptResult::Fail),
        ..narrow(None, None, Some("ui"))
    };
    assert!(
        nearest_attempts(store, &p, &query, 10, &fail_in_ui)
            .await
            .is_empty()
    );
    assert!(
        nearest_attempts(store, &p, &query, 10, &narrow(Some("absent"), None, None))
            .await
            .is_empty()
    );

    let since = |time: &str| AttemptFilter {
        since: Some(time.to_owned()),
        ..pass.clone()
    };
    assert_eq!(
        nearest_attempts(store, &p, &query, 10, &since("2000-01-01T00:00:00Z"))
            .await
            .len(),
        3
    );
    // Another offset is the same instant.
    assert_eq!(
        nearest_attempts(store, &p, &query, 10, &since("2000-01-01T02:00:00+02:00"))
            .await
            .len(),
        3
    );
    assert!(
        nearest_attempts(store, &p, &query, 10, &since("2999-01-01T00:00:00Z"))
            .await
            .is_empty()
    );
    // At or after an attempt's own creation time includes it.
    let own = nearest_attempts(store, &p, &query, 10, &since(passed[2].created_at.as_str())).await;
    assert!(ids(&own).contains(&passed[2].id), "{own:?}");
    assert!(
        nearest_attempts(store, &p, &query, 0, &AttemptFilter::default())
            .await
            .is_empty()
    );
    assert!(
        nearest_attempts(
            store,
            &project("beta"),
            &query,
            5,
            &AttemptFilter::default()
        )
        .await
        .is_empty()
    );
    let wrong = store
        .nearest_attempts(&p, &query[1..], 3, &AttemptFilter::default())
        .await;
    assert!(
        matches!(wrong, Err(StoreError::WrongDimension { .. })),
        "{wrong:?}"
    );
    assert_sound(store).await;
}

/// Listing returns every attempt passing the filter, oldest first.
pub async fn list_attempts_filters_oldest_first(store: &dyn Store) {
    let p = project("alpha");
    let a = put_attempt(
        store,
        &p,
        placed("one", AttemptResult::Pass, "f", "a.rs", "m"),
        Vec::new(),
    )
    .await;
    let b = put_attempt(
        store,
        &p,
        placed("two", AttemptResult::Fail, "f", "b.rs", "m"),
        Vec::new(),
    )
    .await;
    let c = put_attempt(
        store,
        &p,
        placed("three", AttemptResult::Partial, "g", "a.rs", "n"),
        Vec::new(),
    )
    .await;
    let filter = |result, function: Option<&str>, file: Option<&str>| AttemptFilter {
        result,
        function_name: function.map(str::to_owned),
        file_name: file.map(str::to_owned),
        ..AttemptFilter::default()
    };
    assert_eq!(
        listed(store, &p, &AttemptFilter::default()).await,
        [a.id, b.id, c.id]
    );
    assert_eq!(
        listed(store, &p, &filter(Some(AttemptResult::Fail), None, None)).await,
        [b.id]
    );
    assert_eq!(
        listed(store, &p, &filter(None, Some("f"), None)).await,
        [a.id, b.id]
    );
    assert_eq!(
        listed(store, &p, &filter(None, None, Some("a.rs"))).await,
        [a.id, c.id]
    );
    assert_eq!(
        listed(
            store,
            &p,
            &filter(Some(AttemptResult::Pass), Some("f"), Some("a.rs"))
        )
        .await,
        [a.id]
    );
    let module = AttemptFilter {
        module_name: Some("n".to_owned()),
        ..AttemptFilter::default()
    };
    assert_eq!(listed(store, &p, &module).await, [c.id]);
    let future = AttemptFilter {
        since: Some("2999-12-31".to_owned()),
        ..AttemptFilter::default()
    };
    assert!(listed(store, &p, &future).await.is_empty());
    let full = store
        .list_attempts(&p, &AttemptFilter::default())
        .await
        .expect("list");
    assert_eq!(full[1], b);
    assert_sound(store).await;
}

/// A document search that excludes the attempts' type never returns an
/// attempt, by meaning or by keyword; without the exclusion it may.
pub async fn attempts_left_out_of_document_search(store: &dyn Store) {
    let p = project("alpha");
    let new = attempt(
        "walrus tusk counter",
        "fn count_tusks() {}",
        AttemptResult::Pass,
    );
    let stored = put_attempt(store, &p, new.clone(), Vec::new()).await;
    let doc = put_whole(store, &p, "d.md", "document", "a walrus document").await;
    let no_attempts = excluding(&[CODE_ATTEMPT_TYPE]);

    let hits = nearest_with(store, &p, &vector_of(&new), 5, &no_attempts).await;
    assert_eq!(chunk_ids(&hits), [doc.id]);
    let hits = nearest(store, &p, &vector_of(&new), 5, None).await;
    assert_eq!(hits[0].chunk.resource_id, stored.resource_id);
    assert_eq!(hits.len(), 2);

    let hits = keyword_with(store, &p, "walrus", 5, &no_attempts).await;
    assert_eq!(chunk_ids(&hits), [doc.id]);
    assert_eq!(keyword(store, &p, "walrus", 5, None).await.len(), 2);
    let only = keyword(store, &p, "walrus", 5, Some(CODE_ATTEMPT_TYPE)).await;
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].chunk.resource_id, stored.resource_id);
    assert_sound(store).await;
}

/// Deleting an attempt's resource deletes the attempt and the links to and
/// from it; it is found by no search and no listing afterwards.
pub async fn deleting_attempt_resource_removes_attempt(store: &dyn Store) {
    let p = project("alpha");
    let first_new = attempt("first try", "a()", AttemptResult::Fail);
    let first = put_attempt(store, &p, first_new.clone(), Vec::new()).await;
    let second = put_attempt(
        store,
        &p,
        attempt("second try", "b()", AttemptResult::Pass),
        vec![link(first.id, AttemptLinkKind::SimilarFunction, 0.9)],
    )
    .await;
    let third = put_attempt(
        store,
        &p,
        attempt("third try", "c()", AttemptResult::Pass),
        Vec::new(),
    )
    .await;
    let fourth = put_attempt(
        store,
        &p,
        attempt("fourth try", "d()", AttemptResult::Pass),
        vec![link(third.id, AttemptLinkKind::SameModule, 0.3)],
    )
    .await;
    let deleted = store
        .delete_resource(&p, first.resource_id)
        .await
        .expect("delete");
    assert_eq!(deleted, 1);
    assert_not_found(&store.get_attempt(&p, first.id).await);
    assert_not_found(&store.attempt_links(&p, first.id).await);
    assert!(
        store
            .attempt_links(&p, second.id)
            .await
            .expect("links")
            .is_empty()
    );
    assert_eq!(
        listed(store, &p, &AttemptFilter::default()).await,
        [second.id, third.id, fourth.id]
    );
    let found = nearest_attempts(
        store,
        &p,
        &vector_of(&first_new),
        10,
        &AttemptFilter::default(),
    )
    .await;
    assert_eq!(found.len(), 3);
    assert!(!ids(&found).contains(&first.id));
    // The attempt that was linked to goes with its resource too, and so does
    // the link to it.
    store
        .delete_resource(&p, third.resource_id)
        .await
        .expect("delete");
    assert!(
        store
            .attempt_links(&p, fourth.id)
            .await
            .expect("links")
            .is_empty()
    );
    assert_eq!(counts(store).await, (2, 2, 2));
    assert_sound(store).await;
}

/// No attempt call with one project reads, links, searches or lists another
/// project's attempts.
pub async fn attempts_projects_are_isolated(store: &dyn Store) {
    let (a, b) = (project("alpha"), project("beta"));
    let new = attempt("alpha's attempt", "secret()", AttemptResult::Pass);
    let alpha = put_attempt(store, &a, new.clone(), Vec::new()).await;
    let beta = put_attempt(
        store,
        &b,
        attempt("beta's attempt", "open()", AttemptResult::Pass),
        Vec::new(),
    )
    .await;
    assert_not_found(&store.get_attempt(&b, alpha.id).await);
    assert_not_found(&store.attempt_links(&b, alpha.id).await);
    let across = attempt("links across", "x()", AttemptResult::Fail);
    let linked = store
        .put_attempt(
            &b,
            across.clone(),
            vector_of(&across),
            vec![link(alpha.id, AttemptLinkKind::SameFile, 0.5)],
        )
        .await;
    assert_not_found(&linked);
    assert_eq!(
        listed(store, &b, &AttemptFilter::default()).await,
        [beta.id]
    );
    let found = nearest_attempts(store, &b, &vector_of(&new), 5, &AttemptFilter::default()).await;
    assert_eq!(ids(&found), [beta.id]);
    assert_not_found(&store.delete_resource(&b, alpha.resource_id).await);
    assert_eq!(
        store.get_attempt(&a, alpha.id).await.expect("still there"),
        alpha
    );
    assert_sound(store).await;
}
