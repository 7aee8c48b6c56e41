//! The `build_context` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::args::{MAX_CONTEXT_TOKENS, describe};
use crate::error::ToolError;
use crate::shared::memory::name_field;
use crate::{Tool, ToolGroup, Tools};
use ltmc_service::answer::{ContextDocument, pack_context};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// 6. `build_context`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct BuildContextArgs {
    /// Documents in order of importance: objects with "content" (or "text"), and optional "id", "title", "score".
    pub documents: Vec<Map<String, Value>>,
    /// Token budget of the context (estimated: words × 4/3 or bytes / 4, whichever is larger).
    #[serde(default = "crate::args::defaults::four_thousand")]
    #[schemars(range(min = 1, max = MAX_CONTEXT_TOKENS))]
    pub max_tokens: usize,
}

/// The packed context and what went into it.
#[derive(Debug, Clone, Serialize)]
pub struct BuildContextOutput {
    pub context: String,
    /// Estimated tokens of the context.
    pub token_count: usize,
    pub documents_processed: usize,
    pub documents_skipped: usize,
    /// Whether a document was cut to fit.
    pub truncated: bool,
    pub max_tokens: usize,
    /// How tokens are estimated.
    pub token_estimate: &'static str,
}

/// `build_context`.
pub struct BuildContext;

impl Tool for BuildContext {
    const NAME: &'static str = "build_context";
    const DESCRIPTION: &'static str = "Pack documents, in order, into a context of at most max_tokens (estimated) tokens, cutting the last one at a sentence or word boundary. Returns context, token_count, documents_processed, max_tokens.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = false;
    type Args = BuildContextArgs;
    type Output = BuildContextOutput;

    async fn run(_tools: &Tools, a: Self::Args) -> Result<BuildContextOutput, ToolError> {
        let mut documents = Vec::with_capacity(a.documents.len());
        for (i, doc) in a.documents.iter().enumerate() {
            let ((Some(Value::String(content)), _)
            | (None | Some(Value::Null), Some(Value::String(content)))) =
                (doc.get("content"), doc.get("text"))
            else {
                return Err(ToolError::new(format!(
                    "documents[{i}] needs a \"content\" (or \"text\") string, got {}",
                    describe(&Value::Object(doc.clone()))
                )));
            };
            documents.push(ContextDocument {
                id: name_field(doc, "id"),
                title: name_field(doc, "title"),
                content: content.clone(),
            });
        }
        let packed = pack_context(&documents, a.max_tokens);
        Ok(BuildContextOutput {
            context: packed.context,
            token_count: packed.token_count,
            documents_processed: packed.documents_processed,
            documents_skipped: packed.documents_skipped,
            truncated: packed.truncated,
            max_tokens: a.max_tokens,
            token_estimate: "words × 4/3 or bytes / 4, whichever is larger",
        })
    }
}
