//! Shared setup of the tool tests: a store (SQLite in a temporary directory,
//! or with `LTMC_TEST_BACKEND=postgres` a throw-away PostgreSQL database, so
//! that every use case is tested on both backends), the deterministic hash
//! embedder, and helpers that call a tool and assert the shape of a success
//! or a failure.

use ltmc_core::{ChunkConfig, Project};
use ltmc_embed::testing::HashEmbedder;
use ltmc_service::Memory;
use ltmc_store::Store;
use ltmc_store_pg::PgStore;
use ltmc_store_pg::testing::{TestDb, postgres_selected, server_url};
use ltmc_store_sqlite::SqliteStore;
use ltmc_tools::{LlmConfig, Tools};
use serde_json::Value;
use std::sync::Arc;

pub struct Env {
    /// Kept alive for the store: its files, or its database.
    pub _backing: Backing,
    pub tools: Tools,
}

/// What a test's store lives in; dropped (files or database) with it. Held,
/// never read: its drop is the point.
#[allow(dead_code)]
pub enum Backing {
    Dir(tempfile::TempDir),
    Database(TestDb),
}

/// A fresh store on the selected backend, and the hash embedder's service.
pub async fn memory() -> (Memory, Backing) {
    let embedder = Arc::new(HashEmbedder::new(64).unwrap());
    let spec = ltmc_store::EmbeddingSpec {
        model_id: ltmc_embed::Embedder::model_id(embedder.as_ref()).to_owned(),
        dimension: 64,
    };
    let (store, backing): (Arc<dyn Store>, Backing) = if postgres_selected() {
        let server = server_url().expect("LTMC_TEST_BACKEND=postgres needs LTMC_TEST_DATABASE_URL");
        let db = TestDb::create(&server).await;
        let store = PgStore::connect(&db.url, Some(&spec)).await.unwrap();
        (Arc::new(store), Backing::Database(db))
    } else {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("ltmc.db"), Some(&spec)).unwrap();
        (Arc::new(store), Backing::Dir(dir))
    };
    let memory = Memory::new(store, embedder, ChunkConfig::default()).unwrap();
    (memory, backing)
}

pub async fn env_with(llm: Option<LlmConfig>) -> Env {
    let (memory, backing) = memory().await;
    let tools = Tools::new(memory, Project::default(), llm);
    Env {
        _backing: backing,
        tools,
    }
}

pub async fn env() -> Env {
    env_with(None).await
}

impl Env {
    /// Calls a tool that must succeed; returns its object.
    pub async fn ok(&self, name: &str, args: Value) -> Value {
        let outcome = self.tools.call(name, args.clone()).await;
        assert!(
            !outcome.is_error,
            "{name}({args}) failed: {}",
            outcome.value
        );
        assert_eq!(outcome.value["success"], true, "{name}: {}", outcome.value);
        outcome.value
    }

    /// Calls a tool that must fail; returns the whole error object.
    pub async fn fail_value(&self, name: &str, args: Value) -> Value {
        let outcome = self.tools.call(name, args.clone()).await;
        assert!(
            outcome.is_error,
            "{name}({args}) succeeded: {}",
            outcome.value
        );
        assert_eq!(outcome.value["success"], false, "{name}: {}", outcome.value);
        assert!(
            outcome.value["error"].is_string(),
            "{name}: {}",
            outcome.value
        );
        outcome.value
    }

    /// Calls a tool that must fail; returns its error message.
    pub async fn fail(&self, name: &str, args: Value) -> String {
        self.fail_value(name, args).await["error"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn store(&self, file_name: &str, content: &str, resource_type: &str) -> i64 {
        self.ok(
            "store_memory",
            serde_json::json!({"file_name": file_name, "content": content, "resource_type": resource_type}),
        )
        .await["resource_id"]
            .as_i64()
            .unwrap()
    }
}

/// The ids of a JSON array of objects, by key.
pub fn ids(items: &Value, key: &str) -> Vec<i64> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[key].as_i64().unwrap())
        .collect()
}
