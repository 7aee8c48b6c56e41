//! Resolves where things are (data dir or database URL, model cache, project)
//! and opens the concrete backends: the one place that picks SQLite or
//! PostgreSQL, and the real model.
//!
//! Not a config file format: settings come from flags and `LTMC_*`
//! environment variables only (clap reads both).

use crate::cli::Global;
use anyhow::{Context as _, Result, bail};
use ltmc_core::{ChunkConfig, Project};
use ltmc_embed::Embedder;
use ltmc_service::Memory;
use ltmc_store::Store;
use ltmc_store_pg::PgStore;
use ltmc_store_sqlite::{Durability, EmbeddingSpec, IndexOptions, OpenOptions, SqliteStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The database file inside a data dir.
pub const DB_FILE: &str = "ltmc.db";

/// Chooses the embedder. The real model is the default; `hash[:DIM]` is a
/// deterministic model-free embedder for tests and offline smoke runs.
const EMBEDDER_ENV: &str = "LTMC_EMBEDDER";

#[derive(Debug, Clone)]
pub struct Context {
    pub data_dir: PathBuf,
    pub model_dir: PathBuf,
    pub project: Project,
    pub json: bool,
    pub ann_threshold: usize,
    pub chunking: ChunkConfig,
    /// The code base tools may read (guardian checks, imports).
    pub project_root: PathBuf,
    /// The PostgreSQL store, when one is configured instead of the data dir's
    /// SQLite file.
    pub database_url: Option<String>,
    /// Open the SQLite store read-only (`--read-only`, `LTMC_READ_ONLY`).
    pub read_only: bool,
    /// How safely SQLite commits (`--durability`, `LTMC_DURABILITY`).
    pub durability: Durability,
    /// What runs the model (`--runtime`, `LTMC_RUNTIME`).
    pub runtime: ltmc_embed::Runtime,
    /// Exact or int8 (`--model`, `LTMC_MODEL`).
    pub model: ltmc_embed::ModelChoice,
    /// Threads for the model (`--threads`, `LTMC_THREADS`; None: physical cores).
    pub threads: Option<usize>,
}

impl Context {
    pub fn from_global(global: &Global) -> Result<Self> {
        let project = Project::new(&global.project).map_err(|e| {
            crate::failure::with_hint(e, "pass --project NAME (letters, digits, '_', '-', '.')")
        })?;
        let data_dir = match &global.data_dir {
            Some(dir) => dir.clone(),
            None => dirs::data_dir()
                .map(|d| d.join("ltmc"))
                .context("cannot find the user's data directory; pass --data-dir DIR")?,
        };
        let model_dir = match &global.model_dir {
            Some(dir) => dir.clone(),
            None => ltmc_embed::ModelStore::default_dir().context(
                "cannot find the user's cache directory; pass --model-dir DIR or set LTMC_MODEL_DIR",
            )?,
        };
        Ok(Self {
            data_dir,
            model_dir,
            project,
            json: global.json,
            ann_threshold: global.ann_threshold,
            chunking: ChunkConfig {
                max_bytes: global.chunk_bytes,
                overlap_bytes: global.chunk_bytes.saturating_mul(15) / 100,
            },
            project_root: match &global.project_root {
                Some(dir) => dir.clone(),
                None => std::env::current_dir()
                    .context("cannot read the current directory; pass --project-root DIR")?,
            },
            database_url: global
                .database_url
                .clone()
                .filter(|url| !url.trim().is_empty()),
            read_only: global.read_only,
            durability: match global.durability {
                crate::cli::DurabilityArg::Normal => Durability::Normal,
                crate::cli::DurabilityArg::Full => Durability::Full,
            },
            runtime: global.runtime.into(),
            model: global.model.into(),
            threads: global.threads.filter(|&n| n > 0),
        })
    }

    /// Why the data dir is read-only, as far as the flags and its permission
    /// bits tell (the store finds the rest when it opens: a read-only mount).
    pub fn read_only_reason(&self) -> Option<String> {
        if self.read_only {
            return Some("--read-only / LTMC_READ_ONLY".into());
        }
        let readonly = |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.permissions().readonly());
        if readonly(&self.data_dir) {
            return Some(format!("{} has no write permission", shown(&self.data_dir)));
        }
        if readonly(&self.db_path()) {
            return Some(format!(
                "{} has no write permission",
                shown(&self.db_path())
            ));
        }
        None
    }

    /// A data dir that exists but is not a directory is refused with the fix.
    fn check_data_dir(&self) -> Result<()> {
        if self.database_url.is_none() && self.data_dir.exists() && !self.data_dir.is_dir() {
            return Err(crate::failure::with_hint(
                anyhow::anyhow!(
                    "--data-dir {} is a file, not a directory",
                    shown(&self.data_dir)
                ),
                data_dir_hint(&self.data_dir),
            ));
        }
        Ok(())
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }

    /// Loads the embedder once for this process (fetching the model on first use).
    pub fn embedder(&self) -> Result<Arc<dyn Embedder>> {
        match std::env::var(EMBEDDER_ENV).ok().as_deref() {
            None | Some("" | "minilm") => {
                // Loaded on the first text embedded: keyword search, lists,
                // deletes and doctor never fetch or load the model.
                let models = ltmc_embed::ModelStore::new(self.model_dir.clone());
                Ok(Arc::new(
                    ltmc_embed::LazyEmbedder::with_runtime(models, self.runtime, self.threads)
                        .with_model(self.model),
                ))
            }
            Some(spec) if spec.starts_with("hash") => {
                let dim = match spec.strip_prefix("hash:") {
                    Some(d) => d
                        .parse()
                        .with_context(|| format!("{EMBEDDER_ENV}={spec}: DIM must be a number"))?,
                    None => 384,
                };
                Ok(Arc::new(ltmc_embed::testing::HashEmbedder::new(dim)?))
            }
            Some(other) => {
                bail!("{EMBEDDER_ENV}={other} is not known; use `minilm` (default) or `hash[:DIM]`")
            }
        }
    }

    /// Where the store is, for messages: the database URL (without its
    /// password) or the SQLite file.
    pub fn store_location(&self) -> String {
        match &self.database_url {
            Some(url) => redact(url),
            None => shown(&self.db_path()),
        }
    }

    /// Opens the store for writing, creating the data dir when missing.
    pub fn open_for_write(&self, embedder: &dyn Embedder) -> Result<Arc<dyn Store>> {
        if self.database_url.is_some() {
            return self.open(Some(embedder));
        }
        self.check_data_dir()?;
        if self.read_only {
            // Nothing is created; the store opens read-only and refuses writes.
            return self.open_existing(Some(embedder));
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create the data dir {}", self.data_dir.display()))?;
        self.open(Some(embedder))
    }

    /// Opens an existing store; a missing one is an error with a hint.
    pub fn open_existing(&self, embedder: Option<&dyn Embedder>) -> Result<Arc<dyn Store>> {
        self.check_data_dir()?;
        if self.database_url.is_none() && !self.db_path().is_file() {
            return Err(crate::failure::with_hint(
                anyhow::anyhow!("no ltmc store in {}", self.data_dir.display()),
                "store something first (`ltmc store FILE`), run `ltmc init`, or pass the right --data-dir",
            ));
        }
        self.open(embedder)
    }

    fn open(&self, embedder: Option<&dyn Embedder>) -> Result<Arc<dyn Store>> {
        let spec = embedder.map(|e| EmbeddingSpec {
            model_id: e.model_id().to_owned(),
            dimension: e.dimension(),
        });
        if let Some(url) = &self.database_url {
            if self.read_only {
                return Err(crate::failure::with_hint(
                    anyhow::anyhow!(
                        "--read-only (LTMC_READ_ONLY) applies to the SQLite data dir, not to PostgreSQL"
                    ),
                    "leave out --read-only, or connect as a PostgreSQL user granted only SELECT",
                ));
            }
            // The commands open their store from synchronous code inside the
            // multi-threaded runtime (main.rs); block_in_place lets this one
            // async open run there without stalling the runtime's other tasks.
            let store = tokio::task::block_in_place(|| {
                tokio::runtime::Handle::current().block_on(PgStore::connect(url, spec.as_ref()))
            })?;
            return Ok(Arc::new(store));
        }
        let options = IndexOptions {
            ann_threshold: self.ann_threshold,
            progress: Arc::new(crate::progress::Bar::default()),
            ..IndexOptions::default()
        };
        let open = OpenOptions {
            durability: self.durability,
            read_only: self.read_only,
        };
        let store = SqliteStore::open_configured(&self.db_path(), spec.as_ref(), options, &open)?;
        if let Some(reason) = store.read_only()
            && !self.read_only
        {
            tracing::warn!(
                "{}: opened read-only ({reason}); writes will be refused",
                shown(&self.db_path())
            );
        }
        Ok(Arc::new(store))
    }

    /// The OpenAI-compatible chat endpoint `ask_with_context` asks, when
    /// `LTMC_LLM_BASE_URL` and `LTMC_LLM_MODEL` are set (`LTMC_LLM_API_KEY`
    /// optional). One without the other is an error, not a silent fallback.
    pub fn llm() -> Result<Option<ltmc_service::LlmConfig>> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        match (var("LTMC_LLM_BASE_URL"), var("LTMC_LLM_MODEL")) {
            (None, None) => Ok(None),
            (Some(base_url), Some(model)) => Ok(Some(ltmc_service::LlmConfig {
                base_url,
                model,
                api_key: var("LTMC_LLM_API_KEY"),
            })),
            (Some(_), None) => Err(crate::failure::with_hint(
                anyhow::anyhow!("LTMC_LLM_BASE_URL is set but LTMC_LLM_MODEL is not"),
                "set LTMC_LLM_MODEL to the chat model's name, or unset LTMC_LLM_BASE_URL",
            )),
            (None, Some(_)) => Err(crate::failure::with_hint(
                anyhow::anyhow!("LTMC_LLM_MODEL is set but LTMC_LLM_BASE_URL is not"),
                "set LTMC_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1), or unset LTMC_LLM_MODEL",
            )),
        }
    }

    /// The embedder and the store it writes to, as one service.
    pub fn memory(&self, write: bool) -> Result<Memory> {
        self.memory_with(write, self.chunking)
    }

    /// [`Context::memory`] with another chunk layout (benchmarks).
    pub fn memory_with(&self, write: bool, chunking: ChunkConfig) -> Result<Memory> {
        if !write {
            // Fail on a wrong data dir before paying for the model.
            self.open_existing(None)?;
        }
        let embedder = self.embedder()?;
        let store = if write {
            self.open_for_write(embedder.as_ref())?
        } else {
            self.open_existing(Some(embedder.as_ref()))?
        };
        Ok(Memory::new(store, embedder, chunking)?)
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_owned(),
    }
}

/// The fix for a data dir that is a file: its directory when it is the
/// database itself.
pub fn data_dir_hint(dir: &Path) -> String {
    match dir.parent().filter(|p| dir.file_name() == Some(DB_FILE.as_ref()) && !p.as_os_str().is_empty()) {
        Some(parent) => format!(
            "pass the directory that holds it: --data-dir {} (or LTMC_DATA_DIR)",
            shown(parent)
        ),
        None => "pass a directory (the one that holds ltmc.db, or a new one) with --data-dir or LTMC_DATA_DIR".into(),
    }
}

/// A path for messages: as the user gave it.
pub fn shown(path: &Path) -> String {
    path.display().to_string()
}
