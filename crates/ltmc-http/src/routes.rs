//! The plain routes: `GET /health`, `GET /tools`, the JSON 404, and the
//! JSON error body every HTTP-level refusal uses.
//!
//! Not here: `/jsonrpc` (its own file, for the JSON-RPC rules) and `/mcp`
//! (rmcp's service, mounted in `lib.rs`).

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use serde_json::json;

/// Liveness, without authentication: it tells nothing a caller could abuse.
pub(crate) async fn health(State(state): State<AppState>) -> Response {
    Json(json!({
        "status": "ok",
        "name": "ltmc",
        "version": env!("CARGO_PKG_VERSION"),
        "tools": state.tools.enabled_specs().len(),
    }))
    .into_response()
}

/// `[{name, description, input_schema}]` of the tools this server exposes
/// (`serve --tools`), in the contract's order.
pub(crate) async fn tools(State(state): State<AppState>) -> Response {
    Json(state.tools.enabled_specs()).into_response()
}

pub(crate) async fn not_found(uri: Uri) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        &format!(
            "no route {}: ltmc serves /mcp (MCP), /jsonrpc (JSON-RPC), /api/tools (REST), /tools and /health",
            uri.path()
        ),
    )
}

/// `{"success": false, "error": message}` with `status`.
pub(crate) fn error_response(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"success": false, "error": message}))).into_response()
}
