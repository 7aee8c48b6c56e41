//! Checks of links between fix patterns: linking again updates in place,
//! related patterns come strongest first of the types asked, and a pattern's
//! `related_patterns` reads its targets back. Not the relationships written
//! with a new pattern (`patterns`).

use super::{close, put_plain, relationship};
use crate::Store;
use crate::conformance::{assert_invalid, assert_not_found, assert_sound, project};
use ltmc_core::PatternId;
use ltmc_core::fix::{NewRelationship, RelationshipType};

/// Linking again updates strength and description (same id); related
/// patterns come strongest first, then by type, of the types asked; a
/// pattern's `related_patterns` are its targets, strongest first, each once.
pub async fn pattern_links_upsert_and_order(store: &dyn Store) {
    let p = project("alpha");
    let hub = put_plain(store, &p, "hub").await;
    let next = put_plain(store, &p, "next").await;
    let before = put_plain(store, &p, "before").await;
    let rival = put_plain(store, &p, "rival").await;
    let mut made = Vec::new();
    for (source, target, kind, strength) in [
        (hub.id, next.id, RelationshipType::Enhances, 0.5),
        (hub.id, before.id, RelationshipType::Prerequisite, 0.9),
        (hub.id, next.id, RelationshipType::Follows, 0.9),
        (hub.id, rival.id, RelationshipType::Conflicts, 1.0),
    ] {
        let stored = store
            .link_patterns(&p, relationship(source, target, kind, strength))
            .await
            .expect("link_patterns");
        assert_eq!(
            (stored.source, stored.target, stored.relationship_type),
            (source, target, kind)
        );
        made.push(stored);
    }
    let first = made[0].clone();
    let updated = store
        .link_patterns(
            &p,
            NewRelationship {
                description: Some("stronger than thought".to_owned()),
                ..relationship(hub.id, next.id, RelationshipType::Enhances, 0.7)
            },
        )
        .await
        .expect("link_patterns");
    assert_eq!(updated.id, first.id);
    assert_eq!(updated.created_at, first.created_at);
    assert!(close(updated.strength, 0.7));
    assert_eq!(
        updated.description.as_deref(),
        Some("stronger than thought")
    );

    let related = store
        .related_patterns(&p, hub.id, &RelationshipType::DEFAULT_RELATED)
        .await
        .expect("related_patterns");
    let seen: Vec<(PatternId, RelationshipType)> = related
        .iter()
        .map(|r| (r.id, r.relationship_type))
        .collect();
    assert_eq!(
        seen,
        [
            (next.id, RelationshipType::Follows),
            (before.id, RelationshipType::Prerequisite),
            (next.id, RelationshipType::Enhances),
        ]
    );
    assert_eq!(related[0].title, "next");
    assert!(close(related[2].strength, 0.7));
    assert_eq!(
        related[2].description.as_deref(),
        Some("stronger than thought")
    );
    let conflicts = store
        .related_patterns(&p, hub.id, &[RelationshipType::Conflicts])
        .await
        .expect("related_patterns");
    assert_eq!(
        conflicts.iter().map(|r| r.id).collect::<Vec<_>>(),
        [rival.id]
    );
    assert_eq!(
        store
            .get_pattern(&p, hub.id)
            .await
            .expect("get_pattern")
            .related_patterns,
        [rival.id, next.id, before.id]
    );
    assert!(
        store
            .related_patterns(&p, next.id, &RelationshipType::ALL)
            .await
            .expect("related")
            .is_empty()
    );
    assert!(
        store
            .get_pattern(&p, next.id)
            .await
            .expect("get_pattern")
            .related_patterns
            .is_empty()
    );

    assert_invalid(
        &store
            .link_patterns(
                &p,
                relationship(hub.id, hub.id, RelationshipType::Enhances, 0.5),
            )
            .await,
        "target_pattern_id",
    );
    assert_invalid(
        &store
            .link_patterns(
                &p,
                relationship(hub.id, next.id, RelationshipType::Enhances, -0.1),
            )
            .await,
        "strength",
    );
    let unknown = PatternId(rival.id.0 + 1000);
    assert_not_found(
        &store
            .link_patterns(
                &p,
                relationship(hub.id, unknown, RelationshipType::Enhances, 0.5),
            )
            .await,
    );
    assert_not_found(
        &store
            .link_patterns(
                &p,
                relationship(unknown, hub.id, RelationshipType::Enhances, 0.5),
            )
            .await,
    );
    assert_not_found(
        &store
            .related_patterns(&p, unknown, &RelationshipType::ALL)
            .await,
    );
    let beta = put_plain(store, &project("beta"), "beta's").await;
    assert_not_found(
        &store
            .link_patterns(
                &p,
                relationship(hub.id, beta.id, RelationshipType::Enhances, 0.5),
            )
            .await,
    );
    assert_eq!(
        store
            .related_patterns(&p, hub.id, &RelationshipType::ALL)
            .await
            .expect("related")
            .len(),
        4
    );
    assert_sound(store).await;
}
