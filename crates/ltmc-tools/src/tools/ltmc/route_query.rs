//! The `route_query` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::args::{VALID_SOURCES, describe};
use crate::error::{ToolError, non_empty};
use crate::shared::memory::{chat_results, chunk_json, search, snippet};
use crate::{Tool, ToolGroup, Tools};
use ltmc_service::MAX_TOP_K;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

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
}

/// An argument error that lists the valid sources.
fn invalid(message: String) -> ToolError {
    ToolError::new(message).with("valid_sources", json!(VALID_SOURCES))
}

/// `route_query`.
pub struct RouteQuery;

impl Tool for RouteQuery {
    const NAME: &'static str = "route_query";
    const DESCRIPTION: &'static str = "Search several sources at once: \"document\" and \"code\" resources, \"chat\" messages (those that used the chunks relevant to the query), \"todo\" items. Returns results per source and a combined answer.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = RouteQueryArgs;
    type Output = Value;

    /// A bad source type may already be caught by the schema's enum: the
    /// error object lists the valid sources either way.
    fn parse_error(e: ToolError) -> ToolError {
        if e.message().starts_with("source_types") {
            invalid(e.message().to_owned())
        } else {
            e
        }
    }

    async fn run(tools: &Tools, a: Self::Args) -> Result<Value, ToolError> {
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
        let mut results = serde_json::Map::new();
        let mut lines = Vec::new();
        let mut total = 0;
        for source in &sources {
            let items: Vec<Value> = match *source {
                "document" | "code" => search(tools, query, a.top_k, Some(source))
                    .await?
                    .iter()
                    .map(|h| {
                        let mut item = chunk_json(h);
                        item["content"] = json!(h.chunk.text);
                        item
                    })
                    .collect(),
                "chat" => chat_results(tools, query, a.top_k).await?,
                _ => tools
                    .memory
                    .store()
                    .search_todos(&tools.project, query, a.top_k)
                    .await?
                    .iter()
                    .map(crate::shared::todo::todo_json)
                    .collect(),
            };
            if let Some(top) = items.first() {
                let line = match *source {
                    "document" | "code" => format!(
                        "{source}: {} (from {})",
                        snippet(top["content"].as_str().unwrap_or(""), 300),
                        top["file_name"].as_str().unwrap_or("?")
                    ),
                    "chat" => format!(
                        "chat: {}: {} (conversation {})",
                        top["role"].as_str().unwrap_or("?"),
                        snippet(top["content"].as_str().unwrap_or(""), 300),
                        top["conversation_id"].as_str().unwrap_or("?")
                    ),
                    _ => format!(
                        "todo: {} — {} ({})",
                        top["title"].as_str().unwrap_or(""),
                        snippet(top["description"].as_str().unwrap_or(""), 200),
                        if top["completed"].as_bool() == Some(true) {
                            "completed"
                        } else {
                            "pending"
                        }
                    ),
                };
                lines.push(line);
            }
            total += items.len();
            results.insert((*source).to_owned(), Value::Array(items));
        }
        let combined_answer = if lines.is_empty() {
            format!("nothing in {} matches this query", sources.join(", "))
        } else {
            lines.join("\n")
        };
        Ok(json!({
            "query": query,
            "source_types": sources,
            "results": results,
            "total_results": total,
            "combined_answer": combined_answer,
        }))
    }
}
