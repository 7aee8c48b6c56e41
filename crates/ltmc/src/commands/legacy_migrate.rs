//! `ltmc migrate --from ltmc.db [--index faiss_index] [--dry-run]`, `--verify`
//! and `--rollback`: moving an original LTMC database into ltmc.
//!
//! Order of a run: checksums of the source files; a timestamped backup of
//! them under `DATA_DIR/migrate-backups/<time>/source/`; read everything
//! (ltmc-legacy, read-only); build the result in a staging store
//! (`DATA_DIR/migrate-staging/`, a copy of the current store if there is
//! one); embed every chunk's raw text (when there is an index) and match it
//! to the legacy vectors; import; and only when all of it is written move the
//! current store aside (`migrate-backups/<time>/previous/`) and the staging
//! one into place. Any error before the switch leaves the configured store
//! untouched; so does a store that changed meanwhile (another ltmc process
//! wrote it: its writes would be lost), which is refused at the switch.
//! Checksums after the run prove the source unchanged. `--rollback` puts the
//! moved-aside store back, newest migration first, one per call.
//!
//! Resumable: a run that was killed leaves its staging store (batches written
//! so far, one transaction each) and the raw-text embeddings done so far
//! (`fresh.f32`); the next run of the same source into the same, unchanged
//! store picks both up (`staging.json` says which source, store and model
//! they belong to), and anything else starts over. Not here: PostgreSQL
//! targets (no staging directory to switch).

use crate::cli::LegacyMigrateArgs;
use crate::commands::legacy_import::{self, TableReport};
use crate::context::{Context, DB_FILE, shown};
use crate::failure::with_hint;
use crate::output;
use anyhow::{Context as _, anyhow, bail};
use indicatif::ProgressBar;
use ltmc_embed::Embedder;
use ltmc_legacy::matching::{self, VectorReport};
use ltmc_legacy::{LEGACY_TABLES, LegacyDatabase, LegacyIndex};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// Hits a verifying search looks at for the chunk searched by its own text.
const VERIFY_TOP_K: usize = 5;
const BACKUPS: &str = "migrate-backups";
/// The migrations switched in, oldest first: what `--rollback` undoes, one
/// per call, newest first.
const HISTORY: &str = "migrations.json";
const STAGING: &str = "migrate-staging";
const STAGING_MARKER: &str = "staging.json";
const FRESH_CACHE: &str = "fresh.f32";
/// The files of a SQLite store in a data dir (the -ann graph is a cache).
const STORE_FILES: [&str; 4] = ["ltmc.db", "ltmc.db-wal", "ltmc.db-shm", "ltmc.db-ann"];
/// The files that hold a SQLite store's data (what is copied and compared).
const STORE_DATA: [&str; 2] = ["ltmc.db", "ltmc.db-wal"];
/// Texts embedded per call (one progress step, one append to the cache):
/// two of the embedder's own batches, so a kill loses little.
const EMBED_BATCH: usize = 64;

#[derive(Debug, Serialize)]
struct Report {
    dry_run: bool,
    /// Whether this run picked up a killed run's staging store.
    resumed: bool,
    project: String,
    source: String,
    index: Option<String>,
    index_format: Option<ltmc_legacy::IndexFormat>,
    missing_tables: Vec<String>,
    other_tables: Vec<String>,
    tables: BTreeMap<String, TableReport>,
    vectors: VectorReport,
    backup: Option<String>,
    source_unchanged: bool,
    seconds: f64,
    chunks_per_second: f64,
    /// Seconds per step: read, embed_for_matching, match, import, switch.
    phase_seconds: BTreeMap<&'static str, f64>,
}

/// What a staging store belongs to: a later run resumes it only when all
/// of this is still true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StagingMarker {
    stamp: String,
    project: String,
    model_id: String,
    /// sha256 of the source files (database, index).
    sources: Vec<String>,
    /// sha256 of the current store's data files when they were copied.
    store: Vec<Option<String>>,
}

pub async fn run(ctx: &Context, args: LegacyMigrateArgs) -> anyhow::Result<ExitCode> {
    if ctx.database_url.is_some() {
        return Err(with_hint(
            anyhow!("ltmc migrate imports into a SQLite data dir, not PostgreSQL"),
            "migrate into a data dir, then copy it with `ltmc migrate-store`",
        ));
    }
    if args.rollback {
        return rollback(ctx);
    }
    let from = args.from.clone().context("--from is required")?;
    let index_path = args.index.clone().or_else(|| {
        let guess = from.with_file_name("faiss_index");
        guess.is_file().then_some(guess)
    });
    if args.verify {
        return verify(ctx, &from).await;
    }
    let started = Instant::now();
    let mut phases: BTreeMap<&'static str, f64> = BTreeMap::new();
    let sources: Vec<PathBuf> = std::iter::once(from.clone())
        .chain(index_path.clone())
        .collect();
    let before = checksums(&sources)?;
    let embedder = ctx.embedder()?;
    let marker = StagingMarker {
        stamp: timestamp(),
        project: ctx.project.as_str().to_owned(),
        model_id: embedder.model_id().to_owned(),
        sources: before.clone(),
        store: store_checksums(&ctx.data_dir)?,
    };
    let staging = ctx.data_dir.join(STAGING);
    let resumed = if args.dry_run {
        None
    } else {
        resumable(&staging, &marker)
    };
    let stamp = resumed.as_ref().map_or(&marker.stamp, |m| &m.stamp).clone();
    let backups_existed = ctx.data_dir.join(BACKUPS).exists();
    let backup_dir = ctx.data_dir.join(BACKUPS).join(&stamp).join("source");
    let backup_made = !args.dry_run && !backup_dir.exists();
    let backup = if args.dry_run {
        None
    } else {
        if backup_made {
            std::fs::create_dir_all(&backup_dir).with_context(|| {
                format!("cannot create the backup dir {}", backup_dir.display())
            })?;
            for src in &sources {
                let name = src.file_name().context("a source has no file name")?;
                std::fs::copy(src, backup_dir.join(name))
                    .with_context(|| format!("cannot back up {}", src.display()))?;
            }
        }
        Some(backup_dir.clone())
    };

    let phase = Instant::now();
    let read = async {
        let db = read_db(&from).await?;
        let index = match &index_path {
            Some(p) => Some(read_index(p).await?),
            None => None,
        };
        anyhow::Ok((db, index))
    };
    let (db, index) = match read.await {
        Ok(read) => read,
        Err(e) => {
            // Nothing to migrate: leave the data dir as it was.
            if backup_made && let Some(dir) = backup_dir.parent() {
                let _ = std::fs::remove_dir_all(dir);
            }
            if !backups_existed {
                let _ = std::fs::remove_dir(ctx.data_dir.join(BACKUPS));
            }
            return Err(e);
        }
    };
    phases.insert("read", phase.elapsed().as_secs_f64());
    let mut tables: BTreeMap<String, TableReport> = BTreeMap::new();
    for table in LEGACY_TABLES {
        if db.has(table) {
            tables.entry(table.into()).or_default().read = db.rows(table);
        }
    }

    let marker = StagingMarker { stamp, ..marker };
    if !args.dry_run && resumed.is_none() {
        start_staging(ctx, &staging, &marker)?;
    }
    if resumed.is_some() {
        tracing::info!(
            "resuming the interrupted migration of {} in {}",
            marker.stamp,
            staging.display()
        );
    }
    let result = async {
        // Raw-text embeddings, to compare with the legacy vectors: only
        // when there are legacy vectors.
        let phase = Instant::now();
        let fresh = match &index {
            Some(_) => {
                let cache = (!args.dry_run).then(|| staging.join(FRESH_CACHE));
                let texts: Vec<&str> = db.chunks.iter().map(|c| c.text.as_str()).collect();
                embed_cached(&embedder, &texts, cache.as_deref()).await?
            }
            None => vec![Vec::new(); db.chunks.len()],
        };
        phases.insert("embed_for_matching", phase.elapsed().as_secs_f64());
        let phase = Instant::now();
        let vectors = legacy_import::vector_report(&db, index.as_ref(), &fresh)?;
        phases.insert("match", phase.elapsed().as_secs_f64());
        let phase = Instant::now();
        if args.dry_run {
            legacy_import::plan_resources(&db, &mut tables);
            for (name, t) in &mut tables {
                t.imported = t.read - t.skipped;
                if matches!(name.as_str(), "VectorIdSequence" | "RetrievalWeights") {
                    t.skipped = t.read;
                    t.imported = 0;
                }
            }
        } else {
            let batch = args.batch_chunks as usize;
            stage(ctx, &staging, &embedder, &db, &fresh, batch, &mut tables).await?;
        }
        phases.insert("import", phase.elapsed().as_secs_f64());
        anyhow::Ok(vectors)
    };
    let vectors = match result.await {
        Ok(v) => v,
        Err(e) => {
            // A failure, not a kill: running again would fail the same way,
            // so nothing is kept to resume.
            if !args.dry_run {
                let _ = std::fs::remove_dir_all(&staging);
            }
            return Err(e);
        }
    };
    if !args.dry_run {
        let phase = Instant::now();
        if store_checksums(&ctx.data_dir)? != marker.store {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(with_hint(
                anyhow!(
                    "the store in {} changed during the migration (another ltmc process wrote to it); nothing was switched",
                    ctx.data_dir.display()
                ),
                "stop the other ltmc processes using this data dir (ltmc serve, MCP clients), then run the migration again",
            ));
        }
        switch(ctx, &staging, &marker.stamp)?;
        phases.insert("switch", phase.elapsed().as_secs_f64());
    }
    let after = checksums(&sources)?;
    let seconds = started.elapsed().as_secs_f64();
    let report = Report {
        dry_run: args.dry_run,
        resumed: resumed.is_some(),
        project: ctx.project.as_str().to_owned(),
        source: shown(&from),
        index: index_path.as_deref().map(shown),
        index_format: index.as_ref().map(|i| i.format),
        missing_tables: LEGACY_TABLES
            .iter()
            .filter(|t| !db.has(t))
            .map(|t| (*t).to_owned())
            .collect(),
        other_tables: db.other_tables.clone(),
        tables,
        vectors,
        backup: backup.as_deref().map(shown),
        source_unchanged: before == after,
        seconds,
        chunks_per_second: db.chunks.len() as f64 / seconds.max(1e-9),
        phase_seconds: phases,
    };
    if before != after {
        bail!("the source files changed during the migration (another program wrote them)");
    }
    print_report(ctx, &report)?;
    Ok(ExitCode::SUCCESS)
}

async fn read_db(path: &Path) -> anyhow::Result<LegacyDatabase> {
    let path = path.to_owned();
    Ok(tokio::task::spawn_blocking(move || LegacyDatabase::read(&path)).await??)
}

async fn read_index(path: &Path) -> anyhow::Result<LegacyIndex> {
    let path = path.to_owned();
    Ok(tokio::task::spawn_blocking(move || LegacyIndex::read(&path)).await??)
}

/// The staging marker of a killed run that this run may resume: same
/// source, project, model and unchanged current store. A staging dir of
/// anything else is left to [`start_staging`], which replaces it.
fn resumable(staging: &Path, wanted: &StagingMarker) -> Option<StagingMarker> {
    let bytes = std::fs::read(staging.join(STAGING_MARKER)).ok()?;
    let found: StagingMarker = serde_json::from_slice(&bytes).ok()?;
    let same = found.project == wanted.project
        && found.model_id == wanted.model_id
        && found.sources == wanted.sources
        && found.store == wanted.store;
    same.then_some(found)
}

/// A fresh staging dir: a copy of the current store's data files, and the
/// marker saying what it belongs to (written last: a staging dir without
/// one is never resumed).
fn start_staging(ctx: &Context, staging: &Path, marker: &StagingMarker) -> anyhow::Result<()> {
    if staging.exists() {
        tracing::info!(
            "discarding {}: it belongs to another migration",
            staging.display()
        );
        std::fs::remove_dir_all(staging)
            .with_context(|| format!("cannot remove {}", staging.display()))?;
    }
    std::fs::create_dir_all(staging)
        .with_context(|| format!("cannot create {}", staging.display()))?;
    for name in STORE_DATA {
        let src = ctx.data_dir.join(name);
        if src.is_file() {
            std::fs::copy(&src, staging.join(name))
                .with_context(|| format!("cannot copy {}", src.display()))?;
        }
    }
    // Written whole or not at all: a torn marker would be read as none.
    let part = staging.join(format!("{STAGING_MARKER}.part"));
    std::fs::write(&part, serde_json::to_vec_pretty(marker)?)?;
    std::fs::rename(&part, staging.join(STAGING_MARKER))?;
    Ok(())
}

/// sha256 of the store's data files in `dir` (`None` for an absent one).
fn store_checksums(dir: &Path) -> anyhow::Result<Vec<Option<String>>> {
    STORE_DATA
        .iter()
        .map(|name| {
            let path = dir.join(name);
            sha256_file(&path).map_err(|e| anyhow!("cannot read {}: {e}", path.display()))
        })
        .collect()
}

/// Embeds `texts`, in batches, appending each batch's vectors to `cache`
/// (raw little-endian f32 rows) and first taking the rows a killed run left
/// there. A cached row that is not a unit vector (a torn write) and all
/// after it are embedded again.
async fn embed_cached(
    embedder: &Arc<dyn Embedder>,
    texts: &[&str],
    cache: Option<&Path>,
) -> anyhow::Result<Vec<Vec<f32>>> {
    let dim = embedder.dimension();
    let mut out: Vec<Vec<f32>> = Vec::with_capacity(texts.len());
    let mut file = None;
    if let Some(path) = cache {
        if let Ok(bytes) = std::fs::read(path) {
            for row in bytes.chunks_exact(dim * 4).take(texts.len()) {
                let v: Vec<f32> = row
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect();
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                if !(0.999..=1.001).contains(&norm) {
                    break;
                }
                out.push(v);
            }
        }
        let f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.set_len((out.len() * dim * 4) as u64)?;
        file = Some(f);
    }
    let progress: ProgressBar = legacy_import::bar(texts.len() as u64, "re-embedding chunks");
    progress.inc(out.len() as u64);
    let mut rest = texts[out.len()..].chunks(EMBED_BATCH);
    for batch in rest.by_ref() {
        let batch: Vec<String> = batch.iter().map(|t| (*t).to_owned()).collect();
        let n = batch.len() as u64;
        let e = Arc::clone(embedder);
        let vectors = tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
            e.embed(&refs)
        })
        .await??;
        if let Some(f) = file.as_mut() {
            use std::io::Seek as _;
            f.seek(std::io::SeekFrom::End(0))?;
            let bytes: Vec<u8> = vectors
                .iter()
                .flatten()
                .flat_map(|x| x.to_le_bytes())
                .collect();
            f.write_all(&bytes)?;
        }
        out.extend(vectors);
        progress.inc(n);
    }
    progress.finish_and_clear();
    Ok(out)
}

/// Imports into the staging store (a copy of the current one, and on a
/// resumed run whatever the killed run wrote).
async fn stage(
    ctx: &Context,
    staging: &Path,
    embedder: &Arc<dyn Embedder>,
    db: &LegacyDatabase,
    fresh: &[Vec<f32>],
    batch_chunks: usize,
    tables: &mut BTreeMap<String, TableReport>,
) -> anyhow::Result<()> {
    let mut staged = ctx.clone();
    staged.data_dir = staging.to_owned();
    let store = staged.open_for_write(embedder.as_ref())?;
    let memory = ltmc_service::Memory::new(store, Arc::clone(embedder), ctx.chunking)?;
    legacy_import::import(&memory, &ctx.project, db, fresh, batch_chunks, tables).await?;
    Ok(())
}

/// Moves the current store aside and the staged one into place.
fn switch(ctx: &Context, staging: &Path, stamp: &str) -> anyhow::Result<()> {
    let previous = ctx.data_dir.join(BACKUPS).join(stamp).join("previous");
    std::fs::create_dir_all(&previous)?;
    let mut had_store = false;
    for name in STORE_FILES {
        let cur = ctx.data_dir.join(name);
        if cur.exists() {
            had_store |= name == DB_FILE;
            std::fs::rename(&cur, previous.join(name))
                .with_context(|| format!("cannot move {} aside", cur.display()))?;
        }
    }
    for name in STORE_FILES {
        let src = staging.join(name);
        if src.exists() {
            std::fs::rename(&src, ctx.data_dir.join(name))
                .with_context(|| format!("cannot move {} into place", src.display()))?;
        }
    }
    let _ = std::fs::remove_dir_all(staging);
    let mut history = read_history(ctx);
    history.push(Switched {
        stamp: stamp.to_owned(),
        had_store,
    });
    write_history(ctx, &history)
}

/// One migration switched in: its backup dir's name, and whether there
/// was a store before it.
#[derive(Debug, Serialize, Deserialize)]
struct Switched {
    stamp: String,
    had_store: bool,
}

fn read_history(ctx: &Context) -> Vec<Switched> {
    std::fs::read(ctx.data_dir.join(BACKUPS).join(HISTORY))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Replaces the history file whole (a torn one would lose every entry).
fn write_history(ctx: &Context, history: &[Switched]) -> anyhow::Result<()> {
    let path = ctx.data_dir.join(BACKUPS).join(HISTORY);
    let part = path.with_extension("json.part");
    std::fs::write(&part, serde_json::to_vec_pretty(history)?)?;
    std::fs::rename(&part, &path)?;
    Ok(())
}

/// Undoes the newest migration still switched in: its store is set aside
/// (`migrate-backups/<time>/migrated/`) and the one it replaced put back.
/// Called again, it undoes the one before, down to the store there was
/// before the first.
fn rollback(ctx: &Context) -> anyhow::Result<ExitCode> {
    let mut history = read_history(ctx);
    let last = history.pop().ok_or_else(|| {
        with_hint(
            anyhow!("no migration to roll back in {}", ctx.data_dir.display()),
            "run `ltmc migrate --from ltmc.db` first, or pass the --data-dir it used",
        )
    })?;
    let stamp = last.stamp;
    let dir = ctx.data_dir.join(BACKUPS).join(&stamp);
    let migrated = dir.join("migrated");
    std::fs::create_dir_all(&migrated)?;
    for name in STORE_FILES {
        let cur = ctx.data_dir.join(name);
        if cur.exists() {
            std::fs::rename(&cur, migrated.join(name))?;
        }
    }
    for name in STORE_FILES {
        let prev = dir.join("previous").join(name);
        if prev.exists() {
            std::fs::rename(&prev, ctx.data_dir.join(name))?;
        }
    }
    write_history(ctx, &history)?;
    let answer = serde_json::json!({
        "rolled_back": stamp, "migrated_store_kept_in": shown(&migrated),
        "had_store_before": last.had_store, "migrations_left": history.len(),
    });
    if ctx.json {
        output::json_line(&answer)?;
    } else {
        output::line(&format!(
            "rolled back the migration of {stamp}; the migrated store is kept in {}; {} earlier migration(s) can still be rolled back",
            shown(&migrated),
            history.len()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn checksums(paths: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    paths
        .iter()
        .map(|p| {
            let cannot = |why: String| {
                with_hint(
                    anyhow!("cannot read {}: {why}", p.display()),
                    "give the original LTMC's ltmc.db (and its faiss_index) with --from / --index",
                )
            };
            match sha256_file(p) {
                Ok(Some(sum)) => Ok(sum),
                Ok(None) => Err(cannot("no such file".into())),
                Err(e) => Err(cannot(e.to_string())),
            }
        })
        .collect()
}

/// The hex sha256 of a file's bytes; `None` when there is no such file.
fn sha256_file(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(hex::encode(Sha256::digest(&bytes)))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}_{:02}{:02}{:02}_{:03}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}

fn print_report(ctx: &Context, r: &Report) -> anyhow::Result<()> {
    if ctx.json {
        return output::json_line(r);
    }
    output::line(&format!(
        "{} {} into project {} in {:.1}s ({:.0} chunks/s)",
        if r.dry_run { "dry run of" } else { "migrated" },
        r.source,
        r.project,
        r.seconds,
        r.chunks_per_second
    ));
    for (name, t) in &r.tables {
        let why: Vec<String> = t
            .skipped_because
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        output::line(&format!(
            "  {name}: read {}, imported {}, skipped {}{}",
            t.read,
            t.imported,
            t.skipped,
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join("; "))
            }
        ));
    }
    let v = &r.vectors;
    output::line(&format!(
        "  vectors: {} legacy; chunks matched {} ({} not where their id pointed), differed {}, without vector {}; vectors without chunk {}",
        v.legacy_vectors,
        v.matched,
        v.matched_elsewhere,
        v.differed,
        v.no_vector,
        v.vectors_without_chunk
    ));
    if let Some(b) = &r.backup {
        output::line(&format!("  backup of the source: {b}"));
    }
    output::line(&format!("  source unchanged: {}", r.source_unchanged));
    Ok(())
}

/// `--verify`: everything of the source is in the store, and each imported
/// chunk is found first when searched by its own text.
pub async fn verify(ctx: &Context, from: &Path) -> anyhow::Result<ExitCode> {
    let db = read_db(from).await?;
    let memory = ctx.memory(false)?;
    let store = memory.store();
    let project = &ctx.project;
    let mut problems: Vec<String> = Vec::new();
    let mut tables = BTreeMap::new();
    let planned = legacy_import::plan_resources(&db, &mut tables);
    let mut checked_chunks = 0u64;
    let mut behind_near_duplicates = 0u64;
    let progress = legacy_import::bar(db.chunks.len() as u64, "verifying chunks");
    for plan in &planned {
        let (content, _) = plan.content(&db);
        let hash = ltmc_core::content_hash(&content);
        let Some(resource) = store.find_by_hash(project, &hash).await? else {
            problems.push(format!("legacy resource {} is missing", plan.legacy_id));
            continue;
        };
        let chunks = store.chunks_of(project, resource.id).await?;
        for (k, &i) in plan.chunks.iter().enumerate() {
            checked_chunks += 1;
            progress.inc(1);
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
                Some(rank) if near_duplicates(&memory, text, &hits[..rank]).await? => {
                    behind_near_duplicates += 1;
                }
                _ => problems.push(format!(
                    "legacy chunk {} is not found first by its own text",
                    db.chunks[i].id
                )),
            }
        }
    }
    progress.finish_and_clear();
    let mut by_conv: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for m in db.messages.iter().filter(|m| !m.content.trim().is_empty()) {
        if !by_conv.contains_key(m.conversation_id.as_str()) {
            let rows = store
                .conversation(project, &m.conversation_id, usize::MAX >> 1)
                .await?;
            by_conv.insert(
                &m.conversation_id,
                rows.into_iter().map(|r| (r.role, r.content)).collect(),
            );
        }
        let rows = by_conv
            .get_mut(m.conversation_id.as_str())
            .expect("inserted");
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
        if legacy_import::attempt_of(p).is_some()
            && !attempts
                .iter()
                .any(|a| a.input_prompt == p.input_prompt && a.generated_code == p.generated_code)
        {
            problems.push(format!("legacy code pattern {} is missing", p.id));
        }
    }
    let answer = serde_json::json!({
        "ok": problems.is_empty(), "chunks_checked": checked_chunks,
        "chunks_found_behind_near_duplicates": behind_near_duplicates,
        "messages_checked": db.messages.len(), "todos_checked": db.todos.len(),
        "code_patterns_checked": db.patterns.len(), "problems": problems,
    });
    if ctx.json {
        output::json_line(&answer)?;
    } else {
        output::line(&format!(
            "verify: {} chunks ({} found behind near-duplicates of their text), {} messages, {} todos, {} code patterns checked; {} problems",
            checked_chunks,
            behind_near_duplicates,
            db.messages.len(),
            db.todos.len(),
            db.patterns.len(),
            problems.len()
        ));
        for p in &problems {
            output::line(&format!("  {p}"));
        }
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Whether every hit is a near-duplicate of `text`: their texts' embeddings
/// at least as close as a legacy vector must be to count as a chunk's own.
async fn near_duplicates(
    memory: &ltmc_service::Memory,
    text: &str,
    hits: &[ltmc_service::SearchHit],
) -> anyhow::Result<bool> {
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
