//! The REST adapter of the tool registry, for the dashboard:
//! `GET /api/tools` lists the tools this server exposes with their group,
//! whether they write, and their input schema; `POST /api/tools/{name}`
//! runs one, the body being its arguments object.
//!
//! A success is 200 with the tool's object (`"success": true`); a failure is
//! the same `{"success": false, "error": ...}` object with the status of its
//! kind: 400 invalid argument, 404 unknown tool or id, 409 conflict, 500
//! internal. Behind the same token and origin guard as `/jsonrpc`.
//! Not here: the tools (ltmc-tools) or the JSON-RPC rules (`jsonrpc.rs`).

use crate::AppState;
use crate::routes::error_response;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use ltmc_tools::ToolGroup;
use serde::Serialize;
use serde_json::{Map, Value};

/// One tool as the dashboard lists it.
#[derive(Serialize)]
struct Listed {
    name: &'static str,
    description: &'static str,
    group: ToolGroup,
    writes: bool,
    input_schema: Value,
}

/// `GET /api/tools`: `{"tools": [{name, description, group, writes, input_schema}]}`.
pub(crate) async fn list(State(state): State<AppState>) -> Response {
    let tools: Vec<Listed> = state
        .tools
        .enabled()
        .map(|e| Listed {
            name: e.name,
            description: e.description,
            group: e.group,
            writes: e.writes,
            input_schema: e.input_schema(),
        })
        .collect();
    Json(serde_json::json!({ "tools": tools })).into_response()
}

/// `POST /api/tools/{name}`: runs the tool with the body as its arguments
/// (an empty body is no arguments).
pub(crate) async fn call(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let arguments = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(value @ Value::Object(_)) => value,
            Ok(other) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "the body must be a JSON object of the tool's arguments, got {}",
                        kind_of(&other)
                    ),
                );
            }
            Err(e) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    &format!("the body is not JSON: {e}"),
                );
            }
        }
    };
    crate::api::tool_response(state.tools.call(&name, arguments).await)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
