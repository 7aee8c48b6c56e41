//! Helpers shared by the SQLite-specific tests: temp stores, raw access to the
//! file behind the store's back, and a resource builder.
//!
//! Raw rusqlite is used only to damage or inspect a file the way another
//! program could; the store itself is always driven through its traits.

use ltmc_core::{NewChunk, NewResource, Project, PutOutcome};
use ltmc_store::conformance::{self, split};
use ltmc_store::{EmbeddingSpec, ResourceStore, StoreAdmin};
use ltmc_store_sqlite::SqliteStore;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub fn spec() -> EmbeddingSpec {
    conformance::spec()
}

/// A fresh data dir and the database path inside it.
pub fn temp_db() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ltmc.db");
    (dir, path)
}

pub fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path, Some(&spec())).expect("open store")
}

pub fn project() -> Project {
    conformance::project("default")
}

pub fn doc(content: &str, parts: usize) -> (NewResource, Vec<NewChunk>) {
    (
        conformance::resource(&project(), "doc.md", "document", content),
        split(content, parts),
    )
}

pub async fn put_doc(store: &SqliteStore, content: &str, parts: usize) -> PutOutcome {
    let (resource, chunks) = doc(content, parts);
    store.put_resource(resource, chunks).await.expect("put")
}

pub async fn counts(store: &SqliteStore) -> (u64, u64, u64) {
    let info = store.info().await.expect("info");
    (info.resources, info.chunks, info.vectors)
}

pub fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("raw connection")
}
