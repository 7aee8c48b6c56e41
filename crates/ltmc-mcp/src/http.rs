//! The MCP streamable-HTTP endpoint as a tower service, for ltmc-http to
//! mount at `/mcp`.
//!
//! It is rmcp's `StreamableHttpService` over [`LtmcServer`], with sessions
//! kept in memory (one handler per session, all sharing one [`Tools`]). The
//! HTTP crate owns routing, authentication and CORS; this file only decides
//! what rmcp itself checks (Host, Origin, body size) so that ltmc-http never
//! has to name an rmcp type. Not here: listening on a socket.

use crate::LtmcServer;
use ltmc_tools::Tools;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

/// The `/mcp` service: a `tower::Service<http::Request<B>>` that never fails
/// (errors are HTTP responses).
pub type McpHttpService = StreamableHttpService<LtmcServer, LocalSessionManager>;

/// What rmcp checks on every `/mcp` request.
#[derive(Debug, Clone)]
pub struct McpHttpOptions {
    /// Accepted `Host` headers (`host` or `host:port`); empty accepts any.
    /// The default accepts loopback names only, against DNS rebinding.
    pub allowed_hosts: Vec<String>,
    /// Browser origins allowed to call (`scheme://host:port`). A request
    /// carrying any other `Origin` is refused, including when this is empty.
    pub allowed_origins: Vec<String>,
    /// Largest accepted request body; larger ones get 413.
    pub max_body_bytes: usize,
}

impl Default for McpHttpOptions {
    fn default() -> Self {
        Self {
            allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            allowed_origins: Vec::new(),
            max_body_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Ends every open MCP session (their SSE streams included), so that a
/// graceful HTTP shutdown does not wait on clients that never hang up.
#[derive(Debug, Clone)]
pub struct McpShutdown(CancellationToken);

impl McpShutdown {
    pub fn shutdown(&self) {
        self.0.cancel();
    }
}

/// Builds the `/mcp` service over `tools`.
pub fn http_service(tools: &Tools, options: &McpHttpOptions) -> (McpHttpService, McpShutdown) {
    let cancel = CancellationToken::new();
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(options.allowed_hosts.clone())
        .with_allowed_origins(options.allowed_origins.clone())
        .enforce_origin_validation()
        .with_max_request_body_bytes(options.max_body_bytes)
        .with_cancellation_token(cancel.clone());
    let server = LtmcServer::new(tools.clone());
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        std::sync::Arc::new(LocalSessionManager::default()),
        config,
    );
    (service, McpShutdown(cancel))
}
