//! The `retrieve_memory` tool (ltmc group): its arguments, description and run.
//!
//! Not here: the use cases it calls (ltmc-service) or the JSON boundary (`crate::registry`).

use crate::error::{ToolError, non_empty};
use crate::shared::memory::{ChunkHit, check_citations, join_context, log, search};
use crate::{Tool, ToolGroup, Tools};
use ltmc_core::MessageId;
use ltmc_service::MAX_TOP_K;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// 2. `retrieve_memory`
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct RetrieveMemoryArgs {
    /// Conversation the query is logged in.
    #[schemars(extend("type" = ["string", "integer"]))]
    pub conversation_id: String,
    /// What to look for (meaning and keywords).
    pub query: String,
    /// How many chunks to return.
    #[serde(default = "crate::args::defaults::three")]
    #[schemars(range(min = 1, max = MAX_TOP_K))]
    pub top_k: usize,
    /// Keep only hits at least this relevant (0–1, the calibrated relevance
    /// each hit carries); leave out to get top_k hits whatever their relevance.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub min_relevance: Option<f32>,
}

/// The context found, and the logged query.
#[derive(Debug, Clone, Serialize)]
pub struct RetrieveMemoryOutput {
    /// The chunks' text, best first, separated by blank lines.
    pub context: String,
    /// Each with its memory's citations checked against the code now; hits
    /// whose cited code changed or is gone come after the others.
    pub retrieved_chunks: Vec<ChunkHit>,
    /// The query as logged in the conversation.
    pub message_id: MessageId,
    pub conversation_id: String,
}

/// `retrieve_memory`.
pub struct RetrieveMemory;

impl Tool for RetrieveMemory {
    const NAME: &'static str = "retrieve_memory";
    const DESCRIPTION: &'static str = "Find the stored chunks that best answer a query (hybrid: meaning and keywords). Logs the query as a user message of the conversation, linked to the chunks returned. Memories that cite code (store_memory's citations) are checked against the files now: each hit reports citations verified, moved (with the new lines), changed or missing, and hits whose code changed or is gone rank below the others, saying why. Returns context (chunk texts joined by blank lines) and retrieved_chunks [{chunk_id, resource_id, file_name, score, relevance, citations?, citation_status?, ranked_down?}]. relevance is how likely a hit is what the query looks for (0-1, calibrated; comparable across queries); min_relevance keeps only hits at least that relevant (default: none, top_k hits).";
    const GROUP: ToolGroup = ToolGroup::Ltmc;
    const WRITES: bool = true;
    type Args = RetrieveMemoryArgs;
    type Output = RetrieveMemoryOutput;

    async fn run(tools: &Tools, a: Self::Args) -> Result<RetrieveMemoryOutput, ToolError> {
        let conversation_id = non_empty(
            "conversation_id",
            &a.conversation_id,
            "give the conversation to log the query in",
        )?;
        let hits = search(tools, &a.query, a.top_k, None, a.min_relevance).await?;
        let (hits, answers) = check_citations(tools, hits).await?;
        let message = log(
            tools,
            conversation_id,
            "user",
            &a.query,
            "retrieve_memory",
            json!({}),
            &hits,
        )
        .await?;
        Ok(RetrieveMemoryOutput {
            context: join_context(&hits),
            retrieved_chunks: answers,
            message_id: message.id,
            conversation_id: conversation_id.to_owned(),
        })
    }
}
