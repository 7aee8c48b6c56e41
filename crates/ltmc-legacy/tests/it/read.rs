//! Each fixture's tables and index read back with the counts the generator
//! recorded; damaged files fail with a named error.

use crate::fixtures;
use ltmc_legacy::{IndexFormat, LegacyDatabase, LegacyError, LegacyIndex};

/// Whether the fixtures are missing (outside CI only: `scripts/test` makes
/// them, and on CI a skip would hide a regression).
#[allow(clippy::print_stderr)] // says why a test was skipped
fn skip() -> bool {
    if fixtures::dir().is_none() {
        let why = "set LTMC_LEGACY_FIXTURES=$(scripts/legacy-fixtures) or LTMC_LEGACY_PYTHON=1";
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{why} (required on CI)"
        );
        eprintln!("skipped: {why}");
        return true;
    }
    false
}

fn check(name: &str, format: IndexFormat) {
    let dir = fixtures::dir().unwrap().join(name);
    let expected = fixtures::expected(name);
    let before = std::fs::read(dir.join("ltmc.db")).unwrap();
    let db = LegacyDatabase::read(&dir.join("ltmc.db")).unwrap();
    for (table, counts) in expected["tables"].as_object().unwrap() {
        assert_eq!(
            db.rows(table),
            counts["read"].as_u64().unwrap(),
            "{name} {table}"
        );
    }
    assert_eq!(
        std::fs::read(dir.join("ltmc.db")).unwrap(),
        before,
        "source changed"
    );
    let index = LegacyIndex::read(&dir.join("faiss_index")).unwrap();
    assert_eq!(index.format, format);
    assert_eq!(index.dimension, 384);
    assert_eq!(
        index.len() as u64,
        expected["vectors"]["legacy_vectors"].as_u64().unwrap()
    );
    // all-MiniLM-L6-v2 vectors are unit length.
    let norm: f32 = index.vector(0).iter().map(|x| x * x).sum();
    assert!((norm - 1.0).abs() < 1e-3, "{norm}");
}

#[test]
fn v1_pickle() {
    if skip() {
        return;
    }
    check("v1_pickle", IndexFormat::Pickle);
    let db = LegacyDatabase::read(&fixtures::dir().unwrap().join("v1_pickle/ltmc.db")).unwrap();
    assert!(!db.has("Todos") && !db.has("Summaries"));
    assert!(db.messages.iter().all(|m| m.source_tool.is_none()));
}

#[test]
fn v2_flat() {
    if skip() {
        return;
    }
    check("v2_flat", IndexFormat::FaissFlatL2);
    let db = LegacyDatabase::read(&fixtures::dir().unwrap().join("v2_flat/ltmc.db")).unwrap();
    assert!(db.chunks.iter().any(|c| c.vector_id == Some(987_651)));
    assert!(db.chunks.iter().any(|c| c.text.len() > 100_000));
    assert!(db.chunks.iter().any(|c| c.text.contains("東京")));
    assert_eq!(db.todos.iter().filter(|t| t.completed).count(), 1);
    assert_eq!(db.patterns[1].result.as_deref(), Some("fail"));
}

#[test]
fn v3_idmap() {
    if skip() {
        return;
    }
    check("v3_idmap", IndexFormat::FaissIdMap);
    let dir = fixtures::dir().unwrap().join("v3_idmap");
    let db = LegacyDatabase::read(&dir.join("ltmc.db")).unwrap();
    let index = LegacyIndex::read(&dir.join("faiss_index")).unwrap();
    // The id map holds the chunks' own (hash-like) ids, in another order.
    let mut ids = index.ids.clone();
    ids.sort_unstable();
    let mut chunk_ids: Vec<i64> = db.chunks.iter().filter_map(|c| c.vector_id).collect();
    chunk_ids.sort_unstable();
    assert_eq!(ids, chunk_ids);
    assert_ne!(index.ids[0], db.chunks[0].vector_id.unwrap());
    assert_eq!(
        db.resources
            .iter()
            .filter(|r| r.archived == Some(true))
            .count(),
        1
    );
    assert!(
        db.todos
            .iter()
            .any(|t| t.completed && t.completed_at.is_some())
    );
}

#[test]
fn truncated_real_index_is_a_clear_error() {
    if skip() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    for name in ["v1_pickle", "v2_flat", "v3_idmap"] {
        let bytes = std::fs::read(fixtures::dir().unwrap().join(name).join("faiss_index")).unwrap();
        for cut in [1, 7, 40, bytes.len() / 2, bytes.len() - 1] {
            let path = tmp.path().join(format!("{name}-{cut}"));
            std::fs::write(&path, &bytes[..cut]).unwrap();
            let err = LegacyIndex::read(&path).unwrap_err();
            assert!(matches!(err, LegacyError::CorruptIndex { .. }), "{err}");
        }
    }
}

#[test]
fn not_a_database_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("ltmc.db");
    std::fs::write(
        &path,
        b"this is not SQLite at all, just some text bytes......",
    )
    .unwrap();
    let err = LegacyDatabase::read(&path).unwrap_err();
    assert!(matches!(err, LegacyError::CorruptDatabase { .. }), "{err}");
    let err = LegacyDatabase::read(&tmp.path().join("missing.db")).unwrap_err();
    assert!(matches!(err, LegacyError::Io { .. }), "{err}");
}

#[test]
fn a_locked_database_is_reported_as_locked() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("ltmc.db");
    let writer = rusqlite_free_writer(&path);
    let err = LegacyDatabase::read(&path).unwrap_err();
    assert!(matches!(err, LegacyError::Locked { .. }), "{err}");
    drop(writer);
}

/// Holds an exclusive lock on a fresh database from a `sqlite3` process,
/// as a still-running old server would.
fn rusqlite_free_writer(path: &std::path::Path) -> std::process::Child {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys,time\n\
             c=sqlite3.connect(sys.argv[1],isolation_level=None)\n\
             c.execute('CREATE TABLE Resources(id INTEGER PRIMARY KEY)')\n\
             c.execute('BEGIN EXCLUSIVE')\n\
             c.execute('INSERT INTO Resources VALUES (1)')\n\
             print('locked',flush=True)\n\
             sys.stdin.read()",
        ])
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "locked");
    child.stdin.as_mut().unwrap().flush().unwrap();
    child
}
