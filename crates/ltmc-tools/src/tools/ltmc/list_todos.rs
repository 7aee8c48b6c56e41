//! The `list_todos` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::args::MAX_LIMIT;
use crate::error::ToolError;
use crate::shared::todo::TodoView;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::TodoFilter;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 9. `list_todos`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ListTodosArgs {
    /// true: completed todos only; false: pending only; absent: all.
    pub completed: Option<bool>,
    /// "all", "pending" or "completed" (the later form of `completed`).
    #[schemars(extend("enum" = ["all", "pending", "completed"]))]
    pub status: Option<String>,
    /// At most this many todos, newest first.
    #[serde(default = "crate::args::defaults::ten")]
    #[schemars(range(min = 1, max = MAX_LIMIT))]
    pub limit: usize,
}

/// The todos, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct ListTodosOutput {
    /// How many.
    pub count: usize,
    pub todos: Vec<TodoView>,
}

/// `list_todos`.
pub struct ListTodos;

impl Tool for ListTodos {
    const NAME: &'static str = "list_todos";
    const DESCRIPTION: &'static str = "List todos, newest first: all, pending or completed. Returns todos [{id, title, description, priority, completed, created_at, completed_at}], count.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = ListTodosArgs;
    type Output = ListTodosOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<ListTodosOutput, ToolError> {
        let by_status = match a.status.as_deref() {
            None | Some("all") => None,
            Some("completed") => Some(true),
            Some(_) => Some(false),
        };
        let completed = match (a.completed, by_status) {
            (Some(c), Some(s)) if c != s => {
                return Err(ToolError::new(format!(
                    "completed is {c} but status is {:?}; give one of them",
                    a.status.unwrap_or_default()
                )));
            }
            (Some(c), _) => Some(c),
            (None, s) => s,
        };
        let todos = tools
            .memory
            .store()
            .list_todos(
                &tools.project,
                &TodoFilter {
                    completed,
                    limit: Some(a.limit),
                },
            )
            .await?;
        Ok(ListTodosOutput {
            count: todos.len(),
            todos: todos.iter().map(TodoView::from).collect(),
        })
    }
}
