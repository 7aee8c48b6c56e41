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
use crate::{index_file, meta, open};
use ltmc_store::{EmbeddingSpec, StoreError};
use rusqlite::Connection;
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
    state: Mutex<State>,
}

/// What the lock guards.
pub(crate) struct State {
    pub conn: Connection,
    pub cache: IndexCache,
    /// The model recorded in the file; `None` until some open records one.
    pub embedding: Option<EmbeddingSpec>,
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
        let opened = open::open(path, embedding).map_err(|e| e.into_store(path))?;
        let cache = IndexCache::new(options, index_file::dir_for(path));
        Ok(Self {
            shared: Arc::new(Shared {
                path: path.to_owned(),
                state: Mutex::new(State {
                    conn: opened.conn,
                    cache,
                    embedding: opened.embedding,
                }),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.shared.path
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
            work(&mut state, &shared.path).map_err(|e| e.into_store(&shared.path))
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

impl Shared {
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
