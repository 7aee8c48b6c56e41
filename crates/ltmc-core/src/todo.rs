//! Todos: a small task list per project.
//!
//! Values only; how they are stored is each backend's business.

use crate::{CoreError, TodoId};
use serde::{Deserialize, Serialize};

/// How urgent a todo is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    /// Parses `low`, `medium` or `high` (any case).
    pub fn parse(value: &str) -> Result<Self, CoreError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "low" => Ok(Self::Low),
            "medium" => Ok(Self::Medium),
            "high" => Ok(Self::High),
            other => Err(CoreError::invalid(
                "priority",
                format!("{other:?} is not a priority; use low, medium or high"),
            )),
        }
    }
}

/// A todo to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTodo {
    /// Not empty.
    pub title: String,
    pub description: String,
    pub priority: Priority,
}

/// A stored todo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Todo {
    pub id: TodoId,
    pub title: String,
    pub description: String,
    pub priority: Priority,
    pub completed: bool,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// Set when completed.
    pub completed_at: Option<String>,
}

/// Which todos a listing returns: newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TodoFilter {
    /// `None`: all.
    pub completed: Option<bool>,
    pub limit: Option<usize>,
}
