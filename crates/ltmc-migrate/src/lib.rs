//! ltmc-migrate: the migration use cases, out of the binary. Two of them:
//!
//! - [`legacy`]: the original LTMC's database (and its vector index) into an
//!   ltmc data dir: checksums and a backup of the source, a resumable staging
//!   store (with its embedding cache), the import through the batch store
//!   APIs ([`import`]), the switch (refused when the store changed
//!   meanwhile), the rollback chain ([`history`]) and `--verify` ([`verify`]).
//! - [`copy`]: a whole store into an empty one through the `StoreDump` trait,
//!   verified table by table.
//!
//! Written against traits only (`ltmc_store`'s store traits, `Embedder`,
//! `ltmc_service::Memory`): the caller opens the stores. A legacy migration
//! switches files in a data dir, so it is told the file layout of a store
//! there and given a function that opens one ([`DataDir`]); which backend
//! that is stays the binary's choice. Nothing here prints: progress goes
//! through [`Progress`], results come back as `Serialize` reports, failures
//! as one [`MigrateError`].

pub mod copy;
mod embed_cache;
mod error;
mod files;
pub mod history;
pub mod import;
pub mod legacy;
mod progress;
mod staging;
pub mod verify;

pub use copy::{CopyReport, Migratable, copy_store};
pub use error::MigrateError;
pub use files::SourceFiles;
pub use history::{RollbackReport, rollback};
pub use import::TableReport;
pub use legacy::{DataDir, MigrateOptions, MigrateReport, OpenStore, StoreLayout, migrate};
pub use progress::{NoProgress, Progress};
pub use verify::{VerifyReport, read_database, verify};
