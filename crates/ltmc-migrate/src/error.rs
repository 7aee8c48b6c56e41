//! The one error of the migration use cases. Each variant says what failed
//! in words a user reads as they are (the binary adds the `hint:` line);
//! the lower layers' errors are carried whole so their hints still apply.
//! Not here: the hints themselves (the binary's `failure.rs`).

use ltmc_core::embed::EmbedError;
use ltmc_legacy::LegacyError;
use ltmc_service::ServiceError;
use ltmc_store::StoreError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// A source file (legacy database or index) is missing or unreadable.
    #[error("cannot read {}: {reason}", path.display())]
    SourceUnreadable { path: PathBuf, reason: String },
    /// The source files' checksums differ after the run.
    #[error("the source files changed during the migration (another program wrote them)")]
    SourceChanged,
    /// The current store was written while the migration ran; nothing was switched.
    #[error(
        "the store in {} changed during the migration (another ltmc process wrote to it); nothing was switched",
        data_dir.display()
    )]
    StoreChanged { data_dir: PathBuf },
    /// `--rollback` with no migration left to undo.
    #[error("no migration to roll back in {}", data_dir.display())]
    NothingToRollBack { data_dir: PathBuf },
    /// A file operation in the data dir failed; `action` says which ("cannot copy").
    #[error("{action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A batch write of the import failed; `what` names the batch.
    #[error("importing the batch of {what}")]
    Batch {
        what: String,
        #[source]
        source: StoreError,
    },
    /// The embedder answered fewer vectors than texts.
    #[error("the embedder returned too few vectors")]
    TooFewVectors,
    /// The copy's import into the target failed (the target is left empty).
    #[error(transparent)]
    ImportDump { source: StoreError },
    /// A blocking worker (reading, embedding) panicked or was cancelled.
    #[error(transparent)]
    Task {
        #[from]
        source: tokio::task::JoinError,
    },
    #[error(transparent)]
    Legacy {
        #[from]
        source: LegacyError,
    },
    #[error(transparent)]
    Store {
        #[from]
        source: StoreError,
    },
    #[error(transparent)]
    Service {
        #[from]
        source: ServiceError,
    },
    #[error(transparent)]
    Embed {
        #[from]
        source: EmbedError,
    },
}

impl MigrateError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}
