//! The tools agents call, by name, with JSON arguments, answering JSON
//! objects with `"success"`: the 22 of the LTMC contract (SPEC section 4)
//! and the 17 of the fix-pattern knowledge base (SPEC section 5), in two
//! groups a server can expose separately.
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
mod fix_args;
mod fix_tools;
mod graph_tools;
mod memory_tools;
mod reply;
mod todo_tools;

use crate::Memory;
use ltmc_core::Project;
use reply::{ToolError, ToolResult};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

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
    /// The directory guardian checks and imports may read; nothing outside it.
    project_root: Option<PathBuf>,
    groups: Vec<ToolGroup>,
}

/// A family of tools a server can expose (`--tools ltmc,patterns`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolGroup {
    /// The 22 tools of the original LTMC (SPEC section 4).
    Ltmc,
    /// The fix-pattern knowledge base: audits, patterns, guardian rules (SPEC section 5).
    Patterns,
}

impl ToolGroup {
    pub const ALL: [Self; 2] = [Self::Ltmc, Self::Patterns];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ltmc => "ltmc",
            Self::Patterns => "patterns",
        }
    }

    /// Parses a comma-separated list (`ltmc,patterns`, or `all`).
    pub fn parse_list(value: &str) -> Result<Vec<Self>, crate::ServiceError> {
        let mut out = Vec::new();
        for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let groups: &[Self] = match name.to_ascii_lowercase().as_str() {
                "all" => &Self::ALL,
                "ltmc" => &[Self::Ltmc],
                "patterns" | "fix" | "fix-patterns" => &[Self::Patterns],
                other => {
                    return Err(crate::ServiceError::invalid(
                        "tools",
                        format!("{other:?} is not a tool group; use ltmc, patterns or all"),
                    ));
                }
            };
            for g in groups {
                if !out.contains(g) {
                    out.push(*g);
                }
            }
        }
        if out.is_empty() {
            return Err(crate::ServiceError::invalid(
                "tools",
                "names no tool group; use ltmc, patterns or all",
            ));
        }
        Ok(out)
    }

    fn tools(self) -> &'static [ToolDef] {
        match self {
            Self::Ltmc => &TOOLS,
            Self::Patterns => &FIX_TOOLS,
        }
    }
}

/// A tool's name, description and schema, in the contract's order.
struct ToolDef {
    name: &'static str,
    description: &'static str,
    schema: fn() -> Value,
}

impl ToolDef {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: self.name,
            description: self.description,
            input_schema: (self.schema)(),
        }
    }
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

const FIX_TOOLS: [ToolDef; 17] = [
    tool!(
        "upsert_file_audit",
        fix_args::UpsertFileAuditArgs,
        "Create or update the audit of one file (by file_path): its architecture layer (1-7), workflows, technical debt, status (Not Started, In Progress, Complete, Failed) and notes. Status changes are recorded with their time. Returns file_audit_id, created, audit."
    ),
    tool!(
        "list_file_audits",
        fix_args::ListFileAuditsArgs,
        "List file audits by layer, then path; filter by layer, workflow, status, has_debt. Returns audits, count."
    ),
    tool!(
        "import_file_audits",
        fix_args::ImportFileAuditsArgs,
        "Import file audits from CSV or JSON (content, or a file inside the project root). Bad rows are reported by line; good rows are kept. Returns rows, imported, created, updated, errors [{line, error}], file_audit_ids."
    ),
    tool!(
        "extract_pattern",
        fix_args_draft::PatternDraft,
        "Turn a fix into a reusable fix pattern: problem, solution steps, code before/after, verification, learnings, prevention, anti-patterns (regexes), layers, workflows, file types. Missing problem_type / code_type / severity / tags / title are inferred (the answer says which and why); the content, code and problem embeddings are made; similar patterns are linked; Security and Architecture patterns get guardian rules, each tested on the pattern's own code. The pattern starts unreviewed. Returns pattern_id, pattern, inferred, relationships, guardian_rules."
    ),
    tool!(
        "review_pattern",
        fix_args::ReviewPatternArgs,
        "Mark a fix pattern reviewed (searchable by default) or send it back to the review queue, with reviewer notes."
    ),
    tool!(
        "get_pattern",
        fix_args::PatternIdArgs,
        "A fix pattern with every field, its related patterns, its guardian rules and its recorded applications."
    ),
    tool!(
        "list_patterns",
        fix_args::ListPatternsArgs,
        "List fix patterns newest first; filter by reviewed (false = the review queue), problem_type, layer, workflow, tag. Returns patterns, count."
    ),
    tool!(
        "link_patterns",
        fix_args::LinkPatternsArgs,
        "Relate two fix patterns: \"target is a <prerequisite|follows|conflicts|enhances> of source\", with a strength 0-1 (an existing link of that type is updated). Returns relationship_id, relationship."
    ),
    tool!(
        "get_related_patterns",
        fix_args::RelatedPatternsArgs,
        "The patterns a fix pattern relates to, of the given relationship types (default prerequisite, follows, enhances), strongest first. Returns related_patterns [{id, title, relationship_type, strength, description}], count."
    ),
    tool!(
        "find_similar_patterns",
        fix_args::FindSimilarArgs,
        "Find proven fix patterns for a file audit's debt or a described problem: cosine similarity of content and problem embeddings, filtered by layer, workflows and file type (reviewed patterns only unless include_unreviewed), ranked by confidence = similarity x1.2 on a layer match x(1 + 0.3 workflow overlap) x(1 + (success_rate - 0.5) 0.2) when applied before x1.1 on a file-type match, capped at 1. Each result shows similarity, problem_similarity, computed_confidence and its factors."
    ),
    tool!(
        "recommend_fix",
        fix_args::RecommendFixArgs,
        "Decide how to fix a file's debt: guardian warnings for the file, the ranked patterns, and the decision apply (top confidence > 0.8), adapt (a weaker match: use it as a starting point and verify) or new (no match), with the steps to follow and the related patterns. Returns decision, pattern_id, confidence, steps, guardian_warnings, candidates."
    ),
    tool!(
        "record_pattern_outcome",
        fix_args::RecordOutcomeArgs,
        "Record that a pattern was applied, and whether it worked: updates applied_count, success_rate, avg_time_saved, last_applied, applied_to_files, and the file audit's status (Complete or Failed) and notes."
    ),
    tool!(
        "add_guardian_rule",
        fix_args::AddGuardianRuleArgs,
        "Add a guardian rule: a regex (Rust syntax; an invalid one is refused with the parser's message) that flags code bringing a fixed debt back, for one layer, with its type (prevention, detection, enforcement), severity and required action. Returns rule_id, rule."
    ),
    tool!(
        "list_guardian_rules",
        fix_args::ListGuardianRulesArgs,
        "List guardian rules by layer and name with their hit statistics; filter by layer, active, rule_type. Returns rules, count."
    ),
    tool!(
        "set_guardian_rule_active",
        fix_args::SetRuleActiveArgs,
        "Activate or deactivate a guardian rule (with the reason)."
    ),
    tool!(
        "check_guardian_rules",
        fix_args::CheckGuardianArgs,
        "Check a file or directory (inside the project root, never outside it) or given content against the active guardian rules of a layer or of all layers. Returns violations [{rule_name, rule_type, severity, action_required, file_path, line, column, snippet}], count, enforcement_violations, files_scanned."
    ),
    tool!(
        "pattern_insights",
        fix_args::InsightsArgs,
        "The weekly assessment of the fix-pattern knowledge base: most reused patterns, success rates, knowledge gaps (open audited debt with no pattern above the threshold), guardian rule hits and false-positive candidates, time saved, the review queue, applications per week."
    ),
];

/// The argument struct of `extract_pattern` is the use case's own draft.
mod fix_args_draft {
    pub use crate::fix::patterns::PatternDraft;
}

impl Tools {
    pub fn new(memory: Memory, project: Project, llm: Option<LlmConfig>) -> Self {
        Self {
            memory,
            project,
            llm,
            project_root: None,
            groups: ToolGroup::ALL.to_vec(),
        }
    }

    /// Sets the directory guardian checks and audit imports may read.
    #[must_use]
    pub fn with_project_root(mut self, root: Option<PathBuf>) -> Self {
        self.project_root = root;
        self
    }

    /// Exposes only these groups of tools.
    #[must_use]
    pub fn with_groups(mut self, groups: Vec<ToolGroup>) -> Self {
        self.groups = groups;
        self
    }

    pub fn project_root(&self) -> Option<&Path> {
        self.project_root.as_deref()
    }

    /// The tools this instance exposes, in order.
    pub fn enabled_specs(&self) -> Vec<ToolSpec> {
        ToolGroup::ALL
            .iter()
            .filter(|g| self.groups.contains(g))
            .flat_map(|g| g.tools())
            .map(ToolDef::spec)
            .collect()
    }

    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Every tool of every group, in order: the 22 LTMC tools, then the fix-pattern tools.
    pub fn specs() -> Vec<ToolSpec> {
        TOOLS
            .iter()
            .chain(FIX_TOOLS.iter())
            .map(ToolDef::spec)
            .collect()
    }

    /// The 22 tools of the LTMC contract.
    pub fn ltmc_specs() -> Vec<ToolSpec> {
        TOOLS.iter().map(ToolDef::spec).collect()
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
        let group = if TOOLS.iter().any(|t| t.name == name) {
            Some(ToolGroup::Ltmc)
        } else if FIX_TOOLS.iter().any(|t| t.name == name) {
            Some(ToolGroup::Patterns)
        } else {
            None
        };
        if let Some(g) = group.filter(|g| !self.groups.contains(g)) {
            return Err(ToolError::new(format!(
                "tool {name:?} belongs to the {} tools, which this server does not expose (start it with --tools including {})",
                g.as_str(),
                g.as_str()
            )));
        }
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
            "upsert_file_audit" => fix_tools::upsert_file_audit(self, args).await,
            "list_file_audits" => fix_tools::list_file_audits(self, args).await,
            "import_file_audits" => fix_tools::import_file_audits(self, args).await,
            "extract_pattern" => fix_tools::extract_pattern_tool(self, args).await,
            "review_pattern" => fix_tools::review_pattern(self, args).await,
            "get_pattern" => fix_tools::get_pattern(self, args).await,
            "list_patterns" => fix_tools::list_patterns(self, args).await,
            "link_patterns" => fix_tools::link_patterns(self, args).await,
            "get_related_patterns" => fix_tools::get_related_patterns(self, args).await,
            "find_similar_patterns" => fix_tools::find_similar(self, args).await,
            "recommend_fix" => fix_tools::recommend(self, args).await,
            "record_pattern_outcome" => fix_tools::record_pattern_outcome(self, args).await,
            "add_guardian_rule" => fix_tools::add_guardian_rule(self, args).await,
            "list_guardian_rules" => fix_tools::list_guardian_rules(self, args).await,
            "set_guardian_rule_active" => fix_tools::set_guardian_rule_active(self, args).await,
            "check_guardian_rules" => fix_tools::check_guardian_rules(self, args).await,
            "pattern_insights" => fix_tools::insights(self, args).await,
            other => {
                let names: Vec<&str> = self.enabled_specs().iter().map(|t| t.name).collect();
                Err(ToolError::new(format!(
                    "unknown tool {other:?}; the tools are: {}",
                    names.join(", ")
                ))
                .with("available_tools", names))
            }
        }
    }
}
