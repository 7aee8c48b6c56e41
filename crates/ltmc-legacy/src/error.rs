//! The one error type of ltmc-legacy: what can go wrong reading a legacy
//! LTMC source or matching its vectors. Not an error of the migration itself (that is the binary's).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LegacyError {
    /// The file cannot be read (missing, permissions).
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The SQLite database is locked by a writer (the old server is running).
    #[error("the legacy database {path} is locked by another program: {message}")]
    Locked { path: PathBuf, message: String },
    /// The file is not a readable SQLite database, or a table is unusable.
    #[error("the legacy database {path} is not readable: {message}")]
    CorruptDatabase { path: PathBuf, message: String },
    /// The index file is damaged, truncated or of a form we do not read.
    #[error("the index file {path} is not a readable {format} index at byte {offset}: {message}")]
    CorruptIndex {
        path: PathBuf,
        format: &'static str,
        offset: usize,
        message: String,
    },
    /// The vector comparison failed (the linear-algebra library refused).
    #[error("matching legacy vectors failed: {0}")]
    Matching(String),
}
