//! Limits and the host check, on every route: JSON-RPC batches bounded in
//! length and in reply size (amplification), 413 for a body over the limit
//! even without a length (as chunked uploads send it; `/mcp` answered 500),
//! and a loopback server refusing other `Host` names (DNS rebinding).

use super::{fixture, get, post, rpc, send};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ltmc_http::HttpConfig;
use ltmc_tools::Tools;
use serde_json::{Value, json};
use tower::ServiceExt as _;

fn router(tools: &Tools) -> Router {
    ltmc_http::router(tools, &HttpConfig::local()).0
}

#[tokio::test]
async fn jsonrpc_batches_are_bounded_in_length_and_reply_size() {
    let f = fixture();
    let router = router(&f.tools);
    let list = |id: usize| json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"});
    let long: Vec<Value> = (0..=ltmc_http::MAX_BATCH).map(list).collect();
    let reply = rpc(&router, &Value::Array(long)).await;
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most")
    );

    // One 1 MiB todo, then a batch listing it again and again: the replies
    // stop past the limit instead of growing without bound.
    let big = "x".repeat(1024 * 1024);
    let added = rpc(
        &router,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "add_todo", "arguments": {"title": "big", "description": big}}}),
    )
    .await;
    assert_eq!(added["result"]["success"], true, "{added}");
    let calls: Vec<Value> = (0..ltmc_http::MAX_BATCH)
        .map(|id| {
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                   "params": {"name": "list_todos", "arguments": {}}})
        })
        .collect();
    let replies = rpc(&router, &Value::Array(calls)).await;
    let replies = replies.as_array().unwrap();
    assert_eq!(replies.len(), ltmc_http::MAX_BATCH);
    let run = replies.iter().filter(|r| r["result"].is_object()).count();
    let refused: Vec<&Value> = replies.iter().filter(|r| r["error"].is_object()).collect();
    assert!((16..ltmc_http::MAX_BATCH).contains(&run), "{run} run");
    assert_eq!(run + refused.len(), ltmc_http::MAX_BATCH);
    assert_eq!(refused[0]["error"]["code"], -32000);
    assert!(
        refused[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not run")
    );
    let size: usize = replies.iter().map(|r| r.to_string().len()).sum();
    assert!(
        size < ltmc_http::MAX_REPLY_BYTES + 2 * 1024 * 1024,
        "{size}"
    );
}

#[tokio::test]
async fn an_oversized_body_without_a_length_is_413_on_every_route() {
    let f = fixture();
    let router = router(&f.tools);
    let limit = ltmc_http::DEFAULT_MAX_BODY_BYTES;
    for path in ["/mcp", "/jsonrpc", "/api/tools/list_todos"] {
        // No Content-Length (as a chunked upload sends it): nothing to
        // refuse up front, the limit cuts the body while it is read.
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json, text/event-stream")
            .body(Body::from(vec![b' '; limit + 1]))
            .unwrap();
        // (The answer's body is axum's text on /jsonrpc and REST, JSON on /mcp.)
        let status = router.clone().oneshot(request).await.unwrap().status();
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
}

#[tokio::test]
async fn a_loopback_server_refuses_other_host_names_on_every_route() {
    let f = fixture();
    let router = router(&f.tools);
    let with_host = |mut request: Request<Body>, host: &str| {
        request
            .headers_mut()
            .insert(header::HOST, header::HeaderValue::from_str(host).unwrap());
        request
    };
    for (name, request) in [
        ("/tools", get("/tools")),
        (
            "/jsonrpc",
            post(
                "/jsonrpc",
                r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            ),
        ),
        ("/api/tools", get("/api/tools")),
    ] {
        let reply = send(&router, with_host(request, "evil.example:5050")).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{name}: {}",
            reply.json
        );
    }
    let reply = send(&router, with_host(get("/tools"), "127.0.0.1:5050")).await;
    assert_eq!(reply.status, StatusCode::OK);
}
