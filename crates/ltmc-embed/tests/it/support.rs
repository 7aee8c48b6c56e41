//! Shared fixtures: the real model, fetched once per test run and loaded once.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ltmc_embed::{BertEmbedder, ModelStore};

/// The real model's folder, fetched into the user's cache (or `LTMC_MODEL_DIR`) if
/// it is not there yet.
pub fn real_model_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let store = ModelStore::from_env().expect("a model cache directory");
        store
            .ensure()
            .unwrap_or_else(|e| panic!("cannot provision the model: {e}\nhint: {:?}", e.hint()))
    })
}

pub fn real_model() -> &'static BertEmbedder {
    static MODEL: OnceLock<BertEmbedder> = OnceLock::new();
    MODEL.get_or_init(|| {
        let store = ModelStore::new(real_model_dir());
        ltmc_embed::load_default(&store).expect("the real model loads")
    })
}

pub use ltmc_core::vector::cosine;
