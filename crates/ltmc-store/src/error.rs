//! The backend-neutral storage error. Each backend maps its driver's errors to
//! these kinds inside its own crate, with an exhaustive match.

use ltmc_core::CoreError;

/// The `entity` names of [`StoreError::NotFound`] callers match on (to name
/// the argument that held the missing id). Backends use these, not literals.
pub mod entity {
    /// A fix pattern.
    pub const FIX_PATTERN: &str = "fix pattern";
    /// A file audit.
    pub const FILE_AUDIT: &str = "file audit";
    /// A fold of a resource into another (by the folded resource's id).
    pub const FOLD: &str = "fold";
    /// A resource.
    pub const RESOURCE: &str = "resource";
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist in this project.
    #[error("{entity} {id} not found in project {project:?}")]
    NotFound {
        entity: &'static str,
        id: String,
        project: String,
    },
    /// A vector's length is not the store's embedding dimension.
    #[error(
        "vector has {got} dimensions but this store holds {expected}-dimensional vectors (it was created with another embedding model)"
    )]
    WrongDimension { expected: usize, got: usize },
    /// The store was created for another embedding model.
    #[error(
        "this store was created for model {expected:?} but {got:?} was given; use a new data dir or the store's model"
    )]
    WrongModel { expected: String, got: String },
    /// A uniqueness or integrity rule was broken by the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The input is invalid; the write was refused before anything was stored.
    #[error(transparent)]
    Invalid(#[from] CoreError),
    /// The store's files or rows are damaged or of an unknown schema version.
    #[error("store is corrupt: {0}")]
    Corrupt(String),
    /// The store cannot be reached or opened (locked, missing, permission denied).
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    /// This error as the refusal of item `index` (counting from 0) of a
    /// batch write ([`crate::ResourceStore::put_resources`],
    /// [`crate::ChatStore::log_messages`]): an `Invalid` reason says which
    /// item; other kinds are returned as they are (their fields are typed).
    #[must_use]
    pub fn in_batch_item(self, index: usize) -> Self {
        match self {
            Self::Invalid(ltmc_core::CoreError::Invalid { field, reason }) => {
                Self::Invalid(ltmc_core::CoreError::Invalid {
                    field,
                    reason: format!("{reason} (batch item {index}, counting from 0)"),
                })
            }
            other => other,
        }
    }
}
