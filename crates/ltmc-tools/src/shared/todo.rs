//! Helpers shared by the todo tools: `add_todo`, `list_todos`, `complete_todo`, `search_todos`.
//!
//! Thin: parse (priority and status checked here with clear messages), one
//! store call, shape. Not here: how todos are stored or searched.
//!
//! (Moved out of the per-tool files: only what more than one tool uses or what
//! shapes a shared answer.)

use ltmc_core::Todo;
use serde_json::{Value, json};

pub(crate) fn todo_json(t: &Todo) -> Value {
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
