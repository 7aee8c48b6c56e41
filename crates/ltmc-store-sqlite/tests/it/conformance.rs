//! The backend-neutral conformance suite of ltmc-store, run on fresh SQLite
//! stores, one temp dir per check. Nothing SQLite-specific is asserted here.

use ltmc_store::EmbeddingSpec;
use ltmc_store_sqlite::SqliteStore;
use tempfile::TempDir;

async fn fresh(spec: &EmbeddingSpec) -> (SqliteStore, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ltmc.db");
    let spec = spec.clone();
    // Opening blocks (file I/O, maybe a lock wait): off the async threads.
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path, Some(&spec)))
        .await
        .expect("open task")
        .expect("open");
    (store, dir)
}

ltmc_store::store_conformance_tests!(fresh);
