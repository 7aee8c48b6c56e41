//! Checks of folds (near-duplicate resources taken out of search,
//! reversibly): a fold hides the folded resource from vector and keyword
//! search and keeps its row; unfolding restores its chunks, vectors and
//! context links exactly; the rules (no self, no chains, evidence in 0..1)
//! refuse without writing; a resource that keeps folds is not deleted;
//! projects are isolated.

use super::{
    Project, Store, assert_invalid, assert_not_found, assert_sound, chunks_of, get, is_rfc3339,
    keyword, nearest, project, put, resource, split, vector_for,
};
use crate::{Fold, FoldEvidence};
use ltmc_core::{NewChatMessage, ResourceId};

fn evidence() -> FoldEvidence {
    FoldEvidence {
        similarity: 0.93,
        overlap: 0.7,
    }
}

async fn folds(store: &dyn Store, p: &Project) -> Vec<(ResourceId, ResourceId)> {
    store
        .list_folds(p)
        .await
        .expect("list_folds")
        .iter()
        .map(|f| (f.kept, f.folded))
        .collect()
}

/// Folding hides the folded resource from search but keeps its row; its
/// chunks and the context links to them come back on unfold, exactly.
pub async fn fold_hides_and_unfold_restores_exactly(store: &dyn Store) {
    let p = project("alpha");
    let kept_text = "the nightly export job exhausts the pgbouncer pool on db-2";
    let kept = put(
        store,
        resource(&p, "kept.md", "document", kept_text),
        split(kept_text, 1),
    )
    .await
    .resource_id;
    let dup_text = "Note: the nightly export job exhausts the pgbouncer pool on db-2 quokka";
    let dup = put(
        store,
        resource(&p, "dup.md", "document", dup_text),
        split(dup_text, 3),
    )
    .await
    .resource_id;
    let before = get(store, &p, dup).await;
    let chunks_before = chunks_of(store, &p, dup).await;
    let message = store
        .log_message(
            &p,
            NewChatMessage {
                conversation_id: "c".into(),
                role: "user".into(),
                content: "why does the export fail".into(),
                ..NewChatMessage::default()
            },
            &[chunks_before[0].id, chunks_before[2].id],
        )
        .await
        .expect("log_message");
    let query = chunks_before[1].text.clone();
    assert_eq!(
        nearest(store, &p, &vector_for(&query), 1, None).await[0]
            .chunk
            .resource_id,
        dup
    );

    let fold: Fold = store
        .fold_resource(&p, kept, dup, evidence())
        .await
        .expect("fold");
    assert_eq!((fold.kept, fold.folded, fold.chunk_count), (kept, dup, 3));
    assert_eq!((fold.similarity, fold.overlap), (0.93, 0.7));
    assert!(is_rfc3339(&fold.folded_at), "{}", fold.folded_at);
    assert_eq!(folds(store, &p).await, [(kept, dup)]);
    // Out of search, its row kept (content, hash, metadata), no chunks.
    let hits = nearest(store, &p, &vector_for(&query), 10, None).await;
    assert!(hits.iter().all(|h| h.chunk.resource_id != dup), "{hits:?}");
    assert!(keyword(store, &p, "quokka", 10, None).await.is_empty());
    let folded = get(store, &p, dup).await;
    assert_eq!(folded.chunk_count, 0);
    assert_eq!(
        (&folded.content, &folded.content_hash),
        (&before.content, &before.content_hash)
    );
    assert!(chunks_of(store, &p, dup).await.is_empty());
    assert!(
        store
            .links_of_message(&p, message.id)
            .await
            .expect("links")
            .is_empty()
    );
    assert_sound(store).await;

    let undone = store.unfold_resource(&p, dup).await.expect("unfold");
    assert_eq!(undone, fold);
    assert!(folds(store, &p).await.is_empty());
    assert_eq!(get(store, &p, dup).await, before);
    let chunks_after = chunks_of(store, &p, dup).await;
    let shape = |c: &[ltmc_core::Chunk]| -> Vec<(usize, usize, usize, String)> {
        c.iter()
            .map(|c| (c.ordinal, c.start, c.end, c.text.clone()))
            .collect()
    };
    assert_eq!(shape(&chunks_after), shape(&chunks_before));
    assert_eq!(
        nearest(store, &p, &vector_for(&query), 1, None).await[0]
            .chunk
            .resource_id,
        dup
    );
    assert_eq!(keyword(store, &p, "quokka", 10, None).await.len(), 1);
    let mut links: Vec<_> = store
        .links_of_message(&p, message.id)
        .await
        .expect("links")
        .iter()
        .map(|l| l.chunk_id)
        .collect();
    links.sort_unstable();
    assert_eq!(links, [chunks_after[0].id, chunks_after[2].id]);
    assert_sound(store).await;
    // Unfolded, it can be folded again.
    store
        .fold_resource(&p, kept, dup, evidence())
        .await
        .expect("fold again");
    assert_sound(store).await;
}

/// Refused folds write nothing and name the argument: into itself, chains
/// either way, code attempts, evidence outside 0..1; unknown ids, other
/// projects' ids and unfolding what is not folded are `NotFound`.
pub async fn fold_rules_refuse_without_writing(store: &dyn Store) {
    let p = project("alpha");
    let other = project("beta");
    let mut ids = Vec::new();
    for text in ["first memory", "second memory", "third memory"] {
        ids.push(
            put(
                store,
                resource(&p, "m.md", "document", text),
                split(text, 1),
            )
            .await
            .resource_id,
        );
    }
    let (first, second, third) = (ids[0], ids[1], ids[2]);
    let elsewhere = put(
        store,
        resource(&other, "m.md", "document", "first memory"),
        split("first memory", 1),
    )
    .await
    .resource_id;
    assert_invalid(
        &store.fold_resource(&p, first, first, evidence()).await,
        "folded",
    );
    for (similarity, overlap, field) in [(1.5, 0.5, "similarity"), (0.9, -0.1, "overlap")] {
        let bad = FoldEvidence {
            similarity,
            overlap,
        };
        assert_invalid(&store.fold_resource(&p, first, second, bad).await, field);
    }
    assert_not_found(
        &store
            .fold_resource(&p, first, ResourceId(i64::MAX), evidence())
            .await,
    );
    assert_not_found(&store.fold_resource(&p, elsewhere, second, evidence()).await);
    assert_not_found(
        &store
            .fold_resource(&other, elsewhere, second, evidence())
            .await,
    );
    assert_not_found(&store.unfold_resource(&p, second).await);
    assert!(folds(store, &p).await.is_empty());

    store
        .fold_resource(&p, first, second, evidence())
        .await
        .expect("fold b into a");
    // b is folded: it neither folds again nor keeps; a keeps: it does not fold.
    assert_invalid(
        &store.fold_resource(&p, third, second, evidence()).await,
        "folded",
    );
    assert_invalid(
        &store.fold_resource(&p, second, third, evidence()).await,
        "kept",
    );
    assert_invalid(
        &store.fold_resource(&p, third, first, evidence()).await,
        "folded",
    );
    assert_not_found(&store.unfold_resource(&other, second).await);
    assert!(store.list_folds(&other).await.expect("list").is_empty());
    assert_eq!(folds(store, &p).await, [(first, second)]);
    // A second fold into the same kept resource is fine; newest first.
    store
        .fold_resource(&p, first, third, evidence())
        .await
        .expect("fold c into a");
    assert_eq!(folds(store, &p).await, [(first, third), (first, second)]);
    // The kept resource is not deleted while it keeps folds (that would
    // lose them); the folded one is, and its fold with it.
    let refused = store.delete_resource(&p, first).await;
    assert!(
        matches!(&refused, Err(crate::StoreError::Conflict(m)) if m.contains("unfold")),
        "{refused:?}"
    );
    assert_eq!(folds(store, &p).await, [(first, third), (first, second)]);
    store
        .delete_resource(&p, third)
        .await
        .expect("delete folded");
    assert_eq!(folds(store, &p).await, [(first, second)]);
    store.unfold_resource(&p, second).await.expect("unfold");
    store
        .delete_resource(&p, first)
        .await
        .expect("delete once unfolded");
    assert_eq!(get(store, &p, second).await.chunk_count, 1);
    assert_sound(store).await;
}
