//! The heart of `ltmc migrate`: matching legacy vectors to chunks by meaning,
//! and importing a read legacy database into a store through the store
//! traits, with a per-table account of every row (imported, or skipped and
//! why).
//!
//! Legacy vector ids and index positions are never trusted: each chunk's text
//! is embedded again and compared with the legacy vectors (first the one its
//! id points at, then all unclaimed ones); stored vectors are always the
//! fresh ones. Idempotent without a ledger: documents are deduplicated by
//! content hash, and messages, todos and attempts already present with the
//! same text are skipped, so a second run imports nothing. Not here: backups,
//! staging directories and the switch (`legacy_migrate.rs`).

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use ltmc_core::{
    AttemptFilter, AttemptResult, ChunkId, MessageId, NewChatMessage, NewChunk, NewCodeAttempt,
    NewEdge, NewResource, NewTodo, Priority, Project, TodoFilter, embedding_text,
};
use ltmc_embed::Embedder;
use ltmc_legacy::{LegacyDatabase, LegacyIndex};
use ltmc_service::Memory;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Cosine at or above which a legacy vector is the chunk's own.
pub const MATCH_COSINE: f32 = 0.99;
/// Cosine at or above which the vector a chunk's id points at is taken
/// without comparing it with the others (the same text through the same
/// model; near-duplicate texts stay below it).
pub const SAME_COSINE: f32 = 0.9999;
/// Candidate vectors kept per chunk for the best-pair-first assignment.
const CANDIDATES: usize = 8;
/// Texts embedded per call (one progress step).
const EMBED_BATCH: usize = 256;

#[derive(Debug, Default, Clone, Serialize)]
pub struct TableReport {
    pub read: u64,
    pub imported: u64,
    pub skipped: u64,
    /// Why rows were skipped, with how many each.
    pub skipped_because: BTreeMap<String, u64>,
}

impl TableReport {
    fn skip(&mut self, reason: impl Into<String>) {
        self.skipped += 1;
        *self.skipped_because.entry(reason.into()).or_default() += 1;
    }
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct VectorReport {
    pub legacy_vectors: u64,
    pub dimension: usize,
    /// Chunks whose re-embedded text matched a legacy vector.
    pub matched: u64,
    /// ... of them, matched by a vector their legacy id did not point at.
    pub matched_elsewhere: u64,
    /// Chunks with a legacy vector at their id that is not their text's.
    pub differed: u64,
    /// Chunks with no legacy vector at all.
    pub no_vector: u64,
    /// Legacy vectors that matched no chunk's text (deleted chunks, and the
    /// stale vectors of chunks that differed).
    pub vectors_without_chunk: u64,
    /// Chunks re-embedded (every chunk: stored vectors are always fresh).
    pub reembedded: u64,
}

pub fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta} left)") {
        bar.set_style(style);
    }
    bar.set_message(what.to_owned());
    bar
}

/// Embeds texts in batches, advancing `progress`.
pub async fn embed_all(
    embedder: &Arc<dyn Embedder>,
    texts: Vec<String>,
    progress: &ProgressBar,
) -> anyhow::Result<Vec<Vec<f32>>> {
    let mut out = Vec::with_capacity(texts.len());
    let mut texts = texts.into_iter().peekable();
    while texts.peek().is_some() {
        let batch: Vec<String> = texts.by_ref().take(EMBED_BATCH).collect();
        let n = batch.len() as u64;
        let embedder = Arc::clone(embedder);
        let vectors = tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
            embedder.embed(&refs)
        })
        .await??;
        out.extend(vectors);
        progress.inc(n);
    }
    Ok(out)
}

pub fn unit(v: &[f32]) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter().map(|x| x / norm).collect()
    } else {
        v.to_vec()
    }
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Matches each chunk's fresh embedding (`fresh[i]` for `db.chunks[i]`) to
/// the legacy vectors, one vector per chunk at most.
///
/// First the vector a chunk's id points at, taken at once when it is the
/// chunk's own beyond doubt ([`SAME_COSINE`]). The rest are assigned best pair
/// first over all unclaimed vectors: near-duplicate texts (the same sentence
/// in two documents) are within [`MATCH_COSINE`] of each other's vectors, so
/// taking chunks in table order would let one chunk claim its twin's vector
/// and leave the twin without; sorting the candidate pairs by cosine gives
/// each vector to the chunk it fits best.
pub fn match_vectors(
    db: &LegacyDatabase,
    index: Option<&LegacyIndex>,
    fresh: &[Vec<f32>],
) -> VectorReport {
    let mut report = VectorReport {
        reembedded: fresh.len() as u64,
        ..VectorReport::default()
    };
    let Some(index) = index else {
        report.no_vector = fresh.len() as u64;
        return report;
    };
    report.legacy_vectors = index.len() as u64;
    report.dimension = index.dimension;
    let legacy: Vec<Vec<f32>> = (0..index.len()).map(|p| unit(index.vector(p))).collect();
    let mut by_id: HashMap<i64, Vec<usize>> = HashMap::new();
    for (p, id) in index.ids.iter().enumerate() {
        by_id.entry(*id).or_default().push(p);
    }
    let comparable = |v: &Vec<f32>| v.len() == index.dimension;
    let mut claimed = vec![false; index.len()];
    // Some(p): matched to the legacy vector at position p.
    let mut state: Vec<Option<usize>> = vec![None; fresh.len()];
    // First the vector each chunk's id points at, when it is surely its own.
    for (i, chunk) in db.chunks.iter().enumerate() {
        let Some(slots) = chunk.vector_id.and_then(|id| by_id.get(&id)) else {
            continue;
        };
        if !comparable(&fresh[i]) {
            continue;
        }
        let best = slots
            .iter()
            .filter(|&&p| !claimed[p])
            .map(|&p| (p, dot(&fresh[i], &legacy[p])))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((p, cos)) = best
            && cos >= SAME_COSINE
        {
            claimed[p] = true;
            state[i] = Some(p);
        }
    }
    // Then the best pairs first among the rest.
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for i in 0..fresh.len() {
        if state[i].is_some() || !comparable(&fresh[i]) {
            continue;
        }
        let mut best: Vec<(f32, usize, usize)> = (0..legacy.len())
            .filter(|&p| !claimed[p])
            .map(|p| (dot(&fresh[i], &legacy[p]), i, p))
            .filter(|(cos, _, _)| *cos >= MATCH_COSINE)
            .collect();
        best.sort_by(|a, b| b.0.total_cmp(&a.0));
        best.truncate(CANDIDATES);
        pairs.extend(best);
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut candidates = vec![0usize; fresh.len()];
    for &(_, i, p) in &pairs {
        candidates[i] += 1;
        if state[i].is_none() && !claimed[p] {
            claimed[p] = true;
            state[i] = Some(p);
        }
    }
    // Whether a chunk lost all its (truncated) candidates to others.
    let full = (0..fresh.len()).any(|i| state[i].is_none() && candidates[i] == CANDIDATES);
    // A chunk whose candidates all went to others may still fit a vector further down.
    if full {
        for i in 0..fresh.len() {
            if state[i].is_some() || !comparable(&fresh[i]) {
                continue;
            }
            let best = (0..legacy.len())
                .filter(|&p| !claimed[p])
                .map(|p| (p, dot(&fresh[i], &legacy[p])))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((p, cos)) = best
                && cos >= MATCH_COSINE
            {
                claimed[p] = true;
                state[i] = Some(p);
            }
        }
    }
    for (i, chunk) in db.chunks.iter().enumerate() {
        match state[i] {
            Some(p) => {
                report.matched += 1;
                if chunk.vector_id != Some(index.ids[p]) {
                    report.matched_elsewhere += 1;
                }
            }
            None if chunk.vector_id.is_some_and(|id| by_id.contains_key(&id)) => {
                report.differed += 1;
            }
            None => report.no_vector += 1,
        }
    }
    report.vectors_without_chunk = claimed.iter().filter(|c| !**c).count() as u64;
    report
}

/// A legacy resource as ltmc stores it: its chunks' texts joined by newlines
/// (the chunk texts are kept exactly; the original kept no other copy).
pub struct PlannedResource {
    pub legacy_id: i64,
    pub file_name: String,
    pub resource_type: String,
    pub metadata: serde_json::Value,
    /// Indexes into `db.chunks`.
    pub chunks: Vec<usize>,
}

impl PlannedResource {
    pub fn content(&self, db: &LegacyDatabase) -> (String, Vec<(usize, usize)>) {
        let mut content = String::new();
        let mut spans = Vec::new();
        for (n, &i) in self.chunks.iter().enumerate() {
            if n > 0 {
                content.push('\n');
            }
            let start = content.len();
            content.push_str(&db.chunks[i].text);
            spans.push((start, content.len()));
        }
        (content, spans)
    }
}

/// Groups chunks into resources; chunks of a missing resource get one of
/// their own. Fills the Resources and ResourceChunks accounts of what cannot
/// be imported.
pub fn plan_resources(
    db: &LegacyDatabase,
    tables: &mut BTreeMap<String, TableReport>,
) -> Vec<PlannedResource> {
    let mut by_resource: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    let chunks = tables.entry("ResourceChunks".into()).or_default();
    for (i, c) in db.chunks.iter().enumerate() {
        if c.text.trim().is_empty() {
            chunks.skip("empty text");
            continue;
        }
        by_resource
            .entry(c.resource_id.unwrap_or(-1))
            .or_default()
            .push(i);
    }
    let mut out = Vec::new();
    let known: HashSet<i64> = db.resources.iter().map(|r| r.id).collect();
    for r in &db.resources {
        let Some(chunks) = by_resource.get(&r.id) else {
            tables
                .entry("Resources".into())
                .or_default()
                .skip("no chunks (the original kept a resource's text only in its chunks)");
            continue;
        };
        let mut resource_type = r.resource_type.clone().unwrap_or_else(|| "document".into());
        if resource_type == ltmc_core::CODE_ATTEMPT_TYPE || resource_type.trim().is_empty() {
            resource_type = "document".into();
        }
        out.push(PlannedResource {
            legacy_id: r.id,
            file_name: r
                .file_name
                .clone()
                .filter(|f| !f.trim().is_empty())
                .unwrap_or_else(|| format!("legacy-resource-{}", r.id)),
            resource_type,
            metadata: serde_json::json!({"legacy": {
                "resource_id": r.id, "created_at": r.created_at, "archived": r.archived,
            }}),
            chunks: chunks.clone(),
        });
    }
    for (rid, chunks) in &by_resource {
        if !known.contains(rid) {
            out.push(PlannedResource {
                legacy_id: *rid,
                file_name: format!("legacy-orphan-chunks-of-resource-{rid}"),
                resource_type: "document".into(),
                metadata: serde_json::json!({"legacy": {"resource_id": rid, "orphan": true}}),
                chunks: chunks.clone(),
            });
        }
    }
    out
}

/// Imports everything; `fresh` are the chunks' raw-text embeddings.
pub async fn import(
    memory: &Memory,
    project: &Project,
    db: &LegacyDatabase,
    fresh: &[Vec<f32>],
    tables: &mut BTreeMap<String, TableReport>,
) -> anyhow::Result<()> {
    let store = memory.store();
    let planned = plan_resources(db, tables);
    let mut chunk_ids: HashMap<i64, ChunkId> = HashMap::new();
    let progress = bar(db.chunks.len() as u64, "importing chunks");
    for plan in &planned {
        let (content, spans) = plan.content(db);
        let real = db.resources.iter().any(|r| r.id == plan.legacy_id);
        // Already imported (a second run): no need to embed it again.
        let hash = ltmc_core::content_hash(&content);
        if let Some(existing) = store.find_by_hash(project, &hash).await? {
            let stored = store.chunks_of(project, existing.id).await?;
            for (k, &i) in plan.chunks.iter().enumerate() {
                if let Some(c) = stored.get(k) {
                    chunk_ids.insert(db.chunks[i].id, c.id);
                }
            }
            count_resource(tables, real, plan.chunks.len(), true);
            progress.inc(plan.chunks.len() as u64);
            continue;
        }
        let headed: Vec<String> = plan
            .chunks
            .iter()
            .map(|&i| embedding_text(&plan.file_name, &db.chunks[i].text))
            .collect();
        // The store searches chunks embedded under their file's heading.
        let mut vectors = Vec::with_capacity(headed.len());
        let mut to_embed = Vec::new();
        for (k, &i) in plan.chunks.iter().enumerate() {
            if headed[k] == db.chunks[i].text && fresh[i].len() == memory.embedder().dimension() {
                vectors.push(Some(fresh[i].clone()));
            } else {
                vectors.push(None);
                to_embed.push(headed[k].clone());
            }
        }
        let mut embedded = memory.embed_owned(to_embed).await?.into_iter();
        let new_chunks: Vec<NewChunk> = plan
            .chunks
            .iter()
            .enumerate()
            .map(|(k, &i)| NewChunk {
                ordinal: k,
                start: spans[k].0,
                end: spans[k].1,
                text: db.chunks[i].text.clone(),
                vector: vectors[k]
                    .take()
                    .or_else(|| embedded.next())
                    .unwrap_or_default(),
            })
            .collect();
        let outcome = store
            .put_resource(
                NewResource {
                    project: project.clone(),
                    file_name: plan.file_name.clone(),
                    resource_type: plan.resource_type.clone(),
                    content,
                    metadata: plan.metadata.clone(),
                },
                new_chunks,
            )
            .await
            .with_context(|| format!("importing legacy resource {}", plan.legacy_id))?;
        let stored = store.chunks_of(project, outcome.resource_id).await?;
        for (k, &i) in plan.chunks.iter().enumerate() {
            if let Some(c) = stored.get(k) {
                chunk_ids.insert(db.chunks[i].id, c.id);
            }
        }
        count_resource(tables, real, plan.chunks.len(), outcome.duplicate);
        progress.inc(plan.chunks.len() as u64);
    }
    progress.finish_and_clear();

    import_messages(memory, project, db, &chunk_ids, tables).await?;
    import_summaries(memory, project, db, tables).await?;
    import_patterns(memory, project, db, tables).await?;
    import_todos(memory, project, db, tables).await?;
    for (table, reason) in [
        ("VectorIdSequence", "ltmc allocates its own vector ids"),
        ("RetrievalWeights", "ltmc has no per-type retrieval weights"),
    ] {
        if db.has(table) {
            let t = tables.entry(table.into()).or_default();
            for _ in 0..db.rows(table) {
                t.skip(reason);
            }
        }
    }
    store.sync_indexes().await?;
    Ok(())
}

/// Accounts one planned resource (a row of Resources when `real`) and its chunks.
fn count_resource(
    tables: &mut BTreeMap<String, TableReport>,
    real: bool,
    chunks: usize,
    duplicate: bool,
) {
    let res = real.then_some(("Resources", 1));
    for (table, n) in res
        .into_iter()
        .chain(std::iter::once(("ResourceChunks", chunks)))
    {
        let t = tables.entry(table.into()).or_default();
        for _ in 0..n {
            if duplicate {
                t.skip("already in the store (same content)");
            } else {
                t.imported += 1;
            }
        }
    }
}

async fn import_messages(
    memory: &Memory,
    project: &Project,
    db: &LegacyDatabase,
    chunk_ids: &HashMap<i64, ChunkId>,
    tables: &mut BTreeMap<String, TableReport>,
) -> anyhow::Result<()> {
    let store = memory.store();
    let mut message_ids: HashMap<i64, (MessageId, bool)> = HashMap::new();
    let mut existing: HashMap<String, Vec<(String, String, MessageId)>> = HashMap::new();
    let t = "ChatHistory";
    for m in &db.messages {
        if m.content.trim().is_empty() || m.conversation_id.trim().is_empty() {
            tables
                .entry(t.into())
                .or_default()
                .skip("empty content or conversation id");
            continue;
        }
        if !existing.contains_key(&m.conversation_id) {
            let rows = store
                .conversation(project, &m.conversation_id, usize::MAX >> 1)
                .await?;
            existing.insert(
                m.conversation_id.clone(),
                rows.into_iter()
                    .map(|r| (r.role, r.content, r.id))
                    .collect(),
            );
        }
        let known = existing
            .get_mut(&m.conversation_id)
            .expect("inserted above");
        if let Some(pos) = known
            .iter()
            .position(|(r, c, _)| *r == m.role && *c == m.content)
        {
            let (_, _, id) = known.swap_remove(pos);
            message_ids.insert(m.id, (id, false));
            tables
                .entry(t.into())
                .or_default()
                .skip("already in the store");
            continue;
        }
        let mut metadata = m
            .metadata
            .as_deref()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            .filter(serde_json::Value::is_object)
            .unwrap_or_else(|| serde_json::json!({}));
        metadata["legacy"] = serde_json::json!({
            "message_id": m.id, "timestamp": m.timestamp, "metadata": m.metadata,
        });
        let stored = store
            .log_message(
                project,
                NewChatMessage {
                    conversation_id: m.conversation_id.clone(),
                    role: m.role.clone(),
                    content: m.content.clone(),
                    agent_name: m.agent_name.clone(),
                    source_tool: m.source_tool.clone(),
                    metadata,
                },
                &[],
            )
            .await
            .with_context(|| format!("importing legacy chat message {}", m.id))?;
        message_ids.insert(m.id, (stored.id, true));
        tables.entry(t.into()).or_default().imported += 1;
    }
    for link in &db.links {
        let t = tables.entry("ContextLinks".into()).or_default();
        let Some(&(message, new)) = link.message_id.and_then(|id| message_ids.get(&id)) else {
            t.skip("its message does not exist");
            continue;
        };
        let Some(&chunk) = link.chunk_id.and_then(|id| chunk_ids.get(&id)) else {
            t.skip("its chunk does not exist");
            continue;
        };
        if !new {
            t.skip("already in the store");
            continue;
        }
        store.link_context(project, message, &[chunk]).await?;
        t.imported += 1;
    }
    Ok(())
}

async fn import_summaries(
    memory: &Memory,
    project: &Project,
    db: &LegacyDatabase,
    tables: &mut BTreeMap<String, TableReport>,
) -> anyhow::Result<()> {
    for s in &db.summaries {
        let t = tables.entry("Summaries".into()).or_default();
        if s.summary_text.trim().is_empty() {
            t.skip("empty text");
            continue;
        }
        let stored = memory
            .store_text(ltmc_service::StoreRequest {
                project: project.clone(),
                file_name: s.doc_id.clone().map_or_else(
                    || format!("summary-{}", s.id),
                    |d| format!("summary of {d}"),
                ),
                resource_type: "summary".into(),
                content: s.summary_text.clone(),
                metadata: serde_json::json!({"legacy": {
                    "summary_id": s.id, "resource_id": s.resource_id, "doc_id": s.doc_id,
                    "model_name": s.model_name, "created_at": s.created_at,
                }}),
            })
            .await?;
        if stored.duplicate {
            t.skip("already in the store (same content)");
        } else {
            t.imported += 1;
        }
    }
    Ok(())
}

pub fn attempt_of(p: &ltmc_legacy::LegacyPattern) -> Option<NewCodeAttempt> {
    let result = AttemptResult::parse("result", p.result.as_deref()?).ok()?;
    let tags = p.tags.as_deref().map_or_else(Vec::new, |t| {
        serde_json::from_str::<Vec<String>>(t).unwrap_or_else(|_| {
            t.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
    });
    Some(NewCodeAttempt {
        input_prompt: p.input_prompt.clone(),
        generated_code: p.generated_code.clone(),
        result,
        function_name: p.function_name.clone(),
        file_name: p.file_name.clone(),
        module_name: p.module_name.clone(),
        execution_time_ms: p.execution_time_ms,
        error_message: p.error_message.clone(),
        tags,
    })
}

async fn import_patterns(
    memory: &Memory,
    project: &Project,
    db: &LegacyDatabase,
    tables: &mut BTreeMap<String, TableReport>,
) -> anyhow::Result<()> {
    let store = memory.store();
    let existing = store
        .list_attempts(project, &AttemptFilter::default())
        .await?;
    let mut new_ids = HashMap::new();
    for p in &db.patterns {
        let t = tables.entry("CodePatterns".into()).or_default();
        let Some(attempt) = attempt_of(p) else {
            t.skip("result is not pass, fail or partial");
            continue;
        };
        if p.input_prompt.trim().is_empty() || p.generated_code.trim().is_empty() {
            t.skip("empty prompt or code");
            continue;
        }
        if let Some(a) = existing
            .iter()
            .find(|a| a.input_prompt == p.input_prompt && a.generated_code == p.generated_code)
        {
            new_ids.insert(p.id, a.id);
            t.skip("already in the store");
            continue;
        }
        let vector = memory.embed_one(&attempt.text()).await?;
        let stored = store
            .put_attempt(project, attempt, vector, Vec::new())
            .await?;
        new_ids.insert(p.id, stored.id);
        t.imported += 1;
    }
    for c in &db.pattern_context {
        let t = tables.entry("CodePatternContext".into()).or_default();
        let Some(attempt) = c.pattern_id.and_then(|id| new_ids.get(&id)) else {
            t.skip("its code pattern was not imported");
            continue;
        };
        let kind = c.context_type.clone().unwrap_or_else(|| "related".into());
        let edges = store
            .put_edges(
                project,
                vec![NewEdge {
                    source: format!("code_attempt:{}", attempt.0),
                    target: format!("legacy_{kind}:{}", c.context_id.unwrap_or_default()),
                    relation: kind,
                    properties: serde_json::json!({
                        "similarity": c.similarity_score, "legacy_context_id": c.id,
                    }),
                }],
            )
            .await?;
        if edges.iter().any(|(_, created)| *created) {
            t.imported += 1;
        } else {
            t.skip("already in the store");
        }
    }
    Ok(())
}

async fn import_todos(
    memory: &Memory,
    project: &Project,
    db: &LegacyDatabase,
    tables: &mut BTreeMap<String, TableReport>,
) -> anyhow::Result<()> {
    let store = memory.store();
    let mut existing = store.list_todos(project, &TodoFilter::default()).await?;
    for todo in &db.todos {
        let t = tables.entry("Todos".into()).or_default();
        if todo.title.trim().is_empty() {
            t.skip("empty title");
            continue;
        }
        let description = todo.description.clone().unwrap_or_default();
        if let Some(pos) = existing
            .iter()
            .position(|e| e.title == todo.title && e.description == description)
        {
            existing.swap_remove(pos);
            t.skip("already in the store");
            continue;
        }
        let priority = todo
            .priority
            .as_deref()
            .and_then(|p| Priority::parse(&p.to_ascii_lowercase()).ok())
            .unwrap_or(Priority::Medium);
        let added = store
            .add_todo(
                project,
                NewTodo {
                    title: todo.title.clone(),
                    description,
                    priority,
                },
            )
            .await?;
        if todo.completed {
            store.complete_todo(project, added.id).await?;
        }
        t.imported += 1;
    }
    Ok(())
}
