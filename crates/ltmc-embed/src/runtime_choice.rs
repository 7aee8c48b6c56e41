//! Which runtime runs the model: [`Runtime::Onnx`] (ONNX Runtime, the default) or
//! [`Runtime::Candle`] (pure Rust, kept as a fallback for platforms without a
//! pinned ONNX Runtime build), and [`load`], which fetches what the choice needs
//! and loads the model on it; [`ModelChoice`], exact or int8. Not the runtimes themselves.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::onnx::Precision;
use crate::onnx::runtime::{self as ort_runtime, ORT_VERSION};
use crate::provision::DEFAULT_MODEL_ID;
use crate::{BertEmbedder, EmbedError, Embedder, ModelStore, OnnxEmbedder};

/// The environment variable that picks the runtime (the CLI's `--runtime`).
pub const RUNTIME_ENV: &str = "LTMC_RUNTIME";

/// The environment variable that caps the threads (the CLI's `--threads`).
pub const THREADS_ENV: &str = "LTMC_THREADS";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Runtime {
    /// ONNX Runtime, library fetched from PyPI on first use.
    #[default]
    Onnx,
    /// candle, compiled in.
    Candle,
}

impl Runtime {
    /// `$LTMC_RUNTIME`, else the default; an unknown value is an error.
    pub fn from_env() -> Result<Self, EmbedError> {
        match std::env::var(RUNTIME_ENV) {
            Ok(v) if !v.is_empty() => v.parse(),
            _ => Ok(Self::default()),
        }
    }
}

impl FromStr for Runtime {
    type Err = EmbedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "onnx" | "ort" | "onnxruntime" => Ok(Self::Onnx),
            "candle" => Ok(Self::Candle),
            other => Err(EmbedError::Invalid(format!(
                "runtime {other:?} is not known; use `onnx` (default) or `candle`"
            ))),
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Onnx => "onnx",
            Self::Candle => "candle",
        })
    }
}

/// Threads to use: `requested` when given and non-zero, else `$LTMC_THREADS`, else
/// the physical cores.
pub fn threads_or_default(requested: Option<usize>) -> usize {
    requested
        .filter(|&n| n > 0)
        .or_else(|| {
            std::env::var(THREADS_ENV)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .filter(|&n: &usize| n > 0)
        })
        .unwrap_or_else(crate::cpu::physical_cores)
}

/// The id stores record for vectors of the int8 variant: a model of its own, so
/// its vectors never mix with the fp32 model's.
pub const INT8_MODEL_ID: &str = "sentence-transformers/all-MiniLM-L6-v2-int8";

/// Which model embeds: all-MiniLM-L6-v2 exact (fp32), or its int8 variant
/// (weights quantised by ltmc at load time; ONNX Runtime only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModelChoice {
    #[default]
    MiniLm,
    MiniLmInt8,
}

impl ModelChoice {
    /// The id recorded in stores.
    pub fn id(self) -> &'static str {
        match self {
            Self::MiniLm => DEFAULT_MODEL_ID,
            Self::MiniLmInt8 => INT8_MODEL_ID,
        }
    }
}

impl FromStr for ModelChoice {
    type Err = EmbedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let s = s.strip_prefix("sentence-transformers/").unwrap_or(s);
        match s.to_ascii_lowercase().as_str() {
            "all-minilm-l6-v2" => Ok(Self::MiniLm),
            "all-minilm-l6-v2-int8" => Ok(Self::MiniLmInt8),
            other => Err(EmbedError::Invalid(format!(
                "model {other:?} is not known; use `all-MiniLM-L6-v2` (default) or \
                 `all-MiniLM-L6-v2-int8`"
            ))),
        }
    }
}

/// Fetches the default model (and, for ONNX, the runtime library) on first use
/// and loads it on `runtime` with `threads` (see [`threads_or_default`]).
pub fn load(
    store: &ModelStore,
    runtime: Runtime,
    threads: Option<usize>,
) -> Result<Arc<dyn Embedder>, EmbedError> {
    load_model(store, ModelChoice::default(), runtime, threads)
}

/// [`load`] for a chosen model variant.
pub fn load_model(
    store: &ModelStore,
    model: ModelChoice,
    runtime: Runtime,
    threads: Option<usize>,
) -> Result<Arc<dyn Embedder>, EmbedError> {
    if model == ModelChoice::MiniLmInt8 && runtime == Runtime::Candle {
        return Err(EmbedError::Invalid(
            "the int8 model runs on ONNX Runtime only; drop `--runtime candle` or choose \
             `--model all-MiniLM-L6-v2`"
                .into(),
        ));
    }
    let dir = store.ensure()?;
    let threads = threads_or_default(threads);
    match runtime {
        Runtime::Onnx => {
            let lib = store.ensure_runtime()?;
            let precision = match model {
                ModelChoice::MiniLm => Precision::Fp32,
                ModelChoice::MiniLmInt8 => Precision::Int8,
            };
            Ok(Arc::new(OnnxEmbedder::load_precision(
                &dir,
                model.id().to_owned(),
                &lib,
                threads,
                precision,
            )?))
        }
        Runtime::Candle => {
            // candle reads its thread count from rayon's pool, sized by this
            // variable the first time it is used.
            if std::env::var_os("RAYON_NUM_THREADS").is_none() {
                set_rayon_threads(threads);
            }
            Ok(Arc::new(BertEmbedder::load_with_id(
                &dir,
                DEFAULT_MODEL_ID,
            )?))
        }
    }
}

#[allow(unsafe_code)]
fn set_rayon_threads(threads: usize) {
    // SAFETY: `set_var` races only with other threads reading the environment at
    // the same moment; this runs once, while the model loads, before candle
    // starts its thread pool, and ltmc reads no variables concurrently then.
    unsafe { std::env::set_var("RAYON_NUM_THREADS", threads.to_string()) };
}

/// What `ltmc doctor` says about a runtime, without loading a model.
pub fn describe(runtime: Runtime, store: &ModelStore, threads: Option<usize>) -> String {
    let threads = threads_or_default(threads);
    let cpu = crate::cpu::vector_features();
    let cpu = if cpu.is_empty() {
        "none".to_owned()
    } else {
        cpu
    };
    match runtime {
        Runtime::Onnx => {
            let lib = std::env::var_os(ort_runtime::LIB_ENV).map_or_else(
                || {
                    let dir = ort_runtime::runtime_dir(store.dir());
                    if dir.is_dir() {
                        dir.display().to_string()
                    } else {
                        format!("{} (fetched on first use)", dir.display())
                    }
                },
                |p| format!("{} (from {})", p.to_string_lossy(), ort_runtime::LIB_ENV),
            );
            format!(
                "onnx: ONNX Runtime {ORT_VERSION} at {lib}; {threads} threads; CPU features: {cpu}"
            )
        }
        Runtime::Candle => format!("candle (built in); {threads} threads; CPU features: {cpu}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes_parse_and_print() {
        assert_eq!("onnx".parse::<Runtime>().unwrap(), Runtime::Onnx);
        assert_eq!(" Candle ".parse::<Runtime>().unwrap(), Runtime::Candle);
        assert_eq!(Runtime::default().to_string(), "onnx");
        let err = "torch".parse::<Runtime>().unwrap_err();
        assert!(err.to_string().contains("`candle`"), "{err}");
    }

    #[test]
    fn models_parse_by_name_or_id() {
        assert_eq!(
            "all-MiniLM-L6-v2".parse::<ModelChoice>().unwrap(),
            ModelChoice::MiniLm
        );
        let int8: ModelChoice = "sentence-transformers/all-MiniLM-L6-v2-int8"
            .parse()
            .unwrap();
        assert_eq!(int8.id(), INT8_MODEL_ID);
        assert!("bge-small".parse::<ModelChoice>().is_err());
        let Err(err) = load_model(
            &ModelStore::new("/nonexistent/m"),
            ModelChoice::MiniLmInt8,
            Runtime::Candle,
            None,
        ) else {
            panic!("int8 on candle must be refused");
        };
        assert!(err.to_string().contains("ONNX Runtime only"), "{err}");
    }

    #[test]
    fn an_explicit_thread_count_wins() {
        assert_eq!(threads_or_default(Some(3)), 3);
        assert!(threads_or_default(None) >= 1);
    }
}
