//! The backend-neutral conformance suite of ltmc-store, run on fresh SQLite
//! stores, one temp dir per check, twice: with the default index options
//! (the suite's small projects are searched exactly) and with every project
//! on an HNSW graph, so both search paths meet every behaviour. Nothing
//! SQLite-specific is asserted here.

use ltmc_store::EmbeddingSpec;
use ltmc_store_sqlite::{IndexOptions, SqliteStore};
use tempfile::TempDir;

async fn fresh_with(spec: &EmbeddingSpec, options: IndexOptions) -> (SqliteStore, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ltmc.db");
    let spec = spec.clone();
    // Opening blocks (file I/O, maybe a lock wait): off the async threads.
    let store =
        tokio::task::spawn_blocking(move || SqliteStore::open_with(&path, Some(&spec), options))
            .await
            .expect("open task")
            .expect("open");
    (store, dir)
}

mod exact {
    use super::*;

    async fn fresh(spec: &EmbeddingSpec) -> (SqliteStore, TempDir) {
        fresh_with(spec, IndexOptions::default()).await
    }

    ltmc_store::store_conformance_tests!(fresh);
}

mod hnsw {
    use super::*;

    /// Every project with a vector gets a graph, and every filter walks it.
    async fn fresh(spec: &EmbeddingSpec) -> (SqliteStore, TempDir) {
        let options = IndexOptions {
            ann_threshold: 1,
            ..IndexOptions::default()
        };
        fresh_with(spec, options).await
    }

    ltmc_store::store_conformance_tests!(fresh);
}
