//! The staging store of a legacy migration: a directory beside the store
//! (`DATA_DIR/migrate-staging/`) that starts as a copy of the current
//! store's data files, receives the import, and is switched in at the end.
//! Its marker (`staging.json`) says which source, project, model and store
//! it belongs to: a killed run is resumed only when all of them still hold.
//! Not here: the switch and the history (`history.rs`).

use crate::files::{sha256_file, write_json_whole};
use crate::{MigrateError, StoreLayout};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub(crate) const STAGING: &str = "migrate-staging";
const STAGING_MARKER: &str = "staging.json";
/// The raw-text embeddings done so far (see `embed_cache.rs`).
pub(crate) const FRESH_CACHE: &str = "fresh.f32";

/// What a staging store belongs to: a later run resumes it only when all
/// of this is still true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StagingMarker {
    pub stamp: String,
    pub project: String,
    pub model_id: String,
    /// sha256 of the source files (database, index).
    pub sources: Vec<String>,
    /// sha256 of the current store's data files when they were copied.
    pub store: Vec<Option<String>>,
}

/// The staging marker of a killed run that this run may resume: same
/// source, project, model and unchanged current store. A staging dir of
/// anything else is left to [`start`], which replaces it.
pub(crate) fn resumable(staging: &Path, wanted: &StagingMarker) -> Option<StagingMarker> {
    let bytes = std::fs::read(staging.join(STAGING_MARKER)).ok()?;
    let found: StagingMarker = serde_json::from_slice(&bytes).ok()?;
    let same = found.project == wanted.project
        && found.model_id == wanted.model_id
        && found.sources == wanted.sources
        && found.store == wanted.store;
    same.then_some(found)
}

/// A fresh staging dir: a copy of the current store's data files from
/// `data_dir`, and the marker saying what it belongs to (written last: a
/// staging dir without one is never resumed).
pub(crate) fn start(
    data_dir: &Path,
    layout: &StoreLayout,
    staging: &Path,
    marker: &StagingMarker,
) -> Result<(), MigrateError> {
    if staging.exists() {
        tracing::info!(
            "discarding {}: it belongs to another migration",
            staging.display()
        );
        std::fs::remove_dir_all(staging).map_err(MigrateError::io("cannot remove", staging))?;
    }
    std::fs::create_dir_all(staging).map_err(MigrateError::io("cannot create", staging))?;
    for name in layout.data {
        let src = data_dir.join(name);
        if src.is_file() {
            std::fs::copy(&src, staging.join(name))
                .map_err(MigrateError::io("cannot copy", &src))?;
        }
    }
    write_json_whole(&staging.join(STAGING_MARKER), marker)
}

/// sha256 of the store's data files in `dir` (`None` for an absent one).
pub(crate) fn store_checksums(
    dir: &Path,
    layout: &StoreLayout,
) -> Result<Vec<Option<String>>, MigrateError> {
    layout
        .data
        .iter()
        .map(|name| {
            let path = dir.join(name);
            sha256_file(&path).map_err(MigrateError::io("cannot read", &path))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: StoreLayout = StoreLayout {
        main: "s.db",
        files: &["s.db", "s.db-wal", "s.db-idx"],
        data: &["s.db", "s.db-wal"],
    };

    fn marker(stamp: &str, store: Vec<Option<String>>) -> StagingMarker {
        StagingMarker {
            stamp: stamp.into(),
            project: "p".into(),
            model_id: "m".into(),
            sources: vec!["aa".into()],
            store,
        }
    }

    #[test]
    fn a_staging_dir_is_resumed_only_for_the_same_source_project_model_and_store() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path();
        std::fs::write(data.join("s.db"), b"store").unwrap();
        std::fs::write(data.join("s.db-idx"), b"cache").unwrap();
        let sums = store_checksums(data, &LAYOUT).unwrap();
        assert!(sums[0].is_some() && sums[1].is_none(), "{sums:?}");

        let staging = data.join(STAGING);
        assert_eq!(resumable(&staging, &marker("1", sums.clone())), None);
        start(data, &LAYOUT, &staging, &marker("1", sums.clone())).unwrap();
        // Only the data files are copied.
        assert_eq!(std::fs::read(staging.join("s.db")).unwrap(), b"store");
        assert!(!staging.join("s.db-idx").exists());

        // Another stamp (a later run) resumes the earlier one's stamp.
        let found = resumable(&staging, &marker("2", sums.clone())).unwrap();
        assert_eq!(found.stamp, "1");
        let mut other = marker("2", sums.clone());
        other.model_id = "other".into();
        assert_eq!(resumable(&staging, &other), None);
        let mut other = marker("2", sums.clone());
        other.sources = vec!["bb".into()];
        assert_eq!(resumable(&staging, &other), None);
        std::fs::write(data.join("s.db"), b"written meanwhile").unwrap();
        let changed = store_checksums(data, &LAYOUT).unwrap();
        assert_ne!(changed, sums);
        assert_eq!(resumable(&staging, &marker("2", changed.clone())), None);

        // Starting again replaces the staging dir and its marker.
        std::fs::write(staging.join("leftover"), b"x").unwrap();
        start(data, &LAYOUT, &staging, &marker("3", changed.clone())).unwrap();
        assert!(!staging.join("leftover").exists());
        assert_eq!(
            resumable(&staging, &marker("4", changed)).unwrap().stamp,
            "3"
        );
    }
}
