//! Reads what the original (Python) LTMC left on disk, so `ltmc migrate` can
//! import it: the SQLite database with the original tables
//! ([`LegacyDatabase`]) and the vector index in each form the original wrote
//! ([`LegacyIndex`]: FAISS `IndexFlatL2`, FAISS `IndexIDMap`, or the earliest
//! version's pickled list of numpy float32 arrays).
//!
//! Reading, and matching the legacy vectors to chunks by meaning
//! ([`matching`]: the caller embeds the chunks again and hands the vectors
//! in). Nothing here writes to a legacy file, embeds text, or knows ltmc's
//! store; importing is ltmc-migrate's (behind `ltmc migrate`). Every parser is bounds-checked: a damaged
//! file is a [`LegacyError`], never a panic.
//!
//! Architecture note: this crate and `ltmc-store-sqlite` are the two that
//! know rusqlite; this one only ever opens foreign databases read-only.

mod db;
mod error;
mod faiss;
#[doc(hidden)]
pub mod fuzz;
mod index;
pub mod matching;
mod pickle;
mod records;

pub use db::{LEGACY_TABLES, LegacyDatabase};
pub use error::LegacyError;
pub use index::{IndexFormat, LegacyIndex, ParseError};
pub use records::{
    LegacyChunk, LegacyLink, LegacyMessage, LegacyPattern, LegacyPatternContext, LegacyResource,
    LegacySummary, LegacyTodo,
};
