//! The fix-pattern knowledge base (seed 000) on PostgreSQL: file audits
//! (`audits.rs`), patterns with their three pgvector embeddings,
//! relationships and applications (`patterns.rs`), guardian rules and their
//! hits (`guardian.rs`), over the tables of migration 0003; and the helpers
//! they share (input checks, id conversions, existence checks).
//!
//! As in the SQLite store: input is validated with ltmc-core's `validated()`
//! (and vectors checked) before the transaction starts; every write is one
//! transaction that checks every id it names (locking what it reads and
//! then changes, `FOR NO KEY UPDATE`, or what must not vanish, `FOR KEY
//! SHARE`) before the first row is written, so a refused write leaves
//! nothing; every query filters by project, and an id of another project is
//! `NotFound`.
//! The seed's `search_patterns_enhanced` and `get_related_patterns` are SQL
//! functions (migration 0003) that `search_patterns` and `related_patterns`
//! call, so a team calling them as Supabase RPCs gets the same answers.
//! Not here: regexes (rules are text), embedding, inference, confidence
//! scoring (the service's and ltmc-guard's).

mod audits;
mod calibrations;
mod guardian;
mod mining;
mod patterns;

use crate::PgStore;
use crate::error::{Error, Result, corrupt, invalid, not_found};
use deadpool_postgres::GenericClient;
use ltmc_core::{AuditId, PatternId, Project, RuleId};
use ltmc_store::entity;
use ltmc_store::validate;

/// A vector the store may keep or search with ([`validate::check_vector`]
/// with the store's dimension); pgvector would refuse NaN with a message
/// naming no field, and a zero vector has no cosine.
fn check_vector(store: &PgStore, vector: &[f32], field: &'static str) -> Result<()> {
    Ok(validate::check_vector(
        vector,
        store.spec()?.dimension,
        field,
    )?)
}

/// A layer (validated 1 to 7) as the INTEGER its columns hold.
fn layer_i32(field: &'static str, layer: i64) -> Result<i32> {
    i32::try_from(layer).map_err(|_| invalid(field, format!("layer {layer} is outside 1-7")))
}

/// A status, layer or kind read back that the schema's CHECKs should have
/// kept out.
fn bad_column(column: &str, err: impl std::fmt::Display) -> Error {
    corrupt(format!("{column}: {err}"))
}

/// Whether `table` holds a row `id` of `project`, locking it against
/// deletion (`FOR KEY SHARE`) until the transaction ends. `table` is one of
/// ours, never input.
async fn exists<C: GenericClient>(
    client: &C,
    table: &'static str,
    project: &Project,
    id: i64,
) -> Result<bool> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT 1 FROM {table} WHERE id = $1 AND project = $2 FOR KEY SHARE"
        ))
        .await?;
    Ok(client
        .query_opt(&stmt, &[&id, &project.as_str()])
        .await?
        .is_some())
}

/// The audit is one of `project`'s, else `NotFound`.
async fn check_audit<C: GenericClient>(client: &C, project: &Project, id: AuditId) -> Result<()> {
    if exists(client, "file_audit", project, id.0).await? {
        Ok(())
    } else {
        Err(not_found(entity::FILE_AUDIT, id, project))
    }
}

/// The pattern is one of `project`'s, else `NotFound`.
async fn check_pattern<C: GenericClient>(
    client: &C,
    project: &Project,
    id: PatternId,
) -> Result<()> {
    if exists(client, "fix_patterns", project, id.0).await? {
        Ok(())
    } else {
        Err(not_found(entity::FIX_PATTERN, id, project))
    }
}

/// Locks the rules (`FOR NO KEY UPDATE`, in id order, so two writers never
/// wait on each other crosswise) if all are `project`'s; else `NotFound`
/// naming the first unknown one in the given order.
async fn lock_rules<C: GenericClient>(client: &C, project: &Project, ids: &[RuleId]) -> Result<()> {
    let wanted: Vec<i64> = ids.iter().map(|r| r.0).collect();
    let stmt = client
        .prepare_cached(
            "SELECT id FROM guardian_rules WHERE project = $1 AND id = ANY ($2) \
             ORDER BY id FOR NO KEY UPDATE",
        )
        .await?;
    let rows = client.query(&stmt, &[&project.as_str(), &wanted]).await?;
    let found: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    match ids.iter().find(|id| !found.contains(&id.0)) {
        Some(missing) => Err(not_found("guardian rule", missing, project)),
        None => Ok(()),
    }
}
