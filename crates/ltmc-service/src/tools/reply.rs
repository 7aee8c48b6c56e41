//! How tools answer: a success object (`"success": true` plus the tool's
//! fields) or a [`ToolError`] (`"success": false`, `"error"`, and any extra
//! fields such as `valid_sources`), and the mapping of the service's and the
//! store's errors to messages an agent can act on.
//!
//! Not here: what any tool computes.

use crate::ServiceError;
use ltmc_store::StoreError;
use serde_json::{Map, Value};

/// What a tool handler returns: the tool's fields (a JSON object) or an error.
pub type ToolResult = Result<Value, ToolError>;

/// A failed call: a clear message, plus extra fields for the error object.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolError {
    message: String,
    extra: Map<String, Value>,
}

impl ToolError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            extra: Map::new(),
        }
    }

    /// Adds a field to the error object.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// `{"success": false, "error": message, ...extra}`.
    pub fn into_value(self) -> Value {
        let mut object = self.extra;
        object.insert("success".into(), Value::Bool(false));
        object.insert("error".into(), Value::String(self.message));
        Value::Object(object)
    }

    /// A store's `NotFound` for the id given in `field`, with a hint where to
    /// find valid ids; any other error as it is.
    pub fn not_found(field: &str, hint: &str) -> impl FnOnce(ServiceError) -> Self {
        move |e| match e {
            ServiceError::Store(StoreError::NotFound { .. }) => {
                Self::new(format!("{field}: {e}; {hint}"))
            }
            other => Self::from(other),
        }
    }
}

impl From<ServiceError> for ToolError {
    fn from(e: ServiceError) -> Self {
        match &e {
            ServiceError::Invalid { .. }
            | ServiceError::Store(StoreError::NotFound { .. } | StoreError::Invalid(_)) => {}
            ServiceError::Embed(_) => {
                tracing::warn!(error = %e, "tool call failed in the embedder");
                return Self::new(format!("embedding failed: {e}"));
            }
            _ => tracing::warn!(error = %e, "tool call failed"),
        }
        Self::new(e.to_string())
    }
}

impl From<StoreError> for ToolError {
    fn from(e: StoreError) -> Self {
        Self::from(ServiceError::from(e))
    }
}

/// Adds `"success": true` to a tool's fields.
pub fn success(fields: Value) -> Value {
    let mut object = match fields {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("result".into(), other);
            map
        }
    };
    object.insert("success".into(), Value::Bool(true));
    Value::Object(object)
}

/// Refuses an empty (or all-whitespace) string argument; returns it trimmed.
pub fn non_empty<'a>(field: &str, value: &'a str, fix: &str) -> Result<&'a str, ToolError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(ToolError::new(format!("{field} is empty; {fix}")))
    } else {
        Ok(trimmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_objects() {
        let e = ToolError::new("bad").with("valid_sources", json!(["a"]));
        assert_eq!(
            e.into_value(),
            json!({"success": false, "error": "bad", "valid_sources": ["a"]})
        );
        let nf = ServiceError::Store(StoreError::NotFound {
            entity: "todo",
            id: "9".into(),
            project: "default".into(),
        });
        let e = ToolError::not_found("todo_id", "list_todos shows the ids")(nf);
        assert_eq!(
            e.message(),
            "todo_id: todo 9 not found in project \"default\"; list_todos shows the ids"
        );
        assert_eq!(success(json!({"a": 1})), json!({"a": 1, "success": true}));
        assert!(non_empty("query", "  ", "say what").is_err());
        assert_eq!(non_empty("query", " q ", "x").unwrap(), "q");
    }
}
