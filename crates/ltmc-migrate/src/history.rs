//! The rollback chain of legacy migrations in a data dir. The switch moves
//! the current store aside (`migrate-backups/<time>/previous/`) and the
//! staging one into place, and appends the migration to
//! `migrate-backups/migrations.json`; [`rollback`] undoes the newest one
//! still switched in (its store goes to `migrate-backups/<time>/migrated/`),
//! and, called again, the one before, down to the store there was before
//! the first. Not here: building the staging store (`staging.rs`).

use crate::files::write_json_whole;
use crate::{MigrateError, StoreLayout};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub(crate) const BACKUPS: &str = "migrate-backups";
/// The migrations switched in, oldest first.
const HISTORY: &str = "migrations.json";

/// One migration switched in: its backup dir's name, and whether there
/// was a store before it.
#[derive(Debug, Serialize, Deserialize)]
struct Switched {
    stamp: String,
    had_store: bool,
}

/// What [`rollback`] did (fields in the order the JSON has always had).
#[derive(Debug, Clone, Serialize)]
pub struct RollbackReport {
    pub had_store_before: bool,
    /// Where the migrated store was set aside, as a path.
    pub migrated_store_kept_in: String,
    /// Migrations that can still be rolled back.
    pub migrations_left: usize,
    /// The stamp of the migration undone.
    pub rolled_back: String,
}

fn read_history(data_dir: &Path) -> Vec<Switched> {
    std::fs::read(data_dir.join(BACKUPS).join(HISTORY))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_history(data_dir: &Path, history: &[Switched]) -> Result<(), MigrateError> {
    write_json_whole(&data_dir.join(BACKUPS).join(HISTORY), &history)
}

fn rename(from: &Path, to: &Path, action: &'static str, named: &Path) -> Result<(), MigrateError> {
    std::fs::rename(from, to).map_err(MigrateError::io(action, named))
}

/// Moves the current store aside and the staged one into place, and
/// records the migration `stamp` for [`rollback`].
pub(crate) fn switch(
    data_dir: &Path,
    layout: &StoreLayout,
    staging: &Path,
    stamp: &str,
) -> Result<(), MigrateError> {
    let previous = data_dir.join(BACKUPS).join(stamp).join("previous");
    std::fs::create_dir_all(&previous).map_err(MigrateError::io("cannot create", &previous))?;
    let mut had_store = false;
    for name in layout.files {
        let cur = data_dir.join(name);
        if cur.exists() {
            had_store |= *name == layout.main;
            rename(&cur, &previous.join(name), "cannot move aside", &cur)?;
        }
    }
    for name in layout.files {
        let src = staging.join(name);
        if src.exists() {
            rename(&src, &data_dir.join(name), "cannot move into place", &src)?;
        }
    }
    let _ = std::fs::remove_dir_all(staging);
    let mut history = read_history(data_dir);
    history.push(Switched {
        stamp: stamp.to_owned(),
        had_store,
    });
    write_history(data_dir, &history)
}

/// Undoes the newest migration still switched in: its store is set aside
/// (`migrate-backups/<time>/migrated/`) and the one it replaced put back.
pub fn rollback(data_dir: &Path, layout: &StoreLayout) -> Result<RollbackReport, MigrateError> {
    let mut history = read_history(data_dir);
    let last = history
        .pop()
        .ok_or_else(|| MigrateError::NothingToRollBack {
            data_dir: data_dir.to_owned(),
        })?;
    let dir = data_dir.join(BACKUPS).join(&last.stamp);
    let migrated = dir.join("migrated");
    std::fs::create_dir_all(&migrated).map_err(MigrateError::io("cannot create", &migrated))?;
    for name in layout.files {
        let cur = data_dir.join(name);
        if cur.exists() {
            rename(&cur, &migrated.join(name), "cannot move aside", &cur)?;
        }
    }
    for name in layout.files {
        let prev = dir.join("previous").join(name);
        if prev.exists() {
            rename(&prev, &data_dir.join(name), "cannot put back", &prev)?;
        }
    }
    write_history(data_dir, &history)?;
    Ok(RollbackReport {
        had_store_before: last.had_store,
        migrated_store_kept_in: migrated.display().to_string(),
        migrations_left: history.len(),
        rolled_back: last.stamp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: StoreLayout = StoreLayout {
        main: "s.db",
        files: &["s.db", "s.db-idx"],
        data: &["s.db"],
    };

    fn stage(data: &Path, content: &str) -> std::path::PathBuf {
        let staging = data.join("staging");
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::write(staging.join("s.db"), content).unwrap();
        staging
    }

    fn store(data: &Path) -> Option<String> {
        std::fs::read_to_string(data.join("s.db")).ok()
    }

    #[test]
    fn rollbacks_step_back_through_every_migration_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path();
        let err = rollback(data, &LAYOUT).unwrap_err();
        assert!(
            matches!(err, MigrateError::NothingToRollBack { .. }),
            "{err}"
        );

        // First migration into a data dir with no store, then a second one.
        let staging = stage(data, "first");
        switch(data, &LAYOUT, &staging, "t1").unwrap();
        assert!(!staging.exists());
        assert_eq!(store(data).as_deref(), Some("first"));
        let staging = stage(data, "second");
        switch(data, &LAYOUT, &staging, "t2").unwrap();
        assert_eq!(store(data).as_deref(), Some("second"));

        let undone = rollback(data, &LAYOUT).unwrap();
        assert_eq!(undone.rolled_back, "t2");
        assert!(undone.had_store_before);
        assert_eq!(undone.migrations_left, 1);
        assert_eq!(store(data).as_deref(), Some("first"));
        let kept = Path::new(&undone.migrated_store_kept_in).join("s.db");
        assert_eq!(std::fs::read_to_string(kept).unwrap(), "second");

        let undone = rollback(data, &LAYOUT).unwrap();
        assert_eq!(undone.rolled_back, "t1");
        assert!(!undone.had_store_before);
        assert_eq!(undone.migrations_left, 0);
        assert_eq!(store(data), None);
        assert!(rollback(data, &LAYOUT).is_err());
    }
}
