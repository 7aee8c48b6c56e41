//! The integration tests of ltmc-store-pg, one binary: the shared conformance
//! suite run on PostgreSQL (each check in a database of its own), then what
//! only this backend promises (URLs over TCP and Unix socket, migrations under
//! concurrent opens, the seed's SQL functions).
//!
//! They need a running PostgreSQL with pgvector: `scripts/test` starts a
//! throw-away one (`scripts/with-pg`, PyPI `pgserver`) and exports
//! `LTMC_TEST_DATABASE_URL`. Without it the tests skip with a message, except
//! on CI (`CI=true`), where a skip would hide a regression.

mod conformance;
mod engine;
mod functions;
mod open;
mod support;
