//! The integration tests of ltmc-store-sqlite, one binary: the shared
//! conformance suite run on SQLite stores in temp dirs, then what only the
//! SQLite backend promises (files, reopening, several processes on one file,
//! the keyword index, the fix-pattern tables).
//!
//! Unit tests of the pure parts (blob layout, error mapping, validation) live
//! beside the code instead.

mod conformance;
mod files;
mod fix;
mod index;
mod keyword;
mod sharing;
mod support;
