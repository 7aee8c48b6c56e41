//! Code attempts (seed 001's Code Pattern Memory): a prompt, the code
//! generated for it, and whether it passed, failed or partly worked;
//! "experience replay for code".
//!
//! Values only; how they are stored (and embedded) is each backend's business.

use crate::{AttemptId, CoreError, ResourceId};
use serde::{Deserialize, Serialize};

/// The outcome of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttemptResult {
    Pass,
    Fail,
    Partial,
}

impl AttemptResult {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Partial => "partial",
        }
    }

    /// Parses `pass`, `fail` or `partial` (any case).
    pub fn parse(field: &'static str, value: &str) -> Result<Self, CoreError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "pass" => Ok(Self::Pass),
            "fail" => Ok(Self::Fail),
            "partial" => Ok(Self::Partial),
            other => Err(CoreError::invalid(
                field,
                format!("{other:?} is not a result; use pass, fail or partial"),
            )),
        }
    }
}

/// The resource type under which attempts' text and vectors are stored.
pub const CODE_ATTEMPT_TYPE: &str = "code_attempt";

/// An attempt to store (its vector, the embedding of [`NewCodeAttempt::text`],
/// travels beside it). The prompt and the code may not be blank; a blank name
/// or error message is stored as none.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCodeAttempt {
    pub input_prompt: String,
    pub generated_code: String,
    pub result: AttemptResult,
    pub function_name: Option<String>,
    pub file_name: Option<String>,
    pub module_name: Option<String>,
    pub execution_time_ms: Option<i64>,
    pub error_message: Option<String>,
    pub tags: Vec<String>,
    /// Code the attempt is about (issue 22), kept in its resource's metadata
    /// and checked whenever `get_code_patterns` returns it.
    pub citations: Vec<crate::citation::Citation>,
}

impl NewCodeAttempt {
    /// The text that is stored, embedded and searched: [`attempt_text`].
    pub fn text(&self) -> String {
        attempt_text(
            &self.input_prompt,
            &self.generated_code,
            self.function_name.as_deref(),
            self.error_message.as_deref(),
        )
    }
}

/// A stored attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeAttempt {
    pub id: AttemptId,
    /// The resource holding the attempt's text, chunk and vector.
    pub resource_id: ResourceId,
    pub input_prompt: String,
    pub generated_code: String,
    pub result: AttemptResult,
    pub function_name: Option<String>,
    pub file_name: Option<String>,
    pub module_name: Option<String>,
    pub execution_time_ms: Option<i64>,
    pub error_message: Option<String>,
    pub tags: Vec<String>,
    /// UTC, RFC 3339.
    pub created_at: String,
}

/// How two attempts are related (seed 001's CodePatternContext).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptLinkKind {
    SimilarFunction,
    SameFile,
    SameModule,
}

impl AttemptLinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SimilarFunction => "similar_function",
            Self::SameFile => "same_file",
            Self::SameModule => "same_module",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "similar_function" => Some(Self::SimilarFunction),
            "same_file" => Some(Self::SameFile),
            "same_module" => Some(Self::SameModule),
            _ => None,
        }
    }
}

/// A link from a new attempt to an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AttemptLink {
    pub related: AttemptId,
    pub kind: AttemptLinkKind,
    /// Cosine similarity of the two attempts' vectors.
    pub similarity: f32,
}

/// Which attempts a search or an analysis covers. Every field given must match
/// exactly (a blank name counts as not given); applied inside the search.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttemptFilter {
    pub result: Option<AttemptResult>,
    pub function_name: Option<String>,
    pub file_name: Option<String>,
    pub module_name: Option<String>,
    /// Only attempts created at or after this RFC 3339 time.
    pub since: Option<String>,
}

/// The text of an attempt that is chunked, embedded and searched: what was
/// asked, where, the code, and how it ended.
pub fn attempt_text(
    input_prompt: &str,
    generated_code: &str,
    function_name: Option<&str>,
    error_message: Option<&str>,
) -> String {
    let mut text = String::with_capacity(input_prompt.len() + generated_code.len() + 64);
    text.push_str(input_prompt.trim());
    if let Some(name) = function_name.filter(|n| !n.trim().is_empty()) {
        text.push_str("\nfunction: ");
        text.push_str(name.trim());
    }
    text.push_str("\n\n");
    text.push_str(generated_code.trim());
    if let Some(error) = error_message.filter(|e| !e.trim().is_empty()) {
        text.push_str("\n\nerror: ");
        text.push_str(error.trim());
    }
    text
}
