//! The check that every record of the fix-pattern knowledge base (audits,
//! patterns, applications, rules) stays in its project: the same path or rule
//! name is another record elsewhere, and foreign ids are `NotFound`. Not the
//! isolation of documents, chats or todos (their own modules).

use super::{
    application, audit, audits_listed, axis, embeddings, found, pattern, patterns_listed,
    put_pattern, put_plain, query, rule, rules_listed, upsert,
};
use crate::conformance::{assert_not_found, assert_sound, project};
use crate::{PatternQuery, Store};
use ltmc_core::fix::{
    AuditFilter, AuditStatus, PatternFilter, RelationshipType, RuleFilter, RuleHit, RuleType,
};

/// Audits, patterns, applications and rules of one project are invisible to
/// another: the same path or rule name is another record there, and ids of
/// the other project are `NotFound` everywhere.
pub async fn fix_projects_are_isolated(store: &dyn Store) {
    let (alpha, beta) = (project("alpha"), project("beta"));
    let (a_audit, _) = upsert(
        store,
        &alpha,
        audit(
            "src/app.py",
            3,
            &["WF1"],
            Some("debt"),
            AuditStatus::NotStarted,
        ),
    )
    .await;
    let (b_audit, created) = upsert(
        store,
        &beta,
        audit("src/app.py", 5, &[], None, AuditStatus::Complete),
    )
    .await;
    assert!(created, "the same path in another project is another audit");
    assert_ne!(a_audit.id, b_audit.id);
    assert_eq!(
        store
            .get_audit(&alpha, a_audit.id)
            .await
            .expect("get_audit")
            .layer_number,
        3
    );
    assert_not_found(&store.get_audit(&beta, a_audit.id).await);
    assert_not_found(&store.audit_history(&beta, a_audit.id).await);
    assert_eq!(
        store
            .find_audit_by_path(&beta, "src/app.py")
            .await
            .expect("find")
            .map(|a| a.id),
        Some(b_audit.id)
    );
    assert_eq!(
        audits_listed(store, &beta, &AuditFilter::default())
            .await
            .len(),
        1
    );
    assert!(
        audits_listed(store, &project("gamma"), &AuditFilter::default())
            .await
            .is_empty()
    );

    let a_pattern = put_pattern(
        store,
        &alpha,
        pattern("alpha's"),
        embeddings(axis(0, 1.0), axis(1, 1.0)),
    )
    .await;
    assert_not_found(&store.get_pattern(&beta, a_pattern.id).await);
    assert!(
        patterns_listed(store, &beta, &PatternFilter::default())
            .await
            .is_empty()
    );
    let everything = PatternQuery {
        include_unreviewed: true,
        similarity_threshold: -1.0,
        ..query(axis(0, 1.0))
    };
    assert!(found(store, &beta, &everything).await.is_empty());
    assert_eq!(found(store, &alpha, &everything).await, [a_pattern.id]);
    assert_not_found(
        &store
            .related_patterns(&beta, a_pattern.id, &RelationshipType::ALL)
            .await,
    );
    assert_not_found(&store.list_applications(&beta, Some(a_pattern.id)).await);
    assert_not_found(
        &store
            .record_application(&beta, application(a_pattern.id, None, true))
            .await,
    );
    // beta's audit with alpha's pattern, and alpha's audit from beta.
    assert_not_found(
        &store
            .record_application(&alpha, application(a_pattern.id, Some(b_audit.id), true))
            .await,
    );
    let b_pattern = put_plain(store, &beta, "beta's").await;
    assert_not_found(
        &store
            .record_application(&beta, application(b_pattern.id, Some(a_audit.id), true))
            .await,
    );
    let mut sourced = pattern("sourced elsewhere");
    sourced.source_file_audit_id = Some(a_audit.id);
    assert_not_found(
        &store
            .put_pattern(
                &beta,
                sourced,
                embeddings(axis(0, 1.0), axis(1, 1.0)),
                Vec::new(),
                Vec::new(),
            )
            .await,
    );
    assert!(
        store
            .list_applications(&alpha, None)
            .await
            .expect("list_applications")
            .is_empty()
    );
    assert!(
        store
            .list_applications(&beta, None)
            .await
            .expect("list_applications")
            .is_empty()
    );
    assert_eq!(
        store
            .get_audit(&alpha, a_audit.id)
            .await
            .expect("get_audit"),
        a_audit
    );

    let a_rule = store
        .add_rule(&alpha, rule(4, "shared-name", RuleType::Detection))
        .await
        .expect("add_rule");
    let b_rule = store
        .add_rule(&beta, rule(4, "shared-name", RuleType::Detection))
        .await
        .expect("same name in another project");
    let mut crossing = rule(4, "crossing", RuleType::Detection);
    crossing.source_pattern_id = Some(a_pattern.id);
    assert_not_found(&store.add_rule(&beta, crossing).await);
    assert_not_found(&store.get_rule(&beta, a_rule.id).await);
    assert_not_found(&store.set_rule_active(&beta, a_rule.id, false, None).await);
    let hit = RuleHit {
        rule_id: a_rule.id,
        file_path: "x.py".to_owned(),
        count: 1,
    };
    assert_not_found(&store.record_rule_hits(&beta, vec![hit.clone()]).await);
    store
        .record_rule_hits(&alpha, vec![hit])
        .await
        .expect("record_rule_hits");
    assert!(
        store
            .rule_file_hits(&beta)
            .await
            .expect("rule_file_hits")
            .is_empty()
    );
    assert_eq!(
        store
            .rule_file_hits(&alpha)
            .await
            .expect("rule_file_hits")
            .len(),
        1
    );
    assert_eq!(
        rules_listed(store, &beta, &RuleFilter::default()).await,
        [(4, "shared-name".to_owned())]
    );
    assert_eq!(
        store
            .get_rule(&beta, b_rule.id)
            .await
            .expect("get_rule")
            .hit_count,
        0
    );
    assert!(
        store
            .get_rule(&alpha, a_rule.id)
            .await
            .expect("get_rule")
            .active
    );
    assert_sound(store).await;
}
