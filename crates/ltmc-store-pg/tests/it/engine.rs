//! PostgreSQL's own checks in `check_storage` (what `ltmc doctor` shows):
//! the indexes of ltmc's tables are valid, amcheck runs where it is
//! installed, a planted invalid index is a finding with the reindex repair,
//! and `rebuild_indexes(None)` (`ltmc reindex --all`) repairs it.
//! Not here: the cross-row invariants (`check_integrity`, conformance).

use crate::support::{TestDb, server_url};
use ltmc_store::{EmbeddingSpec, Repair, StoreAdmin as _};
use ltmc_store_pg::PgStore;

async fn sql(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
}

#[tokio::test]
#[allow(clippy::print_stderr)] // a part that cannot run must say so (tests only)
async fn invalid_indexes_and_amcheck_are_reported_and_reindex_repairs() {
    let Some(server) = server_url() else { return };
    let db = TestDb::create(&server).await;
    let spec = EmbeddingSpec {
        model_id: "m".into(),
        dimension: 8,
    };
    let store = PgStore::connect(&db.url, Some(&spec)).await.unwrap();
    let client = sql(&db.url).await;

    // A sound store; amcheck not installed yet, which is said, not failed.
    let report = store.check_storage(false).await.unwrap();
    assert!(report.problems.is_empty(), "{report:?}");
    assert!(
        report.checked[0].starts_with("pg_index validity of the "),
        "{report:?}"
    );
    assert!(
        report.settings.iter().any(|s| s.starts_with("fsync=")),
        "{report:?}"
    );
    assert!(
        report.skipped.iter().any(|s| s.contains("amcheck")),
        "{report:?}"
    );

    // With amcheck (the test server's role is a superuser): every b-tree
    // checked, the full check with heapallindexed. A server built without
    // contrib has no amcheck; then only the skip is checked.
    let available: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    if available {
        client
            .batch_execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            .await
            .unwrap();
    } else {
        eprintln!("amcheck is not available on the test server: its check is not exercised");
    }
    for full in [false, true].into_iter().filter(|_| available) {
        let report = store.check_storage(full).await.unwrap();
        assert!(report.problems.is_empty(), "{report:?}");
        assert!(report.skipped.is_empty(), "{report:?}");
        let amcheck = report
            .checked
            .iter()
            .find(|c| c.starts_with("amcheck bt_index_check"))
            .unwrap_or_else(|| panic!("amcheck did not run: {report:?}"));
        assert_eq!(amcheck.contains("heapallindexed"), full, "{amcheck}");
    }

    // An index left invalid (as an interrupted CREATE INDEX CONCURRENTLY
    // leaves it) is found, with the reindex repair.
    client
        .batch_execute(
            "UPDATE pg_index SET indisvalid = false \
             WHERE indexrelid = 'resources_pkey'::regclass",
        )
        .await
        .unwrap();
    let report = store.check_storage(false).await.unwrap();
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert!(
        report.problems[0].what.contains("resources_pkey"),
        "{report:?}"
    );
    assert_eq!(report.problems[0].repair, Repair::Reindex);

    store.rebuild_indexes(None).await.unwrap();
    let report = store.check_storage(true).await.unwrap();
    assert!(report.problems.is_empty(), "{report:?}");
}
