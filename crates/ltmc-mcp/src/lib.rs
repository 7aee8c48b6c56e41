//! ltmc-mcp: the Model Context Protocol server of ltmc, on rmcp (the
//! official Rust SDK). It is the only crate that knows MCP.
//!
//! [`LtmcServer`] is a thin adapter: `tools/list` comes from
//! [`Tools::specs`], `tools/call` goes to [`Tools::call`] and its object comes
//! back as both text and structured content, with `isError` on failure. Two
//! transports share it: [`serve_stdio`] (one session on stdin/stdout, the way
//! agents launch local servers, behind [`HandshakeGate`]) and [`http_service`] (streamable HTTP, many
//! sessions, mounted by ltmc-http at `/mcp`). Not here: the tools themselves
//! (ltmc-tools), opening stores or models (the `ltmc` binary), or HTTP
//! routing and authentication (ltmc-http).

#[doc(hidden)]
pub mod fuzz;
mod gate;
mod http;
mod server;

pub use gate::HandshakeGate;
pub use http::{McpHttpOptions, McpHttpService, McpShutdown, http_service};
pub use server::{INSTRUCTIONS, LtmcServer, SERVER_NAME, to_call_result};

use ltmc_tools::Tools;
use rmcp::ServiceExt as _;
use rmcp::transport::IntoTransport as _;

/// Why the stdio server stopped early.
#[derive(Debug, thiserror::Error)]
pub enum StdioError {
    #[error("the MCP client did not complete the handshake: {0}")]
    Handshake(String),
    #[error("the MCP session ended abnormally: {0}")]
    Session(String),
}

/// Serves one MCP session on this process's stdin and stdout until the
/// client closes stdin. Only protocol frames are written to stdout.
pub async fn serve_stdio(tools: Tools) -> Result<(), StdioError> {
    let transport = HandshakeGate::new(rmcp::transport::io::stdio_pipes().into_transport());
    let running = LtmcServer::new(tools)
        .serve(transport)
        .await
        .map_err(|e| StdioError::Handshake(e.to_string()))?;
    let reason = running
        .waiting()
        .await
        .map_err(|e| StdioError::Session(e.to_string()))?;
    tracing::debug!(?reason, "MCP stdio session ended");
    Ok(())
}
