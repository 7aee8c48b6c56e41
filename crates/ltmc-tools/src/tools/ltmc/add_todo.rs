//! The `add_todo` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::{ToolError, non_empty};
use crate::shared::todo::TodoView;
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::{NewTodo, Priority, TodoId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 8. `add_todo`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct AddTodoArgs {
    /// Short title of the task.
    pub title: String,
    /// What is to be done.
    pub description: String,
    /// "low", "medium" or "high".
    #[serde(default = "crate::args::defaults::medium")]
    #[schemars(extend("enum" = ["low", "medium", "high"]))]
    pub priority: String,
}

/// The todo as stored.
#[derive(Debug, Clone, Serialize)]
pub struct AddTodoOutput {
    pub todo_id: TodoId,
    pub message: String,
    pub todo: TodoView,
}

/// `add_todo`.
pub struct AddTodo;

impl Tool for AddTodo {
    const NAME: &'static str = "add_todo";
    const DESCRIPTION: &'static str = "Add a todo. Returns todo_id, message.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = true;
    type Args = AddTodoArgs;
    type Output = AddTodoOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<AddTodoOutput, ToolError> {
        let title = non_empty("title", &a.title, "give the todo a short title")?;
        let priority = Priority::parse(&a.priority)
            .map_err(|e| ToolError::from(ltmc_service::ServiceError::from(e)))?;
        let todo = tools
            .memory
            .store()
            .add_todo(
                &tools.project,
                NewTodo {
                    title: title.to_owned(),
                    description: a.description.trim().to_owned(),
                    priority,
                },
            )
            .await?;
        Ok(AddTodoOutput {
            todo_id: todo.id,
            message: format!("todo {} added: {}", todo.id, todo.title),
            todo: TodoView::from(&todo),
        })
    }
}
