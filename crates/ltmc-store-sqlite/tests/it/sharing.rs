//! Several handles on one file, as several ltmc processes (CLI, MCP servers)
//! would have: concurrent first opens and writes, and searches that must see
//! what another handle wrote.
//!
//! Each handle has its own connection and index cache, exactly as a separate
//! process would; threads stand in for processes.

use crate::support::{open, project, put_doc, raw, temp_db};
use ltmc_store::conformance::{split, vector_for};
use ltmc_store::{ChunkFilter, ResourceStore, StoreAdmin, VectorSearch};
use std::collections::HashSet;
use std::sync::{Arc, Barrier};

const WRITERS: usize = 4;
const PUTS_PER_WRITER: usize = 10;

#[test]
fn concurrent_first_opens_and_writers() {
    let (_dir, path) = temp_db();
    let start = Arc::new(Barrier::new(WRITERS));
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (path, start) = (path.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                // All open the fresh file at the same instant: one migrates,
                // the others must wait and find every table there.
                start.wait();
                let store = open(&path);
                runtime.block_on(async {
                    for i in 0..PUTS_PER_WRITER {
                        let text = format!("writer {w} stores resource {i} in three chunks");
                        put_doc(&store, &text, 3).await;
                    }
                });
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a writer failed");
    }

    let conn = raw(&path);
    let vector_ids: Vec<i64> = conn
        .prepare("SELECT vector_id FROM chunks")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("vector ids");
    let total = WRITERS * PUTS_PER_WRITER * 3;
    assert_eq!(vector_ids.len(), total);
    assert_eq!(vector_ids.iter().collect::<HashSet<_>>().len(), total);
    let migrations: i64 = conn
        .query_row("SELECT count(*) FROM schema_version", [], |r| r.get(0))
        .expect("schema_version");
    assert_eq!(migrations, ltmc_store_sqlite::LATEST_SCHEMA_VERSION);

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let report = runtime
        .block_on(open(&path).check_integrity())
        .expect("integrity");
    assert!(report.is_ok(), "{report:?}");
}

#[tokio::test]
async fn concurrent_tasks_on_one_handle() {
    let (_dir, path) = temp_db();
    let store = open(&path);
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                put_doc(&store, &format!("task {i} writes while others search"), 2).await;
                let query = vector_for(&format!("task {i}"));
                store
                    .nearest_chunks(&project(), &query, 3, &ChunkFilter::default())
                    .await
                    .expect("search")
            })
        })
        .collect();
    for task in tasks {
        assert!(!task.await.expect("task").is_empty());
    }
    assert!(store.check_integrity().await.expect("integrity").is_ok());
}

/// The second handle has a loaded index when the first one writes: the write
/// generation must make it reload, for a put and for a delete.
#[tokio::test]
async fn a_search_sees_another_handles_writes() {
    let (_dir, path) = temp_db();
    let (writer, reader) = (open(&path), open(&path));
    let search = |text: String| {
        let reader = reader.clone();
        async move {
            reader
                .nearest_chunks(&project(), &vector_for(&text), 10, &ChunkFilter::default())
                .await
                .expect("search")
        }
    };
    let first = "the first resource, seen by the reader";
    put_doc(&writer, first, 2).await;
    let q = split(first, 2)[0].text.clone();
    assert_eq!(search(q.clone()).await.len(), 2);

    let second = "the second resource, written after the reader loaded its index";
    let out = put_doc(&writer, second, 2).await;
    let hits = search(split(second, 2)[1].text.clone()).await;
    assert_eq!(hits.len(), 4);
    assert_eq!(hits[0].chunk.resource_id, out.resource_id);

    writer
        .delete_resource(&project(), out.resource_id)
        .await
        .expect("delete");
    let hits = search(q).await;
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().all(|h| h.chunk.resource_id != out.resource_id));
}
