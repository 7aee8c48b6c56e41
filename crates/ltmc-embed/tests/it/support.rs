//! Shared fixtures: the real model, fetched once per test run and loaded once.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ltmc_embed::{Embedder, ModelStore, Runtime};

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

/// The real model on the default runtime (ONNX Runtime).
pub fn real_model() -> &'static dyn Embedder {
    static MODEL: OnceLock<Arc<dyn Embedder>> = OnceLock::new();
    MODEL.get_or_init(|| load(Runtime::Onnx)).as_ref()
}

/// The real model on candle.
pub fn real_model_candle() -> &'static dyn Embedder {
    static MODEL: OnceLock<Arc<dyn Embedder>> = OnceLock::new();
    MODEL.get_or_init(|| load(Runtime::Candle)).as_ref()
}

fn load(runtime: Runtime) -> Arc<dyn Embedder> {
    let store = ModelStore::new(real_model_dir());
    ltmc_embed::load(&store, runtime, None).unwrap_or_else(|e| {
        panic!(
            "the real model loads on {runtime}: {e}\nhint: {:?}",
            e.hint()
        )
    })
}

pub use ltmc_core::vector::cosine;
