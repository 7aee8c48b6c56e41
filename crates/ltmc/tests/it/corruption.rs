//! `ltmc doctor` against damaged SQLite stores: a deterministic sweep that
//! flips bytes in every page of copies of a small store, and an index entry
//! planted wrong (a row missing from its index), which only `--full` finds
//! and `ltmc reindex --all` repairs.
//!
//! SQLite's own `PRAGMA integrity_check`, run here directly with rusqlite,
//! is the judge of whether a copy is damaged. Always SQLite, whatever
//! `LTMC_TEST_BACKEND` says. Not here: the vector index (cli.rs).

use crate::support::{Ltmc, Run, path_str, run_with_timeout};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// A store of a dozen notes in a fresh SQLite data dir.
fn small_store() -> Ltmc {
    let ltmc = Ltmc {
        dir: tempfile::tempdir().unwrap(),
        hash_embedder: true,
        db: None,
    };
    for i in 0..12 {
        ltmc.file(
            &format!("notes/n{i}.md"),
            format!(
                "note {i} about topic {} and the ledger\n\nsecond paragraph {i}",
                i * 7
            ),
        );
    }
    let dir = ltmc.dir.path().join("files/notes");
    ltmc.run(&["store", path_str(&dir)]).ok();
    // The last connection closed: everything is in ltmc.db, no WAL left.
    assert!(!ltmc.data_dir().join("ltmc.db-wal").exists());
    ltmc
}

/// What SQLite's integrity_check says is wrong with `db` (empty: nothing).
fn integrity_problems(db: &Path) -> Vec<String> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let check = || -> rusqlite::Result<Vec<String>> {
        let conn = Connection::open_with_flags(db, flags)?;
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let lines = stmt.query_map([], |row| row.get::<_, String>(0))?;
        lines
            .filter(|l| l.as_ref().map_or(true, |l| l != "ok"))
            .collect()
    };
    check().unwrap_or_else(|e| vec![format!("cannot check: {e}")])
}

/// A copy of the store's data dir under `root`, named `name`.
fn copy_of(ltmc: &Ltmc, root: &Path, name: &str) -> PathBuf {
    let copy = root.join(name);
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(ltmc.data_dir()).unwrap().flatten() {
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
        }
    }
    copy
}

fn at(ltmc: &Ltmc, data_dir: &Path, args: &[&str]) -> Run {
    run_with_timeout(ltmc.command().env("LTMC_DATA_DIR", data_dir).args(args), 60)
}

/// Every copy SQLite finds damaged, `doctor --full` reports: non-zero
/// exit, an `error:` and a `hint:` line, a FAIL line, never a panic.
#[test]
fn doctor_full_reports_every_damaged_page() {
    let ltmc = small_store();
    let db = ltmc.data_dir().join("ltmc.db");
    let original = std::fs::read(&db).unwrap();
    let page_size = match u16::from_be_bytes([original[16], original[17]]) {
        1 => 65_536,
        n => usize::from(n),
    };
    let pages = original.len() / page_size;
    assert!(pages >= 30, "a store of {pages} pages");
    let root = tempfile::tempdir().unwrap();
    let (mut damaged, mut copies) = (0, 0);
    for page in 0..pages {
        // Two places a page: its b-tree header (page 1's follows the file
        // header) and the middle of its content.
        let header = if page == 0 { 100 } else { 0 };
        for (variant, offset) in [("head", header), ("mid", page_size / 2)] {
            let mut bytes = original.clone();
            let start = page * page_size + offset;
            for b in &mut bytes[start..start + 8] {
                *b ^= 0xA5;
            }
            let copy = copy_of(&ltmc, root.path(), &format!("p{page}-{variant}"));
            std::fs::write(copy.join("ltmc.db"), &bytes).unwrap();
            copies += 1;
            let problems = integrity_problems(&copy.join("ltmc.db"));
            let doctor = at(&ltmc, &copy, &["doctor", "--full"]);
            assert!(
                !doctor.stderr.contains("panicked"),
                "page {page} {variant}: {doctor:#?}"
            );
            if problems.is_empty() {
                continue;
            }
            damaged += 1;
            assert_ne!(
                doctor.code, 0,
                "page {page} {variant}: SQLite finds {problems:?}, doctor passes\n{doctor:#?}"
            );
            assert!(
                doctor.stderr.lines().any(|l| l.starts_with("error: ")),
                "page {page} {variant}: {doctor:#?}"
            );
            let hint = doctor
                .stderr
                .lines()
                .find(|l| l.starts_with("hint: "))
                .unwrap_or_else(|| panic!("page {page} {variant}: no hint\n{doctor:#?}"));
            assert!(
                hint.contains("backup") || hint.contains("ltmc reindex"),
                "page {page} {variant}: {hint}"
            );
            assert!(
                doctor.stdout.contains("FAIL"),
                "page {page} {variant}: {doctor:#?}"
            );
            let _ = std::fs::remove_dir_all(&copy);
        }
    }
    // Most flipped headers break a page: the sweep is not vacuous.
    assert!(
        damaged * 3 >= pages,
        "only {damaged} of {copies} copies damaged"
    );
}

/// A varint at `bytes[at..]`: (value, length).
fn varint(bytes: &[u8], at: usize) -> (usize, usize) {
    let mut value = 0u64;
    for i in 0..9 {
        let b = bytes[at + i];
        if i == 8 {
            return (usize::try_from((value << 8) | u64::from(b)).unwrap(), 9);
        }
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return (usize::try_from(value).unwrap(), i + 1);
        }
    }
    unreachable!()
}

fn serial_size(serial: usize) -> usize {
    match serial {
        0 | 8 | 9 => 0,
        1..=4 => serial,
        5 => 6,
        6 | 7 => 8,
        n => (n - 12) / 2,
    }
}

/// Rewrites the row id of the last entry of `index` (a one-page index of a
/// rowid table) so that the entry names a row that does not exist: the real
/// row is then missing from the index, which is what a torn write or a bug
/// in an index update leaves behind.
fn plant_missing_index_row(db: &Path, index: &str) {
    let root: usize = Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = ?1",
            [index],
            |row| row.get(0),
        )
        .unwrap();
    let mut bytes = std::fs::read(db).unwrap();
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let page = (root - 1) * page_size;
    assert_eq!(bytes[page], 0x0a, "{index} is one leaf page");
    let cells = usize::from(u16::from_be_bytes([bytes[page + 3], bytes[page + 4]]));
    let pointer = page + 8 + 2 * (cells - 1);
    let cell = page + usize::from(u16::from_be_bytes([bytes[pointer], bytes[pointer + 1]]));
    let (_, payload_len) = varint(&bytes, cell);
    let record = cell + payload_len;
    let (header_len, mut at) = varint(&bytes, record);
    let mut serials = Vec::new();
    while at < header_len {
        let (serial, n) = varint(&bytes, record + at);
        serials.push(serial);
        at += n;
    }
    let rowid_serial = *serials.last().unwrap();
    assert_eq!(rowid_serial, 1, "the row id is one byte: {serials:?}");
    let value_at = record
        + header_len
        + serials[..serials.len() - 1]
            .iter()
            .map(|s| serial_size(*s))
            .sum::<usize>();
    assert!(bytes[value_at] < 100);
    bytes[value_at] += 100;
    std::fs::write(db, bytes).unwrap();
}

/// SQLite's quick_check does not compare indexes with their tables; `doctor
/// --full` does, says `ltmc reindex --all`, and that repairs it.
#[test]
fn a_row_missing_from_an_index_needs_full_and_reindex_repairs_it() {
    let ltmc = small_store();
    let root = tempfile::tempdir().unwrap();
    let copy = copy_of(&ltmc, root.path(), "planted");
    let db = copy.join("ltmc.db");
    plant_missing_index_row(&db, "resources_by_project_type");
    let problems = integrity_problems(&db);
    assert!(
        problems.iter().any(|p| p.contains("missing from index")),
        "{problems:?}"
    );

    let quick = at(&ltmc, &copy, &["doctor"]);
    assert!(quick.stdout.contains("quick_check"), "{quick:#?}");
    let full = at(&ltmc, &copy, &["doctor", "--full"]);
    assert_ne!(full.code, 0, "{full:#?}");
    assert!(
        full.stdout.contains("FAIL storage") && full.stdout.contains("missing from index"),
        "{full:#?}"
    );
    let hint = full
        .stderr
        .lines()
        .find(|l| l.starts_with("hint: "))
        .unwrap();
    assert!(hint.contains("ltmc reindex --all"), "{full:#?}");
    let json = at(&ltmc, &copy, &["doctor", "--full", "--json"]).json();
    let storage = &json["checks"][5];
    assert_eq!(storage["name"], "storage", "{json}");
    assert_eq!(storage["ok"], false, "{json}");

    at(&ltmc, &copy, &["reindex", "--all"]).ok();
    assert!(integrity_problems(&db).is_empty());
    let after = at(&ltmc, &copy, &["doctor", "--full"]).ok();
    assert!(
        after.stdout.contains("integrity_check found no damage"),
        "{after:#?}"
    );
}

/// A keyword index out of step with its chunks fails doctor with the
/// reindex hint, and `reindex --all` rebuilds it.
#[test]
fn a_stale_keyword_index_is_rebuilt_by_reindex_all() {
    let ltmc = small_store();
    let db = ltmc.data_dir().join("ltmc.db");
    Connection::open(&db)
        .unwrap()
        .execute_batch(
            "INSERT INTO chunk_fts (chunk_fts, rowid, text) SELECT 'delete', id, text FROM chunks",
        )
        .unwrap();
    let doctor = ltmc.run(&["doctor"]);
    assert_ne!(doctor.code, 0, "{doctor:#?}");
    assert!(doctor.stdout.contains("FAIL vectors"), "{doctor:#?}");
    let hint = doctor
        .stderr
        .lines()
        .find(|l| l.starts_with("hint: "))
        .unwrap();
    assert!(hint.contains("ltmc reindex --all"), "{doctor:#?}");
    ltmc.run(&["reindex", "--all"]).ok();
    ltmc.run(&["doctor", "--full"]).ok();
}
