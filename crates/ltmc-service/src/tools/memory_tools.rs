//! The document tools: `store_memory`, `retrieve_memory`, `ask_with_context`,
//! `route_query`, `build_context`, `retrieve_by_type`.
//!
//! Each parses its arguments, calls the use cases (`Memory`, `answer`,
//! `documents`, `llm`) and shapes the JSON answer. Retrieval that an agent
//! acts on is logged as chat with context links, in the same store call as
//! the message. Not here: search itself, chunking, the LLM client.

use super::Tools;
use super::args::{
    AskWithContextArgs, BuildContextArgs, RetrieveByTypeArgs, RetrieveMemoryArgs, RouteQueryArgs,
    StoreMemoryArgs, VALID_SOURCES, describe, parse,
};
use super::reply::{ToolError, ToolResult, non_empty};
use crate::answer::{ContextDocument, extractive_answer, pack_context};
use crate::documents::search_documents;
use crate::llm::ask_llm;
use crate::text::{shared_terms, terms};
use crate::{MAX_TOP_K, SearchHit, SearchMode, SearchRequest, StoreRequest};
use ltmc_core::{CODE_ATTEMPT_TYPE, ChatMessage, ChunkId, MessageId, NewChatMessage, ResourceId};
use serde_json::{Value, json};
use std::collections::HashSet;

/// Hybrid search over every document type (code attempts excluded).
async fn search(
    tools: &Tools,
    query: &str,
    top_k: usize,
    resource_type: Option<&str>,
) -> Result<Vec<SearchHit>, ToolError> {
    Ok(tools
        .memory
        .search(SearchRequest {
            project: tools.project.clone(),
            query: query.to_owned(),
            top_k,
            resource_type: resource_type.map(str::to_owned),
            mode: SearchMode::Hybrid,
        })
        .await?)
}

fn chunk_json(hit: &SearchHit) -> Value {
    json!({
        "chunk_id": hit.chunk.id,
        "resource_id": hit.chunk.resource_id,
        "file_name": hit.file_name,
        "resource_type": hit.resource_type,
        "score": hit.score,
        "similarity": hit.similarity,
        "keyword_score": hit.keyword_score,
    })
}

fn join_context(hits: &[SearchHit]) -> String {
    hits.iter()
        .map(|h| h.chunk.text.trim())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Logs a message with links to the chunks it used, in one store call.
async fn log(
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

pub(super) async fn store_memory(tools: &Tools, args: Value) -> ToolResult {
    let a: StoreMemoryArgs = parse(args)?;
    let resource_type = non_empty(
        "resource_type",
        &a.resource_type,
        "use e.g. \"document\" or \"code\"",
    )?
    .to_owned();
    if resource_type == CODE_ATTEMPT_TYPE {
        return Err(ToolError::new(format!(
            "resource_type {CODE_ATTEMPT_TYPE:?} is reserved for code attempts; log them with log_code_attempt"
        )));
    }
    let file_name = a.file_name.trim().to_owned();
    let stored = tools
        .memory
        .store_text(StoreRequest {
            project: tools.project.clone(),
            file_name: file_name.clone(),
            resource_type,
            content: a.content,
            metadata: json!({}),
        })
        .await?;
    let message = if stored.duplicate {
        format!(
            "identical content is already stored as resource {} ({} chunks); nothing new was written",
            stored.resource_id, stored.chunk_count
        )
    } else {
        format!(
            "stored {file_name:?} as resource {} in {} chunks",
            stored.resource_id, stored.chunk_count
        )
    };
    Ok(json!({
        "resource_id": stored.resource_id,
        "chunk_count": stored.chunk_count,
        "duplicate": stored.duplicate,
        "message": message,
    }))
}

pub(super) async fn retrieve_memory(tools: &Tools, args: Value) -> ToolResult {
    let a: RetrieveMemoryArgs = parse(args)?;
    let conversation_id = non_empty(
        "conversation_id",
        &a.conversation_id,
        "give the conversation to log the query in",
    )?;
    let hits = search(tools, &a.query, a.top_k, None).await?;
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
    Ok(json!({
        "context": join_context(&hits),
        "retrieved_chunks": hits.iter().map(chunk_json).collect::<Vec<_>>(),
        "message_id": message.id,
        "conversation_id": conversation_id,
    }))
}

/// The documents behind a list of chunk hits, in rank order.
fn top_documents(hits: &[SearchHit]) -> Vec<Value> {
    let mut seen: Vec<ResourceId> = Vec::new();
    let mut documents: Vec<(ResourceId, Value, Vec<ChunkId>)> = Vec::new();
    for hit in hits {
        let id = hit.chunk.resource_id;
        if let Some(i) = seen.iter().position(|s| *s == id) {
            documents[i].2.push(hit.chunk.id);
        } else {
            seen.push(id);
            documents.push((
                id,
                json!({
                    "resource_id": id,
                    "file_name": hit.file_name,
                    "resource_type": hit.resource_type,
                    "score": hit.score,
                }),
                vec![hit.chunk.id],
            ));
        }
    }
    documents
        .into_iter()
        .map(|(_, mut doc, chunks)| {
            doc["chunk_ids"] = json!(chunks);
            doc
        })
        .collect()
}

fn context_summary(hits: &[SearchHit], documents: &[Value]) -> String {
    if hits.is_empty() {
        return "no stored context matches the question".to_owned();
    }
    let names: Vec<&str> = documents
        .iter()
        .filter_map(|d| d["file_name"].as_str())
        .collect();
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
const EXTRACTIVE_NOTE: &str = "no language model is configured (set LTMC_LLM_BASE_URL and LTMC_LLM_MODEL): this answer quotes the stored sentences most similar to the question";

pub(super) async fn ask_with_context(tools: &Tools, args: Value) -> ToolResult {
    let a: AskWithContextArgs = parse(args)?;
    let conversation_id = non_empty(
        "conversation_id",
        &a.conversation_id,
        "give the conversation to log the question in",
    )?;
    let hits = search(tools, &a.query, a.top_k, None).await?;
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
    let (answer, answer_source) = if hits.is_empty() {
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
    let mut out = json!({
        "query": a.query,
        "conversation_id": conversation_id,
        "context": context,
        "context_summary": context_summary(&hits, &documents),
        "answer": answer,
        "answer_source": answer_source,
        "documents_used": documents.len(),
        "chunks_used": hits.len(),
        "top_documents": documents,
        "retrieved_chunks": hits.iter().map(chunk_json).collect::<Vec<_>>(),
        "question_message_id": question.id,
        "answer_message_id": answer_message.id,
    });
    if let Some(model) = model {
        out["model"] = json!(model);
    }
    if let Some(error) = llm_error {
        out["llm_error"] = json!(error);
    }
    if let Some(note) = note {
        out["note"] = json!(note);
    }
    Ok(out)
}

fn snippet(text: &str, max_chars: usize) -> String {
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
async fn chat_results(tools: &Tools, query: &str, top_k: usize) -> Result<Vec<Value>, ToolError> {
    let hits = search(tools, query, (top_k * 2).min(MAX_TOP_K), None).await?;
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
        .map(|(overlap, _, m, chunk)| {
            json!({
                "message_id": m.id,
                "conversation_id": m.conversation_id,
                "role": m.role,
                "content": m.content,
                "timestamp": m.timestamp,
                "score": overlap,
                "via_chunk_id": chunk,
            })
        })
        .collect())
}

pub(super) async fn route_query(tools: &Tools, args: Value) -> ToolResult {
    let invalid =
        |message: String| ToolError::new(message).with("valid_sources", json!(VALID_SOURCES));
    // A bad source type may already be caught by the schema's enum: the
    // error object lists the valid sources either way.
    let a: RouteQueryArgs = parse(args).map_err(|e| {
        if e.message().starts_with("source_types") {
            invalid(e.message().to_owned())
        } else {
            e
        }
    })?;
    let query = non_empty("query", &a.query, "give the words to search for")?;
    if a.source_types.is_empty() {
        return Err(invalid(format!(
            "source_types is empty; give one or more of {}",
            VALID_SOURCES.join(", ")
        )));
    }
    let mut sources: Vec<&'static str> = Vec::new();
    for given in &a.source_types {
        let Some(source) = VALID_SOURCES
            .iter()
            .find(|s| s.eq_ignore_ascii_case(given.trim()))
        else {
            return Err(invalid(format!(
                "source_types has {} which is not a source; use {}",
                describe(&json!(given)),
                VALID_SOURCES.join(", ")
            )));
        };
        if !sources.contains(source) {
            sources.push(source);
        }
    }
    let mut results = serde_json::Map::new();
    let mut lines = Vec::new();
    let mut total = 0;
    for source in &sources {
        let items: Vec<Value> = match *source {
            "document" | "code" => search(tools, query, a.top_k, Some(source))
                .await?
                .iter()
                .map(|h| {
                    let mut item = chunk_json(h);
                    item["content"] = json!(h.chunk.text);
                    item
                })
                .collect(),
            "chat" => chat_results(tools, query, a.top_k).await?,
            _ => tools
                .memory
                .store()
                .search_todos(&tools.project, query, a.top_k)
                .await?
                .iter()
                .map(super::todo_tools::todo_json)
                .collect(),
        };
        if let Some(top) = items.first() {
            let line = match *source {
                "document" | "code" => format!(
                    "{source}: {} (from {})",
                    snippet(top["content"].as_str().unwrap_or(""), 300),
                    top["file_name"].as_str().unwrap_or("?")
                ),
                "chat" => format!(
                    "chat: {}: {} (conversation {})",
                    top["role"].as_str().unwrap_or("?"),
                    snippet(top["content"].as_str().unwrap_or(""), 300),
                    top["conversation_id"].as_str().unwrap_or("?")
                ),
                _ => format!(
                    "todo: {} — {} ({})",
                    top["title"].as_str().unwrap_or(""),
                    snippet(top["description"].as_str().unwrap_or(""), 200),
                    if top["completed"].as_bool() == Some(true) {
                        "completed"
                    } else {
                        "pending"
                    }
                ),
            };
            lines.push(line);
        }
        total += items.len();
        results.insert((*source).to_owned(), Value::Array(items));
    }
    let combined_answer = if lines.is_empty() {
        format!("nothing in {} matches this query", sources.join(", "))
    } else {
        lines.join("\n")
    };
    Ok(json!({
        "query": query,
        "source_types": sources,
        "results": results,
        "total_results": total,
        "combined_answer": combined_answer,
    }))
}

pub(super) fn build_context(args: Value) -> ToolResult {
    let a: BuildContextArgs = parse(args)?;
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
    Ok(json!({
        "context": packed.context,
        "token_count": packed.token_count,
        "documents_processed": packed.documents_processed,
        "documents_skipped": packed.documents_skipped,
        "truncated": packed.truncated,
        "max_tokens": a.max_tokens,
        "token_estimate": "words × 4/3 or bytes / 4, whichever is larger",
    }))
}

/// A string or number field of a document object, as text.
pub(super) fn name_field(doc: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match doc.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) async fn retrieve_by_type(tools: &Tools, args: Value) -> ToolResult {
    let a: RetrieveByTypeArgs = parse(args)?;
    let doc_type = non_empty(
        "doc_type",
        &a.doc_type,
        "give a resource type such as \"document\" or \"code\"",
    )?;
    let found =
        search_documents(&tools.memory, &tools.project, &a.query, doc_type, a.top_k).await?;
    let documents: Vec<Value> = found
        .iter()
        .map(|d| {
            let mut chunks: Vec<&SearchHit> = d.chunks.iter().collect();
            chunks.sort_by_key(|c| c.chunk.ordinal);
            let content = chunks
                .iter()
                .map(|c| c.chunk.text.trim())
                .collect::<Vec<_>>()
                .join("\n…\n");
            json!({
                "id": d.resource.id,
                "title": d.resource.file_name,
                "content": content,
                "type": d.resource.resource_type,
                "created_at": d.resource.created_at,
                "metadata": d.resource.metadata,
                "score": d.score,
                "chunk_ids": chunks.iter().map(|c| c.chunk.id).collect::<Vec<_>>(),
                "chunk_count": d.resource.chunk_count,
            })
        })
        .collect();
    Ok(json!({
        "query": a.query,
        "doc_type": doc_type,
        "count": documents.len(),
        "documents": documents,
    }))
}
