//! Checks of the review queue ([`crate::ReviewStore`]): pages in each order
//! with origins and mined sources, accepting with edits (text and vectors
//! replaced, metrics kept, nothing written on a bad edit), and merging two
//! patterns (relationships, applications, rules, audits and mined commits
//! moved; a merged mined key tombstoned; nothing written on a bad merge).
//!
//! Not here: applying a caller's edits or embedding (the service's tests).

use super::{
    application, audit, axis, close, embeddings, found, pattern, put_pattern, query, relationship,
    rule, upsert,
};
use crate::conformance::{Project, Store, assert_invalid, assert_not_found, assert_sound, project};
use crate::{MinedDraft, MiningRun, PatternOrigin, QueueOrder, QueueQuery, ReviewMark, StoreError};
use ltmc_core::PatternId;
use ltmc_core::fix::{
    AuditStatus, NewFixPattern, PatternEmbeddings, RelationshipType, RuleFilter, RuleType,
};

fn mined(title: &str, key: &str, commits: &[&str], confidence: f64) -> MinedDraft {
    let mut p = pattern(title);
    p.reviewed = false;
    p.confidence_score = confidence;
    MinedDraft {
        pattern: p,
        embeddings: embeddings(axis(1, 1.0), axis(2, 1.0)),
        rules: Vec::new(),
        fold_key: key.to_owned(),
        commits: commits.iter().map(|c| (*c).to_owned()).collect(),
    }
}

async fn mine(store: &dyn Store, p: &Project, drafts: Vec<MinedDraft>) -> Vec<PatternId> {
    store
        .save_mining_run(
            p,
            MiningRun {
                repo_id: "feedface".to_owned(),
                repo_path: "/src/repo".to_owned(),
                last_commit: "c9".to_owned(),
                resume: Vec::new(),
                drafts,
            },
        )
        .await
        .expect("save_mining_run")
        .created
}

async fn draft(store: &dyn Store, p: &Project, title: &str, confidence: f64) -> PatternId {
    let mut new = pattern(title);
    new.reviewed = false;
    new.confidence_score = confidence;
    put_pattern(store, p, new, embeddings(axis(0, 1.0), axis(3, 1.0)))
        .await
        .id
}

async fn page(store: &dyn Store, p: &Project, q: QueueQuery) -> (Vec<PatternId>, u64) {
    let page = store.review_queue(p, &q).await.expect("review_queue");
    (
        page.items.iter().map(|i| i.pattern.id).collect(),
        page.total,
    )
}

pub async fn review_queue_orders_filters_and_pages(store: &dyn Store) {
    let p = project("alpha");
    let manual = draft(store, &p, "Manual low", 0.3).await;
    let (source_audit, _) = upsert(
        store,
        &p,
        audit("app/a.py", 4, &[], Some("debt"), AuditStatus::NotStarted),
    )
    .await;
    let mut from_audit = pattern("From audit");
    from_audit.reviewed = false;
    from_audit.confidence_score = 0.9;
    from_audit.source_file_audit_id = Some(source_audit.id);
    let from_audit = put_pattern(
        store,
        &p,
        from_audit,
        embeddings(axis(0, 1.0), axis(3, 1.0)),
    )
    .await
    .id;
    let mined_ids = mine(
        store,
        &p,
        vec![
            mined("Mined mid", "k1", &["c2", "c1"], 0.6),
            mined("Mined top", "k2", &["c3"], 0.95),
        ],
    )
    .await;
    let reviewed = put_pattern(
        store,
        &p,
        pattern("Reviewed"),
        embeddings(axis(0, 1.0), axis(3, 1.0)),
    )
    .await
    .id;

    let (ids, total) = page(store, &p, QueueQuery::default()).await;
    assert_eq!(total, 4);
    assert_eq!(ids, [mined_ids[1], mined_ids[0], from_audit, manual]);
    let (ids, _) = page(
        store,
        &p,
        QueueQuery {
            order: QueueOrder::Confidence,
            ..QueueQuery::default()
        },
    )
    .await;
    assert_eq!(ids, [mined_ids[1], from_audit, mined_ids[0], manual]);
    let q = QueueQuery {
        order: QueueOrder::Source,
        ..QueueQuery::default()
    };
    let full = store.review_queue(&p, &q).await.expect("review_queue");
    let origins: Vec<PatternOrigin> = full.items.iter().map(|i| i.origin).collect();
    assert_eq!(
        origins,
        [
            PatternOrigin::Mined,
            PatternOrigin::Mined,
            PatternOrigin::Audit,
            PatternOrigin::Manual
        ]
    );
    let source = full.items[1].source.as_ref().expect("a mined source");
    assert_eq!(full.items[1].pattern.id, mined_ids[0]);
    assert_eq!(
        (source.repo_id.as_str(), source.fold_key.as_str()),
        ("feedface", "k1")
    );
    assert_eq!(source.commits, ["c2", "c1"]);
    assert!(full.items[3].source.is_none());

    // Filters and pages.
    let (ids, total) = page(
        store,
        &p,
        QueueQuery {
            origin: Some(PatternOrigin::Mined),
            offset: 1,
            limit: 1,
            ..QueueQuery::default()
        },
    )
    .await;
    assert_eq!((ids, total), (vec![mined_ids[0]], 2));
    let (ids, total) = page(
        store,
        &p,
        QueueQuery {
            reviewed: Some(true),
            ..QueueQuery::default()
        },
    )
    .await;
    assert_eq!((ids, total), (vec![reviewed], 1));
    let (ids, total) = page(
        store,
        &p,
        QueueQuery {
            reviewed: None,
            offset: 10,
            ..QueueQuery::default()
        },
    )
    .await;
    assert_eq!((ids.len(), total), (0, 5));
    let (_, total) = page(store, &project("beta"), QueueQuery::default()).await;
    assert_eq!(total, 0);
    for limit in [0, crate::MAX_PAGE + 1] {
        let bad = QueueQuery {
            limit,
            ..QueueQuery::default()
        };
        assert_invalid(&store.review_queue(&p, &bad).await, "limit");
    }
    assert_sound(store).await;
}

pub async fn update_pattern_replaces_text_and_vectors(store: &dyn Store) {
    let p = project("alpha");
    let id = draft(store, &p, "Old title", 0.7).await;
    store
        .record_application(&p, application(id, None, true))
        .await
        .expect("record_application");
    let before = store.get_pattern(&p, id).await.expect("get_pattern");

    let mut edited: NewFixPattern = pattern("New title");
    edited.tags = vec!["secrets".to_owned()];
    "read the key from the environment".clone_into(&mut edited.solution_steps);
    edited.file_types = vec![".py".to_owned()];
    // Fields an edit does not own are ignored even when the caller sets them.
    edited.applied_count = 99;
    let vectors = embeddings(axis(5, 1.0), axis(6, 1.0));
    let after = store
        .update_pattern(
            &p,
            id,
            edited.clone(),
            Some(vectors),
            Some(ReviewMark {
                reviewed: true,
                notes: Some("accepted with a clearer title".to_owned()),
            }),
        )
        .await
        .expect("update_pattern");
    assert_eq!(after.id, id);
    assert_eq!(after.title, "New title");
    assert_eq!(after.tags, ["secrets"]);
    assert_eq!(after.file_types, [".py"]);
    assert_eq!(after.solution_steps, "read the key from the environment");
    assert!(after.reviewed);
    assert_eq!(
        after.reviewer_notes.as_deref(),
        Some("accepted with a clearer title")
    );
    assert_eq!(after.applied_count, before.applied_count);
    assert!(close(after.success_rate, before.success_rate));
    assert_eq!(after.created_at, before.created_at);
    assert_eq!(store.get_pattern(&p, id).await.expect("get"), after);
    // The new vectors are the ones searched; the old ones are gone.
    assert_eq!(found(store, &p, &query(axis(5, 1.0))).await, [id]);
    assert!(found(store, &p, &query(axis(0, 1.0))).await.is_empty());

    // Review state and vectors kept when none are given.
    let kept = store
        .update_pattern(&p, id, edited.clone(), None, None)
        .await
        .expect("update_pattern");
    assert!(kept.reviewed);
    assert_eq!(
        kept.reviewer_notes.as_deref(),
        Some("accepted with a clearer title")
    );
    assert_eq!(found(store, &p, &query(axis(5, 1.0))).await, [id]);

    // Refusals write nothing.
    let now = store.get_pattern(&p, id).await.expect("get");
    let mut blank = edited.clone();
    "  ".clone_into(&mut blank.title);
    assert_invalid(
        &store
            .update_pattern(
                &p,
                id,
                blank,
                Some(embeddings(axis(1, 1.0), axis(1, 1.0))),
                None,
            )
            .await,
        "title",
    );
    let short = PatternEmbeddings {
        content: vec![1.0; 3],
        code: axis(1, 1.0),
        problem: axis(1, 1.0),
    };
    assert!(matches!(
        store
            .update_pattern(&p, id, edited.clone(), Some(short), None)
            .await,
        Err(StoreError::WrongDimension { .. })
    ));
    assert_not_found(
        &store
            .update_pattern(
                &p,
                PatternId(id.0 + 1000),
                edited.clone(),
                Some(embeddings(axis(1, 1.0), axis(1, 1.0))),
                None,
            )
            .await,
    );
    assert_not_found(
        &store
            .update_pattern(
                &project("beta"),
                id,
                edited,
                Some(embeddings(axis(1, 1.0), axis(1, 1.0))),
                None,
            )
            .await,
    );
    assert_eq!(store.get_pattern(&p, id).await.expect("get"), now);
    assert_eq!(found(store, &p, &query(axis(5, 1.0))).await, [id]);
    assert_sound(store).await;
}

pub async fn merge_patterns_moves_rows_and_metrics(store: &dyn Store) {
    let p = project("alpha");
    let keep = draft(store, &p, "Keep", 0.8).await;
    let gone = draft(store, &p, "Gone", 0.4).await;
    let other = put_pattern(
        store,
        &p,
        pattern("Other"),
        embeddings(axis(4, 1.0), axis(4, 1.0)),
    )
    .await
    .id;
    for r in [
        relationship(gone, other, RelationshipType::Enhances, 0.9),
        relationship(keep, other, RelationshipType::Enhances, 0.5),
        relationship(other, gone, RelationshipType::Prerequisite, 0.7),
        relationship(keep, gone, RelationshipType::Follows, 0.6),
        relationship(gone, keep, RelationshipType::Enhances, 0.6),
    ] {
        store.link_patterns(&p, r).await.expect("link_patterns");
    }
    let (file, _) = upsert(
        store,
        &p,
        audit("app/b.py", 4, &[], None, AuditStatus::InProgress),
    )
    .await;
    store
        .record_application(&p, application(gone, Some(file.id), true))
        .await
        .expect("record_application");
    store
        .record_application(&p, application(keep, None, false))
        .await
        .expect("record_application");
    let mut r = rule(4, "no-literal-key", RuleType::Detection);
    r.source_pattern_id = Some(gone);
    store.add_rule(&p, r).await.expect("add_rule");

    // Refusals first: they write nothing.
    assert_invalid(
        &store.merge_patterns(&p, keep, keep, None).await,
        "from_pattern_id",
    );
    assert_not_found(
        &store
            .merge_patterns(&p, keep, PatternId(gone.0 + 1000), None)
            .await,
    );
    assert_not_found(
        &store
            .merge_patterns(&project("beta"), keep, gone, None)
            .await,
    );
    store.get_pattern(&p, gone).await.expect("still there");

    let merged = store
        .merge_patterns(&p, keep, gone, Some("same fix".to_owned()))
        .await
        .expect("merge_patterns");
    assert_eq!(merged.removed, gone);
    assert_eq!(merged.applications_moved, 1);
    assert_eq!(merged.rules_moved, 1);
    assert_eq!(merged.audits_moved, 1);
    assert_eq!(merged.commits_moved, 0);
    let kept = &merged.pattern;
    assert_eq!(kept.id, keep);
    assert_eq!(kept.title, "Keep");
    assert_eq!(kept.applied_count, 2);
    assert!(close(kept.success_rate, 0.5), "{}", kept.success_rate);
    assert!(
        kept.reviewer_notes
            .as_deref()
            .is_some_and(|n| n.contains(&format!("merged pattern {gone} (Gone): same fix"))),
        "{:?}",
        kept.reviewer_notes
    );
    assert_eq!(kept.related_patterns, [other]);
    assert_eq!(store.get_pattern(&p, keep).await.expect("get"), *kept);
    assert_not_found(&store.get_pattern(&p, gone).await);

    // Relationships: the stronger duplicate won; the one from `other` moved.
    let related = store
        .related_patterns(&p, keep, &[])
        .await
        .expect("related_patterns");
    assert_eq!(related.len(), 1);
    assert!(close(related[0].strength, 0.9));
    let back = store
        .related_patterns(&p, other, &[])
        .await
        .expect("related_patterns");
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].id, keep);
    assert_eq!(back[0].relationship_type, RelationshipType::Prerequisite);
    // Applications, rules and the audit point at the kept pattern.
    let applied = store
        .list_applications(&p, Some(keep))
        .await
        .expect("list_applications");
    assert_eq!(applied.len(), 2);
    let rules = store
        .list_rules(
            &p,
            &RuleFilter {
                source_pattern_id: Some(keep),
                ..RuleFilter::default()
            },
        )
        .await
        .expect("list_rules");
    assert_eq!(rules.len(), 1);
    let file = store.get_audit(&p, file.id).await.expect("get_audit");
    assert_eq!(file.pattern_id, Some(keep));
    assert_sound(store).await;
}

pub async fn merge_mined_patterns_tombstones_the_merged_key(store: &dyn Store) {
    let p = project("alpha");
    let ids = mine(
        store,
        &p,
        vec![
            mined("Fix leak in a", "ka", &["c2", "c1"], 0.6),
            mined("Fix leak in b", "kb", &["c3", "c1"], 0.6),
        ],
    )
    .await;
    let manual = draft(store, &p, "Written by hand", 0.5).await;
    let merged = store
        .merge_patterns(&p, ids[0], ids[1], None)
        .await
        .expect("merge_patterns");
    assert_eq!(merged.commits_moved, 1);
    let source = store.pattern_source(&p, ids[0]).await.expect("source");
    assert_eq!(
        source,
        Some((
            "ka".to_owned(),
            vec!["c2".to_owned(), "c1".to_owned(), "c3".to_owned()]
        ))
    );
    let tombstones = store.tombstones(&p).await.expect("tombstones");
    assert_eq!(tombstones.len(), 1);
    assert_eq!(tombstones[0].fold_key, "kb");
    assert_eq!(
        tombstones[0].reason.as_deref(),
        Some(format!("merged into pattern {}", ids[0]).as_str())
    );
    // Mining the merged change again brings nothing back.
    let again = store
        .save_mining_run(
            &p,
            MiningRun {
                repo_id: "feedface".to_owned(),
                repo_path: "/src/repo".to_owned(),
                last_commit: "c9".to_owned(),
                resume: Vec::new(),
                drafts: vec![
                    mined("Fix leak in a", "ka", &["c2"], 0.6),
                    mined("Fix leak in b", "kb", &["c3"], 0.6),
                ],
            },
        )
        .await
        .expect("save_mining_run");
    assert!(again.created.is_empty());
    assert_eq!((again.tombstoned, again.already_mined), (1, 1));

    // A mined pattern merged into a hand-written one hands its source over.
    let merged = store
        .merge_patterns(&p, manual, ids[0], None)
        .await
        .expect("merge_patterns");
    assert_eq!(merged.commits_moved, 3);
    assert_eq!(
        store
            .pattern_source(&p, manual)
            .await
            .expect("source")
            .map(|(key, _)| key),
        Some("ka".to_owned())
    );
    let page = store
        .review_queue(&p, &QueueQuery::default())
        .await
        .expect("review_queue");
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].origin, PatternOrigin::Mined);
    assert_sound(store).await;
}

/// A draft may have no layers yet (a mined fix without a path map); marking
/// it reviewed, by a review or by an update, is refused naming `layers` and
/// writes nothing; once an update gives it layers it can be reviewed.
pub async fn a_draft_without_layers_is_reviewed_only_with_layers(store: &dyn Store) {
    let p = project("alpha");
    let mut new = pattern("Layerless draft");
    new.layers = Vec::new();
    new.reviewed = false;
    let stored = put_pattern(
        store,
        &p,
        new.clone(),
        embeddings(axis(0, 1.0), axis(1, 1.0)),
    )
    .await;
    assert!(stored.layers.is_empty() && !stored.reviewed);
    let refused = store.review_pattern(&p, stored.id, true, None).await;
    assert_invalid(&refused, "layers");
    let mark = || ReviewMark {
        reviewed: true,
        notes: None,
    };
    let refused = store
        .update_pattern(&p, stored.id, new.clone(), None, Some(mark()))
        .await;
    assert_invalid(&refused, "layers");
    assert_eq!(
        store.get_pattern(&p, stored.id).await.expect("get_pattern"),
        stored
    );
    // Sending it back needs nothing; an update with layers can accept it.
    store
        .review_pattern(&p, stored.id, false, None)
        .await
        .expect("review_pattern false");
    new.layers = vec![2, 3];
    let accepted = store
        .update_pattern(&p, stored.id, new, None, Some(mark()))
        .await
        .expect("update_pattern with layers");
    assert!(accepted.reviewed);
    assert_eq!(accepted.layers, [2, 3]);
    assert_sound(store).await;
}
