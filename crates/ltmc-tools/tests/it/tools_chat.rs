//! The chat and context-link tools: log_chat, store_context_links_tool,
//! get_context_links_for_message_tool, get_messages_for_chunk_tool,
//! get_context_usage_statistics_tool.

use crate::support::{env, ids};
use serde_json::json;

#[tokio::test]
async fn log_chat_logs_with_optional_fields_and_refuses_bad_input() {
    let env = env().await;
    let v = env
        .ok(
            "log_chat",
            json!({
                "conversation_id": "c1", "role": "assistant", "content": "Use the vault.",
                "agent_name": "claude", "metadata": {"turn": 3}, "source_tool": "ask"
            }),
        )
        .await;
    assert!(v["message_id"].as_i64().unwrap() > 0);
    assert_eq!(v["conversation_id"], "c1");
    assert!(v["timestamp"].as_str().unwrap().ends_with('Z'));
    let plain = env
        .ok(
            "log_chat",
            json!({"conversation_id": 42, "role": "user", "content": "hi", "metadata": null}),
        )
        .await;
    assert!(plain["message_id"].as_i64() > v["message_id"].as_i64());
    assert_eq!(plain["conversation_id"], "42");

    let e = env
        .fail("log_chat", json!({"conversation_id": "c", "content": "x"}))
        .await;
    assert!(e.starts_with("role is required (a string)"), "{e}");
    let e = env
        .fail(
            "log_chat",
            json!({"conversation_id": "c", "role": "user", "content": "x", "metadata": [1]}),
        )
        .await;
    assert_eq!(e, "metadata must be a JSON object, got [1]");
    let e = env
        .fail(
            "log_chat",
            json!({"conversation_id": " ", "role": "user", "content": "x"}),
        )
        .await;
    assert!(e.starts_with("conversation_id is empty"), "{e}");
}

#[tokio::test]
async fn context_links_round_trip_and_statistics() {
    let env = env().await;
    let r1 = env.store("a.md", "alpha document text", "document").await;
    let r2 = env.store("b.md", "beta document text", "document").await;
    let hits = env
        .ok(
            "retrieve_memory",
            json!({"conversation_id": "c", "query": "document text", "top_k": 2}),
        )
        .await;
    let chunk_ids = ids(&hits["retrieved_chunks"], "chunk_id");
    assert_eq!(chunk_ids.len(), 2);
    let resources = ids(&hits["retrieved_chunks"], "resource_id");
    assert!(resources.contains(&r1) && resources.contains(&r2));

    let message = env
        .ok(
            "log_chat",
            json!({"conversation_id": "c", "role": "assistant", "content": "answer"}),
        )
        .await["message_id"]
        .as_i64()
        .unwrap();
    let v = env
        .ok(
            "store_context_links_tool",
            json!({"message_id": message, "chunk_ids": chunk_ids}),
        )
        .await;
    assert_eq!(v["links_created"], 2);
    assert_eq!(v["message_id"], message);
    // Linking again creates nothing new.
    let v = env
        .ok(
            "store_context_links_tool",
            json!({"message_id": message, "chunk_ids": [chunk_ids[0]]}),
        )
        .await;
    assert_eq!(v["links_created"], 0);

    let links = env
        .ok(
            "get_context_links_for_message_tool",
            json!({"message_id": message}),
        )
        .await;
    assert_eq!(links["count"], 2);
    assert_eq!(links["links"][0]["message_id"], message);

    let messages = env
        .ok(
            "get_messages_for_chunk_tool",
            json!({"chunk_id": chunk_ids[0]}),
        )
        .await;
    assert_eq!(messages["count"], 2);
    let m = &messages["messages"][1];
    assert_eq!(m["message_id"], message);
    assert_eq!(m["role"], "assistant");
    assert_eq!(m["content"], "answer");
    assert!(m["timestamp"].is_string());

    let stats = env.ok("get_context_usage_statistics_tool", json!({})).await["statistics"].clone();
    assert_eq!(stats["total_context_links"], 4);
    assert_eq!(stats["unique_messages"], 2);
    assert_eq!(stats["unique_chunks_used"], 2);
    assert_eq!(stats["most_used_chunks"][0]["usage_count"], 2);
}

#[tokio::test]
async fn context_link_tools_refuse_unknown_ids() {
    let env = env().await;
    env.store("a.md", "alpha", "document").await;
    let message = env
        .ok(
            "log_chat",
            json!({"conversation_id": "c", "role": "user", "content": "q"}),
        )
        .await["message_id"]
        .as_i64()
        .unwrap();
    let e = env
        .fail(
            "store_context_links_tool",
            json!({"message_id": 999, "chunk_ids": [1]}),
        )
        .await;
    assert!(e.contains("not found"), "{e}");
    let e = env
        .fail(
            "store_context_links_tool",
            json!({"message_id": message, "chunk_ids": [999]}),
        )
        .await;
    assert!(e.contains("999") && e.contains("not found"), "{e}");
    let e = env
        .fail(
            "store_context_links_tool",
            json!({"message_id": message, "chunk_ids": []}),
        )
        .await;
    assert!(e.starts_with("chunk_ids is empty"), "{e}");
    let e = env
        .fail(
            "get_context_links_for_message_tool",
            json!({"message_id": 999}),
        )
        .await;
    assert!(
        e.starts_with("message_id:") && e.contains("not found"),
        "{e}"
    );
    let e = env
        .fail("get_messages_for_chunk_tool", json!({"chunk_id": 999}))
        .await;
    assert!(e.starts_with("chunk_id:") && e.contains("not found"), "{e}");
    let e = env
        .fail("get_messages_for_chunk_tool", json!({"chunk_id": "one"}))
        .await;
    assert_eq!(e, "chunk_id must be an integer, got \"one\"");
    let e = env
        .fail("get_context_usage_statistics_tool", json!([]))
        .await;
    assert!(e.starts_with("arguments must be a JSON object"), "{e}");
}
