//! The relationship-graph tools: link_resources, query_graph,
//! get_document_relationships_tool, auto_link_documents.

use crate::support::env;
use serde_json::json;

#[tokio::test]
async fn link_and_query_the_graph() {
    let env = env().await;
    let v = env
        .ok(
            "link_resources",
            json!({"source_id": "1", "target_id": 2, "relation": "references"}),
        )
        .await;
    assert_eq!(v["relationship_created"], true);
    assert_eq!(v["new"], true);
    assert_eq!(v["source_id"], "1");
    assert_eq!(v["target_id"], "2");
    assert_eq!(v["relationship_type"], "references");
    let again = env
        .ok(
            "link_resources",
            json!({"source_id": "1", "target_id": "2", "relation": "references"}),
        )
        .await;
    assert_eq!(again["new"], false);
    env.ok(
        "link_resources",
        json!({"source_id": "3", "target_id": "1", "relation": "depends_on"}),
    )
    .await;

    let all = env.ok("query_graph", json!({"entity": "1"})).await;
    assert_eq!(all["count"], 2);
    let r = &all["relationships"][0];
    assert_eq!(
        (
            r["source_id"].as_str(),
            r["target_id"].as_str(),
            r["relationship_type"].as_str()
        ),
        (Some("1"), Some("2"), Some("references"))
    );
    assert!(r["properties"].is_object());
    let some = env
        .ok(
            "query_graph",
            json!({"entity": 1, "relation_type": "depends_on"}),
        )
        .await;
    assert_eq!(some["count"], 1);
    assert_eq!(some["relationships"][0]["source_id"], "3");
    let doc = env
        .ok("get_document_relationships_tool", json!({"doc_id": "2"}))
        .await;
    assert_eq!(doc["count"], 1);
    let none = env.ok("query_graph", json!({"entity": "nobody"})).await;
    assert_eq!(none["count"], 0);

    let e = env
        .fail(
            "link_resources",
            json!({"source_id": "1", "target_id": "2"}),
        )
        .await;
    assert!(e.starts_with("relation is required"), "{e}");
    let e = env
        .fail(
            "link_resources",
            json!({"source_id": "1", "target_id": "1", "relation": "self"}),
        )
        .await;
    assert!(e.contains("two different nodes"), "{e}");
    let e = env.fail("query_graph", json!({})).await;
    assert!(e.starts_with("entity is required"), "{e}");
    let e = env
        .fail("get_document_relationships_tool", json!({"doc_id": true}))
        .await;
    assert_eq!(e, "doc_id must be a string or an integer, got true");
}

#[tokio::test]
async fn auto_link_links_similar_documents_with_evidence() {
    let env = env().await;
    let stored = env
        .store(
            "pool.md",
            "database connection pool exhausted under heavy load in production",
            "document",
        )
        .await;
    let v = env
        .ok(
            "auto_link_documents",
            json!({"documents": [
                {"id": "a", "title": "Pool leak", "content": "database connection pool leaks under heavy load in production"},
                {"id": stored},
                {"id": "c", "text": "tomatoes need sun and water every summer morning"}
            ]}),
        )
        .await;
    assert_eq!(v["documents_processed"], 3);
    assert_eq!(v["links_created"], 1, "{v}");
    assert_eq!(v["relationship_type"], "related_to");
    let link = &v["links"][0];
    assert_eq!(link["source_id"], "a");
    assert_eq!(link["target_id"], stored.to_string());
    assert!(link["similarity"].as_f64().unwrap() >= 0.5);
    let shared: Vec<&str> = link["shared_terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        shared.contains(&"connection") && shared.contains(&"production"),
        "{shared:?}"
    );

    // The edge is in the graph with its evidence.
    let graph = env
        .ok(
            "query_graph",
            json!({"entity": "a", "relation_type": "related_to"}),
        )
        .await;
    assert_eq!(graph["count"], 1);
    let properties = &graph["relationships"][0]["properties"];
    assert!(properties["similarity"].as_f64().unwrap() >= 0.5);
    assert_eq!(properties["method"], "embedding_cosine");
    assert!(properties["shared_terms"].is_array());
    assert!(properties["term_overlap"].as_f64().unwrap() > 0.0);

    // A threshold no pair reaches links nothing.
    let strict = env
        .ok(
            "auto_link_documents",
            json!({"documents": [{"id": "x", "content": "alpha beta"}, {"id": "y", "content": "gamma delta"}], "threshold": 0.99}),
        )
        .await;
    assert_eq!(strict["links_created"], 0);

    let e = env
        .fail(
            "auto_link_documents",
            json!({"documents": [{"content": "no id"}]}),
        )
        .await;
    assert!(e.starts_with("documents[0] needs an \"id\""), "{e}");
    let e = env
        .fail(
            "auto_link_documents",
            json!({"documents": [{"id": "ghost"}]}),
        )
        .await;
    assert!(e.contains("not a stored resource id"), "{e}");
    let e = env
        .fail("auto_link_documents", json!({"documents": []}))
        .await;
    assert!(e.contains("documents") && e.contains("empty"), "{e}");
    let e = env
        .fail(
            "auto_link_documents",
            json!({"documents": [{"id": "a", "content": "x"}, {"id": "a", "content": "y"}]}),
        )
        .await;
    assert!(e.contains("twice"), "{e}");
}
