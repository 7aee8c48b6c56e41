//! Checks of guardian rules: adding, listing by layer and name with each
//! filter, name conflicts per layer, activation and deactivation with a
//! reason, and hit statistics per rule and file. Not the rules made from a
//! pattern when it is stored (`patterns`).

use super::{put_plain, rule, rules_listed};
use crate::conformance::{assert_invalid, assert_not_found, assert_sound, is_rfc3339, project};
use crate::{Store, StoreError};
use ltmc_core::fix::{RuleFilter, RuleHit, RuleType, Severity};
use ltmc_core::{PatternId, RuleId};

/// Rules read back as added, listed by layer then name with each filter; a
/// name taken in its layer is `Conflict`, in another layer free; an unknown
/// source pattern is `NotFound`; deactivation keeps its reason, activation
/// clears it.
pub async fn guardian_rules_add_list_activate(store: &dyn Store) {
    let p = project("alpha");
    let source = put_plain(store, &p, "source").await;
    let mut first = rule(4, "no-raw-sql", RuleType::Enforcement);
    first.source_pattern_id = Some(source.id);
    r"execute\(f?\x22".clone_into(&mut first.rule_pattern);
    let first = store.add_rule(&p, first).await.expect("add_rule");
    assert_eq!(
        (first.layer_number, first.rule_name.as_str()),
        (4, "no-raw-sql")
    );
    assert_eq!(first.rule_type, RuleType::Enforcement);
    assert_eq!(first.rule_pattern, r"execute\(f?\x22");
    assert_eq!(first.severity, Severity::Critical);
    assert_eq!(first.action_required, "read the key from the environment");
    assert_eq!(first.source_pattern_id, Some(source.id));
    assert!(first.active);
    assert_eq!(first.inactive_reason, None);
    assert_eq!(
        (
            first.hit_count,
            first.files_hit,
            first.last_hit_at.as_deref()
        ),
        (0, 0, None)
    );
    assert!(is_rfc3339(&first.created_at), "{}", first.created_at);
    assert_eq!(store.get_rule(&p, first.id).await.expect("get_rule"), first);
    let mut dormant = rule(2, "b-dormant", RuleType::Detection);
    dormant.active = false;
    dormant.inactive_reason = Some("fails on its own pattern's code".to_owned());
    let dormant = store.add_rule(&p, dormant).await.expect("add_rule");
    assert!(!dormant.active);
    assert_eq!(
        dormant.inactive_reason.as_deref(),
        Some("fails on its own pattern's code")
    );
    store
        .add_rule(&p, rule(4, "a-first", RuleType::Prevention))
        .await
        .expect("add_rule");
    store
        .add_rule(&p, rule(2, "no-raw-sql", RuleType::Detection))
        .await
        .expect("same name, other layer");

    let conflict = store
        .add_rule(&p, rule(4, " no-raw-sql ", RuleType::Detection))
        .await;
    match &conflict {
        Err(StoreError::Conflict(message)) => {
            assert!(
                message.contains("no-raw-sql") && message.contains('4'),
                "{message}"
            );
        }
        other => panic!("expected Conflict: {other:?}"),
    }
    let mut orphan = rule(3, "orphan", RuleType::Detection);
    orphan.source_pattern_id = Some(PatternId(i64::MAX));
    assert_not_found(&store.add_rule(&p, orphan).await);
    assert_invalid(
        &store
            .add_rule(&p, rule(0, "layer zero", RuleType::Detection))
            .await,
        "layer_number",
    );
    let mut blank = rule(3, "blank", RuleType::Detection);
    " ".clone_into(&mut blank.rule_pattern);
    assert_invalid(&store.add_rule(&p, blank).await, "rule_pattern");

    let named = |rules: &[(i64, &str)]| {
        rules
            .iter()
            .map(|(l, n)| (*l, (*n).to_owned()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rules_listed(store, &p, &RuleFilter::default()).await,
        named(&[
            (2, "b-dormant"),
            (2, "no-raw-sql"),
            (4, "a-first"),
            (4, "no-raw-sql")
        ])
    );
    let layer = RuleFilter {
        layer: Some(4),
        ..RuleFilter::default()
    };
    assert_eq!(
        rules_listed(store, &p, &layer).await,
        named(&[(4, "a-first"), (4, "no-raw-sql")])
    );
    let active = RuleFilter {
        active: Some(true),
        ..RuleFilter::default()
    };
    assert_eq!(rules_listed(store, &p, &active).await.len(), 3);
    let inactive = RuleFilter {
        active: Some(false),
        ..RuleFilter::default()
    };
    assert_eq!(
        rules_listed(store, &p, &inactive).await,
        named(&[(2, "b-dormant")])
    );
    let detection = RuleFilter {
        rule_type: Some(RuleType::Detection),
        ..RuleFilter::default()
    };
    assert_eq!(
        rules_listed(store, &p, &detection).await,
        named(&[(2, "b-dormant"), (2, "no-raw-sql")])
    );
    let sourced = RuleFilter {
        source_pattern_id: Some(source.id),
        ..RuleFilter::default()
    };
    assert_eq!(
        rules_listed(store, &p, &sourced).await,
        named(&[(4, "no-raw-sql")])
    );

    let off = store
        .set_rule_active(
            &p,
            first.id,
            false,
            Some("too many false positives".to_owned()),
        )
        .await
        .expect("set_rule_active");
    assert!(!off.active);
    assert_eq!(
        off.inactive_reason.as_deref(),
        Some("too many false positives")
    );
    assert_eq!(
        (off.id, &off.rule_name, &off.created_at),
        (first.id, &first.rule_name, &first.created_at)
    );
    assert_eq!(store.get_rule(&p, first.id).await.expect("get_rule"), off);
    let on = store
        .set_rule_active(&p, first.id, true, None)
        .await
        .expect("set_rule_active");
    assert!(on.active);
    assert_eq!(on.inactive_reason, None);
    let on_again = store
        .set_rule_active(&p, dormant.id, true, Some("ignored".to_owned()))
        .await
        .expect("set_rule_active");
    assert_eq!(
        on_again.inactive_reason, None,
        "an active rule has no inactive reason"
    );
    let unknown = RuleId(i64::MAX);
    assert_not_found(&store.get_rule(&p, unknown).await);
    assert_not_found(&store.set_rule_active(&p, unknown, false, None).await);
    assert_sound(store).await;
}

/// Hits add up per rule and file; a rule's hit count is their sum, its
/// files hit the number of files, its last hit set; per-file hits come most
/// first. A batch naming an unknown rule writes nothing.
pub async fn guardian_hits_statistics(store: &dyn Store) {
    let p = project("alpha");
    let one = store
        .add_rule(&p, rule(4, "one", RuleType::Enforcement))
        .await
        .expect("add_rule");
    let two = store
        .add_rule(&p, rule(4, "two", RuleType::Detection))
        .await
        .expect("add_rule");
    let hit = |rule_id: RuleId, file: &str, count: u64| RuleHit {
        rule_id,
        file_path: file.to_owned(),
        count,
    };
    store
        .record_rule_hits(
            &p,
            vec![
                hit(one.id, "a.py", 3),
                hit(one.id, "b.py", 1),
                hit(two.id, "a.py", 2),
            ],
        )
        .await
        .expect("record_rule_hits");
    store
        .record_rule_hits(&p, vec![hit(one.id, "a.py", 2)])
        .await
        .expect("record_rule_hits");
    let one_now = store.get_rule(&p, one.id).await.expect("get_rule");
    assert_eq!((one_now.hit_count, one_now.files_hit), (6, 2));
    let last = one_now.last_hit_at.clone().expect("last_hit_at");
    assert!(is_rfc3339(&last), "{last}");
    let two_now = store.get_rule(&p, two.id).await.expect("get_rule");
    assert_eq!((two_now.hit_count, two_now.files_hit), (2, 1));
    let per_file: Vec<(RuleId, String, i64)> = store
        .rule_file_hits(&p)
        .await
        .expect("rule_file_hits")
        .into_iter()
        .map(|h| {
            assert!(is_rfc3339(&h.last_hit_at), "{}", h.last_hit_at);
            (h.rule_id, h.file_path, h.hits)
        })
        .collect();
    assert_eq!(
        per_file,
        [
            (one.id, "a.py".to_owned(), 5),
            (two.id, "a.py".to_owned(), 2),
            (one.id, "b.py".to_owned(), 1)
        ]
    );

    let result = store
        .record_rule_hits(
            &p,
            vec![hit(two.id, "c.py", 4), hit(RuleId(i64::MAX), "a.py", 1)],
        )
        .await;
    assert_not_found(&result);
    assert_eq!(store.get_rule(&p, two.id).await.expect("get_rule"), two_now);
    assert_eq!(
        store
            .rule_file_hits(&p)
            .await
            .expect("rule_file_hits")
            .len(),
        3
    );
    store
        .record_rule_hits(&p, Vec::new())
        .await
        .expect("no hits");
    assert_sound(store).await;
}
