//! [`SqliteStore`]: one SQLite connection and its vector-index cache behind a
//! mutex, driven from async code through `spawn_blocking`.
//!
//! SQLite calls block, so none runs on the async runtime's threads; every
//! trait method moves its owned arguments into a blocking task that takes the
//! lock. One connection per store is deliberate: SQLite has a single writer
//! anyway, and WAL lets other processes read meanwhile. Not a pool, and the
//! trait implementations live beside the SQL they run (resources, search,
//! keyword, admin), not here.

use crate::cache::{IndexCache, IndexOptions, Snapshot};
use crate::error::{Error, Result};
use crate::open::OpenOptions;
use crate::{index_file, meta, open};
use ltmc_store::{EmbeddingSpec, StoreError};
use rusqlite::{Connection, ErrorCode};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// The embedded ltmc store: a SQLite database file plus a vector index per
/// project (exact when small, HNSW when large, its graph kept in a file beside
/// the database), brought up to the database's vector log before each search.
/// Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct SqliteStore {
    shared: Arc<Shared>,
}

struct Shared {
    path: PathBuf,
    /// Why the store is read-only, when it is.
    read_only: Option<String>,
    state: Mutex<State>,
}

/// What the lock guards.
pub(crate) struct State {
    pub conn: Connection,
    pub cache: IndexCache,
    /// The model recorded in the file; `None` until some open records one.
    pub embedding: Option<EmbeddingSpec>,
    /// Opened read-only: checks that SQLite counts as writes are skipped.
    pub read_only: bool,
}

impl SqliteStore {
    /// Opens (creating and migrating if needed) the database at `path`.
    ///
    /// With `Some(spec)` the store is bound to that embedding model: recorded
    /// on the first open, and a later open with another model or dimension
    /// fails with `WrongModel` / `WrongDimension`. With `None` nothing is
    /// checked or recorded (for `ltmc doctor`); such a store cannot take
    /// writes until a model has been recorded.
    ///
    /// This blocks (file I/O, and up to 30 s on another process's write lock):
    /// from async code call it inside `tokio::task::spawn_blocking`.
    pub fn open(path: &Path, embedding: Option<&EmbeddingSpec>) -> Result<Self, StoreError> {
        Self::open_with(path, embedding, IndexOptions::default())
    }

    /// [`SqliteStore::open`] with explicit vector-index options (the size
    /// above which a project gets an HNSW graph, its parameters, and where
    /// rebuild progress is reported).
    pub fn open_with(
        path: &Path,
        embedding: Option<&EmbeddingSpec>,
        options: IndexOptions,
    ) -> Result<Self, StoreError> {
        Self::open_configured(path, embedding, options, &OpenOptions::default())
    }

    /// [`SqliteStore::open_with`] with how to open the file: its durability,
    /// and read-only. A store is also opened read-only, with the reason
    /// logged and kept ([`SqliteStore::read_only`]), when its file or
    /// directory cannot be written; every write is then refused with an
    /// `Unavailable` error that says so.
    pub fn open_configured(
        path: &Path,
        embedding: Option<&EmbeddingSpec>,
        options: IndexOptions,
        open: &OpenOptions,
    ) -> Result<Self, StoreError> {
        let opened = open::open(path, embedding, open).map_err(|e| e.into_store(path))?;
        let mut cache = IndexCache::new(options, index_file::dir_for(path));
        cache.read_only = opened.read_only.is_some();
        Ok(Self {
            shared: Arc::new(Shared {
                path: path.to_owned(),
                state: Mutex::new(State {
                    conn: opened.conn,
                    cache,
                    embedding: opened.embedding,
                    read_only: opened.read_only.is_some(),
                }),
                read_only: opened.read_only,
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Why this store was opened read-only; `None` when it can be written.
    pub fn read_only(&self) -> Option<&str> {
        self.shared.read_only.as_deref()
    }

    /// The refusal of a write to this read-only store.
    pub(crate) fn refusal(&self) -> StoreError {
        self.shared.refusal()
    }

    /// Runs `work` on the blocking pool with the lock held, mapping its errors
    /// once, with the path.
    pub(crate) async fn call<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut State, &Path) -> Result<T> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        let joined = tokio::task::spawn_blocking(move || {
            let mut state = shared.lock();
            work(&mut state, &shared.path).map_err(|e| shared.fail(e))
        })
        .await;
        match joined {
            Ok(result) => result,
            // A panic in the store is a bug: let it surface where it was awaited.
            Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
            Err(err) => Err(StoreError::Unavailable(format!(
                "{}: store task did not finish: {err}",
                self.shared.path.display()
            ))),
        }
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.shared.path)
            .finish_non_exhaustive()
    }
}

/// Marks the error of a write refused because the store is read-only; the
/// CLI recognises it by this text to give its hint.
pub const READ_ONLY_REFUSAL: &str = "the store is open read-only";

impl Shared {
    fn refusal(&self) -> StoreError {
        StoreError::Unavailable(format!(
            "{}: {READ_ONLY_REFUSAL} ({}), and this call writes",
            self.path.display(),
            self.read_only.as_deref().unwrap_or("read-only")
        ))
    }

    /// The neutral error; a write that SQLite refused on a read-only store
    /// says why the store is read-only.
    fn fail(&self, err: Error) -> StoreError {
        if self.read_only.is_some()
            && let Error::Sql(sql) = &err
            && sql.sqlite_error_code() == Some(ErrorCode::ReadOnly)
        {
            return self.refusal();
        }
        err.into_store(&self.path)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| {
            // A task panicked holding the lock. The connection is sound (an
            // open transaction rolled back when it was dropped during the
            // unwind) but the cache may be half-updated: drop it.
            let mut state = poisoned.into_inner();
            state.cache.clear();
            self.state.clear_poison();
            state
        })
    }
}

impl State {
    /// The store's vector dimension, re-read from the file when this handle
    /// was opened before any model was recorded.
    pub(crate) fn embedding(&mut self) -> Result<Option<&EmbeddingSpec>> {
        if self.embedding.is_none() {
            self.embedding = meta::read_embedding(&self.conn)?;
        }
        Ok(self.embedding.as_ref())
    }

    /// Runs `work` on the index cache against one read snapshot of the file
    /// (the transaction commits after it). Without a recorded model nothing
    /// was ever stored: `T::default()`.
    pub(crate) fn with_snapshot<T: Default>(
        &mut self,
        work: impl FnOnce(&mut IndexCache, &Snapshot<'_>) -> Result<T>,
    ) -> Result<T> {
        let Some(dimension) = self.embedding()?.map(|spec| spec.dimension) else {
            return Ok(T::default());
        };
        let tx = self.conn.transaction()?;
        let (generation, store_uid) = meta::read_position(&tx)?;
        let snap = Snapshot {
            conn: &tx,
            dimension,
            generation,
            store_uid: &store_uid,
        };
        let result = work(&mut self.cache, &snap)?;
        tx.commit()?;
        Ok(result)
    }

    /// Like [`State::embedding`], for writes, which need a dimension.
    pub(crate) fn dimension_for_write(&mut self, path: &Path) -> Result<usize> {
        match self.embedding()? {
            Some(spec) => Ok(spec.dimension),
            None => Err(Error::Store(StoreError::Unavailable(format!(
                "{}: no embedding model is recorded in this store yet; open it with a model before storing",
                path.display()
            )))),
        }
    }
}
