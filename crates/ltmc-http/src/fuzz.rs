//! Fuzz harness body of the HTTP surface (issue 21): [`request`] turns
//! arbitrary bytes into one request to the router, in-process (no socket):
//! byte 0 picks the route (`POST /jsonrpc`, `POST /mcp`, `POST
//! /api/tools/{name}` with byte 1 picking the tool, `GET /tools`, or a `GET`
//! of an `/api/` path and query taken from the input), the rest is the body.
//! Whatever comes in, the answer must not be a 5xx; a 5xx or a panic is what
//! the fuzzer reports.
//!
//! Called by the coverage-guided target in `fuzz/` (cargo-afl) and by the
//! replay of `fuzz/regressions/jsonrpc/` and `fuzz/seeds/jsonrpc/` in this
//! crate's integration tests. Not a fuzzer; it builds no store (the caller
//! hands in the router).

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use ltmc_tools::REGISTRY;
use std::time::Duration;
use tower::ServiceExt as _;

/// One request from `data` through `router`; panics on a 5xx.
pub async fn request(router: &Router, data: &[u8]) {
    let [route, rest @ ..] = data else {
        return;
    };
    let builder = Request::builder().header(header::HOST, "127.0.0.1");
    let post = |path: &str| {
        Request::builder()
            .method("POST")
            .uri(path)
            .header(header::HOST, "127.0.0.1")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json, text/event-stream")
    };
    let request = match route % 5 {
        0 => post("/jsonrpc").body(Body::from(rest.to_vec())),
        1 => post("/mcp").body(Body::from(rest.to_vec())),
        2 => {
            let [pick, body @ ..] = rest else {
                return;
            };
            let name = REGISTRY[usize::from(*pick) % REGISTRY.len()].name;
            post(&format!("/api/tools/{name}")).body(Body::from(body.to_vec()))
        }
        3 => builder.uri("/tools").body(Body::empty()),
        _ => {
            // A path and query under /api/ (not a valid URI: nothing to send).
            let Ok(tail) = std::str::from_utf8(rest) else {
                return;
            };
            builder.uri(format!("/api/{tail}")).body(Body::empty())
        }
    };
    let Ok(request) = request else {
        return;
    };
    let uri = request.uri().clone();
    let response = router
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|e| match e {});
    let status = response.status();
    // A body that does not end (an SSE stream left open) is not a failure.
    let body = tokio::time::timeout(
        Duration::from_secs(10),
        axum::body::to_bytes(response.into_body(), usize::MAX),
    )
    .await;
    assert!(
        !status.is_server_error(),
        "{status} for {uri}: {:?}",
        body.map(|b| b.map(|b| String::from_utf8_lossy(&b).into_owned()))
    );
}
