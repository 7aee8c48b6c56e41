//! Shared setup of the use-case tests: a store (SQLite in a temporary
//! directory, or with `LTMC_TEST_BACKEND=postgres` a throw-away PostgreSQL
//! database, so that every use case is tested on both backends) and the
//! deterministic hash embedder.

use ltmc_core::ChunkConfig;
use ltmc_embed::testing::HashEmbedder;
use ltmc_service::Memory;
use ltmc_store::Store;
use ltmc_store_pg::PgStore;
use ltmc_store_pg::testing::{TestDb, postgres_selected, server_url};
use ltmc_store_sqlite::SqliteStore;
use std::sync::Arc;

/// What a test's store lives in; dropped (files or database) with it. Held,
/// never read: its drop is the point.
#[allow(dead_code)]
pub enum Backing {
    Dir(tempfile::TempDir),
    Database(TestDb),
}

/// A fresh store on the selected backend, and the hash embedder's service.
pub async fn memory() -> (Memory, Backing) {
    let embedder = Arc::new(HashEmbedder::new(64).unwrap());
    let spec = ltmc_store::EmbeddingSpec {
        model_id: ltmc_embed::Embedder::model_id(embedder.as_ref()).to_owned(),
        dimension: 64,
    };
    let (store, backing): (Arc<dyn Store>, Backing) = if postgres_selected() {
        let server = server_url().expect("LTMC_TEST_BACKEND=postgres needs LTMC_TEST_DATABASE_URL");
        let db = TestDb::create(&server).await;
        let store = PgStore::connect(&db.url, Some(&spec)).await.unwrap();
        (Arc::new(store), Backing::Database(db))
    } else {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("ltmc.db"), Some(&spec)).unwrap();
        (Arc::new(store), Backing::Dir(dir))
    };
    let memory = Memory::new(store, embedder, ChunkConfig::default()).unwrap();
    (memory, backing)
}
