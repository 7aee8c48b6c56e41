//! The HTTP surface in-process: requests through `router().oneshot()` for
//! the routes, the JSON-RPC rules and the guards (token, origin, body size),
//! and rmcp's own streamable-HTTP client against a server on 127.0.0.1:0 for
//! `/mcp`.
//!
//! What each tool computes is ltmc-service's business; here a tool call only
//! has to come back as the tool's object.

mod dashboard;
mod fuzz;
mod limits;
mod rest;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use ltmc_core::{ChunkConfig, Project};
use ltmc_embed::testing::HashEmbedder;
use ltmc_http::HttpConfig;
use ltmc_service::Memory;
use ltmc_store_sqlite::SqliteStore;
use ltmc_tools::{ToolGroup, Tools};
use rmcp::ServiceExt as _;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt as _;

struct Fixture {
    _dir: tempfile::TempDir,
    tools: Tools,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let embedder = Arc::new(HashEmbedder::new(64).unwrap());
    let spec = ltmc_store::EmbeddingSpec {
        model_id: ltmc_embed::Embedder::model_id(embedder.as_ref()).to_owned(),
        dimension: 64,
    };
    let store = SqliteStore::open(&dir.path().join("ltmc.db"), Some(&spec)).unwrap();
    let memory = Memory::new(Arc::new(store), embedder, ChunkConfig::default()).unwrap();
    Fixture {
        _dir: dir,
        tools: Tools::new(memory, Project::default(), None),
    }
}

fn with_token() -> HttpConfig {
    HttpConfig {
        token: Some("s3cret".into()),
        ..HttpConfig::local()
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    json: Value,
}

async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {bytes:?}"))
    };
    Reply {
        status,
        headers,
        json,
    }
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

/// A POST as clients send it, with its length.
fn post(path: &str, body: impl Into<String>) -> Request<Body> {
    let body = body.into();
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap()
}

async fn rpc(router: &Router, body: &Value) -> Value {
    let reply = send(router, post("/jsonrpc", body.to_string())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    reply.json
}

#[tokio::test]
async fn health_needs_no_token_and_counts_the_tools() {
    let f = fixture();
    let (router, _) = ltmc_http::router(&f.tools, &with_token());
    let reply = send(&router, get("/health")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json["status"], "ok");
    assert_eq!(reply.json["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(reply.json["tools"], Tools::specs().len());
}

#[tokio::test]
async fn tools_lists_name_description_and_input_schema() {
    let f = fixture();
    let (router, _) = ltmc_http::router(&f.tools, &HttpConfig::local());
    let reply = send(&router, get("/tools")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json, serde_json::to_value(Tools::specs()).unwrap());
    // No CORS unless an origin is configured.
    assert!(
        !reply
            .headers
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );
}

#[tokio::test]
async fn jsonrpc_lists_tools_in_mcp_shape() {
    let f = fixture();
    let (router, _) = ltmc_http::router(&f.tools, &HttpConfig::local());
    let reply = rpc(
        &router,
        &json!({"jsonrpc": "2.0", "id": 7, "method": "tools/list"}),
    )
    .await;
    assert_eq!(reply["id"], 7);
    let tools = reply["result"]["tools"].as_array().unwrap();
    let specs = Tools::specs();
    assert_eq!(tools.len(), specs.len());
    for (tool, spec) in tools.iter().zip(&specs) {
        assert_eq!(tool["name"], spec.name);
        assert_eq!(tool["inputSchema"], spec.input_schema);
    }
}

/// `serve --tools patterns`: every HTTP listing shows only the exposed group,
/// and a call to a hidden tool is a tool error naming the flag.
#[tokio::test]
async fn listings_and_calls_honour_the_exposed_tool_groups() {
    let f = fixture();
    let tools = f.tools.clone().with_groups(vec![ToolGroup::Patterns]);
    let exposed: Vec<&str> = tools.enabled_specs().into_iter().map(|s| s.name).collect();
    assert!(exposed.len() < Tools::specs().len(), "{exposed:?}");
    assert!(exposed.contains(&"recommend_fix"), "{exposed:?}");
    assert!(!exposed.contains(&"store_memory"), "{exposed:?}");
    let (router, _) = ltmc_http::router(&tools, &HttpConfig::local());

    let listed = send(&router, get("/tools")).await.json;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, exposed);
    assert_eq!(
        send(&router, get("/health")).await.json["tools"],
        exposed.len()
    );
    let reply = rpc(
        &router,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
    )
    .await;
    let names: Vec<&str> = reply["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, exposed);

    let reply = rpc(
        &router,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "store_memory", "arguments": {"file_name": "a.md", "content": "x"}}}),
    )
    .await;
    let text = reply["result"].to_string();
    assert!(text.contains("--tools"), "{reply:#}");
}

#[tokio::test]
async fn jsonrpc_tool_failures_are_results_not_errors() {
    let f = fixture();
    let (router, _) = ltmc_http::router(&f.tools, &HttpConfig::local());
    let reply = rpc(
        &router,
        &json!({"jsonrpc": "2.0", "id": "a", "method": "tools/call",
                "params": {"name": "no_such_tool", "arguments": {}}}),
    )
    .await;
    assert_eq!(reply["id"], "a");
    assert!(reply.get("error").is_none(), "{reply}");
    assert_eq!(reply["result"]["success"], false, "{reply}");
    assert!(
        reply["result"]["error"]
            .as_str()
            .unwrap()
            .contains("no_such_tool")
    );
}

/// Waits for the tools of ltmc-service.
#[tokio::test]
async fn jsonrpc_call_answers_the_tool_object() {
    let f = fixture();
    let (router, _) = ltmc_http::router(&f.tools, &HttpConfig::local());
    let reply = rpc(
        &router,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "store_memory",
            "arguments": {"file_name": "a.md", "content": "served over JSON-RPC"},
        }}),
    )
    .await;
    assert_eq!(reply["result"]["success"], true, "{reply}");
    assert!(reply["result"]["resource_id"].is_number(), "{reply}");
}

#[tokio::test]
async fn jsonrpc_faults_get_jsonrpc_errors() {
    let f = fixture();
    let (router, _) = ltmc_http::router(&f.tools, &HttpConfig::local());
    let check = async |body: &str, id: Value, code: i64| {
        let reply = send(&router, post("/jsonrpc", body.to_owned())).await;
        assert_eq!(reply.status, StatusCode::OK, "{body}");
        assert_eq!(reply.json["jsonrpc"], "2.0", "{body}");
        assert_eq!(reply.json["id"], id, "{body}: {}", reply.json);
        assert_eq!(reply.json["error"]["code"], code, "{body}: {}", reply.json);
        assert!(reply.json["error"]["message"].is_string());
    };
    check("{not json", Value::Null, -32700).await;
    check("", Value::Null, -32700).await;
    check("[]", Value::Null, -32600).await;
    check("42", Value::Null, -32600).await;
    check(
        r#"{"jsonrpc":"1.0","id":1,"method":"tools/list"}"#,
        json!(1),
        -32600,
    )
    .await;
    check(r#"{"jsonrpc":"2.0","id":2}"#, json!(2), -32600).await;
    check(r#"{"jsonrpc":"2.0","id":3,"method":7}"#, json!(3), -32600).await;
    check(
        r#"{"jsonrpc":"2.0","id":[1],"method":"tools/list"}"#,
        Value::Null,
        -32600,
    )
    .await;
    check(
        r#"{"jsonrpc":"2.0","id":4,"method":"resources/list"}"#,
        json!(4),
        -32601,
    )
    .await;
    check(
        r#"{"jsonrpc":"2.0","id":5,"method":"tools/call"}"#,
        json!(5),
        -32602,
    )
    .await;
    check(
        r#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"arguments":{}}}"#,
        json!(6),
        -32602,
    )
    .await;
}

#[tokio::test]
async fn jsonrpc_batches_and_notifications() {
    let f = fixture();
    let (router, _) = ltmc_http::router(&f.tools, &HttpConfig::local());
    let notification = json!({"jsonrpc": "2.0", "method": "tools/list"});
    let reply = send(&router, post("/jsonrpc", notification.to_string())).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);

    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        notification,
        {"jsonrpc": "2.0", "id": 2, "method": "nope"},
        17,
    ]);
    let replies = rpc(&router, &batch).await;
    let replies = replies.as_array().unwrap();
    assert_eq!(replies.len(), 3, "{replies:?}");
    assert!(replies[0]["result"]["tools"].is_array());
    assert_eq!(replies[1]["error"]["code"], -32601);
    assert_eq!(replies[2]["error"]["code"], -32600);
}

#[tokio::test]
async fn a_configured_token_guards_every_route_but_health() {
    let f = fixture();
    let (router, _) = ltmc_http::router(&f.tools, &with_token());
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string();
    for (request, what) in [
        (get("/tools"), "GET /tools"),
        (post("/jsonrpc", list.clone()), "POST /jsonrpc"),
        (post("/mcp", "{}"), "POST /mcp"),
        (get("/mcp"), "GET /mcp"),
    ] {
        let reply = send(&router, request).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(reply.json["success"], false, "{what}");
        assert!(
            reply.json["error"].as_str().unwrap().contains("token"),
            "{what}"
        );
        assert!(reply.headers.contains_key(header::WWW_AUTHENTICATE));
    }
    let authorized = |mut request: Request<Body>, token: &str| {
        request.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        request
    };
    let reply = send(&router, authorized(get("/tools"), "wrong")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = send(&router, authorized(get("/tools"), "s3cret")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = send(&router, authorized(post("/jsonrpc", list), "s3cret")).await;
    assert!(reply.json["result"]["tools"].is_array());
}

fn from_origin(mut request: Request<Body>, origin: &str) -> Request<Body> {
    request
        .headers_mut()
        .insert(header::ORIGIN, origin.parse().unwrap());
    request
}

#[tokio::test]
async fn web_pages_are_refused_unless_their_origin_is_configured() {
    let f = fixture();
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string();
    let (router, _) = ltmc_http::router(&f.tools, &HttpConfig::local());
    let reply = send(
        &router,
        from_origin(post("/jsonrpc", list.clone()), "https://evil.example"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply.json["error"]
            .as_str()
            .unwrap()
            .contains("--cors-origin")
    );

    let config = HttpConfig {
        cors_origins: vec!["http://localhost:3000".into()],
        ..with_token()
    };
    let (router, _) = ltmc_http::router(&f.tools, &config);
    // A preflight is answered before the token check (browsers send none).
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/jsonrpc")
        .header(header::ORIGIN, "http://localhost:3000")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type",
        )
        .body(Body::empty())
        .unwrap();
    let reply = send(&router, preflight).await;
    assert!(reply.status.is_success(), "{}", reply.status);
    assert_eq!(
        reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://localhost:3000"
    );
    let mut request = from_origin(post("/jsonrpc", list.clone()), "http://localhost:3000");
    request
        .headers_mut()
        .insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
    let reply = send(&router, request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://localhost:3000"
    );
    let mut request = from_origin(post("/jsonrpc", list), "http://localhost:4000");
    request
        .headers_mut()
        .insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
    assert_eq!(send(&router, request).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let f = fixture();
    let config = HttpConfig {
        max_body_bytes: 1024,
        ..HttpConfig::local()
    };
    let (router, _) = ltmc_http::router(&f.tools, &config);
    let big = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "store_memory",
        "arguments": {"file_name": "big.md", "content": "x".repeat(2048)},
    }})
    .to_string();
    for path in ["/jsonrpc", "/mcp"] {
        let response = router
            .clone()
            .oneshot(post(path, big.clone()))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
    // Under the limit, the same route answers.
    let small = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string();
    assert_eq!(
        send(&router, post("/jsonrpc", small)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_routes_get_a_json_404() {
    let f = fixture();
    let (router, _) = ltmc_http::router(&f.tools, &HttpConfig::local());
    let reply = send(&router, get("/nope")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.json["error"].as_str().unwrap().contains("/jsonrpc"));
}

/// A real server on 127.0.0.1:0, stopped when the test ends.
async fn spawn_server(
    tools: &Tools,
    config: &HttpConfig,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (tools, config) = (tools.clone(), config.clone());
    tokio::spawn(async move {
        ltmc_http::serve(listener, &tools, &config, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (format!("http://{address}/mcp"), stop)
}

#[tokio::test]
async fn mcp_over_streamable_http_with_the_rmcp_client() {
    let f = fixture();
    let (url, _stop) = spawn_server(&f.tools, &with_token()).await;

    let config = StreamableHttpClientTransportConfig::with_uri(url.clone()).auth_header("s3cret");
    let client = ().serve(StreamableHttpClientTransport::from_config(config)).await.unwrap();
    let info = client.peer_info().unwrap();
    assert_eq!(info.server_info.as_ref().unwrap().name, "ltmc");
    let listed = client.list_all_tools().await.unwrap();
    let names: Vec<_> = listed.iter().map(|t| t.name.to_string()).collect();
    let expected: Vec<_> = Tools::specs().iter().map(|s| s.name.to_owned()).collect();
    assert_eq!(names, expected);
    let result = client
        .call_tool(CallToolRequestParams::new("no_such_tool"))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert_eq!(result.structured_content.unwrap()["success"], false);
    client.cancel().await.unwrap();

    // Without the token the handshake is refused.
    let refused = ().serve(StreamableHttpClientTransport::from_uri(url)).await;
    assert!(refused.is_err());
}

/// Waits for the tools of ltmc-service.
#[tokio::test]
async fn mcp_sessions_share_one_store() {
    let f = fixture();
    let (url, _stop) = spawn_server(&f.tools, &HttpConfig::local()).await;
    let first = ().serve(StreamableHttpClientTransport::from_uri(url.clone())).await.unwrap();
    let second = ().serve(StreamableHttpClientTransport::from_uri(url)).await.unwrap();
    let arguments = |v: Value| v.as_object().unwrap().clone();
    let stored = first
        .call_tool(
            CallToolRequestParams::new("store_memory").with_arguments(arguments(
                json!({"file_name": "shared.md", "content": "sessions share one store"}),
            )),
        )
        .await
        .unwrap();
    assert_eq!(stored.is_error, Some(false), "{stored:?}");
    let found = second
        .call_tool(
            CallToolRequestParams::new("retrieve_memory").with_arguments(arguments(
                json!({"conversation_id": "c", "query": "sessions share a store"}),
            )),
        )
        .await
        .unwrap();
    let object = found.structured_content.unwrap();
    assert!(
        object["context"].as_str().unwrap().contains("one store"),
        "{object}"
    );
    first.cancel().await.unwrap();
    second.cancel().await.unwrap();
}
