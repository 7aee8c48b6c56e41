//! The tool list itself: the 22 names of SPEC section 4 in order, each with
//! an object schema, and the dispatch of every name and of unknown ones.

use crate::support::env;
use ltmc_tools::Tools;
use serde_json::json;

const CONTRACT: [&str; 22] = [
    "store_memory",
    "retrieve_memory",
    "log_chat",
    "ask_with_context",
    "route_query",
    "build_context",
    "retrieve_by_type",
    "add_todo",
    "list_todos",
    "complete_todo",
    "search_todos",
    "store_context_links_tool",
    "get_context_links_for_message_tool",
    "get_messages_for_chunk_tool",
    "get_context_usage_statistics_tool",
    "link_resources",
    "query_graph",
    "auto_link_documents",
    "get_document_relationships_tool",
    "log_code_attempt",
    "get_code_patterns",
    "analyze_code_patterns_tool",
];

#[test]
fn specs_are_the_contract_in_order_with_object_schemas() {
    let names: Vec<&str> = Tools::ltmc_specs().iter().map(|s| s.name).collect();
    assert_eq!(names, CONTRACT);
    // Every tool, the fix-pattern ones too, follows the same schema rules.
    let specs = Tools::specs();
    assert_eq!(specs.len(), 22 + 21);
    for spec in &specs {
        let schema = &spec.input_schema;
        assert_eq!(schema["type"], "object", "{}", spec.name);
        assert!(schema["properties"].is_object(), "{}: {schema}", spec.name);
        assert!(schema["required"].is_array(), "{}: {schema}", spec.name);
        for required in schema["required"].as_array().unwrap() {
            let name = required.as_str().unwrap();
            assert!(
                schema["properties"].get(name).is_some(),
                "{}: required {name} is not a property",
                spec.name
            );
        }
        for (name, property) in schema["properties"].as_object().unwrap() {
            assert!(property["description"].is_string(), "{}.{name}", spec.name);
            assert!(property.get("format").is_none(), "{}.{name}", spec.name);
            assert!(property["type"] != "null", "{}.{name}", spec.name);
        }
        assert!(!spec.description.is_empty());
        assert!(schema.get("$schema").is_none() && schema.get("title").is_none());
    }
}

#[test]
fn schemas_carry_the_contract_parameters_and_defaults() {
    let specs = Tools::specs();
    let schema = |name: &str| {
        specs
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .input_schema
            .clone()
    };
    let s = schema("store_memory");
    assert_eq!(s["required"], json!(["file_name", "content"]));
    assert_eq!(s["properties"]["resource_type"]["default"], "document");
    assert_eq!(
        schema("retrieve_memory")["properties"]["top_k"]["default"],
        3
    );
    assert_eq!(
        schema("ask_with_context")["properties"]["top_k"]["default"],
        5
    );
    assert_eq!(
        schema("build_context")["properties"]["max_tokens"]["default"],
        4000
    );
    assert_eq!(
        schema("add_todo")["properties"]["priority"]["default"],
        "medium"
    );
    assert_eq!(schema("list_todos")["properties"]["limit"]["default"], 10);
    assert_eq!(schema("list_todos")["required"], json!([]));
    assert_eq!(
        schema("analyze_code_patterns_tool")["properties"]["time_range_days"]["default"],
        30
    );
    assert_eq!(
        schema("log_code_attempt")["required"],
        json!(["input_prompt", "generated_code", "result"])
    );
    assert_eq!(
        schema("log_code_attempt")["properties"]["result"]["enum"],
        json!(["pass", "fail", "partial"])
    );
    assert_eq!(
        schema("get_context_usage_statistics_tool"),
        json!({"type": "object", "properties": {}, "required": []})
    );
}

#[tokio::test]
async fn every_listed_tool_dispatches_and_unknown_ones_fail() {
    let env = env().await;
    for name in CONTRACT {
        let outcome = env.tools.call(name, json!({})).await;
        let error = outcome.value["error"].as_str().unwrap_or("");
        assert!(!error.contains("unknown tool"), "{name}: {error}");
    }
    let e = env.fail_value("no_such_tool", json!({})).await;
    assert!(
        e["error"]
            .as_str()
            .unwrap()
            .contains("unknown tool \"no_such_tool\"")
    );
    assert_eq!(
        e["available_tools"].as_array().unwrap().len(),
        Tools::specs().len()
    );
    // Arguments that are not an object are refused, not a panic.
    let message = env.fail("store_memory", json!("text")).await;
    assert!(
        message.starts_with("arguments must be a JSON object"),
        "{message}"
    );
}
