//! The `route_query` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::args::{VALID_SOURCES, describe};
use crate::error::{ToolError, non_empty};
use crate::shared::memory::{ChatHit, ChunkHit, chat_results, check_citations, search, snippet};
use crate::shared::todo::TodoView;
use crate::{Tool, ToolGroup, Tools};
use ltmc_service::MAX_TOP_K;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// 5. `route_query`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct RouteQueryArgs {
    /// What to look for.
    pub query: String,
    /// Where to look: any of "document", "code", "chat", "todo".
    #[schemars(extend("items" = {"type": "string", "enum": ["document", "code", "chat", "todo"]}))]
    pub source_types: Vec<String>,
    /// Results per source.
    #[serde(default = "crate::args::defaults::five")]
    #[schemars(range(min = 1, max = MAX_TOP_K))]
    pub top_k: usize,
    /// Keep only document and code hits at least this relevant (0–1, the
    /// calibrated relevance each hit carries); chat and todo results are
    /// ranked by words and are not filtered. Leave out for top_k per source.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub min_relevance: Option<f32>,
}

/// An argument error that lists the valid sources.
fn invalid(message: String) -> ToolError {
    ToolError::new(message).with("valid_sources", json!(VALID_SOURCES))
}

/// A retrieved chunk with its text.
#[derive(Debug, Clone, Serialize)]
pub struct ChunkText {
    #[serde(flatten)]
    pub hit: ChunkHit,
    /// The chunk's text.
    pub content: String,
}

/// One result of a source: a chunk (document, code), a message (chat) or a todo.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum RouteItem {
    Chunk(ChunkText),
    Chat(ChatHit),
    Todo(TodoView),
}

impl RouteItem {
    /// The line of the combined answer for a source's top result.
    fn line(&self, source: &str) -> String {
        match self {
            Self::Chunk(c) => format!(
                "{source}: {} (from {})",
                snippet(&c.content, 300),
                c.hit.file_name
            ),
            Self::Chat(m) => format!(
                "chat: {}: {} (conversation {})",
                m.role,
                snippet(&m.content, 300),
                m.conversation_id
            ),
            Self::Todo(t) => format!(
                "todo: {} — {} ({})",
                t.title,
                snippet(&t.description, 200),
                if t.completed { "completed" } else { "pending" }
            ),
        }
    }
}

/// The results of each source asked, and one line per source's best.
#[derive(Debug, Clone, Serialize)]
pub struct RouteQueryOutput {
    pub query: String,
    /// The sources asked, without repeats.
    pub source_types: Vec<&'static str>,
    /// The results of each source, best first.
    pub results: BTreeMap<String, Vec<RouteItem>>,
    pub total_results: usize,
    /// The top result of each source, one line each.
    pub combined_answer: String,
}

/// `route_query`.
pub struct RouteQuery;

impl Tool for RouteQuery {
    const NAME: &'static str = "route_query";
    const DESCRIPTION: &'static str = "Search several sources at once: \"document\" and \"code\" resources, \"chat\" messages (those that used the chunks relevant to the query), \"todo\" items. Returns results per source and a combined answer.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = RouteQueryArgs;
    type Output = RouteQueryOutput;

    /// A bad source type may already be caught by the schema's enum: the
    /// error object lists the valid sources either way.
    fn parse_error(e: ToolError) -> ToolError {
        if e.message().starts_with("source_types") {
            invalid(e.message().to_owned())
        } else {
            e
        }
    }

    async fn run(tools: &Tools, a: Self::Args) -> Result<RouteQueryOutput, ToolError> {
        let query = non_empty("query", &a.query, "give the words to search for")?;
        if a.source_types.is_empty() {
            return Err(invalid(format!(
                "source_types is empty; give one or more of {}",
                VALID_SOURCES.join(", ")
            )));
        }
        let mut sources: Vec<&'static str> = Vec::new();
        for given in &a.source_types {
            let Some(source) = VALID_SOURCES
                .iter()
                .find(|s| s.eq_ignore_ascii_case(given.trim()))
            else {
                return Err(invalid(format!(
                    "source_types has {} which is not a source; use {}",
                    describe(&json!(given)),
                    VALID_SOURCES.join(", ")
                )));
            };
            if !sources.contains(source) {
                sources.push(source);
            }
        }
        let mut results = BTreeMap::new();
        let mut lines = Vec::new();
        let mut total = 0;
        for source in &sources {
            let items: Vec<RouteItem> = match *source {
                "document" | "code" => {
                    let found =
                        search(tools, query, a.top_k, Some(source), a.min_relevance).await?;
                    let (found, checked) = check_citations(tools, found).await?;
                    found
                        .iter()
                        .zip(checked)
                        .map(|(h, hit)| {
                            RouteItem::Chunk(ChunkText {
                                hit,
                                content: h.chunk.text.clone(),
                            })
                        })
                        .collect()
                }
                "chat" => chat_results(tools, query, a.top_k)
                    .await?
                    .into_iter()
                    .map(RouteItem::Chat)
                    .collect(),
                _ => tools
                    .memory
                    .store()
                    .search_todos(&tools.project, query, a.top_k)
                    .await?
                    .iter()
                    .map(|t| RouteItem::Todo(TodoView::from(t)))
                    .collect(),
            };
            if let Some(top) = items.first() {
                lines.push(top.line(source));
            }
            total += items.len();
            results.insert((*source).to_owned(), items);
        }
        let combined_answer = if lines.is_empty() {
            format!("nothing in {} matches this query", sources.join(", "))
        } else {
            lines.join("\n")
        };
        Ok(RouteQueryOutput {
            query: query.to_owned(),
            source_types: sources,
            results,
            total_results: total,
            combined_answer,
        })
    }
}
