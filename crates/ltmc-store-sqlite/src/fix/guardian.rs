//! Guardian rules and their hit statistics: [`GuardianStore`] for
//! [`SqliteStore`].
//!
//! Rows of `guardian_rules` (migration 0005), unique per project by layer
//! and name, and `guardian_rule_hits`, the matches of each rule per file
//! summed over the checks that recorded them; a rule's `hit_count`,
//! `files_hit` and `last_hit_at` are kept in step with those rows in the
//! same transaction. A rule added by hand whose name is taken is a
//! `Conflict`; one made from a pattern (`patterns.rs`, through
//! [`insert_rule`]) gets a free name instead. An active rule has no inactive
//! reason. Not here: compiling or running the regexes (ltmc-guard), choosing
//! which rules a pattern yields (service).

use super::{check_pattern, check_rule};
use crate::SqliteStore;
use crate::error::{Error, Result, not_found};
use crate::resources::bad_value;
use async_trait::async_trait;
use ltmc_core::fix::{GuardianRule, NewGuardianRule, RuleFilter, RuleHit, RuleType, Severity};
use ltmc_core::{PatternId, Project, RuleId, now_rfc3339};
use ltmc_store::validate;
use ltmc_store::{GuardianStore, RuleFileHits, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params, params_from_iter};

/// What [`insert_rule`] does when the rule's name is taken in its layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TakenName {
    /// Refuse the rule: `Conflict`.
    Refuse,
    /// Append `-2`, `-3`... until the name is free.
    Suffix,
}

#[async_trait]
impl GuardianStore for SqliteStore {
    async fn add_rule(
        &self,
        project: &Project,
        rule: NewGuardianRule,
    ) -> Result<GuardianRule, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let rule = rule.validated()?;
            let now = now_rfc3339();
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some(source) = rule.source_pattern_id {
                check_pattern(&tx, &project, source)?;
            }
            let stored = insert_rule(&tx, &project, &rule, TakenName::Refuse, &now)?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn get_rule(&self, project: &Project, id: RuleId) -> Result<GuardianRule, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            state
                .conn
                .prepare_cached(&format!(
                    "SELECT {RULE_COLUMNS} FROM guardian_rules WHERE id = ?1 AND project = ?2"
                ))?
                .query_row(params![id.0, project.as_str()], rule_from_row)
                .optional()?
                .ok_or_else(|| not_found("guardian rule", id, &project))
        })
        .await
    }

    async fn list_rules(
        &self,
        project: &Project,
        filter: &RuleFilter,
    ) -> Result<Vec<GuardianRule>, StoreError> {
        let project = project.clone();
        let filter = filter.clone();
        self.call(move |state, _| {
            let (conditions, values) = where_clause(&project, &filter);
            let mut stmt = state.conn.prepare_cached(&format!(
                "SELECT {RULE_COLUMNS} FROM guardian_rules WHERE {conditions} \
                 ORDER BY layer_number, rule_name, id"
            ))?;
            let rows = stmt.query_map(params_from_iter(values), rule_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn set_rule_active(
        &self,
        project: &Project,
        id: RuleId,
        active: bool,
        reason: Option<String>,
    ) -> Result<GuardianRule, StoreError> {
        let project = project.clone();
        let reason = if active {
            None
        } else {
            ltmc_core::present(reason)
        };
        self.call(move |state, _| {
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let stored = tx
                .prepare_cached(&format!(
                    "UPDATE guardian_rules SET active = ?3, inactive_reason = ?4 \
                     WHERE id = ?1 AND project = ?2 RETURNING {RULE_COLUMNS}"
                ))?
                .query_row(
                    params![id.0, project.as_str(), active, reason],
                    rule_from_row,
                )
                .optional()?
                .ok_or_else(|| not_found("guardian rule", id, &project))?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    async fn record_rule_hits(
        &self,
        project: &Project,
        hits: Vec<RuleHit>,
    ) -> Result<(), StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let hits = validate::checked_hits(hits)?;
            if hits.is_empty() {
                return Ok(());
            }
            let now = now_rfc3339();
            let tx = state
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            for (rule, _, _) in &hits {
                check_rule(&tx, &project, *rule)?;
            }
            {
                let mut per_file = tx.prepare_cached(
                    "INSERT INTO guardian_rule_hits (rule_id, file_path, hits, last_hit_at) \
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (rule_id, file_path) DO UPDATE \
                     SET hits = hits + excluded.hits, last_hit_at = excluded.last_hit_at",
                )?;
                let mut per_rule = tx.prepare_cached(
                    "UPDATE guardian_rules SET hit_count = hit_count + ?2, \
                     files_hit = (SELECT count(*) FROM guardian_rule_hits WHERE rule_id = ?1), \
                     last_hit_at = ?3 WHERE id = ?1",
                )?;
                for (rule, file_path, count) in &hits {
                    if *count == 0 {
                        continue;
                    }
                    per_file.execute(params![rule.0, file_path, count, now])?;
                    per_rule.execute(params![rule.0, count, now])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn rule_file_hits(&self, project: &Project) -> Result<Vec<RuleFileHits>, StoreError> {
        let project = project.clone();
        self.call(move |state, _| {
            let mut stmt = state.conn.prepare_cached(
                "SELECT h.rule_id, h.file_path, h.hits, h.last_hit_at FROM guardian_rule_hits h \
                 JOIN guardian_rules r ON r.id = h.rule_id WHERE r.project = ?1 \
                 ORDER BY h.hits DESC, h.rule_id, h.file_path",
            )?;
            let rows = stmt.query_map([project.as_str()], |row| {
                Ok(RuleFileHits {
                    rule_id: RuleId(row.get(0)?),
                    file_path: row.get(1)?,
                    hits: row.get(2)?,
                    last_hit_at: row.get(3)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}

/// Stores a validated rule (its source pattern checked by the caller) inside
/// the caller's write transaction. A name taken in the layer is refused or
/// suffixed, as `taken` says.
pub(super) fn insert_rule(
    conn: &Connection,
    project: &Project,
    rule: &NewGuardianRule,
    taken: TakenName,
    now: &str,
) -> Result<GuardianRule> {
    let mut name = rule.rule_name.clone();
    let mut suffix = 2;
    while name_taken(conn, project, rule.layer_number, &name)? {
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
    let reason = if rule.active {
        None
    } else {
        rule.inactive_reason.as_deref()
    };
    Ok(conn
        .prepare_cached(&format!(
            "INSERT INTO guardian_rules (project, layer_number, rule_name, rule_type, \
             rule_pattern, severity, action_required, source_pattern_id, active, \
             inactive_reason, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING {RULE_COLUMNS}"
        ))?
        .query_row(
            params![
                project.as_str(),
                rule.layer_number,
                name,
                rule.rule_type.as_str(),
                rule.rule_pattern,
                rule.severity.as_str(),
                rule.action_required,
                rule.source_pattern_id.map(|id| id.0),
                rule.active,
                reason,
                now
            ],
            rule_from_row,
        )?)
}

fn name_taken(conn: &Connection, project: &Project, layer: i64, name: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM guardian_rules \
             WHERE project = ?1 AND layer_number = ?2 AND rule_name = ?3)",
        )?
        .query_row(params![project.as_str(), layer, name], |row| row.get(0))?)
}

/// The rules made from `pattern`, in the order they were stored.
pub(super) fn rules_of_pattern(conn: &Connection, pattern: PatternId) -> Result<Vec<GuardianRule>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RULE_COLUMNS} FROM guardian_rules WHERE source_pattern_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([pattern.0], rule_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The conditions on `guardian_rules` (unqualified columns) of `filter` in
/// `project`, with their values in order.
fn where_clause(project: &Project, filter: &RuleFilter) -> (String, Vec<Value>) {
    let mut conditions = vec!["project = ?".to_owned()];
    let mut values = vec![Value::Text(project.as_str().to_owned())];
    if let Some(layer) = filter.layer {
        conditions.push("layer_number = ?".to_owned());
        values.push(Value::Integer(layer));
    }
    if let Some(active) = filter.active {
        conditions.push("active = ?".to_owned());
        values.push(Value::Integer(i64::from(active)));
    }
    if let Some(rule_type) = filter.rule_type {
        conditions.push("rule_type = ?".to_owned());
        values.push(Value::Text(rule_type.as_str().to_owned()));
    }
    if let Some(source) = filter.source_pattern_id {
        conditions.push("source_pattern_id = ?".to_owned());
        values.push(Value::Integer(source.0));
    }
    (conditions.join(" AND "), values)
}

/// The columns [`rule_from_row`] reads, in order (unqualified, so that
/// `RETURNING` can name them too).
const RULE_COLUMNS: &str = "id, layer_number, rule_name, rule_type, rule_pattern, severity, \
                            action_required, source_pattern_id, active, inactive_reason, \
                            hit_count, files_hit, last_hit_at, created_at";

fn rule_from_row(row: &Row<'_>) -> rusqlite::Result<GuardianRule> {
    let rule_type: String = row.get(3)?;
    let severity: String = row.get(5)?;
    Ok(GuardianRule {
        id: RuleId(row.get(0)?),
        layer_number: row.get(1)?,
        rule_name: row.get(2)?,
        rule_type: RuleType::parse("rule_type", &rule_type).map_err(|err| bad_value(3, err))?,
        rule_pattern: row.get(4)?,
        severity: Severity::parse("severity", &severity).map_err(|err| bad_value(5, err))?,
        action_required: row.get(6)?,
        source_pattern_id: row.get::<_, Option<i64>>(7)?.map(PatternId),
        active: row.get(8)?,
        inactive_reason: row.get(9)?,
        hit_count: row.get(10)?,
        files_hit: row.get(11)?,
        last_hit_at: row.get(12)?,
        created_at: row.get(13)?,
    })
}
