//! The mining tables (migrations 0007, 0008) in a [`Dump`]: `mining_state`,
//! `mined_pattern_sources` and `mining_tombstones` read on export and
//! written on import; `mined_pattern_commits` is not in the dump, import
//! derives it from each source row's commits.
//!
//! Not here: the transaction and the order of the families (`mod.rs`); the
//! mining writes of the store (`fix/mining.rs`).

use super::{json, json_text, rows, ts};
use crate::error::Result;
use ltmc_store::{
    Dump, MinedSourceRecord, MiningStateRecord, TombstoneRecord, resume_of, resume_text,
};
use rusqlite::{Connection, params};

pub(super) fn export(conn: &Connection, dump: &mut Dump) -> Result<()> {
    dump.mining_state = rows(
        conn,
        &format!(
            "SELECT project, repo_id, repo_path, last_commit, runs, drafts_saved, {}, resume \
             FROM mining_state ORDER BY project, repo_id",
            ts("updated_at")
        ),
        |row| {
            Ok(MiningStateRecord {
                project: row.get(0)?,
                repo_id: row.get(1)?,
                repo_path: row.get(2)?,
                last_commit: row.get(3)?,
                runs: row.get(4)?,
                drafts_saved: row.get(5)?,
                updated_at: row.get(6)?,
                resume: resume_of(&row.get::<_, String>(7)?),
            })
        },
    )?;
    dump.mined_pattern_sources = rows(
        conn,
        "SELECT pattern_id, project, repo_id, fold_key, commits FROM mined_pattern_sources \
         ORDER BY pattern_id",
        |row| {
            Ok(MinedSourceRecord {
                pattern_id: row.get(0)?,
                project: row.get(1)?,
                repo_id: row.get(2)?,
                fold_key: row.get(3)?,
                commits: json(row, 4)?,
            })
        },
    )?;
    dump.mining_tombstones = rows(
        conn,
        &format!(
            "SELECT project, fold_key, title, reason, {} FROM mining_tombstones \
             ORDER BY project, fold_key",
            ts("rejected_at")
        ),
        |row| {
            Ok(TombstoneRecord {
                project: row.get(0)?,
                fold_key: row.get(1)?,
                title: row.get(2)?,
                reason: row.get(3)?,
                rejected_at: row.get(4)?,
            })
        },
    )?;
    Ok(())
}

/// Writes the mining rows; the fix patterns they name are written before.
pub(super) fn import(conn: &Connection, dump: &Dump) -> Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO mining_state (project, repo_id, repo_path, last_commit, runs, \
         drafts_saved, updated_at, resume) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for s in &dump.mining_state {
        stmt.execute(params![
            s.project,
            s.repo_id,
            s.repo_path,
            s.last_commit,
            s.runs,
            s.drafts_saved,
            s.updated_at,
            resume_text(&s.resume)
        ])?;
    }
    let mut source = conn.prepare(
        "INSERT INTO mined_pattern_sources (pattern_id, project, repo_id, fold_key, commits) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut commit = conn.prepare(
        "INSERT OR IGNORE INTO mined_pattern_commits (pattern_id, commit_id) VALUES (?1, ?2)",
    )?;
    for s in &dump.mined_pattern_sources {
        source.execute(params![
            s.pattern_id,
            s.project,
            s.repo_id,
            s.fold_key,
            json_text(&s.commits)?
        ])?;
        for c in &s.commits {
            commit.execute(params![s.pattern_id, c])?;
        }
    }
    let mut stmt = conn.prepare(
        "INSERT INTO mining_tombstones (project, fold_key, title, reason, rejected_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for t in &dump.mining_tombstones {
        stmt.execute(params![
            t.project,
            t.fold_key,
            t.title,
            t.reason,
            t.rejected_at
        ])?;
    }
    Ok(())
}
