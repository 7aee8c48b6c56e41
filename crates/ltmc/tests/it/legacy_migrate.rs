//! `ltmc migrate` on the legacy fixtures (original-schema SQLite databases
//! with real FAISS and pickle indexes, `crates/ltmc-legacy/tests/fixtures`),
//! with the real model: the report's counts are the fixture's, the source
//! files stay byte-identical, `--verify` passes, a second run imports
//! nothing, `--rollback` restores the store the migration replaced, damaged
//! or locked sources fail clearly without touching the target, a killed run
//! is resumed without duplicates, and a store written meanwhile is not
//! replaced.
//!
//! The fixture directory comes from `LTMC_LEGACY_FIXTURES` (`scripts/test`
//! sets it from `scripts/legacy-fixtures`); without it the tests say so and
//! pass, except on CI. Each migration re-embeds every chunk, so each fixture
//! is migrated once and reused, and v2_flat (111 chunks, one of 100 KB) is
//! migrated more often: full cycle, reference for the kill test, three
//! killed runs and their resumptions, the refused switch. The migration refuses PostgreSQL, so these stores
//! are SQLite whatever `LTMC_TEST_BACKEND` says.

use crate::support::{Ltmc, Run, path_str};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const STORE_FILES: [&str; 4] = ["ltmc.db", "ltmc.db-wal", "ltmc.db-shm", "ltmc.db-ann"];
const PRE_TEXT: &str = "Penguins huddle together to keep warm through the Antarctic winter.\n";

/// The fixture directory, or `None` (with a message) when it is not set up
/// here; on CI its absence fails the test.
#[allow(clippy::print_stderr)] // says why a test was skipped
fn fixtures() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LTMC_LEGACY_FIXTURES") {
        return Some(PathBuf::from(dir));
    }
    let why = "set LTMC_LEGACY_FIXTURES=$(scripts/legacy-fixtures) (after cargo build -p ltmc)";
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why} (required on CI)"
    );
    eprintln!("skipped: {why}");
    None
}

fn expected(fixture: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(fixture.join("expected.json")).unwrap()).unwrap()
}

/// A SQLite store with the real model (never PostgreSQL: see the module doc).
fn sqlite_ltmc() -> Ltmc {
    Ltmc {
        dir: tempfile::tempdir().unwrap(),
        hash_embedder: false,
        db: None,
    }
}

fn run(lt: &Ltmc, args: &[&str]) -> Run {
    Run::from(
        lt.command()
            .env_remove("LTMC_DATABASE_URL")
            .args(args)
            .output()
            .unwrap(),
    )
}

fn sha(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// The store's files in the data dir, by name, with their bytes' checksums.
fn store_snapshot(lt: &Ltmc) -> BTreeMap<&'static str, String> {
    STORE_FILES
        .iter()
        .filter(|f| lt.data_dir().join(f).is_file())
        .map(|f| (*f, sha(&lt.data_dir().join(f))))
        .collect()
}

/// The data dir's entries (names), to prove a failed run added nothing.
fn entries(lt: &Ltmc) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(lt.data_dir()) else {
        return Vec::new();
    };
    let mut out: Vec<String> = dir
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// Stores a small document before the migration, as a user's existing store.
fn pre_store(lt: &Ltmc) {
    let file = lt.file("penguins.txt", PRE_TEXT);
    run(lt, &["store", path_str(&file)]).ok();
}

/// The text of the first search hit for `query`.
fn first_hit(lt: &Ltmc, query: &str) -> Option<String> {
    let out = run(lt, &["search", "--json", query]).ok().json();
    out["results"][0]["text"].as_str().map(str::to_owned)
}

fn migrate(lt: &Ltmc, fixture: &Path, extra: &[&str]) -> Run {
    let db = fixture.join("ltmc.db");
    let mut args = vec!["migrate", "--from", path_str(&db)];
    args.extend_from_slice(extra);
    run(lt, &args)
}

/// The report's per-table counts and vector statistics are the fixture's.
fn assert_counts(name: &str, report: &Value, expected: &Value) {
    let tables = report["tables"].as_object().unwrap();
    for (table, want) in expected["tables"].as_object().unwrap() {
        let got = &tables
            .get(table)
            .unwrap_or_else(|| panic!("{name}: no {table} in {report:#}"));
        for key in ["read", "imported", "skipped"] {
            assert_eq!(got[key], want[key], "{name} {table} {key}: {got:#}");
        }
    }
    for (table, got) in tables {
        assert!(
            got["read"] == 0 || expected["tables"].get(table).is_some(),
            "{name}: unexpected table {table} {got:#}"
        );
    }
    for (key, want) in expected["vectors"].as_object().unwrap() {
        assert_eq!(
            &report["vectors"][key], want,
            "{name} vectors.{key}: {:#}",
            report["vectors"]
        );
    }
}

/// One fixture end to end, into a store that already holds a document:
/// migrate, verify, migrate again, roll the second run back.
fn full_cycle(name: &str) {
    let Some(root) = fixtures() else { return };
    let fixture = root.join(name);
    let expected = expected(&fixture);
    let sources = [fixture.join("ltmc.db"), fixture.join("faiss_index")];
    let before: Vec<String> = sources.iter().map(|p| sha(p)).collect();
    let lt = sqlite_ltmc();
    pre_store(&lt);
    let premigration = store_snapshot(&lt);

    let report = migrate(&lt, &fixture, &["--json"]).ok().json();
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["source_unchanged"], true);
    assert_counts(name, &report, &expected);
    let after: Vec<String> = sources.iter().map(|p| sha(p)).collect();
    assert_eq!(before, after, "{name}: the source files changed");
    // The backup holds the source files byte for byte.
    let backup = PathBuf::from(report["backup"].as_str().unwrap());
    for (src, digest) in sources.iter().zip(&before) {
        assert_eq!(&sha(&backup.join(src.file_name().unwrap())), digest);
    }

    let verified = migrate(&lt, &fixture, &["--verify", "--json"]).ok().json();
    assert_eq!(verified["ok"], true, "{verified:#}");
    assert_eq!(
        verified["chunks_checked"],
        expected["tables"]["ResourceChunks"]["read"]
    );
    // The document stored before the migration is still there.
    assert_eq!(
        first_hit(&lt, "penguins Antarctic").as_deref(),
        Some(PRE_TEXT)
    );
    let migrated = store_snapshot(&lt);

    // Idempotent: a second run imports nothing and skips every row.
    let again = migrate(&lt, &fixture, &["--json"]).ok().json();
    for (table, t) in again["tables"].as_object().unwrap() {
        assert_eq!(t["imported"], 0, "{name} second run {table}: {t:#}");
        assert_eq!(t["skipped"], t["read"], "{name} second run {table}: {t:#}");
    }
    assert_eq!(again["vectors"]["matched"], report["vectors"]["matched"]);
    assert_eq!(sources.iter().map(|p| sha(p)).collect::<Vec<_>>(), before);

    // Rollback puts back exactly the store the second run replaced, then
    // the one the first run replaced, then says there is nothing more.
    let rolled = run(&lt, &["migrate", "--rollback", "--json"]).ok().json();
    assert!(rolled["rolled_back"].is_string(), "{rolled:#}");
    assert_eq!(rolled["migrations_left"], 1, "{rolled:#}");
    assert_eq!(
        store_snapshot(&lt),
        migrated,
        "{name}: rollback changed the store"
    );
    let rolled = run(&lt, &["migrate", "--rollback", "--json"]).ok().json();
    assert_eq!(rolled["migrations_left"], 0, "{rolled:#}");
    assert_eq!(
        store_snapshot(&lt),
        premigration,
        "{name}: the second rollback did not restore the store from before"
    );
    run(&lt, &["migrate", "--rollback"]).fails_with("no migration to roll back");
}

#[test]
fn v1_pickle_migrates_verifies_and_is_idempotent() {
    full_cycle("v1_pickle");
}

#[test]
fn v2_flat_migrates_verifies_and_is_idempotent() {
    full_cycle("v2_flat");
}

#[test]
fn v3_idmap_migrates_verifies_and_is_idempotent() {
    full_cycle("v3_idmap");
}

/// Rollback after one migration restores the store that was there before
/// (its files byte for byte, its document found, the legacy ones gone), or
/// no store at all where there was none.
#[test]
fn rollback_restores_the_previous_store() {
    let Some(root) = fixtures() else { return };
    let fixture = root.join("v3_idmap");
    let legacy_text = "Document 10, part 0";

    let lt = sqlite_ltmc();
    pre_store(&lt);
    let previous = store_snapshot(&lt);
    assert!(previous.contains_key("ltmc.db"));
    migrate(&lt, &fixture, &[]).ok();
    assert!(
        first_hit(&lt, legacy_text)
            .unwrap()
            .starts_with(legacy_text)
    );
    run(&lt, &["migrate", "--rollback"]).ok();
    assert_eq!(store_snapshot(&lt), previous);
    assert_eq!(
        first_hit(&lt, "penguins Antarctic").as_deref(),
        Some(PRE_TEXT)
    );
    assert!(
        !first_hit(&lt, legacy_text)
            .unwrap_or_default()
            .starts_with(legacy_text)
    );

    let fresh = sqlite_ltmc();
    migrate(&fresh, &fixture, &[]).ok();
    assert!(fresh.data_dir().join("ltmc.db").is_file());
    run(&fresh, &["migrate", "--rollback"]).ok();
    assert!(store_snapshot(&fresh).is_empty(), "{:?}", entries(&fresh));
}

/// A truncated index file and a source database of garbage bytes fail with
/// an error and a hint, and leave the data dir as it was: the existing
/// store unchanged, no store created where there was none.
#[test]
fn damaged_sources_fail_clearly_and_leave_the_target_untouched() {
    let Some(root) = fixtures() else { return };
    let fixture = root.join("v3_idmap");
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("ltmc.db");
    std::fs::copy(fixture.join("ltmc.db"), &db).unwrap();
    let index = std::fs::read(fixture.join("faiss_index")).unwrap();
    let truncated = tmp.path().join("faiss_index");
    std::fs::write(&truncated, &index[..index.len() / 2]).unwrap();
    let garbage = tmp.path().join("garbage.db");
    std::fs::write(
        &garbage,
        b"\x13\x37 this was never a SQLite database \xff".repeat(64),
    )
    .unwrap();
    let good_index = fixture.join("faiss_index");
    let cases: [(&str, &Path, &Path, &str); 2] = [
        ("truncated index", &db, &truncated, "index file"),
        ("garbage database", &garbage, &good_index, "legacy database"),
    ];

    let with_store = sqlite_ltmc();
    pre_store(&with_store);
    let fresh = sqlite_ltmc();
    for lt in [&with_store, &fresh] {
        let store = store_snapshot(lt);
        let listing = entries(lt);
        for (what, from, index, needle) in cases {
            let out = run(
                lt,
                &[
                    "migrate",
                    "--from",
                    path_str(from),
                    "--index",
                    path_str(index),
                ],
            );
            out.fails_with(needle);
            assert_eq!(store_snapshot(lt), store, "{what}: the store changed");
            assert_eq!(entries(lt), listing, "{what}: the data dir changed");
        }
    }
    assert_eq!(
        first_hit(&with_store, "penguins Antarctic").as_deref(),
        Some(PRE_TEXT)
    );
    assert_eq!(sha(&db), sha(&fixture.join("ltmc.db")));
}

/// The store's size as `ltmc doctor` reports it ("N resources, N chunks, N
/// vectors"), and whether its checks pass.
fn store_size(lt: &Ltmc) -> (String, bool) {
    let doctor = run(lt, &["--json", "doctor"]).json();
    let schema = doctor["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "schema")
        .unwrap()["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    let size = schema[schema.find('(').unwrap()..schema.find(';').unwrap()].to_owned();
    (size, doctor["ok"] == true)
}

fn migrate_child(lt: &Ltmc, fixture: &Path, extra: &[&str]) -> std::process::Child {
    lt.command()
        .env_remove("LTMC_DATABASE_URL")
        .args(["migrate", "--from", path_str(&fixture.join("ltmc.db"))])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until `ready` holds for the running migration's data dir; false
/// when the migration ended first.
fn wait_until(lt: &Ltmc, child: &mut std::process::Child, ready: impl Fn(&Path) -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while std::time::Instant::now() < deadline {
        if ready(&lt.data_dir()) {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    panic!("the migration reached no expected state in 300 s");
}

fn staging_file_len(data_dir: &Path, name: &str) -> u64 {
    std::fs::metadata(data_dir.join("migrate-staging").join(name)).map_or(0, |m| m.len())
}

/// Waits until the running migration has set up its staging store.
fn wait_for_staging(lt: &Ltmc, child: &mut std::process::Child) -> bool {
    wait_until(lt, child, |d| {
        d.join("migrate-staging").join("staging.json").is_file()
    })
}

/// Where a test kills a running migration.
#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// As soon as its staging store is set up.
    Staged,
    /// Once the first raw-text embeddings are cached.
    Embedding,
    /// This long after every chunk's raw-text embedding is cached: while
    /// matching or importing.
    Importing(u64),
}

/// A migration killed (SIGKILL) at several moments leaves the configured
/// store as it was; the next run resumes the killed run's staging store
/// whenever one was left (its report says `resumed`), writes in small
/// batches (`--batch-chunks 4`), and ends with every row exactly once: every
/// table's rows imported or found already written, the same store size as an
/// uninterrupted migration (`ltmc doctor`), and `--verify` passing.
#[test]
#[allow(clippy::print_stderr)] // says where each kill landed
fn a_killed_migration_resumes_and_imports_every_row_once() {
    let Some(root) = fixtures() else { return };
    let fixture = root.join("v2_flat");
    let expected = expected(&fixture);
    let chunks = expected["tables"]["ResourceChunks"]["read"]
        .as_u64()
        .unwrap();
    let cached_all = chunks * 384 * 4;
    let reference = sqlite_ltmc();
    pre_store(&reference);
    migrate(&reference, &fixture, &[]).ok();
    let want = store_size(&reference);
    assert!(want.1, "{want:?}");

    for at in [KillAt::Staged, KillAt::Embedding, KillAt::Importing(2000)] {
        let lt = sqlite_ltmc();
        pre_store(&lt);
        let before = store_snapshot(&lt);
        let mut child = migrate_child(&lt, &fixture, &["--batch-chunks", "4"]);
        let reached = match at {
            KillAt::Staged => wait_for_staging(&lt, &mut child),
            KillAt::Embedding => {
                wait_until(&lt, &mut child, |d| staging_file_len(d, "fresh.f32") > 0)
            }
            KillAt::Importing(ms) => {
                let reached = wait_until(&lt, &mut child, |d| {
                    staging_file_len(d, "fresh.f32") >= cached_all
                });
                std::thread::sleep(std::time::Duration::from_millis(ms));
                reached
            }
        };
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap();
        child.wait().unwrap();
        let staging = lt.data_dir().join("migrate-staging");
        let left = staging.join("staging.json").is_file();
        eprintln!(
            "kill at {at:?}: reached {reached}, finished {finished}, staging left {left}, \
             cached embeddings {} of {cached_all} bytes, staging WAL {} bytes",
            staging_file_len(&lt.data_dir(), "fresh.f32"),
            staging_file_len(&lt.data_dir(), "ltmc.db-wal"),
        );
        if !finished {
            assert_eq!(
                store_snapshot(&lt),
                before,
                "a killed run changed the store"
            );
        }
        let report = migrate(&lt, &fixture, &["--json", "--batch-chunks", "4"])
            .ok()
            .json();
        assert_eq!(report["resumed"], left, "{report:#}");
        eprintln!(
            "  the next run: resumed {left}, chunks already in the staging store {}",
            report["tables"]["ResourceChunks"]["skipped"]
        );
        for (table, want) in expected["tables"].as_object().unwrap() {
            let got = &report["tables"][table];
            assert_eq!(got["read"], want["read"], "{table}: {got:#}");
            let done = got["imported"].as_u64().unwrap() + got["skipped"].as_u64().unwrap();
            assert_eq!(done, got["read"].as_u64().unwrap(), "{table}: {got:#}");
        }
        for key in ["matched", "differed", "no_vector", "vectors_without_chunk"] {
            assert_eq!(report["vectors"][key], expected["vectors"][key], "{key}");
        }
        assert!(!staging.exists(), "the staging store was left behind");
        assert_eq!(store_size(&lt), want, "kill at {at:?}");
        // The content itself, after the kill that lands mid-import (the
        // other cases resume less; full_cycle verifies a plain run).
        if matches!(at, KillAt::Importing(_)) {
            let verified = migrate(&lt, &fixture, &["--verify", "--json"]).ok().json();
            assert_eq!(verified["ok"], true, "{verified:#}");
        }
    }
}

/// A store written by another process while the migration runs is not
/// replaced: the switch is refused with a hint, the write is kept, nothing
/// of the legacy source is in the store and no staging store is left.
#[test]
fn a_store_written_during_the_migration_is_kept_and_the_switch_refused() {
    let Some(root) = fixtures() else { return };
    let fixture = root.join("v2_flat");
    let lt = sqlite_ltmc();
    pre_store(&lt);
    let mut child = migrate_child(&lt, &fixture, &[]);
    assert!(
        wait_for_staging(&lt, &mut child),
        "the migration ended early"
    );
    let pid = child.id().to_string();
    let signal = |sig: &str| {
        let status = std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap();
        assert!(status.success(), "kill {sig}");
    };
    // Paused while another process writes, so the write surely lands
    // between the migration's copy of the store and its switch.
    signal("-STOP");
    let note = "Kelp forests grow up to half a metre a day along cold coasts.\n";
    let file = lt.file("kelp.txt", note);
    run(&lt, &["store", path_str(&file)]).ok();
    signal("-CONT");
    let out = Run::from(child.wait_with_output().unwrap());
    out.fails_with("changed during the migration");
    assert_eq!(first_hit(&lt, "kelp forests").as_deref(), Some(note));
    assert_eq!(
        first_hit(&lt, "penguins Antarctic").as_deref(),
        Some(PRE_TEXT)
    );
    assert!(!lt.data_dir().join("migrate-staging").exists());
    let legacy = first_hit(&lt, "Section 3. The migration must never lose a chunk");
    assert!(
        !legacy.unwrap_or_default().starts_with("Section"),
        "legacy chunks reached the store"
    );
}

/// A source database held by a writer (the old server still running) fails
/// with a hint to stop it; the data dir is as it was and the source
/// unchanged. Once the writer is gone the same command migrates.
#[test]
fn a_locked_source_fails_clearly_and_leaves_the_target_untouched() {
    let Some(root) = fixtures() else { return };
    let fixture = root.join("v3_idmap");
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("ltmc.db");
    std::fs::copy(fixture.join("ltmc.db"), &db).unwrap();
    let index = fixture.join("faiss_index");
    let lt = sqlite_ltmc();
    pre_store(&lt);
    let store = store_snapshot(&lt);
    let listing = entries(&lt);

    let mut writer = exclusive_lock(&db);
    let args = [
        "migrate",
        "--from",
        path_str(&db),
        "--index",
        path_str(&index),
    ];
    run(&lt, &args).fails_with("locked");
    assert_eq!(store_snapshot(&lt), store, "the store changed");
    assert_eq!(entries(&lt), listing, "the data dir changed");
    writer.kill().unwrap();
    writer.wait().unwrap();
    assert_eq!(sha(&db), sha(&fixture.join("ltmc.db")));
    run(&lt, &args).ok();
}

/// A `python3` process holding an exclusive lock on the database (no
/// write: the file stays as it is), as a running old server can.
fn exclusive_lock(path: &Path) -> std::process::Child {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys\n\
             c=sqlite3.connect(sys.argv[1],isolation_level=None)\n\
             c.execute('BEGIN EXCLUSIVE')\n\
             print('locked',flush=True)\n\
             sys.stdin.read()",
        ])
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "locked");
    child
}
