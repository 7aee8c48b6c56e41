//! The mining tables (migrations 0005, 0006) in a [`Dump`]: `mining_state`,
//! `mined_pattern_sources` (its commits a `TEXT[]`, looked up through a GIN
//! index, so no per-commit table) and `mining_tombstones`, read on export
//! and written on import.
//!
//! Not here: the transaction and the order of the families (`mod.rs`); the
//! mining writes of the store (`fix/mining.rs`).

use super::rows;
use crate::error::Result;
use deadpool_postgres::GenericClient;
use ltmc_store::{
    Dump, MinedSourceRecord, MiningStateRecord, TombstoneRecord, resume_of, resume_text,
};

pub(super) async fn export(tx: &impl GenericClient, dump: &mut Dump) -> Result<()> {
    dump.mining_state = rows(
        tx,
        "SELECT project, repo_id, repo_path, last_commit, runs, drafts_saved, \
         ltmc_ts(updated_at), resume FROM mining_state ORDER BY project, repo_id",
        |row| {
            Ok(MiningStateRecord {
                project: row.try_get(0)?,
                repo_id: row.try_get(1)?,
                repo_path: row.try_get(2)?,
                last_commit: row.try_get(3)?,
                runs: row.try_get(4)?,
                drafts_saved: row.try_get(5)?,
                updated_at: row.try_get(6)?,
                resume: resume_of(row.try_get::<_, &str>(7)?),
            })
        },
    )
    .await?;
    dump.mined_pattern_sources = rows(
        tx,
        "SELECT pattern_id, project, repo_id, fold_key, commits FROM mined_pattern_sources \
         ORDER BY pattern_id",
        |row| {
            Ok(MinedSourceRecord {
                pattern_id: row.try_get(0)?,
                project: row.try_get(1)?,
                repo_id: row.try_get(2)?,
                fold_key: row.try_get(3)?,
                commits: row.try_get(4)?,
            })
        },
    )
    .await?;
    dump.mining_tombstones = rows(
        tx,
        "SELECT project, fold_key, title, reason, ltmc_ts(rejected_at) FROM mining_tombstones \
         ORDER BY project, fold_key",
        |row| {
            Ok(TombstoneRecord {
                project: row.try_get(0)?,
                fold_key: row.try_get(1)?,
                title: row.try_get(2)?,
                reason: row.try_get(3)?,
                rejected_at: row.try_get(4)?,
            })
        },
    )
    .await?;
    Ok(())
}

/// Writes the mining rows; the fix patterns they name are written before.
pub(super) async fn import(tx: &impl GenericClient, dump: &Dump) -> Result<()> {
    let stmt = tx
        .prepare(
            "INSERT INTO mining_state (project, repo_id, repo_path, last_commit, runs, \
             drafts_saved, updated_at, resume) \
             VALUES ($1, $2, $3, $4, $5, $6, $7::text::timestamptz, $8)",
        )
        .await?;
    for s in &dump.mining_state {
        tx.execute(
            &stmt,
            &[
                &s.project,
                &s.repo_id,
                &s.repo_path,
                &s.last_commit,
                &s.runs,
                &s.drafts_saved,
                &s.updated_at,
                &resume_text(&s.resume),
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO mined_pattern_sources (pattern_id, project, repo_id, fold_key, commits) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .await?;
    for s in &dump.mined_pattern_sources {
        tx.execute(
            &stmt,
            &[
                &s.pattern_id,
                &s.project,
                &s.repo_id,
                &s.fold_key,
                &s.commits,
            ],
        )
        .await?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO mining_tombstones (project, fold_key, title, reason, rejected_at) \
             VALUES ($1, $2, $3, $4, $5::text::timestamptz)",
        )
        .await?;
    for t in &dump.mining_tombstones {
        tx.execute(
            &stmt,
            &[&t.project, &t.fold_key, &t.title, &t.reason, &t.rejected_at],
        )
        .await?;
    }
    Ok(())
}
