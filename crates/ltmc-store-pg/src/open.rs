//! Opening a PostgreSQL store: the URL (TCP or Unix socket), the connection
//! pool, the forward-only migrations, and the embedding model.
//!
//! Migrations are numbered SQL files compiled in with `include_str!`, applied
//! in one transaction that first takes a transaction-scoped advisory lock, so
//! several ltmc servers starting at once on an empty database neither race nor
//! apply a migration twice; the same transaction records (or checks) the
//! store's embedding model and gives every vector column its dimension and
//! HNSW index (pgvector indexes only fixed-dimension columns, and the
//! dimension is the model's). A database written by a newer ltmc is refused,
//! never rewritten. Not here: the use cases' SQL.

use crate::error::{Error, Result};
use crate::store::{PgStore, Shared};
use ltmc_core::CoreError;
use ltmc_store::{EmbeddingSpec, StoreError};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::config::Host;

/// The schema version this build creates and understands.
pub const LATEST_SCHEMA_VERSION: i64 = 9;

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

/// In order, numbered from 1 without gaps (a unit test holds us to it).
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init",
        sql: include_str!("../migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "0002_activity",
        sql: include_str!("../migrations/0002_activity.sql"),
    },
    Migration {
        version: 3,
        name: "0003_fix_patterns",
        sql: include_str!("../migrations/0003_fix_patterns.sql"),
    },
    Migration {
        version: 4,
        name: "0004_calibrations",
        sql: include_str!("../migrations/0004_calibrations.sql"),
    },
    Migration {
        version: 5,
        name: "0005_mining",
        sql: include_str!("../migrations/0005_mining.sql"),
    },
    Migration {
        version: 6,
        name: "0006_mining_resume",
        sql: include_str!("../migrations/0006_mining_resume.sql"),
    },
    Migration {
        version: 7,
        name: "0007_pattern_citations",
        sql: include_str!("../migrations/0007_pattern_citations.sql"),
    },
    Migration {
        version: 8,
        name: "0008_draft_layers",
        sql: include_str!("../migrations/0008_draft_layers.sql"),
    },
    Migration {
        version: 9,
        name: "0009_resource_folds",
        sql: include_str!("../migrations/0009_resource_folds.sql"),
    },
];

/// The tables ltmc's migrations create, in order: what `ltmc doctor`
/// checks the indexes of (engine.rs), read from the migrations themselves so
/// that a new migration's tables are checked without another list.
pub(crate) fn ltmc_tables() -> Vec<&'static str> {
    let mut tables = Vec::new();
    for migration in MIGRATIONS {
        let mut words = migration.sql.split_whitespace();
        while let Some(word) = words.next() {
            if !word.eq_ignore_ascii_case("CREATE") {
                continue;
            }
            let mut next = words.clone();
            if !next.next().is_some_and(|w| w.eq_ignore_ascii_case("TABLE")) {
                continue;
            }
            let mut name = next.next();
            if name.is_some_and(|w| w.eq_ignore_ascii_case("IF")) {
                // IF NOT EXISTS
                name = next.nth(2);
            }
            if let Some(name) = name {
                let name = name.trim_end_matches('(');
                if !name.is_empty() && !tables.contains(&name) {
                    tables.push(name);
                }
            }
        }
    }
    tables
}

/// Every pgvector column: (table, column, HNSW index name). Each is created
/// as a plain `vector` and typed `vector(N)` with its index once the model is
/// recorded; a migration that adds a vector column lists it here.
const VECTOR_COLUMNS: &[(&str, &str, &str)] = &[
    ("chunks", "embedding", "chunks_embedding_hnsw"),
    (
        "fix_patterns",
        "content_embedding",
        "fix_patterns_content_hnsw",
    ),
    ("fix_patterns", "code_embedding", "fix_patterns_code_hnsw"),
    (
        "fix_patterns",
        "problem_embedding",
        "fix_patterns_problem_hnsw",
    ),
];

/// A constant of our own for `pg_advisory_xact_lock`: "ltmc" + migrations.
const MIGRATION_LOCK: i64 = 0x6c74_6d63_0001;

/// How the pool behaves.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Connections this process may hold at once.
    pub max_connections: usize,
    /// How long a call waits for a free connection (or to connect) before it
    /// fails as unavailable.
    pub connect_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            connect_timeout: Duration::from_secs(30),
        }
    }
}

/// Whether `url` names a PostgreSQL database (`postgres://` or `postgresql://`).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl PgStore {
    /// Connects to the database at `url`, creating and migrating the schema
    /// if needed (the `vector` extension too, when the user may create it).
    ///
    /// `url` is a libpq-style URL: `postgres://user:pass@host:5432/db` over
    /// TCP, or `postgresql://user@/db?host=/socket/dir&port=5432` over a Unix
    /// socket. TLS is not offered: use a socket, localhost, or a tunnel.
    ///
    /// With `Some(spec)` the store is bound to that embedding model: recorded
    /// on the first open, and a later open with another model or dimension
    /// fails with `WrongModel` / `WrongDimension`. With `None` nothing is
    /// checked or recorded (for `ltmc doctor`).
    pub async fn connect(url: &str, embedding: Option<&EmbeddingSpec>) -> Result<Self, StoreError> {
        Self::connect_with(url, embedding, PgOptions::default()).await
    }

    /// [`PgStore::connect`] with explicit pool options.
    pub async fn connect_with(
        url: &str,
        embedding: Option<&EmbeddingSpec>,
        options: PgOptions,
    ) -> Result<Self, StoreError> {
        let config = parse_url(url)?;
        let location = location_of(&config);
        open(config, &location, embedding, &options)
            .await
            .map_err(|e| e.into_store(&location))
    }
}

/// The URL as a driver config, or an error naming the field and the fix.
fn parse_url(url: &str) -> Result<tokio_postgres::Config, StoreError> {
    if !is_postgres_url(url) {
        return Err(StoreError::Invalid(CoreError::invalid(
            "database_url",
            "must start with postgres:// or postgresql:// (e.g. postgres://user@127.0.0.1:5432/ltmc)",
        )));
    }
    let config = tokio_postgres::Config::from_str(url).map_err(|e| {
        StoreError::Invalid(CoreError::invalid(
            "database_url",
            format!(
                "is not a valid PostgreSQL URL ({e}); e.g. postgres://user@127.0.0.1:5432/ltmc \
                 or postgresql://user@/ltmc?host=/run/postgresql"
            ),
        ))
    })?;
    if config.get_hosts().is_empty() {
        return Err(StoreError::Invalid(CoreError::invalid(
            "database_url",
            "names no host; add one (@127.0.0.1:5432) or a socket directory (?host=/run/postgresql)",
        )));
    }
    Ok(config)
}

/// `postgres://user@host:port/db`, never the password: for messages and `info`.
fn location_of(config: &tokio_postgres::Config) -> String {
    let user = config.get_user().unwrap_or("");
    let db = config.get_dbname().unwrap_or(user);
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => format!("{h}:{port}"),
        #[cfg(unix)]
        Some(Host::Unix(dir)) => format!("[socket {}:{port}]", dir.display()),
        None => String::new(),
    };
    format!("postgres://{user}@{host}/{db}")
}

async fn open(
    config: tokio_postgres::Config,
    location: &str,
    wanted: Option<&EmbeddingSpec>,
    options: &PgOptions,
) -> Result<PgStore> {
    if let Some(spec) = wanted {
        check_spec(spec)?;
    }
    let manager = deadpool_postgres::Manager::from_config(
        config,
        tokio_postgres::NoTls,
        deadpool_postgres::ManagerConfig {
            recycling_method: deadpool_postgres::RecyclingMethod::Fast,
        },
    );
    let pool = deadpool_postgres::Pool::builder(manager)
        .max_size(options.max_connections.max(1))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(Some(options.connect_timeout))
        .create_timeout(Some(options.connect_timeout))
        .build()
        .map_err(|e| {
            StoreError::Unavailable(format!("{location}: cannot build the connection pool: {e}"))
        })?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let schema_version = migrate(&tx, location).await?;
    let embedding = settle_embedding(&tx, wanted).await?;
    if let Some(spec) = &embedding {
        type_vector_columns(&tx, spec.dimension).await?;
    }
    tx.commit().await?;
    drop(client);
    tracing::debug!(%location, schema_version, ?embedding, "opened the PostgreSQL store");
    Ok(PgStore {
        shared: Arc::new(Shared {
            pool,
            location: location.to_owned(),
            embedding,
            schema_version,
        }),
    })
}

/// Applies the missing migrations inside the caller's locked transaction.
async fn migrate(tx: &tokio_postgres::Transaction<'_>, location: &str) -> Result<i64> {
    let exists: bool = tx
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])
        .await?
        .get(0);
    let seen: i64 = if exists {
        tx.query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[])
            .await?
            .get(0)
    } else {
        0
    };
    if seen > LATEST_SCHEMA_VERSION {
        return Err(Error::Store(StoreError::Corrupt(format!(
            "{location}: the database has schema version {seen} but this ltmc knows up to \
             {LATEST_SCHEMA_VERSION}; a newer ltmc wrote it: upgrade ltmc"
        ))));
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > seen) {
        tx.batch_execute(m.sql).await?;
        tx.execute(
            "INSERT INTO schema_version (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )
        .await?;
        tracing::info!(%location, version = m.version, name = m.name, "applied migration");
    }
    Ok(LATEST_SCHEMA_VERSION.max(seen))
}

fn check_spec(spec: &EmbeddingSpec) -> Result<()> {
    if spec.model_id.trim().is_empty() {
        return Err(CoreError::invalid("model_id", "is empty (e.g. \"all-MiniLM-L6-v2\")").into());
    }
    if spec.dimension == 0 {
        return Err(CoreError::invalid("dimension", "is 0 (all-MiniLM-L6-v2 gives 384)").into());
    }
    // pgvector's HNSW indexes take at most 2,000 dimensions.
    if spec.dimension > 2000 {
        return Err(CoreError::invalid(
            "dimension",
            format!("is {}; pgvector indexes at most 2000", spec.dimension),
        )
        .into());
    }
    Ok(())
}

async fn read_embedding(tx: &tokio_postgres::Transaction<'_>) -> Result<Option<EmbeddingSpec>> {
    let row = tx
        .query_one(
            "SELECT embedding_model, dimension FROM store_meta WHERE id = 1",
            &[],
        )
        .await?;
    let (model, dimension): (Option<String>, Option<i32>) = (row.get(0), row.get(1));
    match (model, dimension) {
        (None, None) => Ok(None),
        (Some(model_id), Some(dimension)) => Ok(Some(EmbeddingSpec {
            model_id,
            dimension: usize::try_from(dimension).map_err(|_| {
                crate::error::corrupt(format!("store_meta.dimension is {dimension}"))
            })?,
        })),
        (model, dimension) => Err(crate::error::corrupt(format!(
            "store_meta records model {model:?} with dimension {dimension:?}; both or neither must be set"
        ))),
    }
}

/// Checks the wanted model against the recorded one, recording it when none
/// is. The model is compared first: a different model is the cause even when
/// its dimension also differs.
async fn settle_embedding(
    tx: &tokio_postgres::Transaction<'_>,
    wanted: Option<&EmbeddingSpec>,
) -> Result<Option<EmbeddingSpec>> {
    let recorded = read_embedding(tx).await?;
    let Some(wanted) = wanted else {
        return Ok(recorded);
    };
    if let Some(recorded) = recorded {
        if recorded.model_id != wanted.model_id {
            return Err(Error::Store(StoreError::WrongModel {
                expected: recorded.model_id,
                got: wanted.model_id.clone(),
            }));
        }
        if recorded.dimension != wanted.dimension {
            return Err(Error::Store(StoreError::WrongDimension {
                expected: recorded.dimension,
                got: wanted.dimension,
            }));
        }
        return Ok(Some(recorded));
    }
    let dimension = i32::try_from(wanted.dimension)
        .map_err(|_| CoreError::invalid("dimension", "is too large"))?;
    tx.execute(
        "UPDATE store_meta SET embedding_model = $1, dimension = $2 WHERE id = 1",
        &[&wanted.model_id, &dimension],
    )
    .await?;
    Ok(Some(wanted.clone()))
}

/// Gives every vector column the model's dimension and its HNSW index, where
/// it has not got them yet (a fresh store, or a migration that added one).
async fn type_vector_columns(tx: &tokio_postgres::Transaction<'_>, dimension: usize) -> Result<()> {
    let dimension_i32 =
        i32::try_from(dimension).map_err(|_| CoreError::invalid("dimension", "is too large"))?;
    for (table, column, index) in VECTOR_COLUMNS {
        // For a `vector` column, atttypmod is its dimension, -1 when untyped.
        let typmod: i32 = tx
            .query_one(
                "SELECT atttypmod FROM pg_attribute \
                 WHERE attrelid = $1::text::regclass AND attname = $2",
                &[table, column],
            )
            .await?
            .get(0);
        if typmod != dimension_i32 {
            // Identifiers come from the constant above, never from input.
            tx.batch_execute(&format!(
                "ALTER TABLE {table} ALTER COLUMN {column} TYPE vector({dimension})"
            ))
            .await?;
        }
        tx.batch_execute(&format!(
            "CREATE INDEX IF NOT EXISTS {index} ON {table} USING hnsw ({column} vector_cosine_ops)"
        ))
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i64::try_from(i).unwrap() + 1, "{}", m.name);
            assert!(
                m.name.starts_with(&format!("{:04}_", m.version)),
                "{}",
                m.name
            );
        }
        assert_eq!(MIGRATIONS.last().unwrap().version, LATEST_SCHEMA_VERSION);
    }

    #[test]
    fn the_tables_of_the_migrations_are_found() {
        let tables = ltmc_tables();
        for table in [
            "schema_version",
            "resources",
            "chunks",
            "fix_patterns",
            "mining_state",
        ] {
            assert!(tables.contains(&table), "{table} missing from {tables:?}");
        }
        assert!(
            tables
                .iter()
                .all(|t| t.chars().all(|c| c.is_ascii_lowercase() || c == '_')),
            "{tables:?}"
        );
    }

    #[test]
    fn urls_tcp_and_socket_parse_and_hide_the_password() {
        let c = parse_url("postgres://ltmc:secret@127.0.0.1:5433/team").unwrap();
        assert_eq!(location_of(&c), "postgres://ltmc@127.0.0.1:5433/team");
        let c = parse_url("postgresql://postgres@/ltmc?host=/tmp/pg&port=6000").unwrap();
        assert_eq!(
            location_of(&c),
            "postgres://postgres@[socket /tmp/pg:6000]/ltmc"
        );
    }

    #[test]
    fn bad_urls_name_the_field_and_the_fix() {
        for url in ["mysql://x@h/db", "postgres://[::1", ""] {
            let err = parse_url(url).unwrap_err().to_string();
            assert!(err.contains("database_url"), "{url}: {err}");
            assert!(err.contains("postgres://"), "{url}: {err}");
        }
    }
}
