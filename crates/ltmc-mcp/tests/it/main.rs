//! The MCP server in-process: an rmcp client and [`LtmcServer`] talking over
//! `tokio::io::duplex`, on a real SQLite store with the hash embedder.
//!
//! These tests check the adapter (listing, result shape, `isError`, the
//! handshake), not what each tool does: ltmc-service tests the tools, and the
//! `ltmc` crate drives all of them through the official Python client.
//! `golden/tools.json` pins the tool list exactly as clients receive it;
//! regenerate it with `LTMC_BLESS=1 cargo test -p ltmc-mcp`.

mod fuzz;
mod gate;

use ltmc_core::{ChunkConfig, Project};
use ltmc_embed::testing::HashEmbedder;
use ltmc_mcp::LtmcServer;
use ltmc_service::Memory;
use ltmc_store_sqlite::SqliteStore;
use ltmc_tools::Tools;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceExt as _};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;

struct Fixture {
    _dir: tempfile::TempDir,
    client: RunningService<RoleClient, ()>,
}

fn tools(dir: &Path) -> Tools {
    let embedder = Arc::new(HashEmbedder::new(64).unwrap());
    let spec = ltmc_store::EmbeddingSpec {
        model_id: ltmc_embed::Embedder::model_id(embedder.as_ref()).to_owned(),
        dimension: 64,
    };
    let store = SqliteStore::open(&dir.join("ltmc.db"), Some(&spec)).unwrap();
    let memory = Memory::new(Arc::new(store), embedder, ChunkConfig::default()).unwrap();
    Tools::new(memory, Project::default(), None)
}

/// A client connected to a fresh server; the handshake is done.
async fn connect() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let server = LtmcServer::new(tools(dir.path()));
    let (server_side, client_side) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        let running = server.serve(server_side).await.unwrap();
        running.waiting().await.unwrap();
    });
    let client = ().serve(client_side).await.unwrap();
    Fixture { _dir: dir, client }
}

async fn call(fixture: &Fixture, name: &str, arguments: Value) -> CallToolResult {
    let Value::Object(arguments) = arguments else {
        panic!("arguments must be an object")
    };
    fixture
        .client
        .call_tool(CallToolRequestParams::new(name.to_owned()).with_arguments(arguments))
        .await
        .unwrap_or_else(|e| panic!("{name}: protocol error instead of a tool result: {e}"))
}

/// The result's text content, parsed, must be its structured content.
#[track_caller]
fn object_of(result: &CallToolResult) -> Value {
    let structured = result
        .structured_content
        .clone()
        .expect("structured content");
    assert!(structured.is_object(), "{structured}");
    assert_eq!(result.content.len(), 1, "{result:?}");
    let text = &result.content[0].as_text().expect("text content").text;
    let parsed: Value = serde_json::from_str(text).expect("text content is JSON");
    assert_eq!(parsed, structured);
    structured
}

#[tokio::test]
async fn handshake_names_the_server_and_offers_tools() {
    let fixture = connect().await;
    let info = fixture.client.peer_info().expect("server info");
    let server = info.server_info.as_ref().expect("server implementation");
    assert_eq!(server.name, "ltmc");
    assert_eq!(server.version, env!("CARGO_PKG_VERSION"));
    assert!(info.capabilities.tools.is_some());
    let instructions = info.instructions.clone().unwrap_or_default();
    assert!(instructions.contains("store_memory"), "{instructions}");
}

#[tokio::test]
async fn lists_exactly_the_contract_tools() {
    let fixture = connect().await;
    let listed = fixture.client.list_all_tools().await.unwrap();
    let specs = Tools::specs();
    assert_eq!(listed.len(), specs.len());
    for (tool, spec) in listed.iter().zip(&specs) {
        assert_eq!(tool.name, spec.name);
        assert_eq!(tool.description.as_deref(), Some(spec.description));
        assert_eq!(
            Value::Object((*tool.input_schema).clone()),
            spec.input_schema
        );
    }
}

/// The 22 LTMC tools and the 17 fix-pattern tools of ltmc-service.
#[tokio::test]
async fn lists_every_tool() {
    let fixture = connect().await;
    let listed = fixture.client.list_all_tools().await.unwrap();
    assert_eq!(listed.len(), 22 + 21, "{listed:?}");
    assert_eq!(listed.len(), Tools::specs().len());
}

/// Waits for the tools of ltmc-service.
#[tokio::test]
async fn a_call_answers_the_tool_object_as_text_and_structured_content() {
    let fixture = connect().await;
    let stored = call(
        &fixture,
        "store_memory",
        json!({"file_name": "notes.md", "content": "the retry loop doubles its delay"}),
    )
    .await;
    assert_eq!(stored.is_error, Some(false), "{stored:?}");
    let object = object_of(&stored);
    assert_eq!(object["success"], true, "{object}");
    assert!(object["resource_id"].is_number(), "{object}");

    let found = call(
        &fixture,
        "retrieve_memory",
        json!({"conversation_id": "c1", "query": "retry delay"}),
    )
    .await;
    let object = object_of(&found);
    assert_eq!(object["success"], true, "{object}");
    assert!(
        object["context"].as_str().unwrap().contains("retry loop"),
        "{object}"
    );
}

/// Waits for the tools of ltmc-service.
#[tokio::test]
async fn bad_arguments_are_a_tool_error() {
    let fixture = connect().await;
    let result = call(&fixture, "store_memory", json!({"file_name": "x.md"})).await;
    assert_eq!(result.is_error, Some(true), "{result:?}");
    let object = object_of(&result);
    assert_eq!(object["success"], false);
    assert!(
        object["error"].as_str().unwrap().contains("content"),
        "{object}"
    );
}

#[tokio::test]
async fn an_unknown_tool_is_a_tool_error_not_a_protocol_error() {
    let fixture = connect().await;
    let result = call(&fixture, "no_such_tool", json!({})).await;
    assert_eq!(result.is_error, Some(true), "{result:?}");
    let object = object_of(&result);
    assert_eq!(object["success"], false);
    assert!(
        object["error"].as_str().unwrap().contains("no_such_tool"),
        "{object}"
    );
    // The session survives: the next request is answered.
    fixture.client.list_all_tools().await.unwrap();
}

#[tokio::test]
async fn a_call_without_arguments_is_answered() {
    let fixture = connect().await;
    let result = fixture
        .client
        .call_tool(CallToolRequestParams::new("list_todos"))
        .await
        .unwrap();
    // Whatever the tool says, it says it as an object.
    let object = object_of(&result);
    assert!(object["success"].is_boolean(), "{object}");
}

/// The tool list as clients receive it (names, descriptions, input schemas),
/// compared with `tests/golden/tools.json`.
#[tokio::test]
async fn tool_list_matches_the_golden_file() {
    let fixture = connect().await;
    let listed = fixture.client.list_all_tools().await.unwrap();
    let actual = serde_json::to_string_pretty(&listed).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tools.json");
    if std::env::var_os("LTMC_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "the tool list differs from {}; if the change is intended, run \
         `LTMC_BLESS=1 cargo test -p ltmc-mcp --test it` and review the diff\n{actual}",
        path.display()
    );
}
