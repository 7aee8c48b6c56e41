//! The `search_todos` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::args::MAX_LIMIT;
use crate::error::{ToolError, non_empty};
use crate::shared::todo::TodoView;
use crate::{Tool, ToolGroup, Tools};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 11. `search_todos`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct SearchTodosArgs {
    /// Words to find in titles and descriptions.
    pub query: String,
    /// At most this many todos, best first.
    #[serde(default = "crate::args::defaults::ten")]
    #[schemars(range(min = 1, max = MAX_LIMIT))]
    pub limit: usize,
}

/// The todos matching the query.
#[derive(Debug, Clone, Serialize)]
pub struct SearchTodosOutput {
    /// The query, trimmed.
    pub query: String,
    /// How many.
    pub count: usize,
    pub todos: Vec<TodoView>,
}

/// `search_todos`.
pub struct SearchTodos;

impl Tool for SearchTodos {
    const NAME: &'static str = "search_todos";
    const DESCRIPTION: &'static str = "Find todos whose title or description match the query's words, best first. Returns todos, count.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = SearchTodosArgs;
    type Output = SearchTodosOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<SearchTodosOutput, ToolError> {
        let query = non_empty("query", &a.query, "give the words to look for")?;
        let todos = tools
            .memory
            .store()
            .search_todos(&tools.project, query, a.limit)
            .await?;
        Ok(SearchTodosOutput {
            query: query.to_owned(),
            count: todos.len(),
            todos: todos.iter().map(TodoView::from).collect(),
        })
    }
}
