//! What the served fuzz targets (`jsonrpc`, `stdio`) share: the tools over a
//! real SQLite store in a temporary directory, with a deterministic embedder
//! of our own (no model, no ltmc-embed to build instrumented), and a
//! single-threaded runtime. Not a harness body (those live in the owning
//! crates' `fuzz` modules), and nothing the product ships.

#[cfg(feature = "served")]
mod served {
    use ltmc_core::embed::{EmbedError, Embedder};
    use ltmc_core::{ChunkConfig, Project};
    use ltmc_service::Memory;
    use ltmc_store_sqlite::SqliteStore;
    use ltmc_tools::Tools;
    use std::sync::Arc;
    use std::time::Duration;

    const DIMENSION: usize = 32;

    /// Bytes hashed into buckets, L2-normalised: deterministic and fast.
    struct Bytes;

    impl Embedder for Bytes {
        fn model_id(&self) -> &str {
            "fuzz-bytes-32"
        }

        fn dimension(&self) -> usize {
            DIMENSION
        }

        fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
            Ok(texts
                .iter()
                .map(|text| {
                    let mut v = vec![0.0f32; DIMENSION];
                    v[0] = 1.0;
                    for (i, b) in text.bytes().enumerate() {
                        v[(usize::from(b) + i) % DIMENSION] += 1.0;
                    }
                    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                    v.iter_mut().for_each(|x| *x /= norm);
                    v
                })
                .collect())
        }
    }

    /// The tools over a fresh store in a temporary directory (kept for the
    /// life of the process), each call limited to 10 s.
    pub fn tools() -> Tools {
        let dir = tempfile::Builder::new()
            .prefix("ltmc-fuzz-")
            .tempdir_in(if std::path::Path::new("/dev/shm").is_dir() {
                "/dev/shm"
            } else {
                "/tmp"
            })
            .expect("a temporary directory");
        let dir = dir.keep();
        let spec = ltmc_store::EmbeddingSpec {
            model_id: "fuzz-bytes-32".into(),
            dimension: DIMENSION,
        };
        let store = SqliteStore::open(&dir.join("ltmc.db"), Some(&spec)).expect("the store");
        let memory = Memory::new(Arc::new(store), Arc::new(Bytes), ChunkConfig::default())
            .expect("the memory");
        Tools::new(memory, Project::default(), None).with_call_timeout(Duration::from_secs(10))
    }

    /// A single-threaded runtime for the harness bodies.
    pub fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
    }
}

#[cfg(feature = "served")]
pub use served::{runtime, tools};
