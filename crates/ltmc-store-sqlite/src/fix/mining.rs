//! [`MiningStore`] for [`SqliteStore`]: mining state per repository, the
//! source rows of mined patterns and the tombstones of rejected drafts
//! (migrations 0007 and 0008, the resume point).
//!
//! A run's drafts are written with the pattern insert of `patterns.rs` (row,
//! three vectors in their slots, rules made from it) and the repository's
//! state advanced in the same `BEGIN IMMEDIATE` transaction; every draft is
//! validated before it starts. Not here: git, folding, embedding
//! (`ltmc-mine`).

use super::guardian::{TakenName, insert_rule};
use super::patterns::insert_pattern;
use super::{VectorKind, json_column, json_text};
use crate::error::{Result, not_found};
use crate::{SqliteStore, blob};
use async_trait::async_trait;
use ltmc_core::fix::NewGuardianRule;
use ltmc_core::{PatternId, Project, now_rfc3339, present};
use ltmc_store::entity;
use ltmc_store::validate;
use ltmc_store::{
    MiningRun, MiningState, MiningStore, SavedRun, StoreError, Tombstone, check_run, resume_of,
    resume_text,
};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

const STATE_COLUMNS: &str =
    "repo_id, repo_path, last_commit, runs, drafts_saved, updated_at, resume";

#[async_trait]
impl MiningStore for SqliteStore {
    async fn mining_state(
        &self,
        project: &Project,
        repo_id: &str,
    ) -> Result<Option<MiningState>, StoreError> {
        let project = project.clone();
        let repo_id = repo_id.to_owned();
        self.call(move |state, _| state_of(&state.conn, &project, &repo_id))
            .await
    }

    async fn save_mining_run(
        &self,
        project: &Project,
        run: MiningRun,
    ) -> Result<SavedRun, StoreError> {
        let project = project.clone();
        self.call(move |state, path| {
            check_run(&run)?;
            let dimension = state.dimension_for_write(path)?;
            let mut drafts = Vec::with_capacity(run.drafts.len());
            for draft in run.drafts {
                let pattern = draft.pattern.validated()?;
                let e = &draft.embeddings;
                validate::check_vector(&e.content, dimension, "content_embedding")?;
                validate::check_vector(&e.code, dimension, "code_embedding")?;
                validate::check_vector(&e.problem, dimension, "problem_embedding")?;
                let rules = draft
                    .rules
                    .into_iter()
                    .map(|r| {
                        NewGuardianRule {
                            source_pattern_id: None,
                            ..r
                        }
                        .validated()
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                drafts.push((
                    pattern,
                    draft.embeddings,
                    rules,
                    draft.fold_key,
                    draft.commits,
                ));
            }
            let now = now_rfc3339();
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut created = Vec::new();
            let (mut tombstoned, mut already_mined) = (0, 0);
            for (pattern, embeddings, rules, fold_key, commits) in drafts {
                if has_tombstone(&tx, &project, &fold_key)? {
                    tombstoned += 1;
                    continue;
                }
                if is_mined(&tx, &project, &fold_key)? {
                    already_mined += 1;
                    continue;
                }
                let id = PatternId(insert_pattern(&tx, &project, &pattern, &now)?);
                {
                    let mut insert = tx.prepare_cached(
                        "INSERT INTO fix_pattern_vectors (slot, pattern_id, kind, vector) \
                         VALUES (?1, ?2, ?3, ?4)",
                    )?;
                    for (kind, vector) in [
                        (VectorKind::Content, &embeddings.content),
                        (VectorKind::Code, &embeddings.code),
                        (VectorKind::Problem, &embeddings.problem),
                    ] {
                        insert.execute(params![
                            kind.slot(id),
                            id.0,
                            kind.as_str(),
                            blob::encode(vector)
                        ])?;
                    }
                }
                for rule in rules {
                    let rule = NewGuardianRule {
                        source_pattern_id: Some(id),
                        ..rule
                    };
                    insert_rule(&tx, &project, &rule, TakenName::Suffix, &now)?;
                }
                tx.prepare_cached(
                    "INSERT INTO mined_pattern_sources (pattern_id, project, repo_id, fold_key, \
                     commits) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    id.0,
                    project.as_str(),
                    run.repo_id,
                    fold_key,
                    json_text("commits", &commits)?
                ])?;
                {
                    let mut insert = tx.prepare_cached(
                        "INSERT OR IGNORE INTO mined_pattern_commits (pattern_id, commit_id) \
                         VALUES (?1, ?2)",
                    )?;
                    for commit in &commits {
                        insert.execute(params![id.0, commit])?;
                    }
                }
                created.push(id);
            }
            let saved = i64::try_from(created.len()).unwrap_or(i64::MAX);
            tx.prepare_cached(
                "INSERT INTO mining_state (project, repo_id, repo_path, last_commit, runs, \
                 drafts_saved, updated_at, resume) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7) \
                 ON CONFLICT (project, repo_id) DO UPDATE SET repo_path = excluded.repo_path, \
                 last_commit = excluded.last_commit, resume = excluded.resume, runs = runs + 1, \
                 drafts_saved = drafts_saved + excluded.drafts_saved, \
                 updated_at = excluded.updated_at",
            )?
            .execute(params![
                project.as_str(),
                run.repo_id,
                run.repo_path,
                run.last_commit,
                saved,
                now,
                resume_text(&run.resume)
            ])?;
            let state = state_of(&tx, &project, &run.repo_id)?.ok_or_else(|| {
                StoreError::Corrupt("mining state vanished inside its own transaction".into())
            })?;
            tx.commit()?;
            Ok(SavedRun {
                created,
                tombstoned,
                already_mined,
                state,
            })
        })
        .await
    }

    async fn reject_pattern(
        &self,
        project: &Project,
        id: PatternId,
        reason: Option<String>,
    ) -> Result<Tombstone, StoreError> {
        let project = project.clone();
        let reason = present(reason);
        self.call(move |state, _| {
            let now = now_rfc3339();
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let title: Option<String> = tx
                .prepare_cached("SELECT title FROM fix_patterns WHERE id = ?1 AND project = ?2")?
                .query_row(params![id.0, project.as_str()], |r| r.get(0))
                .optional()?;
            let Some(title) = title else {
                return Err(not_found(entity::FIX_PATTERN, id, &project));
            };
            let fold_key = source_of(&tx, &project, id)?
                .map_or_else(|| format!("pattern:{}", id.0), |(key, _)| key);
            tx.prepare_cached("DELETE FROM guardian_rules WHERE source_pattern_id = ?1")?
                .execute([id.0])?;
            tx.prepare_cached("DELETE FROM fix_patterns WHERE id = ?1 AND project = ?2")?
                .execute(params![id.0, project.as_str()])?;
            tx.prepare_cached(
                "INSERT INTO mining_tombstones (project, fold_key, title, reason, rejected_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (project, fold_key) DO UPDATE SET \
                 title = excluded.title, reason = excluded.reason, \
                 rejected_at = excluded.rejected_at",
            )?
            .execute(params![project.as_str(), fold_key, title, reason, now])?;
            tx.commit()?;
            Ok(Tombstone {
                fold_key,
                title,
                reason,
                rejected_at: now,
            })
        })
        .await
    }

    async fn pattern_source(
        &self,
        project: &Project,
        id: PatternId,
    ) -> Result<Option<(String, Vec<String>)>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| source_of(&state.conn, &project, id))
            .await
    }

    async fn tombstones(&self, project: &Project) -> Result<Vec<Tombstone>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let mut stmt = state.conn.prepare_cached(
                "SELECT fold_key, title, reason, rejected_at FROM mining_tombstones \
                 WHERE project = ?1 ORDER BY rejected_at DESC, fold_key",
            )?;
            let rows = stmt.query_map([project.as_str()], |r| {
                Ok(Tombstone {
                    fold_key: r.get(0)?,
                    title: r.get(1)?,
                    reason: r.get(2)?,
                    rejected_at: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}

fn state_of(conn: &Connection, project: &Project, repo_id: &str) -> Result<Option<MiningState>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {STATE_COLUMNS} FROM mining_state WHERE project = ?1 AND repo_id = ?2"
        ))?
        .query_row(params![project.as_str(), repo_id], state_from_row)
        .optional()?)
}

fn state_from_row(row: &Row<'_>) -> rusqlite::Result<MiningState> {
    Ok(MiningState {
        repo_id: row.get(0)?,
        repo_path: row.get(1)?,
        last_commit: row.get(2)?,
        runs: row.get(3)?,
        drafts_saved: row.get(4)?,
        updated_at: row.get(5)?,
        resume: resume_of(&row.get::<_, String>(6)?),
    })
}

fn has_tombstone(conn: &Connection, project: &Project, key: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM mining_tombstones WHERE project = ?1 AND fold_key = ?2)",
        )?
        .query_row(params![project.as_str(), key], |r| r.get(0))?)
}

fn is_mined(conn: &Connection, project: &Project, key: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM mined_pattern_sources \
             WHERE project = ?1 AND fold_key = ?2)",
        )?
        .query_row(params![project.as_str(), key], |r| r.get(0))?)
}

fn source_of(
    conn: &Connection,
    project: &Project,
    id: PatternId,
) -> Result<Option<(String, Vec<String>)>> {
    Ok(conn
        .prepare_cached(
            "SELECT fold_key, commits FROM mined_pattern_sources \
             WHERE pattern_id = ?1 AND project = ?2",
        )?
        .query_row(params![id.0, project.as_str()], |r| {
            Ok((r.get(0)?, json_column(r, 1)?))
        })
        .optional()?)
}
