//! Forward-only schema migrations, applied when a store is opened.
//!
//! Each migration is a numbered SQL file under `migrations/`, compiled in with
//! `include_str!` and recorded in `schema_version` in the same transaction
//! that applies it, so a table is never missing: every process that opens the
//! file either finds the latest schema or creates it before doing anything
//! else. There are no down-migrations: a database written by a newer ltmc is
//! refused, never rewritten.

use crate::error::{Error, Result};
use ltmc_store::StoreError;
use rusqlite::{Connection, TransactionBehavior, params};
use std::path::Path;

/// The schema version this build creates and understands.
pub const LATEST_SCHEMA_VERSION: i64 = 11;

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
    /// What SQL alone cannot do, run after `sql` in the same transaction.
    then: Option<fn(&rusqlite::Transaction<'_>) -> Result<()>>,
}

/// In order, numbered from 1 without gaps (a unit test holds us to it).
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init",
        sql: include_str!("../migrations/0001_init.sql"),
        then: None,
    },
    Migration {
        version: 2,
        name: "0002_chunk_fts",
        sql: include_str!("../migrations/0002_chunk_fts.sql"),
        then: None,
    },
    Migration {
        version: 3,
        name: "0003_vector_log",
        sql: include_str!("../migrations/0003_vector_log.sql"),
        then: None,
    },
    Migration {
        version: 4,
        name: "0004_activity",
        sql: include_str!("../migrations/0004_activity.sql"),
        then: None,
    },
    Migration {
        version: 5,
        name: "0005_fix_patterns",
        sql: include_str!("../migrations/0005_fix_patterns.sql"),
        then: None,
    },
    Migration {
        version: 6,
        name: "0006_calibrations",
        sql: include_str!("../migrations/0006_calibrations.sql"),
        then: None,
    },
    Migration {
        version: 7,
        name: "0007_mining",
        sql: include_str!("../migrations/0007_mining.sql"),
        then: None,
    },
    Migration {
        version: 8,
        name: "0008_mining_resume",
        sql: include_str!("../migrations/0008_mining_resume.sql"),
        then: None,
    },
    Migration {
        version: 9,
        name: "0009_pattern_citations",
        sql: include_str!("../migrations/0009_pattern_citations.sql"),
        then: None,
    },
    Migration {
        version: 10,
        name: "0010_draft_layers",
        sql: include_str!("../migrations/0010_draft_layers.sql"),
        then: Some(loosen_layers_check),
    },
    Migration {
        version: 11,
        name: "0011_resource_folds",
        sql: include_str!("../migrations/0011_resource_folds.sql"),
        then: None,
    },
];

/// The `layers` check of `fix_patterns` as 0005 wrote it, and as 0010 makes it.
const LAYERS_CHECK_BEFORE: &str = "AND json_array_length(layers) > 0)";
const LAYERS_CHECK_AFTER: &str = "AND (json_array_length(layers) > 0 OR reviewed = 0))";

/// 0010: a draft (`reviewed = 0`) may have no layers yet; a mined fix gets
/// them from the team's path map or from its reviewer. SQLite cannot alter
/// a CHECK; its documented way to loosen one (<https://sqlite.org/lang_altertable.html>,
/// "Making Other Kinds Of Table Schema Changes") rewrites the stored
/// `CREATE TABLE` text under `writable_schema` and bumps `schema_version`,
/// safe because every stored row satisfies the looser check. A rebuild of
/// the table would have to drop and recreate every table, index and
/// trigger that refers to it.
fn loosen_layers_check(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let version: i64 = tx.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    tx.execute_batch("PRAGMA writable_schema = ON")?;
    let changed = tx.execute(
        "UPDATE sqlite_schema SET sql = replace(sql, ?1, ?2) \
         WHERE type = 'table' AND name = 'fix_patterns' AND instr(sql, ?1) > 0",
        [LAYERS_CHECK_BEFORE, LAYERS_CHECK_AFTER],
    )?;
    tx.execute_batch(&format!(
        "PRAGMA schema_version = {}; PRAGMA writable_schema = OFF",
        version + 1
    ))?;
    if changed == 1 {
        Ok(())
    } else {
        Err(Error::Store(StoreError::Corrupt(
            "migration 0010: the layers check of fix_patterns is not the one 0005 wrote".into(),
        )))
    }
}

/// Brings the database at `conn` to [`LATEST_SCHEMA_VERSION`]; returns it.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<i64> {
    // The common case (already migrated) takes no write lock, so processes
    // opening a busy store do not queue behind each other's writes.
    let seen = current_version(conn, path)?;
    refuse_newer(seen, path)?;
    if seen == LATEST_SCHEMA_VERSION {
        return Ok(seen);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Several processes may open a fresh data dir at the same instant: the one
    // that got the write lock first has migrated while we waited, so read the
    // version again now that nobody else can change it.
    let version = current_version(&tx, path)?;
    refuse_newer(version, path)?;
    for migration in MIGRATIONS.iter().filter(|m| m.version > version) {
        tx.execute_batch(migration.sql)?;
        if let Some(then) = migration.then {
            then(&tx)?;
        }
        tx.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![migration.version, migration.name, ltmc_core::now_rfc3339()],
        )?;
        tracing::info!(
            path = %path.display(),
            version = migration.version,
            name = migration.name,
            "applied schema migration"
        );
    }
    tx.commit()?;
    Ok(LATEST_SCHEMA_VERSION)
}

/// The schema version of the database: 0 for an empty file. A database that
/// has tables but no `schema_version` is someone else's, not a fresh store.
pub(crate) fn current_version(conn: &Connection, path: &Path) -> Result<i64> {
    // One statement, so one snapshot: read as two, a migration committed by
    // another process in between would show its tables without the
    // schema_version that came with them.
    let (has_versions, foreign): (bool, Option<String>) = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'), \
                (SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 ORDER BY name LIMIT 1)",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if has_versions {
        // schema_version only ever grows, so a second statement is safe here.
        return Ok(conn.query_row(
            "SELECT coalesce(max(version), 0) FROM schema_version",
            [],
            |row| row.get(0),
        )?);
    }
    match foreign {
        None => Ok(0),
        Some(table) => Err(Error::Store(StoreError::Corrupt(format!(
            "{}: not an ltmc store (it has table {table:?} but no schema_version); \
             give ltmc its own data directory, or import an old LTMC database with `ltmc migrate --from`",
            path.display()
        )))),
    }
}

pub(crate) fn refuse_newer(version: i64, path: &Path) -> Result<()> {
    if version > LATEST_SCHEMA_VERSION {
        return Err(Error::Store(StoreError::Corrupt(format!(
            "{}: schema version {version} was written by a newer ltmc; this build understands up to \
             {LATEST_SCHEMA_VERSION}. Upgrade ltmc, or use another data directory",
            path.display()
        ))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_without_gaps() {
        for (i, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, i64::try_from(i + 1).unwrap());
            assert!(
                migration
                    .name
                    .starts_with(&format!("{:04}_", migration.version)),
                "{}",
                migration.name
            );
        }
        assert_eq!(
            MIGRATIONS.last().map(|m| m.version),
            Some(LATEST_SCHEMA_VERSION)
        );
    }

    #[test]
    fn fresh_database_migrates_once() {
        let path = Path::new(":memory:");
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(current_version(&conn, path).unwrap(), 0);
        assert_eq!(migrate(&mut conn, path).unwrap(), LATEST_SCHEMA_VERSION);
        assert_eq!(migrate(&mut conn, path).unwrap(), LATEST_SCHEMA_VERSION);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, LATEST_SCHEMA_VERSION);
    }

    /// A version-1 file (migration 1 alone, as an older ltmc wrote it) is
    /// upgraded in place, and the chunks it held become keyword-searchable.
    #[test]
    fn version_1_upgrades_and_indexes_its_chunks() {
        let path = Path::new(":memory:");
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0].sql).unwrap();
        conn.execute_batch(
            "INSERT INTO schema_version VALUES (1, '0001_init', 'then'); \
             INSERT INTO resources (project, file_name, resource_type, content_hash, content, \
                                    chunk_count, created_at) \
             VALUES ('p', 'a.md', 'document', 'h', 'legacy words', 1, 'then'); \
             INSERT INTO chunks (resource_id, project, ordinal, start_byte, end_byte, text, vector_id) \
             VALUES (1, 'p', 0, 0, 12, 'legacy words', 1);",
        )
        .unwrap();
        assert_eq!(current_version(&conn, path).unwrap(), 1);
        assert_eq!(migrate(&mut conn, path).unwrap(), LATEST_SCHEMA_VERSION);
        let found: i64 = conn
            .query_row(
                "SELECT rowid FROM chunk_fts WHERE chunk_fts MATCH 'legacy'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 1);
    }

    #[test]
    fn foreign_database_is_refused() {
        let path = Path::new("old.db");
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE Resources (id INTEGER PRIMARY KEY)")
            .unwrap();
        let err = current_version(&conn, path).unwrap_err().into_store(path);
        assert!(
            matches!(&err, StoreError::Corrupt(m) if m.contains("Resources")),
            "{err}"
        );
    }
}
