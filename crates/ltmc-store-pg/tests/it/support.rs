//! The conformance suite's fresh stores: a database per test on the test
//! server (see `ltmc_store_pg::testing`).

use ltmc_store::EmbeddingSpec;
use ltmc_store_pg::PgStore;
pub use ltmc_store_pg::testing::{TestDb, server_url};

/// A fresh store in a database of its own, for the conformance suite;
/// `None` (the test skips) when no server was started, outside CI only.
pub async fn fresh(spec: &EmbeddingSpec) -> Option<(PgStore, TestDb)> {
    let server = server_url()?;
    let db = TestDb::create(&server).await;
    let store = PgStore::connect(&db.url, Some(spec))
        .await
        .unwrap_or_else(|e| panic!("cannot open a store on {}: {e}", db.url));
    Some((store, db))
}
