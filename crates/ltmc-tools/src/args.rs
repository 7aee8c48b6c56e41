//! What every tool's arguments share: their JSON Schema derived with
//! schemars ([`input_schema`]), the default values, and [`parse`], which checks a call's arguments against that schema before
//! deserialising them, so every mistake comes back naming the field and the
//! fix (`top_k must be an integer, got "five"`).
//!
//! The schema is the single source of truth: what `tools/list` shows is what
//! `parse` enforces. Lenient where agents differ harmlessly: integers may come
//! as JSON numbers with a zero fraction (`5.0`), enum values in any case, ids
//! of graph nodes and conversations as numbers, `null` as "not given", and
//! unknown fields are ignored. Not here: what the tools do with the values.

use crate::error::ToolError;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The largest `limit` of the todo listings.
pub const MAX_LIMIT: usize = 1000;

/// The largest `max_tokens` of `build_context`.
pub const MAX_CONTEXT_TOKENS: usize = 1_000_000;

/// Default values of tool arguments (serde `default = ...` paths).
pub mod defaults {
    pub fn yes() -> bool {
        true
    }
    pub fn one() -> f64 {
        1.0
    }
    pub fn hundred() -> usize {
        100
    }
    pub fn fifty() -> usize {
        50
    }
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
        f64::from(ltmc_service::linking::DEFAULT_AUTO_LINK_THRESHOLD)
    }
}

/// The sources `route_query` can search.
pub const VALID_SOURCES: [&str; 4] = ["document", "code", "chat", "todo"];

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
    use crate::tools::ltmc::{
        ask_with_context::AskWithContextArgs, auto_link_documents::AutoLinkArgs,
        complete_todo::CompleteTodoArgs, get_context_usage_statistics::NoArgs,
        list_todos::ListTodosArgs, log_chat::LogChatArgs, log_code_attempt::LogCodeAttemptArgs,
        retrieve_by_type::RetrieveByTypeArgs, retrieve_memory::RetrieveMemoryArgs,
        store_context_links::StoreContextLinksArgs, store_memory::StoreMemoryArgs,
    };
    use ltmc_service::MAX_TOP_K;
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
