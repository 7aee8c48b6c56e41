//! Where tokio-postgres's and the pool's errors become the backend-neutral
//! [`StoreError`], once.
//!
//! Inside the crate, code returns [`Error`] so that `?` works on driver calls,
//! pool checkouts and store errors alike; at the public boundary
//! [`Error::into_store`] maps it with the server's location (never its
//! password) in the message. The mapping is by SQLSTATE class, which
//! PostgreSQL documents as stable; driver types never leave this crate.

use ltmc_store::StoreError;
use tokio_postgres::error::SqlState;

/// An error inside the crate: a driver or pool error not yet mapped, or a
/// store error already decided.
#[derive(Debug)]
pub(crate) enum Error {
    Pg(tokio_postgres::Error),
    Pool(deadpool_postgres::PoolError),
    Store(StoreError),
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

impl From<tokio_postgres::Error> for Error {
    fn from(err: tokio_postgres::Error) -> Self {
        Self::Pg(err)
    }
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(err: deadpool_postgres::PoolError) -> Self {
        Self::Pool(err)
    }
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

impl From<ltmc_core::CoreError> for Error {
    fn from(err: ltmc_core::CoreError) -> Self {
        Self::Store(StoreError::Invalid(err))
    }
}

/// A record of `entity` that this project does not hold.
pub(crate) fn not_found(
    entity: &'static str,
    id: impl std::fmt::Display,
    project: &ltmc_core::Project,
) -> Error {
    Error::Store(StoreError::NotFound {
        entity,
        id: id.to_string(),
        project: project.to_string(),
    })
}

/// `Invalid` naming the field ([`ltmc_store::validate::invalid`]).
pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
    Error::Store(ltmc_store::validate::invalid(field, reason))
}

/// A row whose shape or values break what the schema promises.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::Store(StoreError::Corrupt(what.to_string()))
}

impl Error {
    /// The neutral error, naming the server (`location` has no password) so
    /// that a user with several databases knows which one failed.
    pub(crate) fn into_store(self, location: &str) -> StoreError {
        match self {
            Self::Store(err) => err,
            Self::Pg(err) => map_pg(&err, location),
            Self::Pool(err) => map_pool(err, location),
        }
    }
}

/// The neutral kind of a pool error: the pool only fails to hand out a
/// connection, so every kind is "unavailable", with the driver's reason when
/// the server refused.
fn map_pool(err: deadpool_postgres::PoolError, location: &str) -> StoreError {
    match err {
        deadpool_postgres::PoolError::Backend(pg) => map_pg(&pg, location),
        deadpool_postgres::PoolError::Timeout(kind) => StoreError::Unavailable(format!(
            "{location}: no database connection within the pool's timeout ({kind:?}); \
             the server is overloaded or unreachable"
        )),
        deadpool_postgres::PoolError::Closed => {
            StoreError::Unavailable(format!("{location}: the connection pool is closed"))
        }
        deadpool_postgres::PoolError::NoRuntimeSpecified => StoreError::Unavailable(format!(
            "{location}: internal error: the pool has no async runtime"
        )),
        deadpool_postgres::PoolError::PostCreateHook(hook) => StoreError::Unavailable(format!(
            "{location}: setting up a connection failed: {hook}"
        )),
    }
}

/// The neutral kind of a driver error, by the SQLSTATE class when the server
/// sent one, else by what failed on our side.
pub(crate) fn map_pg(err: &tokio_postgres::Error, location: &str) -> StoreError {
    let Some(db) = err.as_db_error() else {
        // No SQLSTATE: the connection broke, the server was unreachable, or a
        // value did not convert to the Rust type we asked for.
        if err.is_closed() || err.to_string().contains("connect") {
            return StoreError::Unavailable(format!(
                "{location}: {err} (is the PostgreSQL server running and the URL right?)"
            ));
        }
        if matches!(std::error::Error::source(err), Some(s) if s.is::<std::io::Error>()) {
            return StoreError::Unavailable(format!("{location}: {err}"));
        }
        return StoreError::Corrupt(format!("{location}: unexpected row: {err}"));
    };
    let code = db.code();
    let detail = format!(
        "{location}: {}{}",
        db.message(),
        db.detail().map(|d| format!(" ({d})")).unwrap_or_default()
    );
    match &code.code()[..2] {
        // Integrity constraint violation: unique, foreign key, check, not null.
        "23" => StoreError::Conflict(detail),
        // Data exceptions: a value PostgreSQL refuses (a NUL byte in text, a
        // number out of range): the input's fault.
        "22" => StoreError::Invalid(ltmc_core::CoreError::invalid(
            "input",
            format!("refused by PostgreSQL: {detail}"),
        )),
        // Serialization failure / deadlock: another server's transaction won;
        // the caller may retry.
        "40" => StoreError::Conflict(format!("{detail} (a concurrent write won; retry)")),
        // Connection exceptions, insufficient resources, operator intervention
        // (shutdown), lock timeouts, the server's own failures.
        "08" | "53" | "57" | "55" | "58" | "XX" => StoreError::Unavailable(format!(
            "{detail} (the PostgreSQL server cannot serve the call)"
        )),
        // Invalid authorization / catalog name: wrong user, password or database.
        "28" | "3D" => StoreError::Unavailable(format!(
            "{detail} (check the user, password and database name in the URL)"
        )),
        // Undefined table / column / function, wrong types: the schema is not
        // what this build expects.
        "42" if code == &SqlState::INSUFFICIENT_PRIVILEGE => StoreError::Unavailable(format!(
            "{detail} (the database user lacks a privilege ltmc needs)"
        )),
        "42" => StoreError::Corrupt(format!(
            "{detail} (the database schema is not what this ltmc expects; run `ltmc doctor`)"
        )),
        _ => StoreError::Unavailable(format!("{detail} (SQLSTATE {})", code.code())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_pass_through() {
        let err = Error::from(StoreError::Conflict("x".into()));
        assert!(matches!(
            err.into_store("db"),
            StoreError::Conflict(m) if m == "x"
        ));
    }

    #[test]
    fn pool_timeouts_are_unavailable_and_name_the_server() {
        let err = Error::Pool(deadpool_postgres::PoolError::Timeout(
            deadpool_postgres::TimeoutType::Wait,
        ));
        let mapped = err.into_store("postgres://u@h:5/db");
        assert!(
            matches!(&mapped, StoreError::Unavailable(m) if m.contains("h:5/db")),
            "{mapped}"
        );
    }
}
