//! Where rusqlite's errors become the backend-neutral [`StoreError`], once.
//!
//! Inside the crate, code returns [`Error`] so that `?` works on both driver
//! calls and store errors; at the public boundary [`Error::into_store`] maps it
//! with the database path in the message. The match on SQLite's result code is
//! exhaustive over the codes rusqlite knows, so a new kind of failure is a
//! decision here, not an accident. rusqlite types never leave this crate.

use ltmc_store::StoreError;
use rusqlite::ErrorCode;
use std::path::Path;

/// An error inside the crate: a driver error not yet mapped, or a store error
/// already decided.
#[derive(Debug)]
pub(crate) enum Error {
    Sql(rusqlite::Error),
    Store(StoreError),
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        Self::Sql(err)
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

impl Error {
    /// The neutral error, naming the database file so that a user who has
    /// several data directories knows which one failed.
    pub(crate) fn into_store(self, path: &Path) -> StoreError {
        match self {
            Self::Store(err) => err,
            Self::Sql(err) => map_sqlite(&err, path),
        }
    }
}

/// The neutral kind of a rusqlite error.
pub(crate) fn map_sqlite(err: &rusqlite::Error, path: &Path) -> StoreError {
    let path = path.display();
    match err {
        rusqlite::Error::SqliteFailure(failure, _) => {
            let detail = format!("{path}: {err}");
            match failure.code {
                // busy_timeout already waited: another process holds the write
                // lock for longer than we are willing to wait.
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Unavailable(
                    format!("{detail} (another process holds the database; retry later)"),
                ),
                ErrorCode::ConstraintViolation => StoreError::Conflict(detail),
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => StoreError::Corrupt(
                    format!("{detail} (not a readable ltmc SQLite database; run `ltmc doctor`)"),
                ),
                ErrorCode::CannotOpen
                | ErrorCode::PermissionDenied
                | ErrorCode::ReadOnly
                | ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure
                | ErrorCode::NoLargeFileSupport
                | ErrorCode::FileLockingProtocolFailed
                | ErrorCode::AuthorizationForStatementDenied => StoreError::Unavailable(format!(
                    "{detail} (check the data directory's permissions, free space and file system)"
                )),
                // A value that SQLite's limits refuse: the input's fault.
                ErrorCode::TooBig => StoreError::Invalid(ltmc_core::CoreError::invalid(
                    "content",
                    format!("too large for the SQLite store ({err})"),
                )),
                // The schema does not hold the types our statements expect.
                ErrorCode::TypeMismatch | ErrorCode::SchemaChanged => StoreError::Corrupt(detail),
                // Failures of the process or the library rather than of the
                // data or the environment: the store cannot serve this call.
                ErrorCode::InternalMalfunction
                | ErrorCode::OperationAborted
                | ErrorCode::OperationInterrupted
                | ErrorCode::OutOfMemory
                | ErrorCode::NotFound
                | ErrorCode::ApiMisuse
                | ErrorCode::ParameterOutOfRange
                | ErrorCode::Unknown => {
                    StoreError::Unavailable(format!("{detail} (SQLite could not serve the call)"))
                }
                // ErrorCode is non_exhaustive: a code added by a future
                // rusqlite is reported, not hidden.
                _ => StoreError::Unavailable(format!("{detail} (unrecognised SQLite result code)")),
            }
        }
        // Rows that do not have the shape or the types our schema promises.
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::Utf8Error(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::QueryReturnedNoRows
        | rusqlite::Error::QueryReturnedMoreThanOneRow => {
            StoreError::Corrupt(format!("{path}: unexpected row: {err}"))
        }
        rusqlite::Error::InvalidPath(_) | rusqlite::Error::SqliteSingleThreadedMode => {
            StoreError::Unavailable(format!("{path}: {err}"))
        }
        // A NUL byte inside a string we bind: SQLite cannot hold it as a C string.
        rusqlite::Error::NulError(_) => StoreError::Invalid(ltmc_core::CoreError::invalid(
            "text",
            format!("contains a NUL byte ({err})"),
        )),
        // Everything else is a mistake in this crate's SQL, not in the data or
        // the environment; say so plainly rather than guess a kind.
        _ => StoreError::Unavailable(format!("{path}: internal error in the SQLite store: {err}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::ffi;

    fn failure(code: i32) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(ffi::Error::new(code), None)
    }

    fn check(err: &rusqlite::Error, expected: &str) {
        let mapped = map_sqlite(err, Path::new("/data/ltmc.db"));
        let kind = match &mapped {
            StoreError::NotFound { .. } => "NotFound",
            StoreError::WrongDimension { .. } => "WrongDimension",
            StoreError::WrongModel { .. } => "WrongModel",
            StoreError::Conflict(_) => "Conflict",
            StoreError::Invalid(_) => "Invalid",
            StoreError::Corrupt(_) => "Corrupt",
            StoreError::Unavailable(_) => "Unavailable",
        };
        assert_eq!(kind, expected, "{err:?} -> {mapped}");
        if kind != "Invalid" {
            assert!(mapped.to_string().contains("/data/ltmc.db"), "{mapped}");
        }
    }

    #[test]
    fn kinds() {
        check(&failure(ffi::SQLITE_BUSY), "Unavailable");
        check(&failure(ffi::SQLITE_LOCKED), "Unavailable");
        check(&failure(ffi::SQLITE_CONSTRAINT_UNIQUE), "Conflict");
        check(&failure(ffi::SQLITE_CONSTRAINT_FOREIGNKEY), "Conflict");
        check(&failure(ffi::SQLITE_CORRUPT), "Corrupt");
        check(&failure(ffi::SQLITE_NOTADB), "Corrupt");
        check(&failure(ffi::SQLITE_CANTOPEN), "Unavailable");
        check(&failure(ffi::SQLITE_READONLY), "Unavailable");
        check(&failure(ffi::SQLITE_FULL), "Unavailable");
        check(&failure(ffi::SQLITE_IOERR), "Unavailable");
        check(&failure(ffi::SQLITE_TOOBIG), "Invalid");
        check(&failure(ffi::SQLITE_MISMATCH), "Corrupt");
        check(&rusqlite::Error::QueryReturnedNoRows, "Corrupt");
        check(&rusqlite::Error::InvalidQuery, "Unavailable");
    }

    #[test]
    fn store_errors_pass_through() {
        let err = Error::from(StoreError::Conflict("x".into()));
        assert!(matches!(
            err.into_store(Path::new("p")),
            StoreError::Conflict(m) if m == "x"
        ));
    }
}
