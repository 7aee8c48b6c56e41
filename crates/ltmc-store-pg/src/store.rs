//! [`PgStore`]: a pool of connections to one PostgreSQL database, cheap to
//! clone, safe to share between tasks and between ltmc servers (every write
//! is one transaction; ids come from sequences).
//!
//! Not here: the SQL of each use case (resources, search, chat, fix...) and
//! opening/migrating (open.rs).

use crate::error::{Error, Result};
use ltmc_store::{EmbeddingSpec, StoreError};
use std::sync::Arc;

/// The scale-out ltmc store. Open it with [`PgStore::connect`].
#[derive(Clone)]
pub struct PgStore {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub pool: deadpool_postgres::Pool,
    /// The server and database, without the password: for messages.
    pub location: String,
    /// The model recorded in the database; `None` until some open records one.
    pub embedding: Option<EmbeddingSpec>,
    pub schema_version: i64,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("location", &self.shared.location)
            .field("embedding", &self.shared.embedding)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// The server and database this store talks to, without the password.
    pub fn location(&self) -> &str {
        &self.shared.location
    }

    /// The embedding model recorded in the database, if any.
    pub fn embedding(&self) -> Option<&EmbeddingSpec> {
        self.shared.embedding.as_ref()
    }

    /// A pooled connection.
    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object> {
        Ok(self.shared.pool.get().await?)
    }

    /// The recorded model, which every vector write and search needs.
    pub(crate) fn spec(&self) -> Result<&EmbeddingSpec> {
        self.shared.embedding.as_ref().ok_or_else(|| {
            Error::Store(StoreError::Unavailable(format!(
                "{}: no embedding model is recorded in this database yet; open it once with a model",
                self.shared.location
            )))
        })
    }

    /// Maps a crate error to the neutral one, naming this database.
    pub(crate) fn fail(&self, err: Error) -> StoreError {
        err.into_store(&self.shared.location)
    }
}
