//! Checks of fix patterns as records: every field read back with the
//! relationships and rules stored beside it, listing filters, invalid input
//! and unknown ids writing nothing, rule names made free in their layer, and
//! reviews. Not the similarity search (`search`) nor links between patterns
//! (`relationships`).

use super::{
    audit, axis, close, embeddings, found, pattern, patterns_listed, put_pattern, put_plain, query,
    relationship, rule, rules_listed, upsert,
};
use crate::conformance::{
    DIMENSION, assert_invalid, assert_not_found, assert_sound, is_rfc3339, project,
};
use crate::{Store, StoreError, StoredPattern};
use ltmc_core::fix::{
    AuditStatus, NewFixPattern, NewGuardianRule, NewRelationship, PatternEmbeddings, PatternFilter,
    ProblemType, RelationshipType, RuleFilter, RuleSpec, RuleType, Severity,
};
use ltmc_core::{AuditId, PatternId};

/// Every field of a pattern reads back as given (normalized as its
/// validation says), with the relationships and rules stored beside it.
pub async fn pattern_put_get_roundtrip(store: &dyn Store) {
    let p = project("alpha");
    let (source, _) = upsert(
        store,
        &p,
        audit(
            "src/api/keys.py",
            4,
            &["WF4"],
            Some("key in code"),
            AuditStatus::InProgress,
        ),
    )
    .await;
    let (other, _) = upsert(
        store,
        &p,
        audit("src/api/other.py", 4, &[], None, AuditStatus::NotStarted),
    )
    .await;
    let earlier = put_plain(store, &p, "earlier pattern").await;
    let mut new = NewFixPattern::new(
        "Move API keys to the environment",
        ProblemType::Architecture,
        Severity::Critical,
        vec![4, 2, 4],
        "A secret is written in the source",
        "1. read it from the environment\n2. rotate the key",
    );
    new.code_type = Some("secret_in_code".to_owned());
    new.tags = vec!["secrets".to_owned(), "config".to_owned()];
    new.workflows = vec!["WF4".to_owned(), "WF1".to_owned()];
    new.file_types = vec!["PY".to_owned(), "*.ts".to_owned()];
    new.code_before = Some("API_KEY = \"abc\"".to_owned());
    new.code_after = Some("API_KEY = os.environ[\"API_KEY\"]".to_owned());
    new.verification_steps = Some("grep finds no key".to_owned());
    new.learnings = Some("keys leak through logs too".to_owned());
    new.prevention_guidance = Some("never commit a key".to_owned());
    new.source_file_audit_id = Some(source.id);
    new.applied_to_files = vec![source.id, other.id];
    new.dart_task_ids = vec!["DART-1".to_owned()];
    new.related_files = vec!["src/settings.py".to_owned()];
    new.applied_count = 8;
    new.success_rate = 0.875;
    new.avg_time_saved = 45;
    new.confidence_score = 0.9;
    new.last_applied = Some("2025-01-31T09:15:02.123Z".to_owned());
    new.guardian_rules = vec![RuleSpec {
        rule_name: "no-inline-key".to_owned(),
        rule_type: "prevention".to_owned(),
        rule_pattern: r#"API_KEY\s*=\s*""#.to_owned(),
        severity: Some("CRITICAL".to_owned()),
        action_required: None,
    }];
    new.anti_patterns = vec![r#"API_KEY\s*=\s*""#.to_owned()];
    new.created_by = Some("vector_db_architect".to_owned());
    new.reviewed = false;
    new.reviewer_notes = Some("looks right".to_owned());
    new.citations = vec![ltmc_core::citation::Citation {
        path: "src/settings.py".to_owned(),
        start_line: 3,
        end_line: 9,
        hash: "9f2c".to_owned(),
        commit: Some("a1b2c3".to_owned()),
    }];
    let expected = new.clone().validated().expect("a valid pattern");

    let mut made_rule = rule(4, "no-inline-key", RuleType::Enforcement);
    made_rule.source_pattern_id = Some(PatternId(-5));
    let stored: StoredPattern = store
        .put_pattern(
            &p,
            new,
            PatternEmbeddings {
                content: axis(0, 2.0),
                code: axis(1, 0.5),
                problem: axis(2, 1.0),
            },
            vec![NewRelationship {
                description: Some("builds on it".to_owned()),
                ..relationship(PatternId(-1), earlier.id, RelationshipType::Follows, 0.8)
            }],
            vec![made_rule],
        )
        .await
        .expect("put_pattern");
    let got = &stored.pattern;
    assert_eq!(got.title, expected.title);
    assert_eq!(got.problem_type, ProblemType::Architecture);
    assert_eq!(got.code_type, expected.code_type);
    assert_eq!(got.severity, Severity::Critical);
    assert_eq!(got.tags, ["secrets", "config"]);
    assert_eq!(got.layers, [4, 2]);
    assert_eq!(got.workflows, ["WF4", "WF1"]);
    assert_eq!(got.file_types, [".py", ".ts"]);
    assert_eq!(got.problem_description, expected.problem_description);
    assert_eq!(got.solution_steps, expected.solution_steps);
    assert_eq!(got.code_before, expected.code_before);
    assert_eq!(got.code_after, expected.code_after);
    assert_eq!(got.verification_steps, expected.verification_steps);
    assert_eq!(got.learnings, expected.learnings);
    assert_eq!(got.prevention_guidance, expected.prevention_guidance);
    assert_eq!(got.related_patterns, [earlier.id]);
    assert_eq!(got.source_file_audit_id, Some(source.id));
    assert_eq!(got.applied_to_files, [source.id, other.id]);
    assert_eq!(got.dart_task_ids, ["DART-1"]);
    assert_eq!(got.related_files, ["src/settings.py"]);
    assert_eq!(got.applied_count, 8);
    assert!(close(got.success_rate, 0.875), "{}", got.success_rate);
    assert_eq!(got.avg_time_saved, 45);
    assert!(close(got.confidence_score, 0.9), "{}", got.confidence_score);
    assert_eq!(got.last_applied, expected.last_applied);
    assert_eq!(got.guardian_rules, expected.guardian_rules);
    assert_eq!(got.anti_patterns, expected.anti_patterns);
    assert_eq!(got.citations, expected.citations);
    assert_eq!(got.created_by, expected.created_by);
    assert!(!got.reviewed);
    assert_eq!(got.reviewer_notes.as_deref(), Some("looks right"));
    assert!(is_rfc3339(&got.created_at), "{}", got.created_at);
    assert!(is_rfc3339(&got.updated_at), "{}", got.updated_at);
    assert_eq!(
        got.steps(),
        ["1. read it from the environment", "2. rotate the key"]
    );

    assert_eq!(stored.relationships.len(), 1);
    let rel = &stored.relationships[0];
    assert_eq!(
        (rel.source, rel.target, rel.relationship_type),
        (got.id, earlier.id, RelationshipType::Follows)
    );
    assert!(close(rel.strength, 0.8));
    assert_eq!(rel.description.as_deref(), Some("builds on it"));
    assert!(is_rfc3339(&rel.created_at));
    assert_eq!(stored.rules.len(), 1);
    let made = &stored.rules[0];
    assert_eq!(
        made.source_pattern_id,
        Some(got.id),
        "the new pattern is the source"
    );
    assert_eq!(
        (made.layer_number, made.rule_name.as_str()),
        (4, "no-inline-key")
    );
    assert_eq!(made.rule_type, RuleType::Enforcement);
    assert_eq!(
        (made.hit_count, made.files_hit, made.last_hit_at.as_deref()),
        (0, 0, None)
    );
    assert_eq!(store.get_rule(&p, made.id).await.expect("get_rule"), *made);

    assert_eq!(
        store.get_pattern(&p, got.id).await.expect("get_pattern"),
        *got
    );
    let all = PatternFilter::default();
    assert_eq!(
        patterns_listed(store, &p, &all).await,
        [got.id, earlier.id],
        "newest first"
    );
    let listed = store.list_patterns(&p, &all).await.expect("list_patterns");
    assert_eq!(listed[0], *got);
    assert_not_found(&store.get_pattern(&p, PatternId(got.id.0 + 1000)).await);
    assert_sound(store).await;
}

/// Pattern listings filter by review, problem type, layer, workflow and
/// tag, newest first, limited.
pub async fn pattern_list_filters(store: &dyn Store) {
    let p = project("alpha");
    let mut a = pattern("a");
    a.tags = vec!["auth".to_owned()];
    a.workflows = vec!["WF1".to_owned()];
    let a = put_pattern(store, &p, a, embeddings(axis(0, 1.0), axis(1, 1.0))).await;
    let mut b = pattern("b");
    b.problem_type = ProblemType::Standards;
    b.layers = vec![2, 3];
    b.reviewed = false;
    let b = put_pattern(store, &p, b, embeddings(axis(0, 1.0), axis(1, 1.0))).await;
    let c = put_plain(store, &p, "c").await;
    assert_eq!(
        patterns_listed(store, &p, &PatternFilter::default()).await,
        [c.id, b.id, a.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                reviewed: Some(false),
                ..PatternFilter::default()
            })
        )
        .await,
        [b.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                problem_type: Some(ProblemType::Security),
                ..PatternFilter::default()
            })
        )
        .await,
        [c.id, a.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                layer: Some(3),
                ..PatternFilter::default()
            })
        )
        .await,
        [b.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                workflow: Some("WF1".to_owned()),
                ..PatternFilter::default()
            })
        )
        .await,
        [a.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                tag: Some("auth".to_owned()),
                ..PatternFilter::default()
            })
        )
        .await,
        [a.id]
    );
    assert_eq!(
        patterns_listed(
            store,
            &p,
            &(PatternFilter {
                limit: Some(2),
                ..PatternFilter::default()
            })
        )
        .await,
        [c.id, b.id]
    );
    assert_sound(store).await;
}

/// An invalid pattern, relationship or rule, a vector of another dimension
/// or all zeros, an unknown related pattern or source audit: refused, and
/// nothing is written (no pattern row, no relationship, no rule).
pub async fn pattern_invalid_writes_nothing(store: &dyn Store) {
    type Spoil = fn(
        &mut NewFixPattern,
        &mut PatternEmbeddings,
        &mut Vec<NewRelationship>,
        &mut Vec<NewGuardianRule>,
    );
    let p = project("alpha");
    let earlier = put_plain(store, &p, "earlier").await;
    let (elsewhere, _) = upsert(
        store,
        &project("beta"),
        audit("x.py", 1, &[], None, AuditStatus::NotStarted),
    )
    .await;
    let beta_pattern = put_plain(store, &project("beta"), "beta's").await;
    let rules_before = rules_listed(store, &p, &RuleFilter::default()).await;
    let cases: [(&str, Spoil); 14] = [
        ("title", |n, _, _, _| n.title = " ".into()),
        ("layers", |n, _, _, _| n.layers = vec![]),
        ("confidence_score", |n, _, _, _| n.confidence_score = 1.5),
        ("anti_patterns", |n, _, _, _| {
            n.anti_patterns = vec![String::new()];
        }),
        ("content_embedding", |_, e, _, _| {
            e.content = vec![0.0; DIMENSION];
        }),
        ("problem_embedding", |_, e, _, _| e.problem[0] = f32::NAN),
        ("strength", |_, _, r, _| r[0].strength = 1.5),
        ("action_required", |_, _, _, rules| {
            rules[0].action_required = " ".into();
        }),
        ("dimension", |_, e, _, _| {
            e.content = vec![1.0; DIMENSION + 1];
        }),
        ("dimension", |_, e, _, _| {
            e.code.pop();
        }),
        ("dimension", |_, e, _, _| e.problem = vec![1.0; 3]),
        ("not found", |_, _, r, _| r[0].target = PatternId(i64::MAX)),
        ("not found", |n, _, _, _| {
            n.source_file_audit_id = Some(AuditId(i64::MAX));
        }),
        ("not found", |_, _, r, _| r[0].target = PatternId(-7)),
    ];
    for (field, spoil) in cases {
        let mut new = pattern("spoiled");
        let mut vectors = embeddings(axis(0, 1.0), axis(1, 1.0));
        let mut relationships = vec![relationship(
            PatternId(0),
            earlier.id,
            RelationshipType::Enhances,
            0.5,
        )];
        let mut rules = vec![rule(4, "spoiled-rule", RuleType::Detection)];
        spoil(&mut new, &mut vectors, &mut relationships, &mut rules);
        let result = store
            .put_pattern(&p, new, vectors, relationships, rules)
            .await;
        match field {
            "dimension" => assert!(
                matches!(
                    result,
                    Err(StoreError::WrongDimension {
                        expected: DIMENSION,
                        ..
                    })
                ),
                "{result:?}"
            ),
            "not found" => assert_not_found(&result),
            field => assert_invalid(&result, field),
        }
        assert_eq!(
            patterns_listed(store, &p, &PatternFilter::default()).await,
            [earlier.id],
            "{field}"
        );
        assert_eq!(
            rules_listed(store, &p, &RuleFilter::default()).await,
            rules_before,
            "{field}"
        );
        assert!(
            store
                .related_patterns(&p, earlier.id, &RelationshipType::ALL)
                .await
                .expect("related")
                .is_empty()
        );
    }
    // Ids of another project are unknown here.
    for (rel_target, audit_id) in [(beta_pattern.id, None), (earlier.id, Some(elsewhere.id))] {
        let mut new = pattern("crossing");
        new.source_file_audit_id = audit_id;
        let result = store
            .put_pattern(
                &p,
                new,
                embeddings(axis(0, 1.0), axis(1, 1.0)),
                vec![relationship(
                    PatternId(0),
                    rel_target,
                    RelationshipType::Enhances,
                    0.5,
                )],
                Vec::new(),
            )
            .await;
        assert_not_found(&result);
        assert_eq!(
            patterns_listed(store, &p, &PatternFilter::default()).await,
            [earlier.id]
        );
    }
    assert_sound(store).await;
}

/// A rule made from a pattern whose name is taken in its layer gets `-2`,
/// `-3`...: by an existing rule or by an earlier rule of the same pattern.
/// The same name in another layer is free.
pub async fn pattern_rules_get_free_names(store: &dyn Store) {
    let p = project("alpha");
    let existing = store
        .add_rule(&p, rule(4, "no-token", RuleType::Prevention))
        .await
        .expect("add_rule");
    let stored = store
        .put_pattern(
            &p,
            pattern("tokens"),
            embeddings(axis(0, 1.0), axis(1, 1.0)),
            Vec::new(),
            vec![
                rule(4, "no-token", RuleType::Detection),
                rule(4, "no-token", RuleType::Enforcement),
                rule(5, "no-token", RuleType::Detection),
            ],
        )
        .await
        .expect("put_pattern");
    let names: Vec<(i64, &str)> = stored
        .rules
        .iter()
        .map(|r| (r.layer_number, r.rule_name.as_str()))
        .collect();
    assert_eq!(
        names,
        [(4, "no-token-2"), (4, "no-token-3"), (5, "no-token")]
    );
    assert!(
        stored
            .rules
            .iter()
            .all(|r| r.source_pattern_id == Some(stored.pattern.id))
    );
    assert_eq!(
        store.get_rule(&p, existing.id).await.expect("get_rule"),
        existing
    );
    let from_pattern = RuleFilter {
        source_pattern_id: Some(stored.pattern.id),
        ..RuleFilter::default()
    };
    assert_eq!(
        rules_listed(store, &p, &from_pattern).await,
        [
            (4, "no-token-2".to_owned()),
            (4, "no-token-3".to_owned()),
            (5, "no-token".to_owned())
        ]
    );
    assert_eq!(
        rules_listed(store, &p, &RuleFilter::default()).await.len(),
        4
    );
    assert_sound(store).await;
}

/// Reviewing sets the flag and the notes; notes not given are kept; an
/// unknown pattern is `NotFound`.
pub async fn pattern_review_sets_flag_and_notes(store: &dyn Store) {
    let p = project("alpha");
    let mut new = pattern("to review");
    new.reviewed = false;
    let stored = put_pattern(store, &p, new, embeddings(axis(0, 1.0), axis(1, 1.0))).await;
    assert!(found(store, &p, &query(axis(0, 1.0))).await.is_empty());
    let reviewed = store
        .review_pattern(&p, stored.id, true, Some("checked on two files".to_owned()))
        .await
        .expect("review_pattern");
    assert!(reviewed.reviewed);
    assert_eq!(
        reviewed.reviewer_notes.as_deref(),
        Some("checked on two files")
    );
    assert_eq!(
        (reviewed.id, &reviewed.title, &reviewed.created_at),
        (stored.id, &stored.title, &stored.created_at)
    );
    assert_eq!(
        store.get_pattern(&p, stored.id).await.expect("get_pattern"),
        reviewed
    );
    assert_eq!(found(store, &p, &query(axis(0, 1.0))).await, [stored.id]);
    let withdrawn = store
        .review_pattern(&p, stored.id, false, None)
        .await
        .expect("review_pattern");
    assert!(!withdrawn.reviewed);
    assert_eq!(
        withdrawn.reviewer_notes.as_deref(),
        Some("checked on two files")
    );
    assert!(found(store, &p, &query(axis(0, 1.0))).await.is_empty());
    assert_not_found(
        &store
            .review_pattern(&p, PatternId(stored.id.0 + 1000), true, None)
            .await,
    );
    assert_not_found(
        &store
            .review_pattern(&project("beta"), stored.id, true, None)
            .await,
    );
    assert!(
        !store
            .get_pattern(&p, stored.id)
            .await
            .expect("get_pattern")
            .reviewed
    );
    assert_sound(store).await;
}
