//! The `ask_with_context` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::{ToolError, non_empty};
use crate::shared::memory::{
    ASK_MIN_RELEVANCE, ChunkHit, EXTRACTIVE_NOTE, TopDocument, check_citations, context_summary,
    join_context, keep_relevant, log, search, top_documents,
};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::MessageId;
use ltmc_service::MAX_TOP_K;
use ltmc_service::answer::extractive_answer;
use ltmc_service::llm::ask_llm;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// 4. `ask_with_context`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct AskWithContextArgs {
    /// The question to answer from memory.
    pub query: String,
    /// Conversation the question and the answer are logged in.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub conversation_id: String,
    /// How many chunks of context to retrieve.
    #[serde(default = "crate::args::defaults::five")]
    #[schemars(range(min = 1, max = MAX_TOP_K))]
    pub top_k: usize,
    /// Answer only from chunks at least this relevant (0–1, the calibrated
    /// relevance each hit carries); default 0.2 when the model is calibrated. With none left, the answer says
    /// that nothing relevant is stored instead of answering from the nearest.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub min_relevance: Option<f32>,
}

/// The answer, where it came from, and the context behind it.
#[derive(Debug, Clone, Serialize)]
pub struct AskWithContextOutput {
    pub query: String,
    pub conversation_id: String,
    /// The retrieved chunks' text, best first.
    pub context: String,
    /// How many passages from which documents.
    pub context_summary: String,
    pub answer: String,
    /// llm, extractive or none.
    pub answer_source: &'static str,
    pub documents_used: usize,
    pub chunks_used: usize,
    pub top_documents: Vec<TopDocument>,
    pub retrieved_chunks: Vec<ChunkHit>,
    /// The question as logged.
    pub question_message_id: MessageId,
    /// The answer as logged.
    pub answer_message_id: MessageId,
    /// The language model that answered (only when one did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Why the language model did not answer (only when it failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub llm_error: Option<String>,
    /// Why the answer is extractive (only when no model is configured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

/// `ask_with_context`.
pub struct AskWithContext;

impl Tool for AskWithContext {
    const NAME: &'static str = "ask_with_context";
    const DESCRIPTION: &'static str = "Answer a question from memory: retrieve context, then answer with the configured language model (answer_source \"llm\") or, without one, quote the context's most relevant sentences (answer_source \"extractive\"). Only chunks at least min_relevance relevant (default 0.2) are used: when none is, the answer says nothing relevant is stored (answer_source \"none\") rather than answering from the nearest memory. Logs question and answer in the conversation. Returns query, conversation_id, context, context_summary, answer, documents_used, top_documents.";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = true;
    type Args = AskWithContextArgs;
    type Output = AskWithContextOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<AskWithContextOutput, ToolError> {
        let conversation_id = non_empty(
            "conversation_id",
            &a.conversation_id,
            "give the conversation to log the question in",
        )?;
        let found = search(tools, &a.query, a.top_k, None, None).await?;
        let nearest = found.first().cloned();
        let min_relevance = a
            .min_relevance
            .or(tools.memory.has_relevance().then_some(ASK_MIN_RELEVANCE));
        let hits = keep_relevant(tools, found, min_relevance)?;
        let (hits, checked) = check_citations(tools, hits).await?;
        let context = join_context(&hits);
        let question = log(
            tools,
            conversation_id,
            "user",
            &a.query,
            "ask_with_context",
            json!({}),
            &hits,
        )
        .await?;
        let mut model = None;
        let mut llm_error = None;
        let mut note = None;
        let (answer, answer_source) = if let (true, Some(nearest)) = (hits.is_empty(), &nearest) {
            (
                format!(
                    "Nothing relevant to this question is stored: the closest memory, {}, has relevance {:.2}, below min_relevance {:.2}.",
                    nearest.file_name,
                    nearest.relevance.unwrap_or(0.0),
                    min_relevance.unwrap_or(0.0)
                ),
                "none",
            )
        } else if hits.is_empty() {
            (
            "Nothing stored in memory matches this question; store documents with store_memory first.".to_owned(),
            "none",
        )
        } else {
            let mut generated = None;
            if let Some(config) = &tools.llm {
                match ask_llm(config, &a.query, &context).await {
                    Ok(answer) => generated = Some(answer),
                    Err(e) => {
                        tracing::warn!(error = %e, "language model failed; answering extractively");
                        llm_error = Some(e.to_string());
                    }
                }
            }
            if let Some(generated) = generated {
                model = Some(generated.model);
                (generated.answer, "llm")
            } else {
                let passages: Vec<&str> = hits.iter().map(|h| h.chunk.text.as_str()).collect();
                let extracted = extractive_answer(&tools.memory, &a.query, &passages).await?;
                if llm_error.is_none() {
                    note = Some(EXTRACTIVE_NOTE);
                }
                (extracted.answer, "extractive")
            }
        };
        let answer_message = log(
        tools,
        conversation_id,
        "assistant",
        &answer,
        "ask_with_context",
        json!({"answer_source": answer_source, "model": model, "question_message_id": question.id}),
        &hits,
    )
    .await?;
        let documents = top_documents(&hits);
        Ok(AskWithContextOutput {
            query: a.query,
            conversation_id: conversation_id.to_owned(),
            context_summary: context_summary(&hits, &documents),
            context,
            answer,
            answer_source,
            documents_used: documents.len(),
            chunks_used: hits.len(),
            top_documents: documents,
            retrieved_chunks: checked,
            question_message_id: question.id,
            answer_message_id: answer_message.id,
            model,
            llm_error,
            note,
        })
    }
}
