//! The fix-pattern knowledge base (seed 000) for [`crate::SqliteStore`]:
//! [`ltmc_store::AuditStore`] (`audits.rs`), [`ltmc_store::PatternStore`]
//! (`patterns.rs`, its search in `search.rs`) and
//! [`ltmc_store::GuardianStore`] (`guardian.rs`), over the tables of
//! migration 0005; and the helpers they share (JSON array columns, existence
//! checks, the slots of pattern vectors).
//!
//! As everywhere in this crate: every write is one `BEGIN IMMEDIATE`
//! transaction, its input validated (with ltmc-core's `validated()`) before
//! the transaction starts and every id it names checked inside it before the
//! first row is written, so a refused write leaves nothing behind. Every
//! query filters by project, and an id of another project is `NotFound`.
//! Not here: regexes (rules are text), embedding, inference, confidence
//! scoring (the service's and ltmc-guard's), and pattern vectors in the
//! chunks' vector index (they have a table of their own, searched exactly).

mod audits;
mod calibrations;
mod guardian;
mod mining;
mod patterns;
mod review;
mod search;

use crate::error::{Result, not_found};
use crate::resources::bad_value;
use ltmc_core::{AuditId, PatternId, Project, RuleId};
use ltmc_store::entity;
use ltmc_store::validate::invalid;
use rusqlite::{Connection, Row, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The kinds of a pattern's vectors, each with the base of its slots in
/// `fix_pattern_vectors` (migration 0005): a vector's rowid is its kind's
/// base plus the pattern id, so each kind's vectors lie together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VectorKind {
    Content,
    Code,
    Problem,
}

impl VectorKind {
    /// How far apart the kinds' slots are; pattern ids stay below it (the
    /// schema checks).
    const STRIDE: i64 = 1 << 40;

    fn as_str(self) -> &'static str {
        match self {
            Self::Content => "content",
            Self::Code => "code",
            Self::Problem => "problem",
        }
    }

    /// The rowid of the first slot of this kind: slot = base + pattern id.
    fn base(self) -> i64 {
        let factor = match self {
            Self::Content => 1,
            Self::Code => 2,
            Self::Problem => 3,
        };
        factor * Self::STRIDE
    }

    fn slot(self, pattern: PatternId) -> i64 {
        self.base() + pattern.0
    }
}

/// A list (or any value) as the JSON text of its column.
fn json_text<T: Serialize + ?Sized>(field: &'static str, value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)
        .map_err(|err| invalid(field, format!("cannot be written as JSON: {err}")))?)
}

/// The JSON text in column `index`, read as a `T`; text that is not one is a
/// damaged row.
fn json_column<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|err| bad_value(index, err))
}

/// Whether `table` holds a row `id` of `project`. `table` is one of ours,
/// never input.
fn exists(conn: &Connection, table: &'static str, project: &Project, id: i64) -> Result<bool> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1 AND project = ?2)"
    ))?;
    Ok(stmt.query_row(params![id, project.as_str()], |row| row.get(0))?)
}

/// The audit is one of `project`'s, else `NotFound`.
fn check_audit(conn: &Connection, project: &Project, id: AuditId) -> Result<()> {
    if exists(conn, "file_audits", project, id.0)? {
        Ok(())
    } else {
        Err(not_found(entity::FILE_AUDIT, id, project))
    }
}

/// The pattern is one of `project`'s, else `NotFound`.
fn check_pattern(conn: &Connection, project: &Project, id: PatternId) -> Result<()> {
    if exists(conn, "fix_patterns", project, id.0)? {
        Ok(())
    } else {
        Err(not_found(entity::FIX_PATTERN, id, project))
    }
}

/// The rule is one of `project`'s, else `NotFound`.
fn check_rule(conn: &Connection, project: &Project, id: RuleId) -> Result<()> {
    if exists(conn, "guardian_rules", project, id.0)? {
        Ok(())
    } else {
        Err(not_found("guardian rule", id, project))
    }
}
