//! The `complete_todo` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::ToolError;
use crate::shared::todo::TodoView;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::TodoId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 10. `complete_todo`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct CompleteTodoArgs {
    /// Id of the todo (from add_todo or list_todos).
    #[schemars(range(min = 1))]
    pub todo_id: i64,
}

/// The todo, now completed.
#[derive(Debug, Clone, Serialize)]
pub struct CompleteTodoOutput {
    pub todo_id: TodoId,
    pub message: String,
    pub todo: TodoView,
}

/// `complete_todo`.
pub struct CompleteTodo;

impl Tool for CompleteTodo {
    const NAME: &'static str = "complete_todo";
    const DESCRIPTION: &'static str = "Mark a todo completed. An unknown id is an error.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = true;
    type Args = CompleteTodoArgs;
    type Output = CompleteTodoOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<CompleteTodoOutput, ToolError> {
        let todo = tools
            .memory
            .store()
            .complete_todo(&tools.project, TodoId(a.todo_id))
            .await
            .map_err(ltmc_service::ServiceError::from)
            .map_err(ToolError::not_found(
                "todo_id",
                "list_todos shows the ids of the todos",
            ))?;
        Ok(CompleteTodoOutput {
            todo_id: todo.id,
            message: format!("todo {} completed: {}", todo.id, todo.title),
            todo: TodoView::from(&todo),
        })
    }
}
