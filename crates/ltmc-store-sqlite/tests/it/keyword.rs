//! What only the SQLite keyword index promises: its tokenizer (stemming,
//! diacritics, identifiers split at punctuation), the upgrade of a version-1
//! file, and the integrity check noticing an index that drifted from chunks.
//!
//! The backend-neutral behaviour of keyword search (escaping, filters,
//! isolation, ranking) is in the conformance suite, not here.

use crate::support::{counts, open, project, put_doc, raw, spec, temp_db};
use ltmc_core::{NewChunk, content_hash};
use ltmc_store::conformance::{self, vector_for};
use ltmc_store::{ChunkFilter, KeywordSearch, ResourceStore, StoreAdmin, VectorSearch};
use ltmc_store_sqlite::{LATEST_SCHEMA_VERSION, SqliteStore};
use rusqlite::params;
use std::path::Path;

async fn keyword(store: &SqliteStore, query: &str) -> Vec<String> {
    store
        .keyword_chunks(&project(), query, 10, &ChunkFilter::default())
        .await
        .expect("keyword search")
        .into_iter()
        .map(|hit| hit.chunk.text)
        .collect()
}

/// `text`, which need not be ASCII, as a resource of one chunk.
async fn put_one_chunk(store: &SqliteStore, text: &str) {
    let chunk = NewChunk {
        ordinal: 0,
        start: 0,
        end: text.len(),
        text: text.to_owned(),
        vector: vector_for(text),
    };
    let resource = conformance::resource(&project(), "a.md", "document", text);
    store
        .put_resource(resource, vec![chunk])
        .await
        .expect("put");
}

#[tokio::test]
async fn tokenizer_suits_prose_and_code() {
    let (_dir, path) = temp_db();
    let store = open(&path);
    let texts = [
        "Configs are parsed at startup; the café reopens",
        "fn parse_config_v2(path: &Path) -> Result<Config>",
        "let vector_id = ResourceChunks::next(); // running total",
    ];
    for text in texts {
        put_one_chunk(&store, text).await;
    }
    // (query, the texts it finds, in any order)
    let cases: &[(&str, &[usize])] = &[
        ("config", &[0, 1]),  // stemmed plural; one part of an identifier
        ("parsing", &[0, 1]), // porter: parsing, parsed, parse
        ("run", &[2]),        // porter: running
        ("CAFE", &[0]),       // case and diacritics folded
        ("parse_config_v2", &[1]),
        ("config_parse", &[]), // a phrase: order matters
        ("v2", &[1]),
        ("vector_id", &[2]),
        ("resourcechunks::NEXT()", &[2]),
        ("startup;", &[0]),
    ];
    for (query, expected) in cases {
        let mut found: Vec<usize> = keyword(&store, query)
            .await
            .iter()
            .map(|text| texts.iter().position(|t| t == text).expect("a stored text"))
            .collect();
        found.sort_unstable();
        assert_eq!(found, *expected, "{query:?}");
    }
}

/// Migration 1 alone, plus one resource written the way ltmc wrote them
/// before keyword search existed.
fn write_version_1_store(path: &Path, text: &str) {
    let conn = raw(path);
    conn.execute_batch(include_str!("../../migrations/0001_init.sql"))
        .expect("schema 1");
    let vector: Vec<u8> = vector_for(text)
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let spec = spec();
    conn.execute(
        "INSERT INTO schema_version VALUES (1, '0001_init', '2025-01-01T00:00:00Z')",
        [],
    )
    .expect("version");
    conn.execute(
        "UPDATE store_meta SET embedding_model = ?1, dimension = ?2, write_generation = 2",
        params![spec.model_id, i64::try_from(spec.dimension).unwrap()],
    )
    .expect("model");
    conn.execute(
        "INSERT INTO resources (project, file_name, resource_type, content_hash, content, \
                                chunk_count, created_at) \
         VALUES (?1, 'old.md', 'document', ?2, ?3, 1, '2025-01-01T00:00:00Z')",
        params![project().as_str(), content_hash(text), text],
    )
    .expect("resource");
    conn.execute(
        "INSERT INTO chunks (resource_id, project, ordinal, start_byte, end_byte, text, vector_id) \
         VALUES (1, ?1, 0, 0, ?2, ?3, 1)",
        params![project().as_str(), i64::try_from(text.len()).unwrap(), text],
    )
    .expect("chunk");
    conn.execute(
        "INSERT INTO vectors (vector_id, chunk_id, project, embedding) VALUES (1, 1, ?1, ?2)",
        params![project().as_str(), vector],
    )
    .expect("vector");
    conn.execute("UPDATE vector_id_sequence SET next_id = 2", [])
        .expect("sequence");
}

#[tokio::test]
async fn a_version_1_store_gains_keyword_search_on_open() {
    let (_dir, path) = temp_db();
    let text = "written by an ltmc that had no keyword search";
    write_version_1_store(&path, text);

    let store = open(&path);
    let info = store.info().await.expect("info");
    assert_eq!(info.schema_version, LATEST_SCHEMA_VERSION);
    assert_eq!(counts(&store).await, (1, 1, 1));
    let applied: Vec<String> = raw(&path)
        .prepare("SELECT name FROM schema_version ORDER BY version")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("schema_version");
    assert_eq!(
        applied,
        [
            "0001_init",
            "0002_chunk_fts",
            "0003_vector_log",
            "0004_activity",
            "0005_fix_patterns",
            "0006_calibrations",
            "0007_mining",
            "0008_mining_resume",
            "0009_pattern_citations",
            "0010_draft_layers",
            "0011_resource_folds"
        ]
    );
    // 0010 rewrote the layers check in place: the schema reads it back and
    // the file is sound.
    let table: String = raw(&path)
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'fix_patterns'",
            [],
            |r| r.get(0),
        )
        .expect("fix_patterns");
    assert!(
        table.contains("json_array_length(layers) > 0 OR reviewed = 0"),
        "{table}"
    );
    let check: String = raw(&path)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
    let uid: String = raw(&path)
        .query_row("SELECT store_uid FROM store_meta", [], |r| r.get(0))
        .expect("store_uid");
    assert_eq!(uid.len(), 32, "a random identity: {uid:?}");

    // The old chunk was indexed by the migration; the old vector still reads.
    assert_eq!(keyword(&store, "keyword").await, [text]);
    let hits = store
        .nearest_chunks(&project(), &vector_for(text), 1, &ChunkFilter::default())
        .await
        .expect("vector search");
    assert_eq!(hits[0].chunk.text, text);
    // New writes are indexed by the triggers.
    put_doc(&store, "stored after the upgrade, keyword too", 1).await;
    assert_eq!(keyword(&store, "keyword").await.len(), 2);
    assert!(store.check_integrity().await.expect("integrity").is_ok());
    // The vector from before the log existed and the one after are both indexed.
    let statuses = store.check_indexes().await.expect("indexes");
    assert_eq!(statuses[0].stored, 2);
    assert!(statuses[0].agrees(), "{statuses:?}");

    // Opening again migrates nothing more.
    drop(store);
    let store = open(&path);
    assert_eq!(keyword(&store, "upgrade").await.len(), 1);
}

#[tokio::test]
async fn integrity_check_finds_a_stale_keyword_index() {
    let (_dir, path) = temp_db();
    let store = open(&path);
    put_doc(&store, "a chunk about otters and their dams", 1).await;
    assert!(store.check_integrity().await.expect("integrity").is_ok());

    // Another program removes the index entries behind the store's back.
    raw(&path)
        .execute_batch(
            "INSERT INTO chunk_fts (chunk_fts, rowid, text) \
             SELECT 'delete', id, text FROM chunks",
        )
        .expect("damage");
    assert!(keyword(&store, "otters").await.is_empty());
    let report = store.check_integrity().await.expect("integrity");
    assert!(
        report.problems.iter().any(|p| p.contains("chunk_fts")),
        "{report:?}"
    );
    assert!(!report.is_ok());

    // The repair the report suggests.
    raw(&path)
        .execute_batch("INSERT INTO chunk_fts (chunk_fts) VALUES ('rebuild')")
        .expect("rebuild");
    assert!(store.check_integrity().await.expect("integrity").is_ok());
    assert_eq!(keyword(&store, "otters").await.len(), 1);
}

/// Keyword search reads the file, not a cache: another handle's writes and
/// deletes show at once.
#[tokio::test]
async fn keyword_search_sees_another_handles_writes() {
    let (_dir, path) = temp_db();
    let (writer, reader) = (open(&path), open(&path));
    assert!(keyword(&reader, "heron").await.is_empty());
    let out = put_doc(&writer, "a heron waits by the weir", 1).await;
    assert_eq!(keyword(&reader, "heron").await.len(), 1);
    writer
        .delete_resource(&project(), out.resource_id)
        .await
        .expect("delete");
    assert!(keyword(&reader, "heron").await.is_empty());
}
