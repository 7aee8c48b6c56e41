//! `--verify` of a legacy migration: everything of the source is in the
//! store, and each imported chunk is found first when searched by its own
//! text (or behind near-duplicates of it only). Reads the source, writes
//! nothing. Not here: deciding the exit code or printing (the caller reads
//! [`VerifyReport::ok`]).

use crate::import;
use crate::{MigrateError, Progress};
use ltmc_core::Project;
use ltmc_legacy::LegacyDatabase;
use ltmc_legacy::matching;
use ltmc_service::Memory;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Hits a verifying search looks at for the chunk searched by its own text.
const VERIFY_TOP_K: usize = 5;

/// What `--verify` found (fields in the order the JSON has always had).
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub chunks_checked: u64,
    pub chunks_found_behind_near_duplicates: u64,
    pub code_patterns_checked: usize,
    pub messages_checked: usize,
    /// No problem found.
    pub ok: bool,
    /// One line per missing or misplaced record.
    pub problems: Vec<String>,
    pub todos_checked: usize,
}

/// Reads the original LTMC's database (read-only, off the async threads).
pub async fn read_database(path: &Path) -> Result<LegacyDatabase, MigrateError> {
    let path = path.to_owned();
    Ok(tokio::task::spawn_blocking(move || LegacyDatabase::read(&path)).await??)
}

/// Compares the read source `db` with `project` in `memory`'s store.
pub async fn verify(
    db: &LegacyDatabase,
    memory: &Memory,
    project: &Project,
    progress: &dyn Progress,
) -> Result<VerifyReport, MigrateError> {
    let store = memory.store();
    let mut problems: Vec<String> = Vec::new();
    let mut tables = BTreeMap::new();
    let planned = import::plan_resources(db, &mut tables);
    let mut checked_chunks = 0u64;
    let mut behind_near_duplicates = 0u64;
    progress.start("verifying chunks", db.chunks.len() as u64);
    for plan in &planned {
        let (content, _) = plan.content(db);
        let hash = ltmc_core::content_hash(&content);
        let Some(resource) = store.find_by_hash(project, &hash).await? else {
            problems.push(format!("legacy resource {} is missing", plan.legacy_id));
            continue;
        };
        let chunks = store.chunks_of(project, resource.id).await?;
        for (k, &i) in plan.chunks.iter().enumerate() {
            checked_chunks += 1;
            progress.advance(1);
            let text = &db.chunks[i].text;
            if chunks.get(k).map(|c| &c.text) != Some(text) {
                problems.push(format!(
                    "legacy chunk {} is missing or differs",
                    db.chunks[i].id
                ));
                continue;
            }
            let own = chunks[k].id;
            let hits = memory
                .search(ltmc_service::SearchRequest {
                    project: project.clone(),
                    query: text.clone(),
                    top_k: VERIFY_TOP_K,
                    resource_type: None,
                    mode: ltmc_service::SearchMode::Hybrid,
                })
                .await?;
            match hits.iter().position(|h| h.chunk.id == own) {
                Some(0) => {}
                // Ranked below near-duplicates of its text only (the same
                // sentence in another document): those tie by meaning and
                // by keywords, so which comes first says nothing.
                Some(rank) if near_duplicates(memory, text, &hits[..rank]).await? => {
                    behind_near_duplicates += 1;
                }
                _ => problems.push(format!(
                    "legacy chunk {} is not found first by its own text",
                    db.chunks[i].id
                )),
            }
        }
    }
    progress.finish();
    let mut by_conv: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for m in db.messages.iter().filter(|m| !m.content.trim().is_empty()) {
        let rows = match by_conv.entry(m.conversation_id.as_str()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let rows = store
                    .conversation(project, &m.conversation_id, usize::MAX >> 1)
                    .await?;
                e.insert(rows.into_iter().map(|r| (r.role, r.content)).collect())
            }
        };
        match rows
            .iter()
            .position(|(r, c)| *r == m.role && *c == m.content)
        {
            Some(p) => {
                rows.swap_remove(p);
            }
            None => problems.push(format!("legacy chat message {} is missing", m.id)),
        }
    }
    let todos = store
        .list_todos(project, &ltmc_core::TodoFilter::default())
        .await?;
    for t in &db.todos {
        if !todos
            .iter()
            .any(|x| x.title == t.title && x.completed == t.completed)
        {
            problems.push(format!("legacy todo {} is missing", t.id));
        }
    }
    let attempts = store
        .list_attempts(project, &ltmc_core::AttemptFilter::default())
        .await?;
    for p in &db.patterns {
        if import::attempt_of(p).is_some()
            && !attempts
                .iter()
                .any(|a| a.input_prompt == p.input_prompt && a.generated_code == p.generated_code)
        {
            problems.push(format!("legacy code pattern {} is missing", p.id));
        }
    }
    Ok(VerifyReport {
        chunks_checked: checked_chunks,
        chunks_found_behind_near_duplicates: behind_near_duplicates,
        code_patterns_checked: db.patterns.len(),
        messages_checked: db.messages.len(),
        ok: problems.is_empty(),
        problems,
        todos_checked: db.todos.len(),
    })
}

/// Whether every hit is a near-duplicate of `text`: their texts' embeddings
/// at least as close as a legacy vector must be to count as a chunk's own.
async fn near_duplicates(
    memory: &Memory,
    text: &str,
    hits: &[ltmc_service::SearchHit],
) -> Result<bool, MigrateError> {
    let texts = std::iter::once(text.to_owned())
        .chain(hits.iter().map(|h| h.chunk.text.clone()))
        .collect();
    let vectors: Vec<Vec<f32>> = memory
        .embed_owned(texts)
        .await?
        .iter()
        .map(|v| matching::unit(v))
        .collect();
    Ok(vectors[1..]
        .iter()
        .all(|v| matching::dot(&vectors[0], v) >= matching::MATCH_COSINE))
}
