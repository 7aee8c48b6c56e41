//! ltmc-http: ltmc served over HTTP with axum, for agents and tools that do
//! not launch a process per session.
//!
//! One router carries every protocol over the same [`Tools`] (one store, one
//! model per process): `/mcp` is MCP's streamable HTTP (rmcp, through
//! ltmc-mcp), `/jsonrpc` the original LTMC's plain JSON-RPC 2.0
//! (`tools/list`, `tools/call`), `GET /tools` the tool list, `/api` the
//! REST API (the tool registry at `/api/tools`, the dashboard's read models
//! beside it, its OpenAPI document at `/api/openapi.json`), `/` the
//! dashboard (a page embedded in the binary) and `GET /health` a liveness
//! probe. Security is on by default: loopback only unless a
//! bearer token is configured, the token checked on every route but
//! `/health`, browser origins refused unless allowed, bodies capped.
//! Not here: the tools (ltmc-tools) and MCP itself (ltmc-mcp).

mod api;
mod config;
mod dashboard;
#[doc(hidden)]
pub mod fuzz;
mod guard;
mod jsonrpc;
mod rest;
mod routes;

pub use api::openapi::{OPERATIONS, Operation};
pub use api::{DEFAULT_LIMIT, MAX_LIMIT};
pub use config::{DEFAULT_ADDRESS, DEFAULT_MAX_BODY_BYTES, HttpConfig, HttpError};
pub use jsonrpc::{MAX_BATCH, MAX_REPLY_BYTES};
pub use ltmc_mcp::McpShutdown;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use ltmc_tools::Tools;
use std::future::Future;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;

/// What every handler shares.
#[derive(Debug, Clone)]
struct AppState {
    tools: Tools,
    guard: guard::Guard,
}

/// The whole HTTP surface over `tools`, and the handle that ends its MCP
/// sessions (call it when shutting down, or [`serve`] does it for you).
pub fn router(tools: &Tools, config: &HttpConfig) -> (Router, McpShutdown) {
    let (mcp, shutdown) = ltmc_mcp::http_service(tools, &config.mcp_options());
    let state = AppState {
        tools: tools.clone(),
        guard: guard::Guard::new(config),
    };
    let protected =
        Router::new()
            .route("/tools", get(routes::tools))
            .route("/jsonrpc", post(jsonrpc::handle))
            .route("/api/tools", get(rest::list))
            .route("/api/tools/{name}", post(rest::call))
            .merge(api::routes())
            .merge(Router::new().nest_service("/mcp", mcp).layer(
                axum::middleware::from_fn_with_state(config.max_body_bytes, routes::whole_body),
            ))
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                guard::check,
            ));
    let mut app = Router::new()
        .route("/health", get(routes::health))
        .merge(dashboard::routes())
        .merge(protected)
        .fallback(routes::not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes));
    if let Some(cors) = cors_layer(config) {
        // Outermost, so preflight requests are answered before the token check.
        app = app.layer(cors);
    }
    (app, shutdown)
}

/// CORS only for the configured origins; none configured, no CORS headers.
fn cors_layer(config: &HttpConfig) -> Option<CorsLayer> {
    if config.cors_origins.is_empty() {
        return None;
    }
    let origins = config.cors_origin_values();
    Some(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([
                axum::http::Method::GET,
                axum::http::Method::POST,
                axum::http::Method::DELETE,
            ])
            .allow_headers([
                axum::http::header::AUTHORIZATION,
                axum::http::header::CONTENT_TYPE,
                axum::http::header::ACCEPT,
                axum::http::HeaderName::from_static("mcp-session-id"),
                axum::http::HeaderName::from_static("mcp-protocol-version"),
                axum::http::HeaderName::from_static("last-event-id"),
            ])
            .expose_headers([axum::http::HeaderName::from_static("mcp-session-id")]),
    )
}

/// Serves on `listener` until `shutdown` completes, then ends the MCP
/// sessions and lets the in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    tools: &Tools,
    config: &HttpConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), HttpError> {
    let (app, mcp_shutdown) = router(tools, config);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            mcp_shutdown.shutdown();
        })
        .await
        .map_err(HttpError::Serve)
}
