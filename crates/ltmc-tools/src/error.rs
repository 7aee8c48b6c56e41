//! How tools fail: [`ToolError`], a clear message of one [`ToolErrorKind`]
//! (invalid argument, not found, conflict, internal) plus extra fields for the
//! error object (`valid_sources`, `available_tools`), and the mapping of the
//! service's and the store's errors to messages an agent can act on.
//!
//! The MCP and JSON-RPC answers show only the object
//! (`{"success": false, "error": ...}`); the REST adapter maps the kind to an
//! HTTP status. Not here: what any tool computes.

use ltmc_service::ServiceError;
use ltmc_store::StoreError;
use serde::Serialize;
use serde_json::{Map, Value};

/// What went wrong, as a REST status sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolErrorKind {
    /// The arguments were refused (400); nothing was written.
    InvalidArgument,
    /// An id named by the arguments, or the tool itself, does not exist (404).
    NotFound,
    /// The call clashes with what is stored (409).
    Conflict,
    /// The store, the model or ltmc itself failed (500).
    Internal,
    /// The call did not finish within the server's time limit and was
    /// stopped (504); a write it had begun is one transaction, whole or absent.
    TimedOut,
}

/// A failed call: a kind, a clear message, plus extra fields for the error object.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolError {
    kind: ToolErrorKind,
    message: String,
    extra: Map<String, Value>,
}

impl ToolError {
    /// An invalid-argument error (the usual refusal of a tool).
    pub fn new(message: impl Into<String>) -> Self {
        Self::of(ToolErrorKind::InvalidArgument, message)
    }

    pub fn of(kind: ToolErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
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

    pub fn kind(&self) -> ToolErrorKind {
        self.kind
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
                Self::of(ToolErrorKind::NotFound, format!("{field}: {e}; {hint}"))
            }
            other => Self::from(other),
        }
    }
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ToolError {}

impl From<ServiceError> for ToolError {
    fn from(e: ServiceError) -> Self {
        let kind = match &e {
            ServiceError::Invalid { .. } | ServiceError::Store(StoreError::Invalid(_)) => {
                ToolErrorKind::InvalidArgument
            }
            ServiceError::Store(StoreError::NotFound { .. }) => ToolErrorKind::NotFound,
            ServiceError::Store(StoreError::Conflict(_)) => {
                tracing::warn!(error = %e, "tool call failed");
                ToolErrorKind::Conflict
            }
            ServiceError::Guard(_) => {
                tracing::warn!(error = %e, "tool call failed");
                ToolErrorKind::InvalidArgument
            }
            ServiceError::Embed(_) => {
                tracing::warn!(error = %e, "tool call failed in the embedder");
                return Self::of(ToolErrorKind::Internal, format!("embedding failed: {e}"));
            }
            ServiceError::Store(
                StoreError::WrongDimension { .. }
                | StoreError::WrongModel { .. }
                | StoreError::Corrupt(_)
                | StoreError::Unavailable(_),
            )
            | ServiceError::Internal(_) => {
                tracing::warn!(error = %e, "tool call failed");
                ToolErrorKind::Internal
            }
        };
        Self::of(kind, e.to_string())
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
        assert_eq!(e.kind(), ToolErrorKind::InvalidArgument);
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
        assert_eq!(e.kind(), ToolErrorKind::NotFound);
        assert_eq!(
            e.message(),
            "todo_id: todo 9 not found in project \"default\"; list_todos shows the ids"
        );
        let conflict = ToolError::from(StoreError::Conflict("x".into()));
        assert_eq!(conflict.kind(), ToolErrorKind::Conflict);
        assert_eq!(success(json!({"a": 1})), json!({"a": 1, "success": true}));
        assert!(non_empty("query", "  ", "say what").is_err());
        assert_eq!(non_empty("query", " q ", "x").unwrap(), "q");
    }
}
