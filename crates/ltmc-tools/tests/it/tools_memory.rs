//! The document tools over a real SQLite store: store_memory,
//! retrieve_memory (and the chat message with links it logs),
//! ask_with_context (extractive path), route_query, build_context,
//! retrieve_by_type.

use crate::support::{env, ids};
use serde_json::json;
use std::collections::HashSet;
use std::fmt::Write as _;

#[tokio::test]
async fn store_memory_stores_reports_duplicates_and_refuses_bad_input() {
    let env = env().await;
    let v = env
        .ok(
            "store_memory",
            json!({"file_name": "notes.md", "content": "The deploy script needs the staging token."}),
        )
        .await;
    assert!(v["resource_id"].as_i64().unwrap() > 0);
    assert_eq!(v["chunk_count"], 1);
    assert_eq!(v["duplicate"], false);
    assert!(v["message"].as_str().unwrap().contains("notes.md"));

    let again = env
        .ok(
            "store_memory",
            json!({"file_name": "copy.md", "content": "The deploy script needs the staging token."}),
        )
        .await;
    assert_eq!(again["resource_id"], v["resource_id"]);
    assert_eq!(again["duplicate"], true);
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("already stored")
    );

    let e = env.fail("store_memory", json!({"file_name": "x"})).await;
    assert!(e.starts_with("content is required"), "{e}");
    let e = env
        .fail("store_memory", json!({"file_name": "x", "content": "   "}))
        .await;
    assert!(e.contains("content") && e.contains("empty"), "{e}");
    let e = env
        .fail(
            "store_memory",
            json!({"file_name": "x", "content": "y", "resource_type": "code_attempt"}),
        )
        .await;
    assert!(e.contains("log_code_attempt"), "{e}");
    let e = env
        .fail("store_memory", json!({"file_name": 3, "content": "y"}))
        .await;
    assert_eq!(e, "file_name must be a string, got 3");
}

#[tokio::test]
async fn retrieve_memory_returns_chunks_and_logs_the_query_with_links() {
    let env = env().await;
    env.store(
        "db.md",
        "The database connection pool leaks under load.",
        "document",
    )
    .await;
    env.store(
        "garden.md",
        "Tomatoes need sun and water in summer.",
        "document",
    )
    .await;
    env.store(
        "pool.md",
        "Raise the connection pool size to 20 for the database.",
        "document",
    )
    .await;
    let v = env
        .ok(
            "retrieve_memory",
            json!({"conversation_id": "conv-1", "query": "database connection pool", "top_k": 2}),
        )
        .await;
    let chunks = v["retrieved_chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 2);
    for c in chunks {
        assert!(c["chunk_id"].as_i64().unwrap() > 0);
        assert!(c["resource_id"].as_i64().unwrap() > 0);
        assert!(c["score"].as_f64().unwrap() > 0.0);
        assert_ne!(c["file_name"], "garden.md");
    }
    let context = v["context"].as_str().unwrap();
    assert!(context.contains("connection pool"));
    assert_eq!(context.split("\n\n").count(), 2);

    // The query was logged as a user message, linked to exactly those chunks.
    let message_id = v["message_id"].as_i64().unwrap();
    let links = env
        .ok(
            "get_context_links_for_message_tool",
            json!({"message_id": message_id}),
        )
        .await;
    assert_eq!(links["count"], 2);
    let mut linked = ids(&links["links"], "chunk_id");
    let mut returned = ids(&v["retrieved_chunks"], "chunk_id");
    linked.sort_unstable();
    returned.sort_unstable();
    assert_eq!(linked, returned);
    let messages = env
        .ok(
            "get_messages_for_chunk_tool",
            json!({"chunk_id": returned[0]}),
        )
        .await;
    let m = &messages["messages"][0];
    assert_eq!(m["role"], "user");
    assert_eq!(m["content"], "database connection pool");
    assert_eq!(m["conversation_id"], "conv-1");

    let e = env
        .fail(
            "retrieve_memory",
            json!({"conversation_id": "c", "query": "q", "top_k": "five"}),
        )
        .await;
    assert_eq!(e, "top_k must be an integer, got \"five\"");
    let e = env
        .fail(
            "retrieve_memory",
            json!({"conversation_id": "c", "query": "  "}),
        )
        .await;
    assert!(e.contains("query") && e.contains("empty"), "{e}");
    let e = env.fail("retrieve_memory", json!({"query": "q"})).await;
    assert!(e.starts_with("conversation_id is required"), "{e}");
}

#[tokio::test]
async fn retrieve_memory_leaves_out_code_attempts() {
    let env = env().await;
    env.store("doc.md", "Parse the config file with serde.", "document")
        .await;
    env.ok(
        "log_code_attempt",
        json!({"input_prompt": "parse the config file", "generated_code": "fn parse_config() {}", "result": "pass"}),
    )
    .await;
    let v = env
        .ok(
            "retrieve_memory",
            json!({"conversation_id": "c", "query": "parse config file", "top_k": 10}),
        )
        .await;
    for c in v["retrieved_chunks"].as_array().unwrap() {
        assert_ne!(c["resource_type"], "code_attempt");
    }
}

#[tokio::test]
async fn ask_with_context_answers_extractively_without_a_model() {
    let env = env().await;
    env.store(
        "deploy.md",
        "Deploys run from the main branch. The staging token lives in the vault under ci/staging. \
         Rollbacks use the previous image tag.",
        "document",
    )
    .await;
    env.store(
        "garden.md",
        "Tomatoes need sun and water in summer.",
        "document",
    )
    .await;
    let v = env
        .ok(
            "ask_with_context",
            json!({"query": "where is the staging token?", "conversation_id": "c7"}),
        )
        .await;
    assert_eq!(v["query"], "where is the staging token?");
    assert_eq!(v["conversation_id"], "c7");
    assert_eq!(v["answer_source"], "extractive");
    assert!(v["note"].as_str().unwrap().contains("no language model"));
    let answer = v["answer"].as_str().unwrap();
    assert!(
        answer.contains("staging token lives in the vault"),
        "{answer}"
    );
    let context = v["context"].as_str().unwrap();
    assert!(context.contains(answer.split(". ").next().unwrap().trim_end_matches('.')));
    assert!(v["documents_used"].as_u64().unwrap() >= 1);
    assert_eq!(v["top_documents"][0]["file_name"], "deploy.md");
    assert!(v["context_summary"].as_str().unwrap().contains("deploy.md"));

    // Question and answer are both logged, linked to the chunks used.
    for key in ["question_message_id", "answer_message_id"] {
        let links = env
            .ok(
                "get_context_links_for_message_tool",
                json!({"message_id": v[key]}),
            )
            .await;
        assert_eq!(
            links["count"].as_u64().unwrap(),
            v["retrieved_chunks"].as_array().unwrap().len() as u64
        );
    }
    let chunk = v["retrieved_chunks"][0]["chunk_id"].clone();
    let messages = env
        .ok("get_messages_for_chunk_tool", json!({"chunk_id": chunk}))
        .await;
    let roles: Vec<&str> = messages["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant"]);

    let e = env
        .fail("ask_with_context", json!({"query": "where?"}))
        .await;
    assert!(e.starts_with("conversation_id is required"), "{e}");
}

#[tokio::test]
async fn ask_with_context_on_an_empty_memory_says_so() {
    let env = env().await;
    let v = env
        .ok(
            "ask_with_context",
            json!({"query": "anything?", "conversation_id": 5}),
        )
        .await;
    assert_eq!(v["answer_source"], "none");
    assert_eq!(v["documents_used"], 0);
    assert_eq!(v["conversation_id"], "5");
}

#[tokio::test]
async fn route_query_searches_each_source_and_combines() {
    let env = env().await;
    env.store(
        "cache.md",
        "The cache layer evicts entries after ten minutes.",
        "document",
    )
    .await;
    env.store(
        "cache.rs",
        "fn evict_cache_entries() { /* cache eviction */ }",
        "code",
    )
    .await;
    env.ok(
        "add_todo",
        json!({"title": "Tune cache eviction", "description": "measure the cache hit rate"}),
    )
    .await;
    // A chat message that used cache chunks.
    env.ok(
        "retrieve_memory",
        json!({"conversation_id": "conv-cache", "query": "how does cache eviction work"}),
    )
    .await;
    let v = env
        .ok(
            "route_query",
            json!({"query": "cache eviction", "source_types": ["document", "code", "chat", "todo", "code"], "top_k": 3}),
        )
        .await;
    assert_eq!(
        v["source_types"],
        json!(["document", "code", "chat", "todo"])
    );
    let results = &v["results"];
    assert_eq!(results["document"][0]["file_name"], "cache.md");
    assert_eq!(results["document"][0]["resource_type"], "document");
    assert_eq!(results["code"][0]["file_name"], "cache.rs");
    assert_eq!(results["code"].as_array().unwrap().len(), 1);
    assert_eq!(results["chat"][0]["conversation_id"], "conv-cache");
    assert_eq!(results["todo"][0]["title"], "Tune cache eviction");
    let combined = v["combined_answer"].as_str().unwrap();
    for source in ["document:", "code:", "chat:", "todo:"] {
        assert!(combined.contains(source), "{combined}");
    }
    assert_eq!(v["total_results"].as_u64().unwrap(), 4);

    let e = env
        .fail_value(
            "route_query",
            json!({"query": "cache", "source_types": ["document", "email"]}),
        )
        .await;
    assert!(e["error"].as_str().unwrap().contains("\"email\""));
    assert_eq!(
        e["valid_sources"],
        json!(["document", "code", "chat", "todo"])
    );
    let e = env
        .fail_value("route_query", json!({"query": "cache", "source_types": []}))
        .await;
    assert!(e["valid_sources"].is_array());
    let e = env.fail("route_query", json!({"query": "cache"})).await;
    assert!(e.starts_with("source_types is required"), "{e}");
}

#[tokio::test]
async fn build_context_packs_in_order_within_the_budget() {
    let env = env().await;
    let long = "This sentence is part of a long design document. ".repeat(50);
    let v = env
        .ok(
            "build_context",
            json!({
                "documents": [
                    {"id": "a", "title": "Intro", "content": "Short introduction text."},
                    {"id": 2, "text": long, "score": 0.5},
                    {"content": "never included"}
                ],
                "max_tokens": 100
            }),
        )
        .await;
    let context = v["context"].as_str().unwrap();
    assert!(context.starts_with("[Intro]\nShort introduction text."));
    assert!(context.contains("[2]\nThis sentence"));
    assert!(!context.contains("never included"));
    assert!(v["token_count"].as_u64().unwrap() <= 100);
    assert_eq!(v["documents_processed"], 2);
    assert_eq!(v["truncated"], true);
    assert_eq!(v["max_tokens"], 100);

    let all = env
        .ok(
            "build_context",
            json!({"documents": [{"content": "one"}, {"content": "two"}]}),
        )
        .await;
    assert_eq!(all["context"], "one\n\ntwo");
    assert_eq!(all["max_tokens"], 4000);

    let e = env
        .fail(
            "build_context",
            json!({"documents": [{"content": "ok"}, {"title": "no text"}]}),
        )
        .await;
    assert!(e.starts_with("documents[1] needs a \"content\""), "{e}");
    let e = env
        .fail("build_context", json!({"documents": [], "max_tokens": 0}))
        .await;
    assert!(e.starts_with("max_tokens must be between 1 and"), "{e}");
    let e = env
        .fail("build_context", json!({"documents": ["plain string"]}))
        .await;
    assert_eq!(
        e,
        "documents[0] must be a JSON object, got \"plain string\""
    );
}

#[tokio::test]
async fn retrieve_by_type_returns_distinct_documents_of_the_type() {
    let env = env().await;
    // Many chunks of another type that match the query better...
    for i in 0..30 {
        env.store(
            &format!("notes-{i}.md"),
            &format!("retry backoff policy retry backoff policy note number {i}"),
            "document",
        )
        .await;
    }
    // ...one long code file whose many chunks all match...
    let mut long_code = String::new();
    for i in 0..40 {
        writeln!(
            long_code,
            "fn retry_backoff_{i}() {{ retry(backoff_policy, {i}); }}"
        )
        .unwrap();
    }
    let long_id = env.store("retry_all.rs", &long_code, "code").await;
    // ...and four short code files.
    for i in 0..4 {
        env.store(
            &format!("retry_{i}.rs"),
            &format!("fn retry_with_backoff_{i}() {{ policy.retry(); }}"),
            "code",
        )
        .await;
    }
    let v = env
        .ok(
            "retrieve_by_type",
            json!({"query": "retry backoff policy", "doc_type": "code", "top_k": 5}),
        )
        .await;
    assert_eq!(v["count"], 5);
    let documents = v["documents"].as_array().unwrap();
    let distinct: HashSet<i64> = documents
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(distinct.len(), 5);
    assert!(distinct.contains(&long_id));
    for d in documents {
        assert_eq!(d["type"], "code");
        assert!(d["title"].as_str().unwrap().starts_with("retry_"));
        assert!(!d["content"].as_str().unwrap().is_empty());
        assert!(d["created_at"].as_str().unwrap().ends_with('Z'));
        assert!(d["metadata"].is_object());
        assert!(d["score"].as_f64().unwrap() > 0.0);
    }
    // Fewer documents than asked: all of them.
    let v = env
        .ok(
            "retrieve_by_type",
            json!({"query": "retry", "doc_type": "code", "top_k": 50}),
        )
        .await;
    assert_eq!(v["count"], 5);

    let e = env
        .fail(
            "retrieve_by_type",
            json!({"query": "retry", "doc_type": " "}),
        )
        .await;
    assert!(e.starts_with("doc_type is empty"), "{e}");
    let e = env
        .fail("retrieve_by_type", json!({"doc_type": "code"}))
        .await;
    assert!(e.starts_with("query is required"), "{e}");
}
