//! Fuzz harness body of the stdio MCP session (issue 21): [`stdio`] runs one
//! session of [`LtmcServer`] behind [`HandshakeGate`], as `serve --stdio`
//! does, on an in-memory pipe whose input is arbitrary bytes (after a
//! complete handshake when byte 0 is odd, so calls reach the tools), and
//! checks that the session ends when its input does and that every line it
//! wrote is a JSON message (stdout is protocol only). A panic or a hang is
//! what the fuzzer reports.
//!
//! Called by the coverage-guided target in `fuzz/` (cargo-afl) and by the
//! replay of `fuzz/regressions/stdio/` and `fuzz/seeds/stdio/` in this
//! crate's integration tests. Not a fuzzer; it builds no store (the caller
//! hands in the tools).

use crate::{HandshakeGate, LtmcServer};
use ltmc_tools::Tools;
use rmcp::ServiceExt as _;
use rmcp::transport::IntoTransport as _;
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// What a client sends to open a session.
const HANDSHAKE: &[u8] = b"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"0\"}}}\n{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";

/// How long one session may take before it counts as hung.
const LIMIT: Duration = Duration::from_secs(30);

/// One session on `data`; panics on a line that is not JSON or a hang.
pub async fn stdio(tools: &Tools, data: &[u8]) {
    let [flags, rest @ ..] = data else {
        return;
    };
    let mut input = Vec::with_capacity(HANDSHAKE.len() + rest.len());
    if flags & 1 == 1 {
        input.extend_from_slice(HANDSHAKE);
    }
    input.extend_from_slice(rest);
    let (server_side, client_side) = tokio::io::duplex(64 * 1024);
    let server = LtmcServer::new(tools.clone());
    let session = tokio::spawn(async move {
        let gate = HandshakeGate::new(tokio::io::split(server_side).into_transport());
        if let Ok(running) = server.serve(gate).await {
            let _ = running.waiting().await;
        }
    });
    let (mut read, mut write) = tokio::io::split(client_side);
    let client = async move {
        let writing = async move {
            // The server may stop reading (a handshake refused): not a failure.
            let _ = write.write_all(&input).await;
            let _ = write.shutdown().await;
        };
        let mut output = Vec::new();
        let reading = read.read_to_end(&mut output);
        let ((), read) = tokio::join!(writing, reading);
        read.map(|_| output)
    };
    let output = tokio::time::timeout(LIMIT, client)
        .await
        .expect("the session did not end within 30 s of its input")
        .expect("reading the session's output");
    tokio::time::timeout(LIMIT, session)
        .await
        .expect("the session task did not end")
        .expect("the session task panicked");
    for line in output.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        assert!(
            serde_json::from_slice::<serde_json::Value>(line).is_ok(),
            "not a JSON message on the output: {:?}",
            String::from_utf8_lossy(line)
        );
    }
}
