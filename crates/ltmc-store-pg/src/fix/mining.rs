//! [`MiningStore`] for [`PgStore`]: mining state per repository, the source
//! rows of mined patterns and the tombstones of rejected drafts (migrations
//! 0005 and 0006, the resume point), with the same rules as the SQLite store's `fix/mining.rs`.
//!
//! A run's drafts are written with the pattern insert of `patterns/write.rs` (row
//! with its three vectors, rules made from it) and the repository's state
//! advanced in the same transaction; the state row is locked first
//! (`INSERT .. ON CONFLICT DO NOTHING`, then `FOR UPDATE`), so two runs of
//! one repository queue rather than interleave. Not here: git, folding,
//! embedding (`ltmc-mine`).

use super::check_vector;
use super::guardian::{TakenName, insert_rule};
use super::patterns::{PatternRow, insert_pattern};
use crate::PgStore;
use crate::error::{Result, corrupt, not_found};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::fix::NewGuardianRule;
use ltmc_core::{PatternId, Project, present};
use ltmc_store::entity;
use ltmc_store::{
    MiningRun, MiningState, MiningStore, SavedRun, StoreError, Tombstone, check_run, resume_of,
    resume_text,
};
use pgvector::Vector;
use tokio_postgres::Row;

const STATE_COLUMNS: &str =
    "repo_id, repo_path, last_commit, runs, drafts_saved, ltmc_ts(updated_at), resume";

#[async_trait]
impl MiningStore for PgStore {
    async fn mining_state(
        &self,
        project: &Project,
        repo_id: &str,
    ) -> Result<Option<MiningState>, StoreError> {
        async {
            let client = self.client().await?;
            state_of(&client, project, repo_id).await
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn save_mining_run(
        &self,
        project: &Project,
        run: MiningRun,
    ) -> Result<SavedRun, StoreError> {
        save(self, project, run).await.map_err(|e| self.fail(e))
    }

    async fn reject_pattern(
        &self,
        project: &Project,
        id: PatternId,
        reason: Option<String>,
    ) -> Result<Tombstone, StoreError> {
        reject(self, project, id, present(reason))
            .await
            .map_err(|e| self.fail(e))
    }

    async fn pattern_source(
        &self,
        project: &Project,
        id: PatternId,
    ) -> Result<Option<(String, Vec<String>)>, StoreError> {
        async {
            let client = self.client().await?;
            source_of(&client, project, id).await
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn tombstones(&self, project: &Project) -> Result<Vec<Tombstone>, StoreError> {
        async {
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(
                    "SELECT fold_key, title, reason, ltmc_ts(rejected_at) FROM mining_tombstones \
                     WHERE project = $1 ORDER BY rejected_at DESC, fold_key COLLATE \"C\"",
                )
                .await?;
            let rows = client.query(&stmt, &[&project.as_str()]).await?;
            rows.iter()
                .map(|r| {
                    Ok(Tombstone {
                        fold_key: r.try_get(0)?,
                        title: r.try_get(1)?,
                        reason: r.try_get(2)?,
                        rejected_at: r.try_get(3)?,
                    })
                })
                .collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }
}

/// [`MiningStore::save_mining_run`]: checks, then one transaction.
async fn save(store: &PgStore, project: &Project, run: MiningRun) -> Result<SavedRun> {
    store.spec()?;
    check_run(&run)?;
    let mut drafts = Vec::with_capacity(run.drafts.len());
    for draft in run.drafts {
        let pattern = draft.pattern.validated()?;
        let e = draft.embeddings;
        check_vector(store, &e.content, "content_embedding")?;
        check_vector(store, &e.code, "code_embedding")?;
        check_vector(store, &e.problem, "problem_embedding")?;
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
        let row = PatternRow::of(&pattern)?;
        let vectors = [e.content, e.code, e.problem].map(Vector::from);
        drafts.push((pattern, row, vectors, rules, draft.fold_key, draft.commits));
    }

    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    // The state row first, locked: concurrent runs of one repository queue here.
    tx.execute(
        "INSERT INTO mining_state (project, repo_id, repo_path, last_commit) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (project, repo_id) DO NOTHING",
        &[
            &project.as_str(),
            &run.repo_id,
            &run.repo_path,
            &run.last_commit,
        ],
    )
    .await?;
    tx.execute(
        "SELECT 1 FROM mining_state WHERE project = $1 AND repo_id = $2 FOR UPDATE",
        &[&project.as_str(), &run.repo_id],
    )
    .await?;
    let mut created = Vec::new();
    let (mut tombstoned, mut already_mined) = (0, 0);
    for (pattern, row, vectors, rules, fold_key, commits) in drafts {
        let known = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM mining_tombstones WHERE project = $1 \
                 AND fold_key = $2), EXISTS (SELECT 1 FROM mined_pattern_sources \
                 WHERE project = $1 AND fold_key = $2)",
                &[&project.as_str(), &fold_key],
            )
            .await?;
        if known.try_get::<_, bool>(0)? {
            tombstoned += 1;
            continue;
        }
        if known.try_get::<_, bool>(1)? {
            already_mined += 1;
            continue;
        }
        let id = insert_pattern(&tx, project, &pattern, &row, vectors).await?;
        for rule in rules {
            let rule = NewGuardianRule {
                source_pattern_id: Some(id),
                ..rule
            };
            insert_rule(&tx, project, &rule, TakenName::Suffix).await?;
        }
        tx.execute(
            "INSERT INTO mined_pattern_sources (pattern_id, project, repo_id, fold_key, commits) \
             VALUES ($1, $2, $3, $4, $5)",
            &[&id.0, &project.as_str(), &run.repo_id, &fold_key, &commits],
        )
        .await?;
        created.push(id);
    }
    let saved = i64::try_from(created.len()).unwrap_or(i64::MAX);
    tx.execute(
        "UPDATE mining_state SET repo_path = $3, last_commit = $4, runs = runs + 1, \
         drafts_saved = drafts_saved + $5, updated_at = now(), resume = $6 \
         WHERE project = $1 AND repo_id = $2",
        &[
            &project.as_str(),
            &run.repo_id,
            &run.repo_path,
            &run.last_commit,
            &saved,
            &resume_text(&run.resume),
        ],
    )
    .await?;
    let state = state_of(&tx, project, &run.repo_id)
        .await?
        .ok_or_else(|| corrupt("mining state vanished inside its own transaction"))?;
    tx.commit().await?;
    Ok(SavedRun {
        created,
        tombstoned,
        already_mined,
        state,
    })
}

/// [`MiningStore::reject_pattern`]: one transaction.
async fn reject(
    store: &PgStore,
    project: &Project,
    id: PatternId,
    reason: Option<String>,
) -> Result<Tombstone> {
    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    let Some(row) = tx
        .query_opt(
            "SELECT title FROM fix_patterns WHERE id = $1 AND project = $2 FOR UPDATE",
            &[&id.0, &project.as_str()],
        )
        .await?
    else {
        return Err(not_found(entity::FIX_PATTERN, id, project));
    };
    let title: String = row.try_get(0)?;
    let fold_key = source_of(&tx, project, id)
        .await?
        .map_or_else(|| format!("pattern:{}", id.0), |(key, _)| key);
    tx.execute(
        "DELETE FROM guardian_rules WHERE source_pattern_id = $1",
        &[&id.0],
    )
    .await?;
    tx.execute(
        "DELETE FROM fix_patterns WHERE id = $1 AND project = $2",
        &[&id.0, &project.as_str()],
    )
    .await?;
    let row = tx
        .query_one(
            "INSERT INTO mining_tombstones (project, fold_key, title, reason) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (project, fold_key) DO UPDATE SET \
             title = excluded.title, reason = excluded.reason, rejected_at = now() \
             RETURNING ltmc_ts(rejected_at)",
            &[&project.as_str(), &fold_key, &title, &reason],
        )
        .await?;
    let rejected_at: String = row.try_get(0)?;
    tx.commit().await?;
    Ok(Tombstone {
        fold_key,
        title,
        reason,
        rejected_at,
    })
}

async fn state_of<C: GenericClient>(
    client: &C,
    project: &Project,
    repo_id: &str,
) -> Result<Option<MiningState>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {STATE_COLUMNS} FROM mining_state WHERE project = $1 AND repo_id = $2"
        ))
        .await?;
    client
        .query_opt(&stmt, &[&project.as_str(), &repo_id])
        .await?
        .as_ref()
        .map(state_from_row)
        .transpose()
}

fn state_from_row(row: &Row) -> Result<MiningState> {
    Ok(MiningState {
        repo_id: row.try_get(0)?,
        repo_path: row.try_get(1)?,
        last_commit: row.try_get(2)?,
        runs: row.try_get(3)?,
        drafts_saved: row.try_get(4)?,
        updated_at: row.try_get(5)?,
        resume: resume_of(row.try_get::<_, &str>(6)?),
    })
}

async fn source_of<C: GenericClient>(
    client: &C,
    project: &Project,
    id: PatternId,
) -> Result<Option<(String, Vec<String>)>> {
    let stmt = client
        .prepare_cached(
            "SELECT fold_key, commits FROM mined_pattern_sources \
             WHERE pattern_id = $1 AND project = $2",
        )
        .await?;
    client
        .query_opt(&stmt, &[&id.0, &project.as_str()])
        .await?
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .transpose()
}
