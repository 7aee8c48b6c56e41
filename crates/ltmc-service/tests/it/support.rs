//! Shared setup of the tool tests: a SQLite store in a temporary directory,
//! the deterministic hash embedder, and helpers that call a tool and assert
//! the shape of a success or a failure.

use ltmc_core::{ChunkConfig, Project};
use ltmc_embed::testing::HashEmbedder;
use ltmc_service::{LlmConfig, Memory, Tools};
use ltmc_store_sqlite::SqliteStore;
use serde_json::Value;
use std::sync::Arc;

pub struct Env {
    /// Kept alive for the store's files.
    pub _dir: tempfile::TempDir,
    pub tools: Tools,
}

pub fn memory(dir: &tempfile::TempDir) -> Memory {
    let embedder = Arc::new(HashEmbedder::new(64).unwrap());
    let spec = ltmc_store::EmbeddingSpec {
        model_id: ltmc_embed::Embedder::model_id(embedder.as_ref()).to_owned(),
        dimension: 64,
    };
    let store = SqliteStore::open(&dir.path().join("ltmc.db"), Some(&spec)).unwrap();
    Memory::new(Arc::new(store), embedder, ChunkConfig::default()).unwrap()
}

pub fn env_with(llm: Option<LlmConfig>) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let tools = Tools::new(memory(&dir), Project::default(), llm);
    Env { _dir: dir, tools }
}

pub fn env() -> Env {
    env_with(None)
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
