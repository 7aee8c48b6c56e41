//! The database file across opens: persistence, the recorded embedding model,
//! schema versions, and files that are not (or no longer) a usable store.
//!
//! Each test names the file's state and the error a user would see; none of
//! them needs a second process (that is `sharing.rs`).

use crate::support::{counts, doc, open, project, put_doc, raw, spec, temp_db};
use ltmc_store::conformance::vector_for;
use ltmc_store::{ChunkFilter, EmbeddingSpec, ResourceStore, StoreAdmin, StoreError, VectorSearch};
use ltmc_store_sqlite::{LATEST_SCHEMA_VERSION, SqliteStore};

#[tokio::test]
async fn reopen_persists_everything() {
    let (_dir, path) = temp_db();
    let text = "persisted across a close and an open";
    let first = {
        let store = open(&path);
        let out = put_doc(&store, text, 2).await;
        store
            .chunks_of(&project(), out.resource_id)
            .await
            .expect("chunks")
    };
    let store = open(&path);
    assert_eq!(counts(&store).await, (1, 2, 2));
    let hits = store
        .nearest_chunks(
            &project(),
            &vector_for(&first[1].text),
            1,
            &ChunkFilter::default(),
        )
        .await
        .expect("search");
    assert_eq!(hits[0].chunk, first[1]);
    // The allocator persisted too: new ids continue after the old ones.
    let out = put_doc(&store, "stored after reopening", 2).await;
    let next = store
        .chunks_of(&project(), out.resource_id)
        .await
        .expect("chunks");
    assert!(next[0].vector_id > first[1].vector_id);

    let info = store.info().await.expect("info");
    assert_eq!(info.backend, "sqlite");
    assert_eq!(info.location, path.display().to_string());
    assert_eq!(info.schema_version, LATEST_SCHEMA_VERSION);
    let mode: String = raw(&path)
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal mode");
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn another_model_or_dimension_is_refused() {
    let (_dir, path) = temp_db();
    drop(open(&path));
    let other_model = EmbeddingSpec {
        model_id: "another-model".into(),
        ..spec()
    };
    let err = SqliteStore::open(&path, Some(&other_model)).err();
    assert!(
        matches!(&err, Some(StoreError::WrongModel { expected, got })
            if *expected == spec().model_id && got == "another-model"),
        "{err:?}"
    );
    let other_dimension = EmbeddingSpec {
        dimension: 16,
        ..spec()
    };
    let err = SqliteStore::open(&path, Some(&other_dimension)).err();
    assert!(
        matches!(
            err,
            Some(StoreError::WrongDimension {
                expected: 8,
                got: 16
            })
        ),
        "{err:?}"
    );
    // Without a model (doctor) the store opens and reports what it holds.
    let store = SqliteStore::open(&path, None).expect("open without a model");
    let info = store.info().await.expect("info");
    assert_eq!((info.embedding_model, info.dimension), (spec().model_id, 8));
}

#[tokio::test]
async fn a_store_without_a_model_refuses_writes() {
    let (_dir, path) = temp_db();
    let store = SqliteStore::open(&path, None).expect("open");
    assert_eq!(store.info().await.expect("info").dimension, 0);
    let (resource, chunks) = doc("no model recorded yet", 1);
    let err = store.put_resource(resource, chunks).await.err();
    assert!(matches!(err, Some(StoreError::Unavailable(_))), "{err:?}");
    // Once another handle records a model, this one can write.
    drop(open(&path));
    put_doc(&store, "now there is a model", 1).await;
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let (_dir, path) = temp_db();
    drop(open(&path));
    raw(&path)
        .execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (99, '0099_future', 'x')",
            [],
        )
        .expect("fake a future migration");
    let err = SqliteStore::open(&path, Some(&spec())).err();
    assert!(
        matches!(&err, Some(StoreError::Corrupt(m)) if m.contains("99") && m.contains(&*path.to_string_lossy())),
        "{err:?}"
    );
}

#[test]
fn garbage_bytes_are_corrupt() {
    let (_dir, path) = temp_db();
    let garbage: Vec<u8> = (0..16_384u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, garbage).expect("write garbage");
    let err = SqliteStore::open(&path, Some(&spec())).err();
    assert!(
        matches!(&err, Some(StoreError::Corrupt(m)) if m.contains(&*path.to_string_lossy())),
        "{err:?}"
    );
}

#[test]
fn someone_elses_database_is_refused() {
    let (_dir, path) = temp_db();
    raw(&path)
        .execute_batch("CREATE TABLE Resources (id INTEGER PRIMARY KEY, file_name TEXT)")
        .expect("an old LTMC-like database");
    let err = SqliteStore::open(&path, Some(&spec())).err();
    assert!(
        matches!(&err, Some(StoreError::Corrupt(m)) if m.contains("Resources")),
        "{err:?}"
    );
}

#[test]
fn a_missing_directory_is_unavailable() {
    let (dir, _) = temp_db();
    let path = dir.path().join("no-such-dir").join("ltmc.db");
    let err = SqliteStore::open(&path, Some(&spec())).err();
    assert!(
        matches!(&err, Some(StoreError::Unavailable(m)) if m.contains("no-such-dir")),
        "{err:?}"
    );
    assert!(!path.exists());
}

#[tokio::test]
async fn a_write_failing_midway_leaves_nothing() {
    let (_dir, path) = temp_db();
    let store = open(&path);
    // Another program's trigger makes the third chunk's insert fail, after
    // the resource and two chunks were inserted in the same transaction.
    raw(&path)
        .execute_batch(
            "CREATE TRIGGER fail_third BEFORE INSERT ON chunks WHEN NEW.ordinal = 2 \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .expect("trigger");
    let (resource, chunks) = doc("five chunks, the third of which cannot be written", 5);
    let err = store.put_resource(resource, chunks).await.err();
    assert!(
        matches!(&err, Some(StoreError::Conflict(m)) if m.contains("injected")),
        "{err:?}"
    );
    assert_eq!(counts(&store).await, (0, 0, 0));

    raw(&path)
        .execute_batch("DROP TRIGGER fail_third")
        .expect("drop trigger");
    // The vector-id allocation rolled back with the rest.
    let out = put_doc(&store, "stored once the trigger is gone", 2).await;
    let chunks = store
        .chunks_of(&project(), out.resource_id)
        .await
        .expect("chunks");
    assert_eq!(chunks[0].vector_id.0, 1);
    assert!(store.check_integrity().await.expect("integrity").is_ok());
}

#[tokio::test]
async fn integrity_check_finds_damage() {
    let (_dir, path) = temp_db();
    let store = open(&path);
    put_doc(&store, "a resource whose vector will be damaged", 2).await;
    let conn = raw(&path);
    conn.execute_batch(
        "UPDATE vectors SET embedding = x'00' WHERE vector_id = 1; \
         PRAGMA foreign_keys = OFF; DELETE FROM vectors WHERE vector_id = 2;",
    )
    .expect("damage");
    let report = store.check_integrity().await.expect("integrity");
    assert_eq!(report.wrong_dimension_vectors, 1);
    assert_eq!(report.chunks_without_vector, 1);
    assert!(!report.is_ok());
    // Search refuses a damaged vector rather than mis-scoring it.
    let err = store
        .nearest_chunks(&project(), &vector_for("q"), 1, &ChunkFilter::default())
        .await
        .err();
    assert!(matches!(err, Some(StoreError::Corrupt(_))), "{err:?}");
}
