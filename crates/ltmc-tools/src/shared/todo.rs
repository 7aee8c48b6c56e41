//! Helpers shared by the todo tools: `add_todo`, `list_todos`, `complete_todo`, `search_todos`.
//!
//! Thin: parse (priority and status checked here with clear messages), one
//! store call, shape. Not here: how todos are stored or searched.
//!
//! (Moved out of the per-tool files: only what more than one tool uses or what
//! shapes a shared answer: [`TodoView`].)

use ltmc_core::{Priority, Todo, TodoId};
use serde::Serialize;

/// A todo as the todo tools answer it.
#[derive(Debug, Clone, Serialize)]
pub struct TodoView {
    pub id: TodoId,
    pub title: String,
    pub description: String,
    pub priority: Priority,
    pub completed: bool,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// Null until completed.
    pub completed_at: Option<String>,
}

impl From<&Todo> for TodoView {
    fn from(t: &Todo) -> Self {
        Self {
            id: t.id,
            title: t.title.clone(),
            description: t.description.clone(),
            priority: t.priority,
            completed: t.completed,
            created_at: t.created_at.clone(),
            completed_at: t.completed_at.clone(),
        }
    }
}
