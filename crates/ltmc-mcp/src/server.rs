//! [`LtmcServer`]: the rmcp `ServerHandler` that lists the LTMC tools and
//! runs them through [`Tools`].
//!
//! The tool list is built at run time from [`Tools::specs`] (not rmcp's macro
//! router), so the contract lives in one place, the ltmc-tools registry. Every answer of
//! a tool, success or failure, is a `CallToolResult` carrying the tool's
//! object twice: as JSON text (for clients that read only `content`) and as
//! `structuredContent`. A failing tool, bad arguments or an unknown tool name
//! set `isError`; nothing a caller sends to `tools/call` becomes a protocol
//! error. Not here: transports (see `lib.rs` and `http.rs`).

use ltmc_tools::{ToolOutcome, ToolSpec, Tools};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, JsonObject,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use std::sync::Arc;

/// The name this server gives in `initialize`.
pub const SERVER_NAME: &str = "ltmc";

/// What the server tells an agent in `initialize`, to pick the right tool.
pub const INSTRUCTIONS: &str = "ltmc is a long-term engineering memory. \
Store documents, code and notes with store_memory, and get the right piece back by meaning \
with retrieve_memory (or ask_with_context for an answer built from it). Log conversations \
with log_chat, keep todos (add_todo, list_todos, complete_todo, search_todos), link resources \
into a graph (link_resources, query_graph), and record code attempts (log_code_attempt) to \
find what worked before (get_code_patterns, analyze_code_patterns_tool). Every tool answers \
a JSON object with \"success\"; a failure has \"error\" and is flagged isError.";

/// One MCP server session's handler. Cheap to clone: every session of a
/// process shares the same [`Tools`] (one store, one model).
#[derive(Debug, Clone)]
pub struct LtmcServer {
    tools: Tools,
    listed: Arc<[Tool]>,
}

impl LtmcServer {
    pub fn new(tools: Tools) -> Self {
        let listed = tools.enabled_specs().into_iter().map(to_mcp_tool).collect();
        Self { tools, listed }
    }

    pub fn tools(&self) -> &Tools {
        &self.tools
    }
}

/// A spec as rmcp's `Tool`. A schema that is not a JSON object would be a bug
/// in the spec table; clients still get a valid (empty) object schema.
fn to_mcp_tool(spec: ToolSpec) -> Tool {
    let schema = match spec.input_schema {
        serde_json::Value::Object(map) => map,
        other => {
            tracing::error!(tool = spec.name, schema = %other, "tool input schema is not an object");
            let mut map = JsonObject::new();
            map.insert("type".into(), "object".into());
            map
        }
    };
    Tool::new(spec.name, spec.description, Arc::new(schema))
}

/// The tool's object as an MCP tool result.
pub fn to_call_result(outcome: ToolOutcome) -> CallToolResult {
    if outcome.is_error {
        CallToolResult::structured_error(outcome.value)
    } else {
        CallToolResult::structured(outcome.value)
    }
}

impl ServerHandler for LtmcServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new(SERVER_NAME, env!("CARGO_PKG_VERSION"))
                    .with_title("ltmc: long-term engineering memory"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.listed.to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.listed.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let arguments = serde_json::Value::Object(request.arguments.unwrap_or_default());
        let outcome = self.tools.call(&request.name, arguments).await;
        if outcome.is_error {
            tracing::debug!(tool = %request.name, answer = %outcome.value, "tool failed");
        }
        Ok(to_call_result(outcome).into())
    }
}
