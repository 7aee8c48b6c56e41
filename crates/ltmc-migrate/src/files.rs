//! File helpers of a legacy migration: the source files and their
//! checksums, sha256 of a file, the migration's timestamp, and writing a
//! small JSON file whole (via a `.part` file and a rename). Not here: which
//! files make up a store (the caller's [`crate::StoreLayout`]).

use crate::MigrateError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The original LTMC's files a migration reads: the database and, when
/// there is one, its vector index; with their sha256 when first read.
#[derive(Debug, Clone)]
pub struct SourceFiles {
    pub database: PathBuf,
    pub index: Option<PathBuf>,
    /// sha256 of [`SourceFiles::paths`], in that order.
    pub checksums: Vec<String>,
}

impl SourceFiles {
    /// Checksums the files; a missing or unreadable one is an error naming it.
    pub fn read(database: PathBuf, index: Option<PathBuf>) -> Result<Self, MigrateError> {
        let mut files = Self {
            database,
            index,
            checksums: Vec::new(),
        };
        files.checksums = checksums(&files.paths())?;
        Ok(files)
    }

    /// The index a database has when none is named: `faiss_index` beside it.
    pub fn default_index(database: &Path) -> Option<PathBuf> {
        let guess = database.with_file_name("faiss_index");
        guess.is_file().then_some(guess)
    }

    /// The database, then the index.
    pub fn paths(&self) -> Vec<PathBuf> {
        std::iter::once(self.database.clone())
            .chain(self.index.clone())
            .collect()
    }

    /// Whether the files still have the checksums they had when read.
    pub fn unchanged(&self) -> Result<bool, MigrateError> {
        Ok(checksums(&self.paths())? == self.checksums)
    }
}

fn checksums(paths: &[PathBuf]) -> Result<Vec<String>, MigrateError> {
    paths
        .iter()
        .map(|p| {
            let cannot = |reason: String| MigrateError::SourceUnreadable {
                path: p.clone(),
                reason,
            };
            match sha256_file(p) {
                Ok(Some(sum)) => Ok(sum),
                Ok(None) => Err(cannot("no such file".into())),
                Err(e) => Err(cannot(e.to_string())),
            }
        })
        .collect()
}

/// The hex sha256 of a file's bytes; `None` when there is no such file.
pub(crate) fn sha256_file(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(hex::encode(Sha256::digest(&bytes)))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// A migration's name: UTC time to the millisecond, sortable as text.
pub(crate) fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}_{:02}{:02}{:02}_{:03}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}

/// Writes `value` as pretty JSON to `path`, whole or not at all (a torn
/// file would read as none).
pub(crate) fn write_json_whole<T: Serialize>(path: &Path, value: &T) -> Result<(), MigrateError> {
    let bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| MigrateError::io("cannot encode", path)(std::io::Error::other(e)))?;
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    std::fs::write(&part, bytes).map_err(MigrateError::io("cannot write", &part))?;
    std::fs::rename(&part, path).map_err(MigrateError::io("cannot write", path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_follow_the_bytes_and_name_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ltmc.db");
        std::fs::write(&db, b"abc").unwrap();
        let files = SourceFiles::read(db.clone(), None).unwrap();
        // sha256("abc"), the FIPS 180-2 example.
        assert_eq!(
            files.checksums,
            ["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"]
        );
        assert!(files.unchanged().unwrap());
        std::fs::write(&db, b"abd").unwrap();
        assert!(!files.unchanged().unwrap());

        let missing = dir.path().join("faiss_index");
        assert_eq!(SourceFiles::default_index(&db), None);
        let err = SourceFiles::read(db, Some(missing.clone())).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot read {}: no such file", missing.display())
        );
    }

    #[test]
    fn json_is_written_whole_without_a_part_file_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        write_json_whole(&path, &vec![1, 2]).unwrap();
        let back: Vec<i32> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(back, [1, 2]);
        assert!(!dir.path().join("x.json.part").exists());
        assert_eq!(timestamp().len(), "20250131_091502_123".len());
    }
}
