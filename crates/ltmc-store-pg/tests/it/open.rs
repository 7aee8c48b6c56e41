//! Opening a PostgreSQL store: both URL forms, the model binding, and several
//! servers migrating one empty database at once.

use crate::support::{TestDb, server_url};
use ltmc_store::{EmbeddingSpec, StoreError};
use ltmc_store_pg::{LATEST_SCHEMA_VERSION, PgStore};

fn spec(model: &str, dimension: usize) -> EmbeddingSpec {
    EmbeddingSpec {
        model_id: model.to_owned(),
        dimension,
    }
}

#[tokio::test]
async fn a_second_model_or_dimension_is_refused() {
    let Some(server) = server_url() else { return };
    let db = TestDb::create(&server).await;
    let store = PgStore::connect(&db.url, Some(&spec("m", 8)))
        .await
        .unwrap();
    assert_eq!(store.embedding(), Some(&spec("m", 8)));
    let err = PgStore::connect(&db.url, Some(&spec("other", 8)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongModel { .. }), "{err}");
    let err = PgStore::connect(&db.url, Some(&spec("m", 9)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongDimension { .. }), "{err}");
    // Without a model nothing is checked, and the recorded one is reported.
    let plain = PgStore::connect(&db.url, None).await.unwrap();
    assert_eq!(plain.embedding(), Some(&spec("m", 8)));
}

/// Eight servers start at once on an empty database: the advisory lock lets
/// one migrate, the others find the schema made; none fails.
#[tokio::test]
async fn concurrent_opens_migrate_once() {
    let Some(server) = server_url() else { return };
    let db = TestDb::create(&server).await;
    let opens = (0..8).map(|_| {
        let url = db.url.clone();
        tokio::spawn(async move { PgStore::connect(&url, Some(&spec("m", 8))).await })
    });
    for open in opens {
        open.await.unwrap().unwrap();
    }
    let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let rows = client
        .query("SELECT version FROM schema_version ORDER BY version", &[])
        .await
        .unwrap();
    let versions: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(versions, (1..=LATEST_SCHEMA_VERSION).collect::<Vec<_>>());
}

#[tokio::test]
async fn unix_socket_urls_work() {
    let Some(_) = server_url() else { return };
    let Ok(socket_url) = std::env::var("LTMC_TEST_DATABASE_SOCKET_URL") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "scripts/with-pg exports LTMC_TEST_DATABASE_SOCKET_URL"
        );
        return;
    };
    let db = TestDb::create(&socket_url).await;
    assert!(db.url.contains("?host=/"), "{}", db.url);
    let store = PgStore::connect(&db.url, Some(&spec("m", 8)))
        .await
        .unwrap();
    assert!(
        store.location().contains("[socket /"),
        "{}",
        store.location()
    );
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable_and_bad_urls_are_invalid() {
    // Port 1 on localhost: nothing listens there.
    let err = PgStore::connect("postgres://u@127.0.0.1:1/db", Some(&spec("m", 8)))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Unavailable(m) if m.contains("127.0.0.1:1")),
        "{err}"
    );
    let err = PgStore::connect("mysql://u@h/db", None).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
}
