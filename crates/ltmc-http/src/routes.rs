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
            "no route {}: ltmc serves /mcp (MCP), /jsonrpc (JSON-RPC), /api (REST, described at /api/openapi.json), the dashboard at /, /tools and /health",
            uri.path()
        ),
    )
}

/// `{"success": false, "error": message}` with `status`.
pub(crate) fn error_response(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"success": false, "error": message}))).into_response()
}

/// Reads a request's whole body, at most `max` bytes, before the MCP
/// service sees it: rmcp answers 500 to a body the limit cuts short (a
/// chunked one has no length to refuse up front), a client must get 413.
pub(crate) async fn whole_body(
    axum::extract::State(max): axum::extract::State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, max).await {
        Ok(bytes) => {
            next.run(axum::extract::Request::from_parts(
                parts,
                axum::body::Body::from(bytes),
            ))
            .await
        }
        Err(_) => (
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            axum::Json(serde_json::json!({
                "success": false,
                "error": format!("the request body could not be read within {max} bytes; send less"),
            })),
        )
            .into_response(),
    }
}
