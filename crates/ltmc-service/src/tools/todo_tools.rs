//! The todo tools: `add_todo`, `list_todos`, `complete_todo`, `search_todos`.
//!
//! Thin: parse (priority and status checked here with clear messages), one
//! store call, shape. Not here: how todos are stored or searched.

use super::Tools;
use super::args::{AddTodoArgs, CompleteTodoArgs, ListTodosArgs, SearchTodosArgs, parse};
use super::reply::{ToolError, ToolResult, non_empty};
use ltmc_core::{NewTodo, Priority, Todo, TodoFilter, TodoId};
use serde_json::{Value, json};

pub(super) fn todo_json(t: &Todo) -> Value {
    json!({
        "id": t.id,
        "title": t.title,
        "description": t.description,
        "priority": t.priority,
        "completed": t.completed,
        "created_at": t.created_at,
        "completed_at": t.completed_at,
    })
}

pub(super) async fn add_todo(tools: &Tools, args: Value) -> ToolResult {
    let a: AddTodoArgs = parse(args)?;
    let title = non_empty("title", &a.title, "give the todo a short title")?;
    let priority =
        Priority::parse(&a.priority).map_err(|e| ToolError::from(crate::ServiceError::from(e)))?;
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
    Ok(json!({
        "todo_id": todo.id,
        "message": format!("todo {} added: {}", todo.id, todo.title),
        "todo": todo_json(&todo),
    }))
}

pub(super) async fn list_todos(tools: &Tools, args: Value) -> ToolResult {
    let a: ListTodosArgs = parse(args)?;
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
    Ok(json!({
        "count": todos.len(),
        "todos": todos.iter().map(todo_json).collect::<Vec<_>>(),
    }))
}

pub(super) async fn complete_todo(tools: &Tools, args: Value) -> ToolResult {
    let a: CompleteTodoArgs = parse(args)?;
    let todo = tools
        .memory
        .store()
        .complete_todo(&tools.project, TodoId(a.todo_id))
        .await
        .map_err(crate::ServiceError::from)
        .map_err(ToolError::not_found(
            "todo_id",
            "list_todos shows the ids of the todos",
        ))?;
    Ok(json!({
        "todo_id": todo.id,
        "message": format!("todo {} completed: {}", todo.id, todo.title),
        "todo": todo_json(&todo),
    }))
}

pub(super) async fn search_todos(tools: &Tools, args: Value) -> ToolResult {
    let a: SearchTodosArgs = parse(args)?;
    let query = non_empty("query", &a.query, "give the words to look for")?;
    let todos = tools
        .memory
        .store()
        .search_todos(&tools.project, query, a.limit)
        .await?;
    Ok(json!({
        "query": query,
        "count": todos.len(),
        "todos": todos.iter().map(todo_json).collect::<Vec<_>>(),
    }))
}
