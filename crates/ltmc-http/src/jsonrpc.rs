//! `POST /jsonrpc`: the original LTMC's plain JSON-RPC 2.0 endpoint, with
//! `tools/list` (MCP's shape: `{"tools": [{name, description, inputSchema}]}`)
//! and `tools/call` (the result is the tool's own object).
//!
//! JSON-RPC errors are for JSON-RPC faults only: unparsable JSON (-32700),
//! a malformed request (-32600), an unknown method (-32601), `tools/call`
//! without a tool name (-32602). A tool that fails, including an unknown tool
//! name, answers a normal result `{"success": false, "error": ...}`, as over
//! MCP. Batches and notifications follow the JSON-RPC 2.0 specification,
//! within two limits against amplification (a small request asking for a
//! huge reply): a batch holds at most [`MAX_BATCH`] requests (a longer one is
//! refused whole, -32600), and the replies of one POST stop at
//! [`MAX_REPLY_BYTES`]: the requests past it are not run and each gets a
//! -32000 error saying so. Not here: MCP sessions (that is `/mcp`).

use crate::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use ltmc_tools::Tools;
use serde_json::{Map, Value, json};

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
/// Implementation-defined server error: the reply limit was reached.
const REPLY_TOO_LARGE: i64 = -32000;

/// The most requests one batch may hold.
pub const MAX_BATCH: usize = 64;
/// The most bytes of JSON the replies of one POST may add up to.
pub const MAX_REPLY_BYTES: usize = 16 * 1024 * 1024;

struct RpcError {
    code: i64,
    message: String,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    fn reply(self, id: &Value) -> Value {
        json!({"jsonrpc": "2.0", "id": id, "error": {"code": self.code, "message": self.message}})
    }
}

pub(crate) async fn handle(State(state): State<AppState>, body: Bytes) -> Response {
    let message: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => {
            return Json(
                RpcError::new(PARSE_ERROR, format!("parse error: {e}")).reply(&Value::Null),
            )
            .into_response();
        }
    };
    match message {
        Value::Array(batch) if batch.is_empty() => Json(
            RpcError::new(INVALID_REQUEST, "invalid request: an empty batch").reply(&Value::Null),
        )
        .into_response(),
        Value::Array(batch) if batch.len() > MAX_BATCH => Json(
            RpcError::new(
                INVALID_REQUEST,
                format!(
                    "invalid request: a batch of {} requests; a batch holds at most {MAX_BATCH}, \
                     send the rest in further batches",
                    batch.len()
                ),
            )
            .reply(&Value::Null),
        )
        .into_response(),
        Value::Array(batch) => {
            let mut replies = Vec::with_capacity(batch.len());
            let mut size = 0usize;
            for message in batch {
                if size > MAX_REPLY_BYTES {
                    // Not run: its reply would go past the limit.
                    let id = message.get("id").cloned();
                    if let Some(id) = id {
                        replies.push(
                            RpcError::new(
                                REPLY_TOO_LARGE,
                                format!(
                                    "not run: the replies of this batch passed {MAX_REPLY_BYTES} bytes; \
                                     ask for fewer or smaller results, or send it again alone"
                                ),
                            )
                            .reply(&id),
                        );
                    }
                    continue;
                }
                if let Some(reply) = handle_one(&state.tools, message).await {
                    size += reply_size(&reply);
                    replies.push(reply);
                }
            }
            if replies.is_empty() {
                StatusCode::NO_CONTENT.into_response()
            } else {
                Json(Value::Array(replies)).into_response()
            }
        }
        message => match handle_one(&state.tools, message).await {
            Some(reply) => Json(reply).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    }
}

/// The bytes a reply adds to the answer.
fn reply_size(reply: &Value) -> usize {
    serde_json::to_vec(reply).map_or(0, |bytes| bytes.len())
}

/// One request's reply; `None` for a notification (a request without `id`).
async fn handle_one(tools: &Tools, message: Value) -> Option<Value> {
    let Value::Object(mut request) = message else {
        return Some(
            RpcError::new(INVALID_REQUEST, "invalid request: not a JSON object")
                .reply(&Value::Null),
        );
    };
    let id = request.remove("id");
    let reply_id = match &id {
        None => Value::Null,
        Some(id @ (Value::Null | Value::String(_) | Value::Number(_))) => id.clone(),
        Some(_) => {
            return Some(
                RpcError::new(
                    INVALID_REQUEST,
                    "invalid request: id must be a string, a number or null",
                )
                .reply(&Value::Null),
            );
        }
    };
    let method = match (request.get("jsonrpc"), request.get("method")) {
        (Some(Value::String(v)), Some(Value::String(method))) if v == "2.0" => method,
        _ => {
            // Invalid requests are answered even without an id (JSON-RPC 2.0, section 5).
            return Some(
                RpcError::new(
                    INVALID_REQUEST,
                    "invalid request: \"jsonrpc\" must be \"2.0\" and \"method\" a string",
                )
                .reply(&reply_id),
            );
        }
    };
    let outcome = dispatch(tools, method, request.get("params")).await;
    // A notification (no id) is run but never answered.
    id.as_ref()?;
    Some(match outcome {
        Ok(result) => json!({"jsonrpc": "2.0", "id": reply_id, "result": result}),
        Err(error) => error.reply(&reply_id),
    })
}

async fn dispatch(tools: &Tools, method: &str, params: Option<&Value>) -> Result<Value, RpcError> {
    match method {
        "tools/list" => Ok(tool_list(tools)),
        "tools/call" => {
            let Some(Value::Object(params)) = params else {
                return Err(RpcError::new(
                    INVALID_PARAMS,
                    "tools/call needs params {\"name\": TOOL, \"arguments\": {...}}",
                ));
            };
            let Some(name) = params.get("name").and_then(Value::as_str) else {
                return Err(RpcError::new(
                    INVALID_PARAMS,
                    "tools/call needs params.name, the tool's name (see tools/list)",
                ));
            };
            let arguments = match params.get("arguments") {
                None | Some(Value::Null) => Value::Object(Map::new()),
                Some(arguments) => arguments.clone(),
            };
            Ok(tools.call(name, arguments).await.value)
        }
        other => Err(RpcError::new(
            METHOD_NOT_FOUND,
            format!(
                "method not found: {other:?}; this endpoint has tools/list and tools/call \
                 (MCP clients connect to /mcp)"
            ),
        )),
    }
}

/// The tools this server exposes (`serve --tools`), in the contract's order.
fn tool_list(tools: &Tools) -> Value {
    let tools: Vec<Value> = tools
        .enabled_specs()
        .into_iter()
        .map(|spec| {
            json!({
                "name": spec.name,
                "description": spec.description,
                "inputSchema": spec.input_schema,
            })
        })
        .collect();
    json!({ "tools": tools })
}
