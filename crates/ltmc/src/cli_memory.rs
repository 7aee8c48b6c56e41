//! The command-line grammar of the LTMC tool families (`ltmc chat`, `ltmc
//! todo`, `ltmc graph`, `ltmc attempts`, `ltmc tool`): the same operations the
//! MCP tools offer, for people and scripts. Only the shape lives here; each
//! command becomes a tool call in `commands/tool_cli.rs`.

use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ChatCommand {
    /// Log a chat message (log_chat).
    Log {
        /// The message text.
        content: String,
        #[arg(long, default_value = "cli")]
        conversation: String,
        /// user, assistant, system, tool, ...
        #[arg(long, default_value = "user")]
        role: String,
        #[arg(long)]
        agent: Option<String>,
        #[arg(long)]
        source_tool: Option<String>,
    },
    /// Link a message to the chunks it used (store_context_links_tool).
    Link {
        message_id: i64,
        #[arg(required = true)]
        chunk_ids: Vec<i64>,
    },
    /// The chunks a message used (get_context_links_for_message_tool).
    Links { message_id: i64 },
    /// The messages that used a chunk (get_messages_for_chunk_tool).
    Messages { chunk_id: i64 },
    /// How often chunks are used as context (get_context_usage_statistics_tool).
    Stats,
}

#[derive(Debug, Subcommand)]
pub enum TodoCommand {
    /// Add a todo (add_todo).
    Add {
        title: String,
        #[arg(long, short = 'd', default_value = "")]
        description: String,
        /// low, medium or high.
        #[arg(long, short = 'p', default_value = "medium")]
        priority: String,
    },
    /// List todos, newest first (list_todos).
    List {
        /// all, pending or completed.
        #[arg(long, default_value = "all", value_parser = ["all", "pending", "completed"])]
        status: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Mark a todo completed (complete_todo).
    Done { todo_id: i64 },
    /// Find todos by words (search_todos).
    Search {
        #[arg(required = true)]
        query: Vec<String>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum GraphCommand {
    /// Add an edge SOURCE -RELATION-> TARGET (link_resources).
    Link {
        source: String,
        target: String,
        relation: String,
    },
    /// Edges that start or end at a node (query_graph).
    Query {
        entity: String,
        #[arg(long)]
        relation: Option<String>,
    },
    /// Link stored resources by meaning and shared terms (auto_link_documents).
    AutoLink {
        /// Resource ids (default: the project's newest resources, up to --limit).
        resource_ids: Vec<i64>,
        #[arg(long, default_value_t = 200)]
        limit: usize,
        /// Lowest cosine similarity that makes an edge.
        #[arg(long)]
        threshold: Option<f32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AttemptsCommand {
    /// Record a code-generation attempt and its outcome (log_code_attempt).
    Log {
        /// What the code was generated for.
        #[arg(long)]
        prompt: String,
        /// The generated code, from a file (`-` for stdin).
        #[arg(long, value_name = "FILE")]
        code: PathBuf,
        /// pass, fail or partial.
        #[arg(long)]
        result: String,
        #[arg(long)]
        function: Option<String>,
        #[arg(long)]
        file: Option<String>,
        #[arg(long)]
        module: Option<String>,
        #[arg(long)]
        time_ms: Option<i64>,
        #[arg(long)]
        error: Option<String>,
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// Earlier attempts most similar in meaning (get_code_patterns).
    Search {
        #[arg(required = true)]
        query: Vec<String>,
        /// pass, fail or partial.
        #[arg(long)]
        result: Option<String>,
        #[arg(long)]
        function: Option<String>,
        #[arg(long)]
        file: Option<String>,
        #[arg(long)]
        module: Option<String>,
        #[arg(long, short = 'k', default_value_t = 5)]
        top_k: usize,
    },
    /// Counts, success rate and trends (analyze_code_patterns_tool).
    Analyze {
        #[arg(long)]
        function: Option<String>,
        #[arg(long)]
        file: Option<String>,
        #[arg(long)]
        module: Option<String>,
        #[arg(long, default_value_t = 30)]
        days: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ToolCommand {
    /// The tools with their input schemas.
    List,
    /// Call a tool by name with JSON arguments; prints its answer object.
    Call {
        name: String,
        /// A JSON object (default `{}`).
        #[arg(default_value = "{}")]
        arguments: String,
    },
}
