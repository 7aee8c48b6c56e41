//! The vector index as a cache of the database: its file beside the database,
//! catching up from the vector log, and recovering from a missing, damaged or
//! foreign file. Through the public API only, plus the file system.

use crate::support::project;
use crate::support::{put_doc, spec, temp_db};
use ltmc_store::conformance::{split, vector_for};
use ltmc_store::{ChunkFilter, IndexStatus, ResourceStore, StoreAdmin, VectorSearch};
use ltmc_store_sqlite::{IndexOptions, SqliteStore};
use std::path::{Path, PathBuf};

/// Projects of 20 vectors or more get a graph.
fn open_small_threshold(path: &Path) -> SqliteStore {
    let options = IndexOptions {
        ann_threshold: 20,
        ..IndexOptions::default()
    };
    SqliteStore::open_with(path, Some(&spec()), options).expect("open")
}

fn index_files(db: &Path) -> Vec<PathBuf> {
    let dir = db.with_file_name("ltmc.db-ann");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

async fn status(store: &SqliteStore) -> IndexStatus {
    let mut statuses = store.check_indexes().await.expect("check");
    assert_eq!(statuses.len(), 1, "{statuses:?}");
    let status = statuses.remove(0);
    assert!(status.agrees(), "{status:?}");
    status
}

/// Stores `n` resources of 5 chunks; returns their texts.
async fn fill(store: &SqliteStore, from: usize, n: usize) -> Vec<String> {
    let mut texts = Vec::new();
    for i in from..from + n {
        let text = format!("resource number {i} about subject {} in five parts", i * 7);
        put_doc(store, &text, 5).await;
        texts.push(text);
    }
    texts
}

async fn finds_itself(store: &SqliteStore, text: &str) {
    for chunk in split(text, 5) {
        let hits = store
            .nearest_chunks(
                &project(),
                &vector_for(&chunk.text),
                1,
                &ChunkFilter::default(),
            )
            .await
            .expect("search");
        assert_eq!(hits[0].chunk.text, chunk.text);
    }
}

#[tokio::test]
async fn a_large_project_keeps_its_graph_in_a_file_that_others_catch_up_from() {
    let (_dir, path) = temp_db();
    let writer = open_small_threshold(&path);
    let texts = fill(&writer, 0, 6).await;
    writer.sync_indexes().await.expect("sync");
    assert_eq!(
        index_files(&path).len(),
        1,
        "a graph file past the threshold"
    );
    let first = status(&writer).await;
    assert_eq!((first.kind.as_str(), first.stored), ("hnsw", 30));
    assert_eq!(first.persisted_position, Some(first.position));

    // More writes from the same handle: logged, not written to the file.
    let more = fill(&writer, 6, 2).await;
    let reader = open_small_threshold(&path);
    let caught_up = status(&reader).await;
    assert_eq!(caught_up.stored, 40);
    assert!(caught_up.persisted_position < Some(caught_up.position));
    for text in texts.iter().chain(&more) {
        finds_itself(&reader, text).await;
    }
    // A delete through the reader reaches the writer's index by the log.
    let victim = reader
        .find_by_hash(&project(), &ltmc_core::content_hash(&texts[0]))
        .await
        .expect("find")
        .expect("stored");
    reader
        .delete_resource(&project(), victim.id)
        .await
        .expect("delete");
    assert_eq!(status(&writer).await.stored, 35);
    let hits = writer
        .nearest_chunks(
            &project(),
            &vector_for(&split(&texts[0], 5)[0].text),
            40,
            &ChunkFilter::default(),
        )
        .await
        .expect("search");
    assert_eq!(hits.len(), 35);
    assert!(hits.iter().all(|h| h.chunk.resource_id != victim.id));
}

#[tokio::test]
async fn a_damaged_or_foreign_index_file_is_rebuilt_from_the_database() {
    let (_dir, path) = temp_db();
    let store = open_small_threshold(&path);
    let texts = fill(&store, 0, 5).await;
    store.sync_indexes().await.expect("sync");
    let file = index_files(&path).pop().expect("index file");
    drop(store);

    // Damaged: one flipped byte in the middle.
    let mut bytes = std::fs::read(&file).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&file, &bytes).expect("write");
    let store = open_small_threshold(&path);
    assert_eq!(status(&store).await.stored, 25);
    for text in &texts {
        finds_itself(&store, text).await;
    }
    drop(store);

    // Foreign: the file of another store that reached a later position.
    let (_other_dir, other) = temp_db();
    let other_store = open_small_threshold(&other);
    fill(&other_store, 100, 8).await;
    other_store.sync_indexes().await.expect("sync");
    let foreign = index_files(&other).pop().expect("other file");
    std::fs::copy(&foreign, &file).expect("copy");
    let store = open_small_threshold(&path);
    assert_eq!(status(&store).await.stored, 25);
    for text in &texts {
        finds_itself(&store, text).await;
    }

    // Missing: deleted by hand.
    drop(store);
    std::fs::remove_file(&file).expect("remove");
    let store = open_small_threshold(&path);
    assert_eq!(status(&store).await.stored, 25);
    finds_itself(&store, &texts[3]).await;
}

#[tokio::test]
async fn a_project_moves_to_a_graph_and_back_as_it_grows_and_shrinks() {
    let (_dir, path) = temp_db();
    let store = open_small_threshold(&path);
    fill(&store, 0, 3).await;
    assert_eq!(status(&store).await.kind, "exact");
    fill(&store, 3, 2).await;
    assert_eq!(status(&store).await.kind, "hnsw");
    for i in 0..4 {
        let text = format!("resource number {i} about subject {} in five parts", i * 7);
        let found = store
            .find_by_hash(&project(), &ltmc_core::content_hash(&text))
            .await
            .expect("find")
            .expect("stored");
        store
            .delete_resource(&project(), found.id)
            .await
            .expect("delete");
    }
    let shrunk = status(&store).await;
    assert_eq!((shrunk.kind.as_str(), shrunk.stored), ("exact", 5));
    assert!(index_files(&path).is_empty(), "{:?}", index_files(&path));
}
