//! A legacy migration run: the original LTMC's database (and index) into
//! the store of a data dir.
//!
//! Order of a run: the source files' checksums (taken by the caller with
//! [`crate::SourceFiles::read`], before it loads the model); a timestamped
//! backup of them under `DATA_DIR/migrate-backups/<time>/source/`; read
//! everything (ltmc-legacy, read-only); build the result in a staging store
//! (`DATA_DIR/migrate-staging/`, a copy of the current store if there is
//! one); embed every chunk's raw text (when there is an index) and match it
//! to the legacy vectors; import; and only when all of it is written move
//! the current store aside and the staging one into place (`history.rs`).
//! Any error before the switch leaves the configured store untouched; so
//! does a store that changed meanwhile (another ltmc process wrote it: its
//! writes would be lost), which is refused at the switch. Checksums after
//! the run prove the source unchanged.
//!
//! Resumable: a killed run leaves its staging store (batches written so
//! far, one transaction each) and the raw-text embeddings done so far; the
//! next run of the same source into the same, unchanged store picks both
//! up (`staging.rs`), and anything else starts over.
//!
//! The store is a set of files in the data dir ([`StoreLayout`]) opened by
//! the caller's function ([`OpenStore`]): the backend is the caller's
//! choice. Not here: PostgreSQL targets (no staging directory to switch),
//! printing the report.

use crate::embed_cache::embed_cached;
use crate::history::{BACKUPS, switch};
use crate::import::{self, TableReport};
use crate::staging::{self, FRESH_CACHE, STAGING, StagingMarker};
use crate::verify::read_database;
use crate::{MigrateError, Progress, SourceFiles};
use ltmc_core::embed::Embedder;
use ltmc_core::{ChunkConfig, Project};
use ltmc_legacy::matching::VectorReport;
use ltmc_legacy::{LEGACY_TABLES, LegacyIndex};
use ltmc_store::{Store, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// The files of a store in a data dir.
#[derive(Debug, Clone, Copy)]
pub struct StoreLayout {
    /// The file whose presence means there is a store.
    pub main: &'static str,
    /// Every file of a store (moved at the switch and the rollback).
    pub files: &'static [&'static str],
    /// The files that hold its data (copied into staging and compared).
    pub data: &'static [&'static str],
}

/// Opens (creating when missing) the store in a directory for the model.
pub type OpenStore =
    dyn Fn(&Path, &dyn Embedder) -> Result<Arc<dyn Store>, StoreError> + Send + Sync;

/// A data dir and how its store is laid out and opened.
pub struct DataDir<'a> {
    pub path: &'a Path,
    pub layout: StoreLayout,
    pub open: &'a OpenStore,
}

impl std::fmt::Debug for DataDir<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataDir")
            .field("path", &self.path)
            .field("layout", &self.layout)
            .finish_non_exhaustive()
    }
}

/// What a run is asked to do.
#[derive(Debug, Clone)]
pub struct MigrateOptions {
    pub project: Project,
    pub chunking: ChunkConfig,
    /// Read and report everything, write nothing.
    pub dry_run: bool,
    /// Chunks written per transaction (whole resources).
    pub batch_chunks: usize,
}

/// What a run did, per table and in total.
#[derive(Debug, Serialize)]
pub struct MigrateReport {
    pub dry_run: bool,
    /// Whether this run picked up a killed run's staging store.
    pub resumed: bool,
    pub project: String,
    pub source: String,
    pub index: Option<String>,
    pub index_format: Option<ltmc_legacy::IndexFormat>,
    pub missing_tables: Vec<String>,
    pub other_tables: Vec<String>,
    pub tables: BTreeMap<String, TableReport>,
    pub vectors: VectorReport,
    pub backup: Option<String>,
    pub source_unchanged: bool,
    pub seconds: f64,
    pub chunks_per_second: f64,
    /// Seconds per step: read, embed_for_matching, match, import, switch.
    pub phase_seconds: BTreeMap<&'static str, f64>,
}

async fn read_index(path: &Path) -> Result<LegacyIndex, MigrateError> {
    let path = path.to_owned();
    Ok(tokio::task::spawn_blocking(move || LegacyIndex::read(&path)).await??)
}

/// Runs a migration of `sources` into `data_dir`'s store.
pub async fn migrate(
    sources: &SourceFiles,
    data_dir: &DataDir<'_>,
    embedder: Arc<dyn Embedder>,
    options: &MigrateOptions,
    progress: &dyn Progress,
) -> Result<MigrateReport, MigrateError> {
    let started = Instant::now();
    let dir = data_dir.path;
    let dry_run = options.dry_run;
    let mut phases: BTreeMap<&'static str, f64> = BTreeMap::new();
    let marker = StagingMarker {
        stamp: crate::files::timestamp(),
        project: options.project.as_str().to_owned(),
        model_id: embedder.model_id().to_owned(),
        sources: sources.checksums.clone(),
        store: staging::store_checksums(dir, &data_dir.layout)?,
    };
    let staging = dir.join(STAGING);
    let resumed = if dry_run {
        None
    } else {
        staging::resumable(&staging, &marker)
    };
    let stamp = resumed.as_ref().map_or(&marker.stamp, |m| &m.stamp).clone();
    let backups_existed = dir.join(BACKUPS).exists();
    let backup_dir = dir.join(BACKUPS).join(&stamp).join("source");
    let backup_made = !dry_run && !backup_dir.exists();
    let backup = if dry_run {
        None
    } else {
        if backup_made {
            std::fs::create_dir_all(&backup_dir).map_err(MigrateError::io(
                "cannot create the backup dir",
                &backup_dir,
            ))?;
            for src in sources.paths() {
                let name = src.file_name().unwrap_or(src.as_os_str());
                std::fs::copy(&src, backup_dir.join(name))
                    .map_err(MigrateError::io("cannot back up", &src))?;
            }
        }
        Some(backup_dir.clone())
    };

    let phase = Instant::now();
    let read = async {
        let db = read_database(&sources.database).await?;
        let index = match &sources.index {
            Some(p) => Some(read_index(p).await?),
            None => None,
        };
        Ok::<_, MigrateError>((db, index))
    };
    let (db, index) = match read.await {
        Ok(read) => read,
        Err(e) => {
            // Nothing to migrate: leave the data dir as it was.
            if backup_made && let Some(stamp_dir) = backup_dir.parent() {
                let _ = std::fs::remove_dir_all(stamp_dir);
            }
            if !backups_existed {
                let _ = std::fs::remove_dir(dir.join(BACKUPS));
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
    if !dry_run && resumed.is_none() {
        staging::start(dir, &data_dir.layout, &staging, &marker)?;
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
                let cache = (!dry_run).then(|| staging.join(FRESH_CACHE));
                let texts: Vec<&str> = db.chunks.iter().map(|c| c.text.as_str()).collect();
                embed_cached(&embedder, &texts, cache.as_deref(), progress).await?
            }
            None => vec![Vec::new(); db.chunks.len()],
        };
        phases.insert("embed_for_matching", phase.elapsed().as_secs_f64());
        let phase = Instant::now();
        let vectors = import::vector_report(&db, index.as_ref(), &fresh)?;
        phases.insert("match", phase.elapsed().as_secs_f64());
        let phase = Instant::now();
        if dry_run {
            import::plan_resources(&db, &mut tables);
            for (name, t) in &mut tables {
                t.imported = t.read - t.skipped;
                if matches!(name.as_str(), "VectorIdSequence" | "RetrievalWeights") {
                    t.skipped = t.read;
                    t.imported = 0;
                }
            }
        } else {
            // The staging store: a copy of the current one, and on a resumed
            // run whatever the killed run wrote.
            let store = (data_dir.open)(&staging, embedder.as_ref())?;
            let memory = ltmc_service::Memory::new(store, Arc::clone(&embedder), options.chunking)?;
            let project = &options.project;
            let batch = options.batch_chunks;
            import::import(&memory, project, &db, &fresh, batch, &mut tables, progress).await?;
        }
        phases.insert("import", phase.elapsed().as_secs_f64());
        Ok::<_, MigrateError>(vectors)
    };
    let vectors = match result.await {
        Ok(v) => v,
        Err(e) => {
            // A failure, not a kill: running again would fail the same way,
            // so nothing is kept to resume.
            if !dry_run {
                let _ = std::fs::remove_dir_all(&staging);
            }
            return Err(e);
        }
    };
    if !dry_run {
        let phase = Instant::now();
        if staging::store_checksums(dir, &data_dir.layout)? != marker.store {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(MigrateError::StoreChanged {
                data_dir: dir.to_owned(),
            });
        }
        switch(dir, &data_dir.layout, &staging, &marker.stamp)?;
        phases.insert("switch", phase.elapsed().as_secs_f64());
    }
    if !sources.unchanged()? {
        return Err(MigrateError::SourceChanged);
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(MigrateReport {
        dry_run,
        resumed: resumed.is_some(),
        project: options.project.as_str().to_owned(),
        source: shown(&sources.database),
        index: sources.index.as_deref().map(shown),
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
        source_unchanged: true,
        seconds,
        chunks_per_second: db.chunks.len() as f64 / seconds.max(1e-9),
        phase_seconds: phases,
    })
}

/// A path for reports: as the caller gave it.
fn shown(path: &Path) -> String {
    path.display().to_string()
}
