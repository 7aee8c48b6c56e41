//! The todo tools: add_todo, list_todos (with the later status/limit
//! variant), complete_todo, search_todos.

use crate::support::{env, ids};
use serde_json::json;

#[tokio::test]
async fn todos_add_list_complete_search() {
    let env = env().await;
    let a = env
        .ok(
            "add_todo",
            json!({"title": "Fix flaky test", "description": "the retry test times out"}),
        )
        .await;
    let a_id = a["todo_id"].as_i64().unwrap();
    assert!(a["message"].as_str().unwrap().contains("Fix flaky test"));
    assert_eq!(a["todo"]["priority"], "medium");
    let b_id = env
        .ok(
            "add_todo",
            json!({"title": "Write docs", "description": "explain the vault", "priority": "HIGH"}),
        )
        .await["todo_id"]
        .as_i64()
        .unwrap();

    let all = env.ok("list_todos", json!({})).await;
    assert_eq!(all["count"], 2);
    let t = &all["todos"][0];
    for key in [
        "id",
        "title",
        "description",
        "priority",
        "completed",
        "created_at",
        "completed_at",
    ] {
        assert!(t.get(key).is_some(), "{key} missing in {t}");
    }
    assert_eq!(ids(&all["todos"], "id"), [b_id, a_id], "newest first");
    assert_eq!(all["todos"][0]["priority"], "high");

    let done = env.ok("complete_todo", json!({"todo_id": a_id})).await;
    assert!(done["message"].as_str().unwrap().contains("completed"));
    assert_eq!(done["todo"]["completed"], true);
    assert!(done["todo"]["completed_at"].is_string());

    let completed = env.ok("list_todos", json!({"completed": true})).await;
    assert_eq!(ids(&completed["todos"], "id"), [a_id]);
    let pending = env.ok("list_todos", json!({"status": "pending"})).await;
    assert_eq!(ids(&pending["todos"], "id"), [b_id]);
    let limited = env
        .ok("list_todos", json!({"status": "all", "limit": 1}))
        .await;
    assert_eq!(limited["count"], 1);

    let found = env.ok("search_todos", json!({"query": "vault"})).await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["todos"][0]["id"], b_id);
    let none = env.ok("search_todos", json!({"query": "kubernetes"})).await;
    assert_eq!(none["count"], 0);
}

#[tokio::test]
async fn todo_tools_refuse_bad_input_and_unknown_ids() {
    let env = env().await;
    let e = env
        .fail(
            "add_todo",
            json!({"title": "x", "description": "y", "priority": "urgent"}),
        )
        .await;
    assert_eq!(
        e,
        "priority must be one of \"low\", \"medium\", \"high\"; got \"urgent\""
    );
    let e = env.fail("add_todo", json!({"title": "x"})).await;
    assert!(e.starts_with("description is required"), "{e}");
    let e = env
        .fail("add_todo", json!({"title": "  ", "description": "y"}))
        .await;
    assert!(e.starts_with("title is empty"), "{e}");
    let e = env.fail("complete_todo", json!({"todo_id": 77})).await;
    assert!(
        e.starts_with("todo_id:") && e.contains("77") && e.contains("list_todos"),
        "{e}"
    );
    let e = env.fail("complete_todo", json!({"todo_id": "7"})).await;
    assert_eq!(e, "todo_id must be an integer, got \"7\"");
    let e = env
        .fail(
            "list_todos",
            json!({"completed": true, "status": "pending"}),
        )
        .await;
    assert!(e.contains("completed") && e.contains("status"), "{e}");
    let e = env.fail("list_todos", json!({"limit": 0})).await;
    assert!(e.starts_with("limit must be between 1 and"), "{e}");
    let e = env.fail("search_todos", json!({"query": ""})).await;
    assert!(e.starts_with("query is empty"), "{e}");
}
