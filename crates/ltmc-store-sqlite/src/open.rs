//! Opening the database file: path checks, connection pragmas (WAL, foreign
//! keys, sync level, memory map and page cache size), migrations and the
//! embedding-model check, in that order; or, for a store that cannot or must
//! not be written, a read-only open that migrates and records nothing.
//!
//! Everything that can make a store unusable is found here, at open time, with
//! the path in the message; after a successful open every table exists and the
//! model is known. This is not a connection pool: one connection per store.
//!
//! Read-only is chosen when asked for ([`OpenOptions::read_only`]), when the
//! file or its directory has no write permission bits, or when SQLite could
//! open the file only for reading (a read-only mount, EACCES, EROFS). A WAL
//! file on a read-only mount whose `-shm` cannot be created is opened as
//! `immutable` (SQLite then assumes nobody writes it).

use crate::error::{Error, Result};
use crate::{meta, migrate};
use ltmc_store::{EmbeddingSpec, StoreError};
use rusqlite::{Connection, ErrorCode, MAIN_DB, OpenFlags};
use std::fmt::Write as _;
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

/// How safely a commit is on disk when it returns: SQLite's `synchronous`
/// under WAL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=NORMAL`: a commit survives the process crashing or being
    /// killed; the last commits before a power loss or OS crash may be lost
    /// (the file stays consistent). One fsync per checkpoint, not per commit.
    #[default]
    Normal,
    /// `synchronous=FULL`: the WAL is synced on every commit, so a commit
    /// that returned survives power loss, at the cost of an fsync per write.
    Full,
}

impl Durability {
    /// The value of SQLite's `synchronous` pragma.
    pub fn pragma(self) -> &'static str {
        match self {
            Self::Normal => "NORMAL",
            Self::Full => "FULL",
        }
    }
}

/// How to open the store, beyond its vector index ([`crate::IndexOptions`]).
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    pub durability: Durability,
    /// Open read-only even where the files could be written: nothing is
    /// migrated, recorded or written, and every write is refused.
    pub read_only: bool,
}

/// The connection and what was recorded in the store, ready to use.
pub(crate) struct Opened {
    pub conn: Connection,
    pub embedding: Option<EmbeddingSpec>,
    /// Why the store is read-only, when it is.
    pub read_only: Option<String>,
}

pub(crate) fn open(
    path: &Path,
    embedding: Option<&EmbeddingSpec>,
    options: &OpenOptions,
) -> Result<Opened> {
    check_paths(path)?;
    let reason = if options.read_only {
        Some("read-only was asked for".to_owned())
    } else {
        not_writable(path)
    };
    if let Some(reason) = reason {
        return open_read_only(path, embedding, options, reason);
    }
    match connect(path, options) {
        Ok(conn) if conn.is_readonly(MAIN_DB).unwrap_or(false) => {
            // SQLite fell back to reading: a read-only mount or file.
            drop(conn);
            open_read_only(
                path,
                embedding,
                options,
                "SQLite could open it only for reading (read-only file system or file)".into(),
            )
        }
        Ok(mut conn) => {
            migrate::migrate(&mut conn, path)?;
            let embedding = meta::settle_embedding(&mut conn, embedding)?;
            Ok(Opened {
                conn,
                embedding,
                read_only: None,
            })
        }
        Err(Error::Sql(err)) if path.is_file() && cannot_write(&err) => {
            let reason = format!("opening it for writing failed: {err}");
            open_read_only(path, embedding, options, reason)
        }
        Err(err) => Err(err),
    }
}

/// Why `path` cannot be written, judged by its permission bits (and its
/// directory's, where SQLite creates the `-wal` and `-shm` files).
fn not_writable(path: &Path) -> Option<String> {
    let readonly = |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.permissions().readonly());
    if path.is_file() && readonly(path) {
        return Some(format!("{} has no write permission", path.display()));
    }
    let parent = parent_of(path);
    if path.is_file() && readonly(parent) {
        return Some(format!(
            "its directory {} has no write permission",
            parent.display()
        ));
    }
    None
}

fn cannot_write(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied)
    )
}

/// Opens without writing anything: no WAL switch, no migration, no model
/// recorded (a different one is still refused).
fn open_read_only(
    path: &Path,
    embedding: Option<&EmbeddingSpec>,
    options: &OpenOptions,
    reason: String,
) -> Result<Opened> {
    if !path.is_file() {
        return Err(Error::Store(StoreError::Unavailable(format!(
            "{}: no database to open read-only ({reason}); create the store where it can be written first",
            path.display()
        ))));
    }
    tracing::info!(path = %path.display(), reason, "opening the store read-only");
    let conn = match connect_read_only(path, options, false) {
        Ok(conn) => conn,
        // WAL needs its -shm file; on a read-only mount it cannot be created.
        Err(Error::Sql(err)) if err.sqlite_error_code() == Some(ErrorCode::CannotOpen) => {
            connect_read_only(path, options, true)?
        }
        Err(err) => return Err(err),
    };
    let version = migrate::current_version(&conn, path)?;
    if version != migrate::LATEST_SCHEMA_VERSION {
        migrate::refuse_newer(version, path)?;
        return Err(Error::Store(StoreError::Unavailable(format!(
            "{}: the store is open read-only ({reason}), but its schema v{version} must first be \
             migrated to v{}, which writes; open it once where it can be written",
            path.display(),
            migrate::LATEST_SCHEMA_VERSION
        ))));
    }
    let embedding = meta::check_embedding(&conn, embedding)?;
    Ok(Opened {
        conn,
        embedding,
        read_only: Some(reason),
    })
}

fn connect_read_only(path: &Path, options: &OpenOptions, immutable: bool) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if immutable {
        let Some(uri) = immutable_uri(path) else {
            return Err(Error::Store(StoreError::Unavailable(format!(
                "{}: cannot open read-only (the path is not UTF-8, so it cannot be opened as immutable)",
                path.display()
            ))));
        };
        Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)?
    } else {
        Connection::open_with_flags(path, flags)?
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", options.durability.pragma())?;
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
    conn.pragma_update(None, "cache_size", CACHE_SIZE)?;
    // The first read opens the WAL and its -shm: fail here, not later.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| {
        row.get::<_, i64>(0)
    })?;
    Ok(conn)
}

/// `file:PATH?immutable=1`, the path percent-encoded so that no character
/// of it is read as URI syntax.
fn immutable_uri(path: &Path) -> Option<String> {
    let text = path.to_str()?;
    let mut uri = String::from("file:");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/._-~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri.push_str("?immutable=1");
    Some(uri)
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn check_paths(path: &Path) -> Result<()> {
    let parent = parent_of(path);
    if parent.exists() && !parent.is_dir() {
        return Err(Error::Store(StoreError::Unavailable(format!(
            "{}: {} is a file, not a directory; pass a data directory",
            path.display(),
            parent.display()
        ))));
    }
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
    Ok(())
}

fn connect(path: &Path, options: &OpenOptions) -> Result<Connection> {
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
    // never consistency, and saves an fsync per write; FULL loses none.
    conn.pragma_update(None, "synchronous", options.durability.pragma())?;
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
