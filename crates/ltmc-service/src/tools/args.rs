//! The arguments of the 22 tools: one struct per tool (names, types and
//! defaults of SPEC section 4), its JSON Schema derived with schemars, and
//! [`parse`], which checks a call's arguments against that schema before
//! deserialising them, so every mistake comes back naming the field and the
//! fix (`top_k must be an integer, got "five"`).
//!
//! The schema is the single source of truth: what `tools/list` shows is what
//! `parse` enforces. Lenient where agents differ harmlessly: integers may come
//! as JSON numbers with a zero fraction (`5.0`), enum values in any case, ids
//! of graph nodes and conversations as numbers, `null` as "not given", and
//! unknown fields are ignored. Not here: what the tools do with the values.

use super::reply::ToolError;
use crate::MAX_TOP_K;
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The largest `limit` of the todo listings.
pub const MAX_LIMIT: usize = 1000;
/// The largest `max_tokens` of `build_context`.
pub const MAX_CONTEXT_TOKENS: usize = 1_000_000;

mod defaults {
    pub fn document() -> String {
        "document".into()
    }
    pub fn medium() -> String {
        "medium".into()
    }
    pub fn three() -> usize {
        3
    }
    pub fn five() -> usize {
        5
    }
    pub fn ten() -> usize {
        10
    }
    pub fn four_thousand() -> usize {
        4000
    }
    pub fn thirty() -> u32 {
        30
    }
    pub fn half() -> f64 {
        f64::from(crate::linking::DEFAULT_AUTO_LINK_THRESHOLD)
    }
}

/// 1. `store_memory`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct StoreMemoryArgs {
    /// Name of the document (a file name or any label); shown in search results.
    pub file_name: String,
    /// The text to remember. Stored whole, chunked and embedded.
    pub content: String,
    /// Kind of resource, e.g. "document", "code", "note".
    #[serde(default = "defaults::document")]
    pub resource_type: String,
}

/// 2. `retrieve_memory`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RetrieveMemoryArgs {
    /// Conversation the query is logged in.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub conversation_id: String,
    /// What to look for (meaning and keywords).
    pub query: String,
    /// How many chunks to return.
    #[serde(default = "defaults::three")]
    #[schemars(range(min = 1, max = MAX_TOP_K))]
    pub top_k: usize,
}

/// 3. `log_chat`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct LogChatArgs {
    /// Conversation the message belongs to.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub conversation_id: String,
    /// Who spoke: "user", "assistant", "system", "tool", ...
    pub role: String,
    /// The message text.
    pub content: String,
    /// Name of the agent that wrote the message.
    pub agent_name: Option<String>,
    /// Free-form JSON object stored with the message.
    pub metadata: Option<Map<String, Value>>,
    /// Tool that produced the message.
    pub source_tool: Option<String>,
}

/// 4. `ask_with_context`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AskWithContextArgs {
    /// The question to answer from memory.
    pub query: String,
    /// Conversation the question and the answer are logged in.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub conversation_id: String,
    /// How many chunks of context to retrieve.
    #[serde(default = "defaults::five")]
    #[schemars(range(min = 1, max = MAX_TOP_K))]
    pub top_k: usize,
}

/// The sources `route_query` can search.
pub const VALID_SOURCES: [&str; 4] = ["document", "code", "chat", "todo"];

/// 5. `route_query`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RouteQueryArgs {
    /// What to look for.
    pub query: String,
    /// Where to look: any of "document", "code", "chat", "todo".
    #[schemars(extend("items" = {"type": "string", "enum": ["document", "code", "chat", "todo"]}))]
    pub source_types: Vec<String>,
    /// Results per source.
    #[serde(default = "defaults::five")]
    #[schemars(range(min = 1, max = MAX_TOP_K))]
    pub top_k: usize,
}

/// 6. `build_context`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct BuildContextArgs {
    /// Documents in order of importance: objects with "content" (or "text"), and optional "id", "title", "score".
    pub documents: Vec<Map<String, Value>>,
    /// Token budget of the context (estimated: words × 4/3 or bytes / 4, whichever is larger).
    #[serde(default = "defaults::four_thousand")]
    #[schemars(range(min = 1, max = MAX_CONTEXT_TOKENS))]
    pub max_tokens: usize,
}

/// 7. `retrieve_by_type`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RetrieveByTypeArgs {
    /// What to look for.
    pub query: String,
    /// Resource type to search, e.g. "document" or "code".
    pub doc_type: String,
    /// How many distinct documents to return.
    #[serde(default = "defaults::five")]
    #[schemars(range(min = 1, max = MAX_TOP_K))]
    pub top_k: usize,
}

/// 8. `add_todo`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AddTodoArgs {
    /// Short title of the task.
    pub title: String,
    /// What is to be done.
    pub description: String,
    /// "low", "medium" or "high".
    #[serde(default = "defaults::medium")]
    #[schemars(extend("enum" = ["low", "medium", "high"]))]
    pub priority: String,
}

/// 9. `list_todos`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListTodosArgs {
    /// true: completed todos only; false: pending only; absent: all.
    pub completed: Option<bool>,
    /// "all", "pending" or "completed" (the later form of `completed`).
    #[schemars(extend("enum" = ["all", "pending", "completed"]))]
    pub status: Option<String>,
    /// At most this many todos, newest first.
    #[serde(default = "defaults::ten")]
    #[schemars(range(min = 1, max = MAX_LIMIT))]
    pub limit: usize,
}

/// 10. `complete_todo`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CompleteTodoArgs {
    /// Id of the todo (from add_todo or list_todos).
    #[schemars(range(min = 1))]
    pub todo_id: i64,
}

/// 11. `search_todos`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchTodosArgs {
    /// Words to find in titles and descriptions.
    pub query: String,
    /// At most this many todos, best first.
    #[serde(default = "defaults::ten")]
    #[schemars(range(min = 1, max = MAX_LIMIT))]
    pub limit: usize,
}

/// 12. `store_context_links_tool`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct StoreContextLinksArgs {
    /// Id of a logged chat message.
    #[schemars(range(min = 1))]
    pub message_id: i64,
    /// Ids of the stored chunks the message used.
    pub chunk_ids: Vec<i64>,
}

/// 13. `get_context_links_for_message_tool`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct MessageIdArgs {
    /// Id of a logged chat message.
    #[schemars(range(min = 1))]
    pub message_id: i64,
}

/// 14. `get_messages_for_chunk_tool`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ChunkIdArgs {
    /// Id of a stored chunk.
    #[schemars(range(min = 1))]
    pub chunk_id: i64,
}

/// 15. `get_context_usage_statistics_tool`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NoArgs {}

/// 16. `link_resources`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct LinkResourcesArgs {
    /// Node the relationship starts at (e.g. a resource id).
    #[schemars(extend("type" = ["string", "integer"]))]
    pub source_id: String,
    /// Node the relationship ends at.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub target_id: String,
    /// Kind of relationship, e.g. "references", "depends_on", "related_to".
    pub relation: String,
}

/// 17. `query_graph`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct QueryGraphArgs {
    /// Node whose relationships to list.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub entity: String,
    /// Only relationships of this kind.
    pub relation_type: Option<String>,
}

/// 18. `auto_link_documents`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AutoLinkArgs {
    /// Documents to link: objects with "id" and "content" (or "text"), optional "title". A document given only by the id of a stored resource is read from memory.
    pub documents: Vec<Map<String, Value>>,
    /// Cosine similarity a pair needs to be linked.
    #[serde(default = "defaults::half")]
    #[schemars(range(min = -1.0, max = 1.0))]
    pub threshold: f64,
}

/// 19. `get_document_relationships_tool`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DocRelationshipsArgs {
    /// Node (document id) whose relationships to list.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub doc_id: String,
}

/// 20. `log_code_attempt`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct LogCodeAttemptArgs {
    /// What the code was generated for.
    pub input_prompt: String,
    /// The code that was generated.
    pub generated_code: String,
    /// How it went: "pass", "fail" or "partial".
    #[schemars(extend("enum" = ["pass", "fail", "partial"]))]
    pub result: String,
    /// Function the code implements.
    pub function_name: Option<String>,
    /// File the code lives in.
    pub file_name: Option<String>,
    /// Module the code lives in.
    pub module_name: Option<String>,
    /// How long running or testing it took, in milliseconds.
    #[schemars(range(min = 0))]
    pub execution_time_ms: Option<i64>,
    /// The error it failed with.
    pub error_message: Option<String>,
    /// Free labels.
    pub tags: Option<Vec<String>>,
}

/// 21. `get_code_patterns`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetCodePatternsArgs {
    /// What you are about to write; attempts are ranked by meaning.
    pub query: String,
    /// Only attempts with this result: "pass", "fail" or "partial".
    #[schemars(extend("enum" = ["pass", "fail", "partial"]))]
    pub result_filter: Option<String>,
    /// Only attempts for this function.
    pub function_name: Option<String>,
    /// Only attempts in this file.
    pub file_name: Option<String>,
    /// Only attempts in this module.
    pub module_name: Option<String>,
    /// How many attempts to return.
    #[serde(default = "defaults::five")]
    #[schemars(range(min = 1, max = MAX_TOP_K))]
    pub top_k: usize,
}

/// 22. `analyze_code_patterns_tool`
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AnalyzeCodePatternsArgs {
    /// Only attempts for this function.
    pub function_name: Option<String>,
    /// Only attempts in this file.
    pub file_name: Option<String>,
    /// Only attempts in this module.
    pub module_name: Option<String>,
    /// Analyse the attempts of the last this many days.
    #[serde(default = "defaults::thirty")]
    #[schemars(range(min = 1, max = crate::attempts::MAX_TIME_RANGE_DAYS))]
    pub time_range_days: u32,
}

/// The input schema of a tool: a JSON Schema object with `properties` and
/// `required` (always present), nullable optionals shown as their plain type,
/// and no `$schema`, `title` or integer `format` noise.
pub fn input_schema<T: JsonSchema>() -> Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator()
        .into_root_schema_for::<T>();
    let mut root = match schema.to_value() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let mut properties = match root.remove("properties") {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    for property in properties.values_mut() {
        if let Value::Object(p) = property {
            simplify_property(p);
        }
    }
    let required = root
        .remove("required")
        .unwrap_or_else(|| Value::Array(Vec::new()));
    let mut out = Map::new();
    out.insert("type".into(), "object".into());
    out.insert("properties".into(), Value::Object(properties));
    out.insert("required".into(), required);
    Value::Object(out)
}

/// Drops `null` from a property's types (an optional argument is simply
/// left out) and the `format` schemars adds to numbers (`uint`, `float`, ...).
fn simplify_property(p: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = p.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            p.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(any_of)) = p.remove("anyOf") {
        let mut rest: Vec<Value> = any_of
            .into_iter()
            .filter(|s| s.get("type").is_none_or(|t| t != "null"))
            .collect();
        if rest.len() == 1 {
            if let Value::Object(inner) = rest.remove(0) {
                for (k, v) in inner {
                    p.entry(k).or_insert(v);
                }
            }
        } else if !rest.is_empty() {
            p.insert("anyOf".into(), Value::Array(rest));
        }
    }
    if p.get("type")
        .is_some_and(|t| t == "integer" || t == "number")
    {
        p.remove("format");
    }
    if let Some(Value::Object(items)) = p.get_mut("items") {
        simplify_property(items);
    }
}

/// Checks `arguments` against `T`'s schema (naming the field and the fix on
/// any mistake), normalises the lenient forms, and deserialises.
pub fn parse<T: JsonSchema + DeserializeOwned>(arguments: Value) -> Result<T, ToolError> {
    let mut object = match arguments {
        Value::Null => Map::new(),
        Value::Object(map) => map,
        other => {
            return Err(ToolError::new(format!(
                "arguments must be a JSON object of named fields, got {}",
                describe(&other)
            )));
        }
    };
    let schema = input_schema::<T>();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            let given = object.get(name).is_some_and(|v| !v.is_null());
            if !given {
                if required.contains(&name.as_str()) {
                    return Err(missing(name, property));
                }
                // `null` means "not given": let the default apply.
                object.remove(name);
                continue;
            }
            if let Some(value) = object.get_mut(name) {
                check(name, property, value)?;
            }
        }
    }
    serde_json::from_value(Value::Object(object))
        .map_err(|e| ToolError::new(format!("invalid arguments: {e}")))
}

fn missing(name: &str, property: &Value) -> ToolError {
    let kind = expected(property);
    match property.get("description").and_then(Value::as_str) {
        Some(d) => ToolError::new(format!(
            "{name} is required ({kind}): {}",
            d.trim_end_matches('.')
        )),
        None => ToolError::new(format!("{name} is required ({kind})")),
    }
}

fn types_of(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// "an integer", "a string or an integer", "an array of strings", ...
fn expected(schema: &Value) -> String {
    let names: Vec<String> = types_of(schema)
        .into_iter()
        .map(|t| match t {
            "integer" => "an integer".to_owned(),
            "number" => "a number".to_owned(),
            "string" => "a string".to_owned(),
            "boolean" => "true or false".to_owned(),
            "object" => "a JSON object".to_owned(),
            "array" => match schema.get("items").map(types_of).as_deref() {
                Some(["string"]) => "an array of strings".to_owned(),
                Some(["integer"]) => "an array of integers".to_owned(),
                Some(["object"]) => "an array of JSON objects".to_owned(),
                _ => "an array".to_owned(),
            },
            other => other.to_owned(),
        })
        .collect();
    if names.is_empty() {
        "any JSON value".to_owned()
    } else {
        names.join(" or ")
    }
}

/// A value as an error message shows it: JSON, at most ~60 characters.
pub fn describe(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 60 {
        text
    } else {
        let head: String = text.chars().take(57).collect();
        format!("{head}...")
    }
}

fn as_integer(value: &Value) -> Option<i128> {
    if let Some(i) = value.as_i64() {
        return Some(i128::from(i));
    }
    if let Some(u) = value.as_u64() {
        return Some(i128::from(u));
    }
    let f = value.as_f64()?;
    // A whole float below 2^63 in magnitude converts without loss of its
    // integer part; larger ones are refused as not an integer.
    #[allow(clippy::cast_possible_truncation)]
    (f.fract() == 0.0 && f.abs() < 9.223_372_036_854_775e18).then_some(f as i128)
}

fn range_error(path: &str, schema: &Value, got: &Value) -> Option<ToolError> {
    let n = got.as_f64()?;
    let min = schema.get("minimum").and_then(Value::as_f64);
    let max = schema.get("maximum").and_then(Value::as_f64);
    let fmt = |x: f64| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x}")
        }
    };
    let outside = min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m);
    outside.then(|| {
        let bounds = match (min, max) {
            (Some(lo), Some(hi)) => format!("between {} and {}", fmt(lo), fmt(hi)),
            (Some(lo), None) => format!("at least {}", fmt(lo)),
            (None, Some(hi)) => format!("at most {}", fmt(hi)),
            (None, None) => String::new(),
        };
        ToolError::new(format!("{path} must be {bounds}, got {}", describe(got)))
    })
}

/// Checks one value against its schema, normalising in place.
fn check(path: &str, schema: &Value, value: &mut Value) -> Result<(), ToolError> {
    let types = types_of(schema);
    if types.is_empty() {
        return Ok(());
    }
    let wrong = |value: &Value| {
        ToolError::new(format!(
            "{path} must be {}, got {}",
            expected(schema),
            describe(value)
        ))
    };
    if types.contains(&"integer")
        && let Some(n) = as_integer(value)
    {
        if types.contains(&"string") {
            // A name that may be written as a number (`"conversation_id": 7`).
            *value = Value::String(n.to_string());
            return Ok(());
        }
        let normalised = i64::try_from(n)
            .map(Value::from)
            .map_err(|_| wrong(value))?;
        *value = normalised;
        if let Some(e) = range_error(path, schema, value) {
            return Err(e);
        }
        return Ok(());
    }
    match value {
        Value::String(s) if types.contains(&"string") => {
            if let Some(options) = schema.get("enum").and_then(Value::as_array) {
                let options: Vec<&str> = options.iter().filter_map(Value::as_str).collect();
                let found = options
                    .iter()
                    .find(|o| o.eq_ignore_ascii_case(s.trim()))
                    .map(|o| (*o).to_owned());
                let Some(found) = found else {
                    let list = options
                        .iter()
                        .map(|o| format!("{o:?}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(ToolError::new(format!(
                        "{path} must be one of {list}; got {}",
                        describe(&Value::String(s.clone()))
                    )));
                };
                *s = found;
            }
            Ok(())
        }
        Value::Number(_) if types.contains(&"number") => match range_error(path, schema, value) {
            Some(e) => Err(e),
            None => Ok(()),
        },
        Value::Bool(_) if types.contains(&"boolean") => Ok(()),
        Value::Object(_) if types.contains(&"object") => Ok(()),
        Value::Array(items) if types.contains(&"array") => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter_mut().enumerate() {
                    check(&format!("{path}[{i}]"), item_schema, item)?;
                }
            }
            Ok(())
        }
        other => Err(wrong(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err<T: JsonSchema + DeserializeOwned + std::fmt::Debug>(args: Value) -> String {
        parse::<T>(args).unwrap_err().message().to_owned()
    }

    #[test]
    fn defaults_and_optionals() {
        let a: RetrieveMemoryArgs = parse(json!({"conversation_id": "c", "query": "q"})).unwrap();
        assert_eq!(a.top_k, 3);
        let a: AskWithContextArgs =
            parse(json!({"conversation_id": 7, "query": "q", "top_k": null})).unwrap();
        assert_eq!((a.conversation_id.as_str(), a.top_k), ("7", 5));
        let a: LogCodeAttemptArgs = parse(
            json!({"input_prompt": "p", "generated_code": "c", "result": "PASS", "tags": ["x"]}),
        )
        .unwrap();
        assert_eq!(a.result, "pass");
        assert_eq!(a.tags, Some(vec!["x".to_owned()]));
        assert_eq!(a.function_name, None);
        let _: NoArgs = parse(Value::Null).unwrap();
        let _: NoArgs = parse(json!({"ignored": 1})).unwrap();
    }

    #[test]
    fn integers_as_whole_floats_but_not_strings() {
        let a: RetrieveByTypeArgs =
            parse(json!({"query": "q", "doc_type": "code", "top_k": 4.0})).unwrap();
        assert_eq!(a.top_k, 4);
        assert_eq!(
            err::<RetrieveByTypeArgs>(json!({"query": "q", "doc_type": "code", "top_k": "five"})),
            "top_k must be an integer, got \"five\""
        );
        assert_eq!(
            err::<RetrieveByTypeArgs>(json!({"query": "q", "doc_type": "code", "top_k": 2.5})),
            "top_k must be an integer, got 2.5"
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(
            err::<RetrieveByTypeArgs>(json!({"query": "q", "doc_type": "d", "top_k": 0})),
            format!("top_k must be between 1 and {MAX_TOP_K}, got 0")
        );
        assert_eq!(
            err::<CompleteTodoArgs>(json!({"todo_id": -3})),
            "todo_id must be at least 1, got -3"
        );
        assert!(
            err::<AutoLinkArgs>(json!({"documents": [], "threshold": 1.5}))
                .starts_with("threshold must be between -1 and 1")
        );
    }

    #[test]
    fn missing_fields_name_the_field_and_type() {
        assert_eq!(
            err::<StoreMemoryArgs>(json!({"content": "x"})),
            "file_name is required (a string): Name of the document (a file name or any label); shown in search results"
        );
        assert!(err::<CompleteTodoArgs>(json!({})).starts_with("todo_id is required (an integer)"));
    }

    #[test]
    fn wrong_types_and_enums() {
        assert_eq!(
            err::<StoreContextLinksArgs>(json!({"message_id": 1, "chunk_ids": [1, "x"]})),
            "chunk_ids[1] must be an integer, got \"x\""
        );
        assert_eq!(
            err::<StoreContextLinksArgs>(json!({"message_id": 1, "chunk_ids": 3})),
            "chunk_ids must be an array of integers, got 3"
        );
        assert_eq!(
            err::<ListTodosArgs>(json!({"completed": "yes"})),
            "completed must be true or false, got \"yes\""
        );
        assert_eq!(
            err::<ListTodosArgs>(json!({"status": "done"})),
            "status must be one of \"all\", \"pending\", \"completed\"; got \"done\""
        );
        assert_eq!(
            err::<LogChatArgs>(
                json!({"conversation_id": "c", "role": "user", "content": "x", "metadata": "m"})
            ),
            "metadata must be a JSON object, got \"m\""
        );
        assert!(err::<NoArgs>(json!([1])).starts_with("arguments must be a JSON object"));
    }

    #[test]
    fn schemas_are_objects_with_properties_required_and_defaults() {
        let s = input_schema::<RetrieveMemoryArgs>();
        assert_eq!(s["type"], "object");
        assert_eq!(s["required"], json!(["conversation_id", "query"]));
        assert_eq!(s["properties"]["top_k"]["default"], 3);
        assert_eq!(s["properties"]["top_k"]["type"], "integer");
        assert_eq!(s["properties"]["top_k"]["maximum"], MAX_TOP_K);
        assert_eq!(
            s["properties"]["conversation_id"]["type"],
            json!(["string", "integer"])
        );
        let s = input_schema::<LogCodeAttemptArgs>();
        assert_eq!(s["properties"]["function_name"]["type"], "string");
        assert_eq!(s["properties"]["tags"]["type"], "array");
        assert_eq!(s["properties"]["tags"]["items"]["type"], "string");
        let s = input_schema::<NoArgs>();
        assert_eq!(
            s,
            json!({"type": "object", "properties": {}, "required": []})
        );
    }
}
