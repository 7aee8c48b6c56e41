//! The REST adapter (`/api/tools`): the listing with groups and schemas, a
//! call's object on 200, failures with the status of their kind and the same
//! error object as over JSON-RPC, the exposed groups, and the token and
//! origin guard.

use super::{fixture, from_origin, get, post, send, with_token};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ltmc_http::HttpConfig;
use ltmc_tools::{ToolGroup, Tools};
use serde_json::{Value, json};

fn router(tools: &Tools) -> Router {
    ltmc_http::router(tools, &HttpConfig::local()).0
}

#[tokio::test]
async fn lists_every_exposed_tool_with_group_writes_and_schema() {
    let f = fixture();
    let reply = send(&router(&f.tools), get("/api/tools")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let listed = reply.json["tools"].as_array().unwrap();
    let specs = Tools::specs();
    assert_eq!(listed.len(), specs.len());
    for (item, spec) in listed.iter().zip(&specs) {
        assert_eq!(item["name"], spec.name);
        assert_eq!(item["description"], spec.description);
        assert_eq!(item["input_schema"], spec.input_schema);
    }
    let store = listed.iter().find(|t| t["name"] == "store_memory").unwrap();
    assert_eq!(
        (&store["group"], &store["writes"]),
        (&json!("ltmc"), &json!(true))
    );
    let list = listed
        .iter()
        .find(|t| t["name"] == "list_patterns")
        .unwrap();
    assert_eq!(
        (&list["group"], &list["writes"]),
        (&json!("patterns"), &json!(false))
    );
}

#[tokio::test]
async fn a_call_answers_the_tool_object_with_200() {
    let f = fixture();
    let router = router(&f.tools);
    let body = json!({"title": "write the REST adapter", "description": "serve every tool at /api/tools", "priority": "high"});
    let reply = send(&router, post("/api/tools/add_todo", body.to_string())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["success"], true);
    let todo_id = reply.json["todo_id"].as_i64().unwrap();
    // The same object as a call by name.
    let listed = send(&router, post("/api/tools/list_todos", "")).await;
    assert_eq!(listed.status, StatusCode::OK);
    let direct = f.tools.call("list_todos", json!({})).await.value;
    assert_eq!(listed.json, direct);
    assert_eq!(listed.json["todos"][0]["id"], todo_id);
}

#[tokio::test]
async fn failures_get_the_status_of_their_kind_and_the_error_object() {
    let f = fixture();
    let router = router(&f.tools);
    let cases: [(&str, Value, StatusCode); 4] = [
        ("add_todo", json!({}), StatusCode::BAD_REQUEST),
        (
            "add_todo",
            json!({"title": "t", "priority": "urgent"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "complete_todo",
            json!({"todo_id": 4242}),
            StatusCode::NOT_FOUND,
        ),
        ("no_such_tool", json!({}), StatusCode::NOT_FOUND),
    ];
    for (name, body, status) in cases {
        let reply = send(
            &router,
            post(&format!("/api/tools/{name}"), body.to_string()),
        )
        .await;
        assert_eq!(reply.status, status, "{name} {body}: {}", reply.json);
        let direct = f.tools.call(name, body.clone()).await.value;
        assert_eq!(reply.json, direct, "{name}");
        assert_eq!(reply.json["success"], false);
        assert!(reply.json["error"].is_string());
    }
    let unknown = send(&router, post("/api/tools/no_such_tool", "{}")).await;
    assert!(unknown.json["available_tools"].as_array().unwrap().len() > 30);
    for body in ["[1, 2]", "{not json"] {
        let reply = send(&router, post("/api/tools/list_todos", body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.json["success"], false);
    }
}

#[tokio::test]
async fn only_the_exposed_groups_are_listed_and_callable() {
    let f = fixture();
    let tools = f.tools.clone().with_groups(vec![ToolGroup::Patterns]);
    let router = router(&tools);
    let listed = send(&router, get("/api/tools")).await.json;
    let names: Vec<&str> = listed["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"recommend_fix"), "{names:?}");
    assert!(!names.contains(&"store_memory"), "{names:?}");
    let reply = send(&router, post("/api/tools/list_todos", "{}")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(
        reply.json["error"]
            .as_str()
            .unwrap()
            .contains("does not expose"),
        "{}",
        reply.json
    );
}

#[tokio::test]
async fn the_token_and_origin_guard_applies() {
    let f = fixture();
    let (guarded, _) = ltmc_http::router(&f.tools, &with_token());
    for request in [get("/api/tools"), post("/api/tools/list_todos", "{}")] {
        let reply = send(&guarded, request).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.json);
    }
    let authorised = Request::get("/api/tools")
        .header(header::AUTHORIZATION, "Bearer s3cret")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&guarded, authorised).await.status, StatusCode::OK);
    let plain = router(&f.tools);
    let page = from_origin(post("/api/tools/list_todos", "{}"), "https://evil.example");
    assert_eq!(send(&plain, page).await.status, StatusCode::FORBIDDEN);
}
