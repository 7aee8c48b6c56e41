//! Opening the database file: path checks, connection pragmas (WAL, foreign
//! keys, sync level, memory map and page cache size), migrations and the
//! embedding-model check, in that order.
//!
//! Everything that can make a store unusable is found here, at open time, with
//! the path in the message; after a successful open every table exists and the
//! model is known. This is not a connection pool: one connection per store.

use crate::error::{Error, Result};
use crate::{meta, migrate};
use ltmc_store::{EmbeddingSpec, StoreError};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::Path;
use std::thread;
use std::time::Duration;

/// How long a statement waits for another process's write lock before the
/// call fails as Unavailable. Writes are short; 30 s only runs out when
/// something is wrong.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How much of the database file SQLite reads through a memory map (bytes).
const MMAP_SIZE: i64 = 256 << 20;
/// The page cache's ceiling: negative is KiB, so 64 MiB.
const CACHE_SIZE: i64 = -65_536;

/// The connection and what was recorded in the store, ready to use.
pub(crate) struct Opened {
    pub conn: Connection,
    pub embedding: Option<EmbeddingSpec>,
}

pub(crate) fn open(path: &Path, embedding: Option<&EmbeddingSpec>) -> Result<Opened> {
    let mut conn = connect(path)?;
    migrate::migrate(&mut conn, path)?;
    let embedding = meta::settle_embedding(&mut conn, embedding)?;
    Ok(Opened { conn, embedding })
}

fn connect(path: &Path) -> Result<Connection> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Error::Store(StoreError::Unavailable(format!(
            "{}: directory {} does not exist; create the data directory first (`ltmc init`) or pass another one",
            path.display(),
            parent.display()
        ))));
    }
    if path.is_dir() {
        return Err(Error::Store(StoreError::Unavailable(format!(
            "{}: is a directory, not a database file",
            path.display()
        ))));
    }
    // No SQLITE_OPEN_URI: a data dir named "file:..." is a path, not a URI.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    set_wal(&conn, path)?;
    // Per connection, not per file: without it ON DELETE CASCADE does nothing.
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // In WAL mode NORMAL loses at most the last transactions on power loss,
    // never consistency, and saves an fsync per write.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Pattern search reads the content and problem vectors of every
    // candidate (about 25 MB at 10,000 patterns) on each call. Through
    // SQLite's default 2 MiB page cache each page was copied in from the OS
    // again; mapped, and with room to keep them, warm searches took about
    // half the time (`ltmc bench patterns`, issue 5). Both are ceilings, not
    // allocations: the cache grows only as pages are read, and the map is
    // address space backed by the OS page cache that processes share.
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
    conn.pragma_update(None, "cache_size", CACHE_SIZE)?;
    Ok(conn)
}

/// Switches to WAL (readers never wait for the writer). Switching needs a
/// moment of exclusive access, which processes opening a fresh file together
/// can deny each other without the busy handler being consulted, so retry.
fn set_wal(conn: &Connection, path: &Path) -> Result<()> {
    const ATTEMPTS: u32 = 100;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        {
            Ok(mode) => {
                if !mode.eq_ignore_ascii_case("wal") {
                    // Some file systems cannot do WAL; the store still works,
                    // only readers and the writer wait for each other.
                    tracing::warn!(path = %path.display(), mode, "SQLite refused WAL journal mode");
                }
                return Ok(());
            }
            Err(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == ErrorCode::DatabaseBusy && attempt < ATTEMPTS =>
            {
                thread::sleep(Duration::from_millis(50));
            }
            Err(err) => return Err(err.into()),
        }
    }
}
