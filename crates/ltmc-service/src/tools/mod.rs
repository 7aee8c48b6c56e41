//! The LTMC tool contract (SPEC section 4): the 22 tools agents call, by
//! name, with JSON arguments, answering JSON objects with `"success"`.
//!
//! This is the protocol-neutral half of the MCP server: a tool list with
//! input schemas, and one `call` that parses arguments (naming the field and
//! the fix on bad input), runs the use case and shapes the answer. The MCP
//! server, the HTTP JSON-RPC endpoint and tests all go through [`Tools`].
//! Not here: transports (see the `ltmc-mcp` and `ltmc-http` crates), and the
//! use cases themselves (`answer`, `attempts`, `documents`, `linking`, `llm`
//! at the crate root, callable by the CLI too).
//!
//! Files: `args.rs` (argument structs, schemas, parsing), `reply.rs` (answer
//! and error objects), one file per family of tools.

mod args;
mod chat_tools;
mod code_tools;
mod graph_tools;
mod memory_tools;
mod reply;
mod todo_tools;

use crate::Memory;
use ltmc_core::Project;
use reply::{ToolError, ToolResult};
use serde::Serialize;
use serde_json::Value;

pub use crate::llm::LlmConfig;
pub use args::{MAX_CONTEXT_TOKENS, MAX_LIMIT, VALID_SOURCES};

/// One tool as listed to clients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    /// A JSON Schema object (`{"type": "object", "properties": ..., "required": ...}`).
    pub input_schema: serde_json::Value,
}

/// What a tool call answers: the tool's object, and whether it is a failure
/// (`{"success": false, "error": ...}`, sent as an MCP result with `isError`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolOutcome {
    pub value: serde_json::Value,
    pub is_error: bool,
}

/// The tools over one memory and one project. Cheap to clone; shared by
/// every session of a server.
#[derive(Debug, Clone)]
pub struct Tools {
    memory: Memory,
    project: Project,
    llm: Option<LlmConfig>,
}

/// A tool's name, description and schema, in the contract's order.
struct ToolDef {
    name: &'static str,
    description: &'static str,
    schema: fn() -> Value,
}

macro_rules! tool {
    ($name:literal, $args:ty, $description:expr) => {
        ToolDef {
            name: $name,
            description: $description,
            schema: args::input_schema::<$args>,
        }
    };
}

const TOOLS: [ToolDef; 22] = [
    tool!(
        "store_memory",
        args::StoreMemoryArgs,
        "Remember a document, note or piece of code: it is chunked, embedded and stored, searchable by meaning and by keyword. Identical content is stored once (the answer says so). Returns resource_id, chunk_count, message."
    ),
    tool!(
        "retrieve_memory",
        args::RetrieveMemoryArgs,
        "Find the stored chunks that best answer a query (hybrid: meaning and keywords). Logs the query as a user message of the conversation, linked to the chunks returned. Returns context (chunk texts joined by blank lines) and retrieved_chunks [{chunk_id, resource_id, file_name, score}]."
    ),
    tool!(
        "log_chat",
        args::LogChatArgs,
        "Log a chat message in a conversation. Returns message_id."
    ),
    tool!(
        "ask_with_context",
        args::AskWithContextArgs,
        "Answer a question from memory: retrieve context, then answer with the configured language model (answer_source \"llm\") or, without one, quote the context's most relevant sentences (answer_source \"extractive\"). Logs question and answer in the conversation. Returns query, conversation_id, context, context_summary, answer, documents_used, top_documents."
    ),
    tool!(
        "route_query",
        args::RouteQueryArgs,
        "Search several sources at once: \"document\" and \"code\" resources, \"chat\" messages (those that used the chunks relevant to the query), \"todo\" items. Returns results per source and a combined answer."
    ),
    tool!(
        "build_context",
        args::BuildContextArgs,
        "Pack documents, in order, into a context of at most max_tokens (estimated) tokens, cutting the last one at a sentence or word boundary. Returns context, token_count, documents_processed, max_tokens."
    ),
    tool!(
        "retrieve_by_type",
        args::RetrieveByTypeArgs,
        "Find the top_k distinct documents of one resource type (e.g. \"code\") that best match a query. Returns documents [{id, title, content (the matching chunks), type, created_at, metadata, score}], count."
    ),
    tool!(
        "add_todo",
        args::AddTodoArgs,
        "Add a todo. Returns todo_id, message."
    ),
    tool!(
        "list_todos",
        args::ListTodosArgs,
        "List todos, newest first: all, pending or completed. Returns todos [{id, title, description, priority, completed, created_at, completed_at}], count."
    ),
    tool!(
        "complete_todo",
        args::CompleteTodoArgs,
        "Mark a todo completed. An unknown id is an error."
    ),
    tool!(
        "search_todos",
        args::SearchTodosArgs,
        "Find todos whose title or description match the query's words, best first. Returns todos, count."
    ),
    tool!(
        "store_context_links_tool",
        args::StoreContextLinksArgs,
        "Record that a chat message used stored chunks as context. Unknown ids are errors. Returns links_created, message_id."
    ),
    tool!(
        "get_context_links_for_message_tool",
        args::MessageIdArgs,
        "The chunks a chat message used as context. Returns links [{message_id, chunk_id}], count."
    ),
    tool!(
        "get_messages_for_chunk_tool",
        args::ChunkIdArgs,
        "The chat messages that used a stored chunk as context, oldest first. Returns messages [{message_id, conversation_id, role, content, timestamp}], count."
    ),
    tool!(
        "get_context_usage_statistics_tool",
        args::NoArgs,
        "How stored chunks are used as context. Returns statistics {total_context_links, unique_messages, unique_chunks_used, most_used_chunks [{chunk_id, usage_count}]}."
    ),
    tool!(
        "link_resources",
        args::LinkResourcesArgs,
        "Add a relationship to the graph (nodes are document ids or any names). Returns relationship_created, source_id, target_id, relationship_type."
    ),
    tool!(
        "query_graph",
        args::QueryGraphArgs,
        "The relationships that start or end at a node, optionally of one kind. Returns relationships [{source_id, target_id, relationship_type, properties}], count."
    ),
    tool!(
        "auto_link_documents",
        args::AutoLinkArgs,
        "Link documents whose meanings are similar (cosine similarity of their embeddings ≥ threshold) with \"related_to\" relationships; each link records its similarity and the distinctive terms both share. Returns links_created, documents_processed, links."
    ),
    tool!(
        "get_document_relationships_tool",
        args::DocRelationshipsArgs,
        "The relationships of a document. Returns relationships [{source_id, target_id, relationship_type, properties}], count."
    ),
    tool!(
        "log_code_attempt",
        args::LogCodeAttemptArgs,
        "Log a code-generation attempt and how it went (pass, fail, partial), so later attempts can learn from it. Links it to earlier attempts of the same function, file or module and to similar ones. Returns pattern_id, message."
    ),
    tool!(
        "get_code_patterns",
        args::GetCodePatternsArgs,
        "Earlier code attempts most similar in meaning to what you are about to write, optionally only passes or failures, or of one function, file or module. Returns patterns [{pattern_id, input_prompt, generated_code, result, ..., similarity}], count, query."
    ),
    tool!(
        "analyze_code_patterns_tool",
        args::AnalyzeCodePatternsArgs,
        "Success rates and trends of code attempts over the last time_range_days days, optionally of one function, file or module. Returns total_patterns, pass_count, fail_count, partial_count, success_rate, avg_execution_time, trends."
    ),
];

impl Tools {
    pub fn new(memory: Memory, project: Project, llm: Option<LlmConfig>) -> Self {
        Self {
            memory,
            project,
            llm,
        }
    }

    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Every tool, in the contract's order.
    pub fn specs() -> Vec<ToolSpec> {
        TOOLS
            .iter()
            .map(|t| ToolSpec {
                name: t.name,
                description: t.description,
                input_schema: (t.schema)(),
            })
            .collect()
    }

    /// Runs a tool. Never panics on input: an unknown tool, a missing or
    /// mistyped argument, an unknown id or a failing store all come back as
    /// `is_error: true` with `{"success": false, "error": "..."}`.
    pub async fn call(&self, name: &str, arguments: serde_json::Value) -> ToolOutcome {
        // The tool runs in its own task so that a bug that panics becomes an
        // error answer instead of taking the server down.
        let this = self.clone();
        let owned = name.to_owned();
        let result = match tokio::spawn(async move { this.dispatch(&owned, arguments).await }).await
        {
            Ok(result) => result,
            Err(e) => {
                tracing::error!(tool = name, error = %e, "tool call panicked");
                Err(ToolError::new(format!(
                    "tool {name} failed unexpectedly ({e}); this is a bug in ltmc"
                )))
            }
        };
        match result {
            Ok(fields) => ToolOutcome {
                value: reply::success(fields),
                is_error: false,
            },
            Err(e) => ToolOutcome {
                value: e.into_value(),
                is_error: true,
            },
        }
    }

    async fn dispatch(&self, name: &str, args: Value) -> ToolResult {
        match name {
            "store_memory" => memory_tools::store_memory(self, args).await,
            "retrieve_memory" => memory_tools::retrieve_memory(self, args).await,
            "log_chat" => chat_tools::log_chat(self, args).await,
            "ask_with_context" => memory_tools::ask_with_context(self, args).await,
            "route_query" => memory_tools::route_query(self, args).await,
            "build_context" => memory_tools::build_context(args),
            "retrieve_by_type" => memory_tools::retrieve_by_type(self, args).await,
            "add_todo" => todo_tools::add_todo(self, args).await,
            "list_todos" => todo_tools::list_todos(self, args).await,
            "complete_todo" => todo_tools::complete_todo(self, args).await,
            "search_todos" => todo_tools::search_todos(self, args).await,
            "store_context_links_tool" => chat_tools::store_context_links(self, args).await,
            "get_context_links_for_message_tool" => chat_tools::links_for_message(self, args).await,
            "get_messages_for_chunk_tool" => chat_tools::messages_for_chunk(self, args).await,
            "get_context_usage_statistics_tool" => chat_tools::usage_statistics(self, args).await,
            "link_resources" => graph_tools::link_resources(self, args).await,
            "query_graph" => graph_tools::query_graph(self, args).await,
            "auto_link_documents" => graph_tools::auto_link_documents(self, args).await,
            "get_document_relationships_tool" => {
                graph_tools::document_relationships(self, args).await
            }
            "log_code_attempt" => code_tools::log_code_attempt(self, args).await,
            "get_code_patterns" => code_tools::get_code_patterns(self, args).await,
            "analyze_code_patterns_tool" => code_tools::analyze_code_patterns(self, args).await,
            other => {
                let names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
                Err(ToolError::new(format!(
                    "unknown tool {other:?}; the tools are: {}",
                    names.join(", ")
                ))
                .with("available_tools", names))
            }
        }
    }
}
