//! [`LazyEmbedder`]: the default model, fetched and loaded on the first call
//! that embeds, not when a command starts. Commands that embed nothing
//! (keyword search, listing, deleting, audits, doctor) then neither fetch the
//! ~90 MB model on a fresh machine nor spend the second loading it takes.
//!
//! Its id and dimension are the default model's, known without the files
//! (a store records them at open); the loaded model must agree, else the
//! first embed fails with a corrupt-model error. A failed load is not kept:
//! the next call tries again. Not the model itself (`onnx.rs`, `bert.rs`) nor its cache
//! (`provision.rs`).

use crate::provision::ModelStore;
use crate::{EmbedError, Embedder, ModelChoice, Runtime};
use std::sync::{Arc, Mutex};

/// all-MiniLM-L6-v2's vector length.
pub const DEFAULT_DIMENSION: usize = 384;

/// The default model, loaded on first use.
pub struct LazyEmbedder {
    store: ModelStore,
    runtime: Runtime,
    threads: Option<usize>,
    choice: ModelChoice,
    loaded: Mutex<Option<Arc<dyn Embedder>>>,
}

impl LazyEmbedder {
    /// The default model on the default runtime with the default threads.
    pub fn new(store: ModelStore) -> Self {
        Self::with_runtime(store, Runtime::default(), None)
    }

    /// The default model on `runtime`, with `threads` (None: the physical cores).
    pub fn with_runtime(store: ModelStore, runtime: Runtime, threads: Option<usize>) -> Self {
        Self {
            store,
            runtime,
            threads,
            choice: ModelChoice::default(),
            loaded: Mutex::new(None),
        }
    }

    /// The int8 variant or the exact model (the default).
    #[must_use]
    pub fn with_model(mut self, choice: ModelChoice) -> Self {
        self.choice = choice;
        self
    }

    /// The runtime the model is (or will be) loaded on.
    pub fn runtime(&self) -> Runtime {
        self.runtime
    }

    /// The model, fetched and loaded if this is the first call.
    pub fn model(&self) -> Result<Arc<dyn Embedder>, EmbedError> {
        // A poisoned lock only means a load panicked; the slot is still sound.
        let mut slot = self
            .loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(model) = slot.as_ref() {
            return Ok(Arc::clone(model));
        }
        let model = crate::runtime_choice::load_model(
            &self.store,
            self.choice,
            self.runtime,
            self.threads,
        )?;
        let expected_id = self.choice.id();
        if model.dimension() != DEFAULT_DIMENSION || model.model_id() != expected_id {
            return Err(EmbedError::ModelCorrupt {
                path: self.store.dir().to_path_buf(),
                reason: format!(
                    "the model is {} with {} dimensions, not {expected_id} with {DEFAULT_DIMENSION}",
                    model.model_id(),
                    model.dimension()
                ),
                hint: "delete the model folder; ltmc fetches the model again on first use".into(),
            });
        }
        *slot = Some(Arc::clone(&model));
        Ok(model)
    }

    /// Whether the model has been loaded by this process.
    pub fn is_loaded(&self) -> bool {
        self.loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some()
    }
}

impl Embedder for LazyEmbedder {
    fn model_id(&self) -> &str {
        self.choice.id()
    }

    fn dimension(&self) -> usize {
        DEFAULT_DIMENSION
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        self.model()?.embed(texts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::DEFAULT_MODEL_ID;

    #[test]
    fn nothing_is_fetched_until_a_text_is_embedded() {
        // A model folder that cannot exist (a file is in the way): any fetch
        // or load fails, so passing calls prove none was attempted.
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("models");
        std::fs::write(&blocker, b"not a folder").unwrap();
        let lazy = LazyEmbedder::new(ModelStore::new(blocker.join("all-MiniLM-L6-v2")));
        assert_eq!(lazy.model_id(), DEFAULT_MODEL_ID);
        assert_eq!(lazy.dimension(), DEFAULT_DIMENSION);
        assert!(lazy.embed(&[]).unwrap().is_empty());
        assert!(!lazy.is_loaded());
        let err = lazy.embed(&["now it must load"]).unwrap_err();
        assert!(
            matches!(
                err,
                EmbedError::ModelMissing { .. } | EmbedError::ModelCorrupt { .. }
            ),
            "{err}"
        );
        assert!(!lazy.is_loaded(), "a failed load is not kept");
    }
}
