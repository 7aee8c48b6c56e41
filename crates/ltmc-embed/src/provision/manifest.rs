//! The manifest written next to a verified model: each file's size, mtime and sha256,
//! plus the model id that `BertEmbedder::load` reports.
//!
//! It makes a start cheap (stat three files instead of hashing 90 MB) and is not a
//! security boundary: anyone who can rewrite the model can rewrite the manifest too.
//! `ModelStore::verify` is the full check.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::PINNED_FILES;

pub(crate) const MANIFEST_FILE: &str = "ltmc-manifest.json";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    model_id: String,
    #[serde(default)]
    files: Vec<FileRecord>,
}

/// What one model file looked like when it was last hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileRecord {
    pub name: String,
    pub size: u64,
    pub mtime_ns: u64,
    pub sha256: String,
}

/// Hashes a file and records its size and mtime as seen through the same handle.
pub(crate) fn hash_file(path: &Path, name: &str) -> io::Result<FileRecord> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let meta = file.metadata()?;
    Ok(FileRecord {
        name: name.to_owned(),
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
        sha256: hex::encode(hasher.finalize()),
    })
}

/// A record for a file whose hash was computed while it was written.
pub(crate) fn record(path: &Path, name: &str, sha256: String) -> io::Result<FileRecord> {
    let meta = fs::metadata(path)?;
    Ok(FileRecord {
        name: name.to_owned(),
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
        sha256,
    })
}

/// Writes the manifest atomically, so a crash leaves the old one or the new one.
pub(crate) fn write(dir: &Path, model_id: &str, files: Vec<FileRecord>) -> io::Result<()> {
    let manifest = Manifest {
        model_id: model_id.to_owned(),
        files,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
    let mut builder = tempfile::Builder::new();
    // tempfile's default 0600 would hide the manifest from other users of a shared cache.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder.prefix(".manifest-").tempfile_in(dir)?;
    tmp.write_all(&json)?;
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(MANIFEST_FILE)).map_err(|e| e.error)?;
    Ok(())
}

/// A manifest that only names the model, for folders no store manages (test models).
pub(crate) fn write_model_id(dir: &Path, model_id: &str) -> io::Result<()> {
    write(dir, model_id, Vec::new())
}

/// The model id recorded in `dir`, if a manifest is there.
pub(crate) fn read_model_id(dir: &Path) -> Option<String> {
    read(dir).map(|m| m.model_id)
}

/// True when every pinned file is recorded with its pinned hash and still has the
/// size and mtime it had when it was hashed.
pub(crate) fn matches(dir: &Path) -> bool {
    let Some(manifest) = read(dir) else {
        return false;
    };
    PINNED_FILES.iter().all(|pinned| {
        let Some(rec) = manifest.files.iter().find(|r| r.name == pinned.name) else {
            return false;
        };
        let Ok(meta) = fs::metadata(dir.join(pinned.name)) else {
            return false;
        };
        rec.sha256 == pinned.sha256 && rec.size == meta.len() && rec.mtime_ns == mtime_ns(&meta)
    })
}

fn read(dir: &Path) -> Option<Manifest> {
    let bytes = fs::read(dir.join(MANIFEST_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Nanoseconds since the epoch; 0 where the platform has no mtime, which leaves the
/// size as the only quick check.
pub(crate) fn mtime_ns(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_id_round_trips_and_an_id_only_manifest_never_matches() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_model_id(dir.path()), None);
        write_model_id(dir.path(), "ltmc-test/x").unwrap();
        assert_eq!(read_model_id(dir.path()).as_deref(), Some("ltmc-test/x"));
        assert!(!matches(dir.path()));
    }

    #[test]
    fn hash_file_records_size_and_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, b"abc").unwrap();
        let rec = hash_file(&path, "f").unwrap();
        assert_eq!(rec.size, 3);
        assert_eq!(
            rec.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(rec, record(&path, "f", rec.sha256.clone()).unwrap());
    }
}
