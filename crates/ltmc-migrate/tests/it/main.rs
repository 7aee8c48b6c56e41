//! Integration tests of ltmc-migrate on real SQLite stores (tempdirs) with
//! the deterministic hash embedder: a whole-store copy round trip, and a
//! copy refused by a target that holds data. The legacy migration's
//! end-to-end tests (fixtures made by the original LTMC's own code) run
//! through the binary in crates/ltmc/tests/it/legacy_migrate.rs.

use ltmc_core::{ChunkConfig, NewTodo, Priority, Project};
use ltmc_embed::Embedder;
use ltmc_embed::testing::HashEmbedder;
use ltmc_migrate::{MigrateError, NoProgress, copy_store};
use ltmc_service::{Memory, SearchMode, SearchRequest, StoreRequest};
use ltmc_store::{EmbeddingSpec, StoreDump};
use ltmc_store_sqlite::SqliteStore;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

fn embedder() -> Arc<dyn Embedder> {
    Arc::new(HashEmbedder::new(32).unwrap())
}

fn spec(e: &dyn Embedder) -> EmbeddingSpec {
    EmbeddingSpec {
        model_id: e.model_id().to_owned(),
        dimension: e.dimension(),
    }
}

fn open(path: &Path, spec: Option<&EmbeddingSpec>) -> SqliteStore {
    SqliteStore::open(path, spec).unwrap()
}

/// A store with two documents and a todo in project `p`.
async fn filled(path: &Path) -> Memory {
    let e = embedder();
    let store = Arc::new(open(path, Some(&spec(e.as_ref()))));
    let memory = Memory::new(store, e, ChunkConfig::default()).unwrap();
    let project = Project::new("p").unwrap();
    for (name, text) in [
        (
            "wal.md",
            "SQLite write-ahead logging lets readers run beside one writer.",
        ),
        (
            "hnsw.md",
            "An HNSW graph answers nearest-neighbour queries approximately.",
        ),
    ] {
        memory
            .store_text(StoreRequest {
                project: project.clone(),
                file_name: name.into(),
                resource_type: "document".into(),
                content: text.into(),
                metadata: serde_json::json!({"source": name}),
            })
            .await
            .unwrap();
    }
    memory
        .store()
        .add_todo(
            &project,
            NewTodo {
                title: "copy the store".into(),
                description: String::new(),
                priority: Priority::High,
            },
        )
        .await
        .unwrap();
    memory
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copied_store_holds_exactly_the_source_s_records_and_answers_alike() {
    let dir = tempfile::tempdir().unwrap();
    let source_memory = filled(&dir.path().join("a.db")).await;
    let source = open(&dir.path().join("a.db"), None);
    let e = embedder();
    let target = open(&dir.path().join("b.db"), Some(&spec(e.as_ref())));

    let report = copy_store(&source, &target, Instant::now(), &NoProgress)
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    let resources = report
        .tables
        .iter()
        .find(|t| t.table == "resources")
        .unwrap();
    assert_eq!((resources.source, resources.target), (2, 2));
    let todos = report.tables.iter().find(|t| t.table == "todos").unwrap();
    assert_eq!((todos.source, todos.target), (1, 1));
    assert!(report.rows >= 5, "{report:#?}");
    assert!(
        report
            .sequences
            .iter()
            .all(|s| s.ok && s.target >= s.source)
    );
    assert_eq!(
        source.export_dump().await.unwrap().checksums(),
        target.export_dump().await.unwrap().checksums()
    );

    // The copy answers a search as the source does, ids included.
    let copy_memory = Memory::new(Arc::new(target), e, ChunkConfig::default()).unwrap();
    let ask = || SearchRequest {
        project: Project::new("p").unwrap(),
        query: "readers beside a writer".into(),
        top_k: 2,
        resource_type: None,
        mode: SearchMode::Hybrid,
    };
    let ids = |hits: Vec<ltmc_service::SearchHit>| -> Vec<_> {
        hits.iter().map(|h| h.chunk.id).collect()
    };
    let want = ids(source_memory.search(ask()).await.unwrap());
    assert_eq!(want.len(), 2);
    assert_eq!(ids(copy_memory.search(ask()).await.unwrap()), want);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_target_that_holds_data_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    filled(&dir.path().join("a.db")).await;
    filled(&dir.path().join("b.db")).await;
    let source = open(&dir.path().join("a.db"), None);
    let target = open(&dir.path().join("b.db"), None);
    let before = target.export_dump().await.unwrap().checksums();
    let err = copy_store(&source, &target, Instant::now(), &NoProgress)
        .await
        .unwrap_err();
    assert!(matches!(err, MigrateError::ImportDump { .. }), "{err}");
    assert_eq!(target.export_dump().await.unwrap().checksums(), before);
}
