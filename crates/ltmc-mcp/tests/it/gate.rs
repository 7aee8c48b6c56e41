//! The stdio session before `initialize`, as raw lines: [`HandshakeGate`]
//! in front of a byte transport, the client side written by hand. A request
//! sent too early is answered with an error (its id kept), a notification or
//! response is ignored, and the session stays open for a later `initialize`.
//! Not here: the real binary on stdin/stdout (`crates/ltmc/tests/it/serve.rs`).

use super::tools;
use ltmc_mcp::{HandshakeGate, LtmcServer};
use rmcp::ServiceExt as _;
use rmcp::transport::IntoTransport as _;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

async fn next_frame(lines: &mut tokio::io::Lines<impl tokio::io::AsyncBufRead + Unpin>) -> Value {
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("a reply within 30 s")
        .expect("read")
        .expect("the server closed its output");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

#[tokio::test]
async fn messages_before_initialize_get_an_error_and_the_session_survives() {
    let dir = tempfile::tempdir().unwrap();
    let server = LtmcServer::new(tools(dir.path()));
    let (server_side, client_side) = tokio::io::duplex(64 * 1024);
    let session = tokio::spawn(async move {
        let gate = HandshakeGate::new(tokio::io::split(server_side).into_transport());
        let running = server.serve(gate).await.expect("handshake");
        running.waiting().await.expect("session");
    });
    let (read, mut write) = tokio::io::split(client_side);
    let mut lines = BufReader::new(read).lines();
    let mut send = async |message: Value| {
        write
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    };

    // Ignored: a notification, a response and an error from the client.
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;
    send(json!({"jsonrpc": "2.0", "id": 90, "result": {}})).await;
    send(json!({"jsonrpc": "2.0", "id": 91, "error": {"code": 1, "message": "x"}})).await;
    // Answered: requests, each with its own id.
    send(json!({"jsonrpc": "2.0", "id": 7, "method": "tools/list"})).await;
    let refused = next_frame(&mut lines).await;
    assert_eq!(refused["id"], 7, "{refused}");
    assert_eq!(refused["error"]["code"], -32600, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("send `initialize` first"), "{refused}");
    assert!(message.contains("tools/list"), "{refused}");
    send(
        json!({"jsonrpc": "2.0", "id": "call", "method": "tools/call",
        "params": {"name": "list_todos", "arguments": {}}}),
    )
    .await;
    let refused = next_frame(&mut lines).await;
    assert_eq!(refused["id"], "call", "{refused}");
    assert_eq!(refused["error"]["code"], -32600, "{refused}");
    // Ping is allowed before the handshake (MCP lifecycle).
    send(json!({"jsonrpc": "2.0", "id": 8, "method": "ping"})).await;
    let pong = next_frame(&mut lines).await;
    assert_eq!(pong["id"], 8, "{pong}");
    assert!(pong["result"].is_object(), "{pong}");

    // The session is still open: the handshake and a call work.
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "gate-test", "version": "0"},
        }}),
    )
    .await;
    let init = next_frame(&mut lines).await;
    assert_eq!(init["id"], 1, "{init}");
    assert_eq!(init["result"]["serverInfo"]["name"], "ltmc", "{init}");
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await;
    let list = next_frame(&mut lines).await;
    assert_eq!(list["id"], 2, "{list}");
    assert!(
        list["result"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty()),
        "{list}"
    );

    // Both halves of the duplex must go for the server to see the end.
    drop(write);
    drop(lines);
    tokio::time::timeout(Duration::from_secs(30), session)
        .await
        .expect("the session ends when the client hangs up")
        .unwrap();
}
