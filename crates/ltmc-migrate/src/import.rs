//! The heart of a legacy migration: importing a read legacy database into a store
//! through the store traits, with a per-table account of every row
//! (imported, or skipped and why).
//!
//! Stored vectors are always fresh: each chunk is embedded under its file's
//! heading, as `ltmc store` does (the legacy vectors are only compared, by
//! `ltmc_legacy::matching`). Resources (with their chunks and vectors) and
//! chat messages (with their context links) are written one transaction per
//! batch, and so are code patterns' contexts (graph edges); summaries, todos
//! and code patterns, small tables, one transaction per record. Idempotent without a ledger: documents are deduplicated
//! by content hash, and messages, todos and attempts already present with
//! the same text are skipped, so a second run (or one resuming a killed run)
//! imports nothing twice. Not here: backups, staging directories and the
//! switch (`legacy.rs`).

use crate::{MigrateError, Progress};
use ltmc_core::{
    AttemptFilter, AttemptResult, ChunkId, NewChatMessage, NewChunk, NewCodeAttempt, NewEdge,
    NewResource, NewTodo, Priority, Project, TodoFilter, embedding_text,
};
use ltmc_legacy::matching::{self, VectorReport};
use ltmc_legacy::{LegacyDatabase, LegacyIndex};
use ltmc_service::Memory;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Chat messages (and pattern-context edges) written per batch (one transaction).
const BATCH_MESSAGES: usize = 1000;

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

/// The vector statistics: each chunk's fresh raw-text embedding compared
/// with the legacy vectors (`fresh` is empty when there is no index).
pub fn vector_report(
    db: &LegacyDatabase,
    index: Option<&LegacyIndex>,
    fresh: &[Vec<f32>],
) -> Result<VectorReport, MigrateError> {
    let Some(index) = index else {
        return Ok(VectorReport {
            no_vector: db.chunks.len() as u64,
            ..VectorReport::default()
        });
    };
    let ids: Vec<Option<i64>> = db.chunks.iter().map(|c| c.vector_id).collect();
    Ok(matching::match_vectors(&ids, fresh, index)?.report)
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
    /// Chunks of a resource the source does not have, grouped into one.
    pub orphan: bool,
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
            orphan: false,
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
                orphan: true,
            });
        }
    }
    out
}

/// Imports everything, resources `batch_chunks` chunks per transaction (at
/// least one resource each). `fresh[i]` is `db.chunks[i]`'s raw-text embedding
/// when there was an index to compare with (reused as the stored vector when
/// the chunk's file gives no heading), else empty.
pub async fn import(
    memory: &Memory,
    project: &Project,
    db: &LegacyDatabase,
    fresh: &[Vec<f32>],
    batch_chunks: usize,
    tables: &mut BTreeMap<String, TableReport>,
    progress: &dyn Progress,
) -> Result<(), MigrateError> {
    let planned = plan_resources(db, tables);
    let mut chunk_ids: HashMap<i64, ChunkId> = HashMap::new();
    let total = planned.iter().map(|p| p.chunks.len() as u64).sum();
    progress.start("importing chunks", total);
    let mut batch: Vec<&PlannedResource> = Vec::new();
    let mut in_batch = 0;
    for (n, plan) in planned.iter().enumerate() {
        batch.push(plan);
        in_batch += plan.chunks.len();
        if in_batch >= batch_chunks || n + 1 == planned.len() {
            let resources = ResourceBatch {
                memory,
                project,
                db,
                fresh,
            };
            resources
                .import(&batch, &mut chunk_ids, tables, progress)
                .await?;
            batch.clear();
            in_batch = 0;
        }
    }
    progress.finish();

    import_messages(memory, project, db, &chunk_ids, tables, progress).await?;
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
    memory.store().sync_indexes().await?;
    Ok(())
}

/// Byte spans of a resource's chunks in its content.
type Spans = Vec<(usize, usize)>;

/// What a batch of planned resources is imported with.
struct ResourceBatch<'a> {
    memory: &'a Memory,
    project: &'a Project,
    db: &'a LegacyDatabase,
    fresh: &'a [Vec<f32>],
}

impl ResourceBatch<'_> {
    /// Writes the batch's new resources in one transaction (those already in
    /// the store, from an earlier run, are only looked up) and records the
    /// store's chunk id of every legacy chunk.
    async fn import(
        &self,
        batch: &[&PlannedResource],
        chunk_ids: &mut HashMap<i64, ChunkId>,
        tables: &mut BTreeMap<String, TableReport>,
        progress: &dyn Progress,
    ) -> Result<(), MigrateError> {
        let (store, db) = (self.memory.store(), self.db);
        let dimension = self.memory.embedder().dimension();
        // Each new resource with its content and its chunks' byte spans.
        let mut new: Vec<(&PlannedResource, String, Spans)> = Vec::new();
        for &plan in batch {
            let (content, spans) = plan.content(db);
            let hash = ltmc_core::content_hash(&content);
            // Already imported (a second run): no need to embed it again.
            if let Some(existing) = store.find_by_hash(self.project, &hash).await? {
                self.map_chunks(plan, existing.id, chunk_ids).await?;
                count_resource(tables, !plan.orphan, plan.chunks.len(), true);
                progress.advance(plan.chunks.len() as u64);
            } else {
                new.push((plan, content, spans));
            }
        }
        // The store searches chunks embedded under their file's heading; a
        // chunk whose file gives none reuses its raw-text embedding. Decided
        // once per chunk: `reused` in chunk order, `None` where embedded.
        let mut to_embed = Vec::new();
        let mut reused: Vec<Option<&[f32]>> = Vec::new();
        for (plan, _, _) in &new {
            for &i in &plan.chunks {
                let headed = embedding_text(&plan.file_name, &db.chunks[i].text);
                match self.fresh_of(i, dimension) {
                    Some(v) if headed == db.chunks[i].text => reused.push(Some(v)),
                    _ => {
                        reused.push(None);
                        to_embed.push(headed);
                    }
                }
            }
        }
        let mut embedded = self.memory.embed_owned(to_embed).await?.into_iter();
        let mut reused = reused.into_iter();
        let plans: Vec<&PlannedResource> = new.iter().map(|(plan, _, _)| *plan).collect();
        let mut items = Vec::with_capacity(new.len());
        for (plan, content, spans) in new {
            let mut chunks = Vec::with_capacity(plan.chunks.len());
            for (k, &i) in plan.chunks.iter().enumerate() {
                let vector = match reused.next().flatten() {
                    Some(v) => v.to_vec(),
                    None => embedded.next().ok_or(MigrateError::TooFewVectors)?,
                };
                chunks.push(NewChunk {
                    ordinal: k,
                    start: spans[k].0,
                    end: spans[k].1,
                    text: db.chunks[i].text.clone(),
                    vector,
                });
            }
            let resource = NewResource {
                project: self.project.clone(),
                file_name: plan.file_name.clone(),
                resource_type: plan.resource_type.clone(),
                content,
                metadata: plan.metadata.clone(),
            };
            items.push((resource, chunks));
        }
        let first = plans.first().map_or(0, |p| p.legacy_id);
        let count = plans.len();
        let outcomes = store
            .put_resources(items)
            .await
            .map_err(|source| MigrateError::Batch {
                what: format!("{count} legacy resources from id {first}"),
                source,
            })?;
        for (plan, outcome) in plans.into_iter().zip(outcomes) {
            self.map_chunks(plan, outcome.resource_id, chunk_ids)
                .await?;
            count_resource(tables, !plan.orphan, plan.chunks.len(), outcome.duplicate);
            progress.advance(plan.chunks.len() as u64);
        }
        Ok(())
    }

    fn fresh_of(&self, i: usize, dimension: usize) -> Option<&[f32]> {
        self.fresh
            .get(i)
            .filter(|v| v.len() == dimension)
            .map(Vec::as_slice)
    }

    async fn map_chunks(
        &self,
        plan: &PlannedResource,
        resource: ltmc_core::ResourceId,
        chunk_ids: &mut HashMap<i64, ChunkId>,
    ) -> Result<(), MigrateError> {
        let stored = self
            .memory
            .store()
            .chunks_of(self.project, resource)
            .await?;
        for (k, &i) in plan.chunks.iter().enumerate() {
            if let Some(c) = stored.get(k) {
                chunk_ids.insert(self.db.chunks[i].id, c.id);
            }
        }
        Ok(())
    }
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
    progress: &dyn Progress,
) -> Result<(), MigrateError> {
    let store = memory.store();
    // Each message's context: its links whose chunk was imported.
    let mut context: HashMap<i64, Vec<ChunkId>> = HashMap::new();
    for link in &db.links {
        if let (Some(m), Some(c)) = (
            link.message_id,
            link.chunk_id.and_then(|c| chunk_ids.get(&c)),
        ) {
            context.entry(m).or_default().push(*c);
        }
    }
    // Legacy message id -> whether this run wrote it.
    let mut written: HashMap<i64, bool> = HashMap::new();
    let mut existing: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut batch: Vec<(NewChatMessage, Vec<ChunkId>)> = Vec::new();
    let t = "ChatHistory";
    progress.start("importing chat messages", db.messages.len() as u64);
    for (n, m) in db.messages.iter().enumerate() {
        progress.advance(1);
        if m.content.trim().is_empty() || m.conversation_id.trim().is_empty() {
            tables
                .entry(t.into())
                .or_default()
                .skip("empty content or conversation id");
        } else {
            if !existing.contains_key(&m.conversation_id) {
                let rows = store
                    .conversation(project, &m.conversation_id, usize::MAX >> 1)
                    .await?;
                existing.insert(
                    m.conversation_id.clone(),
                    rows.into_iter().map(|r| (r.role, r.content)).collect(),
                );
            }
            let known = existing
                .get_mut(&m.conversation_id)
                .expect("inserted above");
            if let Some(pos) = known
                .iter()
                .position(|(r, c)| *r == m.role && *c == m.content)
            {
                known.swap_remove(pos);
                written.insert(m.id, false);
                tables
                    .entry(t.into())
                    .or_default()
                    .skip("already in the store");
            } else {
                let mut metadata = m
                    .metadata
                    .as_deref()
                    .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
                    .filter(serde_json::Value::is_object)
                    .unwrap_or_else(|| serde_json::json!({}));
                metadata["legacy"] = serde_json::json!({
                    "message_id": m.id, "timestamp": m.timestamp, "metadata": m.metadata,
                });
                let message = NewChatMessage {
                    conversation_id: m.conversation_id.clone(),
                    role: m.role.clone(),
                    content: m.content.clone(),
                    agent_name: m.agent_name.clone(),
                    source_tool: m.source_tool.clone(),
                    metadata,
                };
                batch.push((message, context.remove(&m.id).unwrap_or_default()));
                written.insert(m.id, true);
                tables.entry(t.into()).or_default().imported += 1;
            }
        }
        if batch.len() >= BATCH_MESSAGES || (n + 1 == db.messages.len() && !batch.is_empty()) {
            let count = batch.len();
            store
                .log_messages(project, std::mem::take(&mut batch))
                .await
                .map_err(|source| MigrateError::Batch {
                    what: format!("{count} legacy chat messages up to id {}", m.id),
                    source,
                })?;
        }
    }
    progress.finish();
    for link in &db.links {
        let t = tables.entry("ContextLinks".into()).or_default();
        let Some(&new) = link.message_id.and_then(|id| written.get(&id)) else {
            t.skip("its message does not exist");
            continue;
        };
        if link.chunk_id.and_then(|id| chunk_ids.get(&id)).is_none() {
            t.skip("its chunk does not exist");
        } else if new {
            t.imported += 1;
        } else {
            t.skip("already in the store");
        }
    }
    Ok(())
}

async fn import_summaries(
    memory: &Memory,
    project: &Project,
    db: &LegacyDatabase,
    tables: &mut BTreeMap<String, TableReport>,
) -> Result<(), MigrateError> {
    let t = tables.entry("Summaries".into()).or_default();
    let mut requests = Vec::new();
    for s in &db.summaries {
        if s.summary_text.trim().is_empty() {
            t.skip("empty text");
            continue;
        }
        requests.push(ltmc_service::StoreRequest {
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
        });
    }
    // Embedded together; each written in its own transaction.
    for stored in memory.store_batch(requests).await {
        if stored?.duplicate {
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
        citations: Vec::new(),
    })
}

async fn import_patterns(
    memory: &Memory,
    project: &Project,
    db: &LegacyDatabase,
    tables: &mut BTreeMap<String, TableReport>,
) -> Result<(), MigrateError> {
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
    // The contexts as graph edges, one transaction per batch.
    let t = tables.entry("CodePatternContext".into()).or_default();
    let mut edges = Vec::new();
    for c in &db.pattern_context {
        let Some(attempt) = c.pattern_id.and_then(|id| new_ids.get(&id)) else {
            t.skip("its code pattern was not imported");
            continue;
        };
        let kind = c.context_type.clone().unwrap_or_else(|| "related".into());
        edges.push(NewEdge {
            source: format!("code_attempt:{}", attempt.0),
            target: format!("legacy_{kind}:{}", c.context_id.unwrap_or_default()),
            relation: kind,
            properties: serde_json::json!({
                "similarity": c.similarity_score, "legacy_context_id": c.id,
            }),
        });
    }
    while !edges.is_empty() {
        let batch: Vec<NewEdge> = edges.drain(..edges.len().min(BATCH_MESSAGES)).collect();
        for (_, created) in store.put_edges(project, batch).await? {
            if created {
                t.imported += 1;
            } else {
                t.skip("already in the store");
            }
        }
    }
    Ok(())
}

async fn import_todos(
    memory: &Memory,
    project: &Project,
    db: &LegacyDatabase,
    tables: &mut BTreeMap<String, TableReport>,
) -> Result<(), MigrateError> {
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
