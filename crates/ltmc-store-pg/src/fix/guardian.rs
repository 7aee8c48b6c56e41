//! Guardian rules and their hit statistics: [`GuardianStore`] for [`PgStore`].
//!
//! Rows of `guardian_rules` (migration 0003), unique per project by layer
//! and name, and `guardian_rule_hits`, the matches of each rule per file
//! summed over the checks that recorded them; a rule's `hit_count`,
//! `files_hit` and `last_hit_at` are kept in step with those rows in the same
//! transaction, which first locks the rules it counts for (so two servers
//! recording hits of one rule count each other's files). A rule added by
//! hand whose name is taken is a `Conflict`; one made from a pattern
//! (`patterns.rs`, through [`insert_rule`]) gets a free name instead. A name
//! is claimed with `ON CONFLICT DO NOTHING`, so a race with another server
//! is decided by the unique key, not by an earlier look. An active rule has
//! no inactive reason. Not here: compiling or running the regexes
//! (ltmc-guard), choosing which rules a pattern yields (service).

use super::{bad_column, check_pattern, layer_i32, lock_rules};
use crate::PgStore;
use crate::error::{Error, Result, not_found};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_core::fix::{GuardianRule, NewGuardianRule, RuleFilter, RuleHit, RuleType, Severity};
use ltmc_core::{PatternId, Project, RuleId, present};
use ltmc_store::{GuardianStore, RuleFileHits, StoreError, validate};
use tokio_postgres::Row;

/// What [`insert_rule`] does when the rule's name is taken in its layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TakenName {
    /// Refuse the rule: `Conflict`.
    Refuse,
    /// Append `-2`, `-3`... until the name is free.
    Suffix,
}

#[async_trait]
impl GuardianStore for PgStore {
    async fn add_rule(
        &self,
        project: &Project,
        rule: NewGuardianRule,
    ) -> Result<GuardianRule, StoreError> {
        async {
            let rule = rule.validated()?;
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            if let Some(source) = rule.source_pattern_id {
                check_pattern(&tx, project, source).await?;
            }
            let stored = insert_rule(&tx, project, &rule, TakenName::Refuse).await?;
            tx.commit().await?;
            Ok(stored)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn get_rule(&self, project: &Project, id: RuleId) -> Result<GuardianRule, StoreError> {
        async {
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {RULE_COLUMNS} FROM guardian_rules g \
                     WHERE g.id = $1 AND g.project = $2"
                ))
                .await?;
            let row = client
                .query_opt(&stmt, &[&id.0, &project.as_str()])
                .await?
                .ok_or_else(|| not_found("guardian rule", id, project))?;
            rule_from_row(&row)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn list_rules(
        &self,
        project: &Project,
        filter: &RuleFilter,
    ) -> Result<Vec<GuardianRule>, StoreError> {
        async {
            let client = self.client().await?;
            // One statement for every filter: a filter not given is NULL.
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {RULE_COLUMNS} FROM guardian_rules g WHERE g.project = $1 \
                     AND ($2::bigint IS NULL OR g.layer_number = $2) \
                     AND ($3::boolean IS NULL OR g.active = $3) \
                     AND ($4::text IS NULL OR g.rule_type = $4) \
                     AND ($5::bigint IS NULL OR g.source_pattern_id = $5) \
                     ORDER BY g.layer_number, g.rule_name COLLATE \"C\", g.id"
                ))
                .await?;
            let rows = client
                .query(
                    &stmt,
                    &[
                        &project.as_str(),
                        &filter.layer,
                        &filter.active,
                        &filter.rule_type.map(RuleType::as_str),
                        &filter.source_pattern_id.map(|p| p.0),
                    ],
                )
                .await?;
            rows.iter().map(rule_from_row).collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn set_rule_active(
        &self,
        project: &Project,
        id: RuleId,
        active: bool,
        reason: Option<String>,
    ) -> Result<GuardianRule, StoreError> {
        let reason = if active { None } else { present(reason) };
        async {
            // One statement: its own transaction.
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(&format!(
                    "UPDATE guardian_rules g SET active = $3, inactive_reason = $4 \
                     WHERE g.id = $1 AND g.project = $2 RETURNING {RULE_COLUMNS}"
                ))
                .await?;
            let row = client
                .query_opt(&stmt, &[&id.0, &project.as_str(), &active, &reason])
                .await?
                .ok_or_else(|| not_found("guardian rule", id, project))?;
            rule_from_row(&row)
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn record_rule_hits(
        &self,
        project: &Project,
        hits: Vec<RuleHit>,
    ) -> Result<(), StoreError> {
        async {
            let hits = validate::checked_hits(hits)?;
            if hits.is_empty() {
                return Ok(());
            }
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            let rules: Vec<RuleId> = hits.iter().map(|(rule, _, _)| *rule).collect();
            lock_rules(&tx, project, &rules).await?;
            let per_file = tx
                .prepare_cached(
                    "INSERT INTO guardian_rule_hits (rule_id, file_path, hits) \
                     VALUES ($1, $2, $3) ON CONFLICT (rule_id, file_path) DO UPDATE \
                     SET hits = guardian_rule_hits.hits + excluded.hits, \
                     last_hit_at = excluded.last_hit_at",
                )
                .await?;
            let per_rule = tx
                .prepare_cached(
                    "UPDATE guardian_rules SET hit_count = hit_count + $2, \
                     files_hit = (SELECT count(*) FROM guardian_rule_hits WHERE rule_id = $1), \
                     last_hit_at = now() WHERE id = $1",
                )
                .await?;
            for (rule, file_path, count) in &hits {
                if *count == 0 {
                    continue;
                }
                tx.execute(&per_file, &[&rule.0, file_path, count]).await?;
                tx.execute(&per_rule, &[&rule.0, count]).await?;
            }
            tx.commit().await?;
            Ok(())
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn rule_file_hits(&self, project: &Project) -> Result<Vec<RuleFileHits>, StoreError> {
        async {
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(
                    "SELECT h.rule_id, h.file_path, h.hits, ltmc_ts(h.last_hit_at) \
                     FROM guardian_rule_hits h JOIN guardian_rules g ON g.id = h.rule_id \
                     WHERE g.project = $1 \
                     ORDER BY h.hits DESC, h.rule_id, h.file_path COLLATE \"C\"",
                )
                .await?;
            let rows = client.query(&stmt, &[&project.as_str()]).await?;
            rows.iter()
                .map(|row| {
                    Ok(RuleFileHits {
                        rule_id: RuleId(row.try_get(0)?),
                        file_path: row.try_get(1)?,
                        hits: row.try_get(2)?,
                        last_hit_at: row.try_get(3)?,
                    })
                })
                .collect::<Result<Vec<_>>>()
        }
        .await
        .map_err(|e| self.fail(e))
    }
}

/// Stores a validated rule (its source pattern checked by the caller) inside
/// the caller's transaction. A name taken in the layer is refused or
/// suffixed, as `taken` says.
pub(super) async fn insert_rule<C: GenericClient>(
    client: &C,
    project: &Project,
    rule: &NewGuardianRule,
    taken: TakenName,
) -> Result<GuardianRule> {
    let layer = layer_i32("layer_number", rule.layer_number)?;
    let reason = if rule.active {
        None
    } else {
        rule.inactive_reason.as_deref()
    };
    let stmt = client
        .prepare_cached(&format!(
            "INSERT INTO guardian_rules AS g (project, layer_number, rule_name, rule_type, \
             rule_pattern, severity, action_required, source_pattern_id, active, \
             inactive_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (project, layer_number, rule_name) DO NOTHING RETURNING {RULE_COLUMNS}"
        ))
        .await?;
    let mut name = rule.rule_name.clone();
    let mut suffix = 2_u64;
    loop {
        let row = client
            .query_opt(
                &stmt,
                &[
                    &project.as_str(),
                    &layer,
                    &name,
                    &rule.rule_type.as_str(),
                    &rule.rule_pattern,
                    &rule.severity.as_str(),
                    &rule.action_required,
                    &rule.source_pattern_id.map(|id| id.0),
                    &rule.active,
                    &reason,
                ],
            )
            .await?;
        if let Some(row) = row {
            return rule_from_row(&row);
        }
        if taken == TakenName::Refuse {
            return Err(Error::Store(StoreError::Conflict(format!(
                "guardian rule {name:?} already exists in layer {} of project {project}; \
                 choose another name",
                rule.layer_number
            ))));
        }
        name = format!("{}-{suffix}", rule.rule_name);
        suffix += 1;
    }
}

/// The rules made from `pattern`, in the order they were stored.
pub(super) async fn rules_of_pattern<C: GenericClient>(
    client: &C,
    pattern: PatternId,
) -> Result<Vec<GuardianRule>> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {RULE_COLUMNS} FROM guardian_rules g WHERE g.source_pattern_id = $1 \
             ORDER BY g.id"
        ))
        .await?;
    let rows = client.query(&stmt, &[&pattern.0]).await?;
    rows.iter().map(rule_from_row).collect()
}

/// The columns [`rule_from_row`] reads, in order, of the rule `g`.
const RULE_COLUMNS: &str = "g.id, g.layer_number, g.rule_name, g.rule_type, g.rule_pattern, \
     g.severity, g.action_required, g.source_pattern_id, g.active, g.inactive_reason, \
     g.hit_count, g.files_hit, ltmc_ts(g.last_hit_at), ltmc_ts(g.created_at)";

fn rule_from_row(row: &Row) -> Result<GuardianRule> {
    let layer: i32 = row.try_get(1)?;
    let rule_type: String = row.try_get(3)?;
    let severity: String = row.try_get(5)?;
    Ok(GuardianRule {
        id: RuleId(row.try_get(0)?),
        layer_number: i64::from(layer),
        rule_name: row.try_get(2)?,
        rule_type: RuleType::parse("guardian_rules.rule_type", &rule_type)
            .map_err(|e| bad_column("guardian_rules.rule_type", e))?,
        rule_pattern: row.try_get(4)?,
        severity: Severity::parse("guardian_rules.severity", &severity)
            .map_err(|e| bad_column("guardian_rules.severity", e))?,
        action_required: row.try_get(6)?,
        source_pattern_id: row.try_get::<_, Option<i64>>(7)?.map(PatternId),
        active: row.try_get(8)?,
        inactive_reason: row.try_get(9)?,
        hit_count: row.try_get(10)?,
        files_hit: row.try_get(11)?,
        last_hit_at: row.try_get(12)?,
        created_at: row.try_get(13)?,
    })
}
