//! Helpers shared by the document tools: `store_memory`, `retrieve_memory`, `ask_with_context`,
//! `route_query`, `build_context`, `retrieve_by_type`.
//!
//! Each parses its arguments, calls the use cases (`Memory`, `answer`,
//! `documents`, `llm`) and shapes the JSON answer. Retrieval that an agent
//! acts on is logged as chat with context links, in the same store call as
//! the message. Not here: search itself, chunking, the LLM client.
//!
//! (Moved out of the per-tool files: only what more than one tool uses or what
//! shapes a shared answer: [`ChunkHit`], [`TopDocument`], [`ChatHit`].)

use crate::Tools;
use crate::error::ToolError;
use crate::shared::citations::{Checked, check_resource};
use ltmc_core::citation::{CheckedCitation, CitationStatus};
use ltmc_core::{ChatMessage, ChunkId, MessageId, NewChatMessage, ResourceId};
use ltmc_service::relevance;
pub(crate) use ltmc_service::relevance::Relevant;
use ltmc_service::text::{shared_terms, terms};
use ltmc_service::{MAX_TOP_K, SearchHit, SearchMode, SearchRequest};
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Hybrid search over every document type (code attempts excluded), keeping
/// only hits at least `min_relevance` relevant when one is given.
pub(crate) async fn search(
    tools: &Tools,
    query: &str,
    top_k: usize,
    resource_type: Option<&str>,
    min_relevance: Option<f32>,
) -> Result<Vec<SearchHit>, ToolError> {
    let hits = tools
        .memory
        .search(SearchRequest {
            project: tools.project.clone(),
            query: query.to_owned(),
            top_k,
            resource_type: resource_type.map(str::to_owned),
            mode: SearchMode::Hybrid,
        })
        .await?;
    keep_relevant(tools, hits, min_relevance)
}

/// The relevance `ask_with_context` answers from by default. On the
/// rare-term set (`ltmc bench recall`), a first hit at least 0.2 relevant
/// kept 211 of the 232 right answers and refused 58 of the 92 questions that
/// nothing stored answers; 0.5 refused 84 of them but kept only 172 right
/// answers. Answering from a near miss costs an agent less than losing the
/// right note, so the default is the lower one.
pub(crate) const ASK_MIN_RELEVANCE: f32 = 0.2;

/// The hits at least `min` relevant (all of them without `min`), in order;
/// the service's check (`ltmc_service::relevance`) naming `min_relevance`.
pub(crate) fn keep_relevant<T: Relevant>(
    tools: &Tools,
    hits: Vec<T>,
    min: Option<f32>,
) -> Result<Vec<T>, ToolError> {
    Ok(relevance::keep_relevant(
        &tools.memory,
        hits,
        min,
        "min_relevance",
    )?)
}

/// A retrieved chunk as the retrieval tools answer it.
#[derive(Debug, Clone, Serialize)]
pub struct ChunkHit {
    pub chunk_id: ChunkId,
    pub resource_id: ResourceId,
    pub file_name: String,
    pub resource_type: String,
    /// The hybrid ranking score, higher is better.
    pub score: f32,
    /// Cosine similarity to the query; null when not among the vector candidates.
    pub similarity: Option<f32>,
    /// BM25 score; null when no keyword matched.
    pub keyword_score: Option<f32>,
    /// How likely this chunk is what the query looks for (0–1, calibrated on
    /// labelled queries; comparable across queries, unlike score); null when
    /// the embedding model has no calibration.
    pub relevance: Option<f32>,
    /// The memory's citations to code, checked against the files now.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<CheckedCitation>,
    /// The worst of them: verified, moved, changed or missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation_status: Option<CitationStatus>,
    /// Why it was ranked below the hits whose code still holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranked_down: Option<String>,
}

impl From<&SearchHit> for ChunkHit {
    fn from(hit: &SearchHit) -> Self {
        Self {
            chunk_id: hit.chunk.id,
            resource_id: hit.chunk.resource_id,
            file_name: hit.file_name.clone(),
            resource_type: hit.resource_type.clone(),
            score: hit.score,
            similarity: hit.similarity,
            keyword_score: hit.keyword_score,
            relevance: hit.relevance,
            citations: Vec::new(),
            citation_status: None,
            ranked_down: None,
        }
    }
}

/// Checks the citations of each hit's memory against the code now (issue
/// 22) and moves the hits whose cited code changed or is gone below the
/// others (their order kept), saying why: never hidden. Answers the hits in
/// their new order with their answers.
pub(crate) async fn check_citations(
    tools: &Tools,
    hits: Vec<SearchHit>,
) -> Result<(Vec<SearchHit>, Vec<ChunkHit>), ToolError> {
    let mut by_resource: HashMap<ResourceId, Checked> = HashMap::new();
    for hit in &hits {
        let id = hit.chunk.resource_id;
        if let std::collections::hash_map::Entry::Vacant(slot) = by_resource.entry(id) {
            slot.insert(check_resource(tools, id).await?);
        }
    }
    let mut fresh = Vec::new();
    let mut stale_hits = Vec::new();
    for hit in hits {
        let mut answer = ChunkHit::from(&hit);
        let checked = by_resource
            .get(&hit.chunk.resource_id)
            .cloned()
            .unwrap_or_default();
        let stale = checked.is_stale();
        answer.citation_status = checked.status;
        answer.ranked_down = checked.ranked_down;
        answer.citations = checked.citations;
        if stale {
            stale_hits.push((hit, answer));
        } else {
            fresh.push((hit, answer));
        }
    }
    Ok(fresh.into_iter().chain(stale_hits).unzip())
}

/// A document behind retrieved chunks, with its best chunk's score.
#[derive(Debug, Clone, Serialize)]
pub struct TopDocument {
    pub resource_id: ResourceId,
    pub file_name: String,
    pub resource_type: String,
    /// The score of its best chunk.
    pub score: f32,
    /// Its chunks among the hits, in rank order.
    pub chunk_ids: Vec<ChunkId>,
}

/// A chat message found for a query, through the chunk that led to it.
#[derive(Debug, Clone, Serialize)]
pub struct ChatHit {
    pub message_id: MessageId,
    pub conversation_id: String,
    pub role: String,
    pub content: String,
    /// UTC, RFC 3339.
    pub timestamp: String,
    /// The share of the query terms the message contains.
    pub score: f32,
    pub via_chunk_id: ChunkId,
}

pub(crate) fn join_context(hits: &[SearchHit]) -> String {
    hits.iter()
        .map(|h| h.chunk.text.trim())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Logs a message with links to the chunks it used, in one store call.
pub(crate) async fn log(
    tools: &Tools,
    conversation_id: &str,
    role: &str,
    content: &str,
    source_tool: &str,
    metadata: Value,
    hits: &[SearchHit],
) -> Result<ChatMessage, ToolError> {
    let chunk_ids: Vec<ChunkId> = hits.iter().map(|h| h.chunk.id).collect();
    Ok(tools
        .memory
        .store()
        .log_message(
            &tools.project,
            NewChatMessage {
                conversation_id: conversation_id.to_owned(),
                role: role.to_owned(),
                content: content.to_owned(),
                agent_name: None,
                source_tool: Some(source_tool.to_owned()),
                metadata,
            },
            &chunk_ids,
        )
        .await?)
}

/// The documents behind a list of chunk hits, in rank order.
pub(crate) fn top_documents(hits: &[SearchHit]) -> Vec<TopDocument> {
    let mut documents: Vec<TopDocument> = Vec::new();
    for hit in hits {
        let id = hit.chunk.resource_id;
        if let Some(doc) = documents.iter_mut().find(|d| d.resource_id == id) {
            doc.chunk_ids.push(hit.chunk.id);
        } else {
            documents.push(TopDocument {
                resource_id: id,
                file_name: hit.file_name.clone(),
                resource_type: hit.resource_type.clone(),
                score: hit.score,
                chunk_ids: vec![hit.chunk.id],
            });
        }
    }
    documents
}

pub(crate) fn context_summary(hits: &[SearchHit], documents: &[TopDocument]) -> String {
    if hits.is_empty() {
        return "no stored context matches the question".to_owned();
    }
    let names: Vec<&str> = documents.iter().map(|d| d.file_name.as_str()).collect();
    let shown = names.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    let more = if names.len() > 5 {
        format!(" and {} more", names.len() - 5)
    } else {
        String::new()
    };
    format!(
        "{} passage{} from {} document{}: {shown}{more}",
        hits.len(),
        if hits.len() == 1 { "" } else { "s" },
        names.len(),
        if names.len() == 1 { "" } else { "s" },
    )
}

/// Set `LTMC_LLM_BASE_URL` and `LTMC_LLM_MODEL` for generated answers.
pub(crate) const EXTRACTIVE_NOTE: &str = "no language model is configured (set LTMC_LLM_BASE_URL and LTMC_LLM_MODEL): this answer quotes the stored sentences most similar to the question";

pub(crate) fn snippet(text: &str, max_chars: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max_chars {
        text
    } else {
        let head: String = text.chars().take(max_chars).collect();
        format!("{}…", head.trim_end())
    }
}

/// Chat messages for a query. Messages are not embedded and the store has no
/// search over them, so: the messages that used the chunks most relevant to
/// the query (context links), ranked by the query terms they share, then by
/// the rank of the chunk that led to them.
pub(crate) async fn chat_results(
    tools: &Tools,
    query: &str,
    top_k: usize,
) -> Result<Vec<ChatHit>, ToolError> {
    let hits = search(tools, query, (top_k * 2).min(MAX_TOP_K), None, None).await?;
    let query_terms = terms(query);
    let mut seen: HashSet<MessageId> = HashSet::new();
    let mut found: Vec<(f32, usize, ChatMessage, ChunkId)> = Vec::new();
    for (rank, hit) in hits.iter().enumerate() {
        let messages = tools
            .memory
            .store()
            .messages_for_chunk(&tools.project, hit.chunk.id)
            .await?;
        for message in messages {
            if seen.insert(message.id) {
                let (_, overlap) = shared_terms(&query_terms, &terms(&message.content));
                found.push((overlap, rank, message, hit.chunk.id));
            }
        }
    }
    found.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(b.2.id.cmp(&a.2.id))
    });
    found.truncate(top_k);
    Ok(found
        .into_iter()
        .map(|(overlap, _, m, chunk)| ChatHit {
            message_id: m.id,
            conversation_id: m.conversation_id,
            role: m.role,
            content: m.content,
            timestamp: m.timestamp,
            score: overlap,
            via_chunk_id: chunk,
        })
        .collect())
}

/// A string or number field of a document object, as text.
pub(crate) fn name_field(doc: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match doc.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}
