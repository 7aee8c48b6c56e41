//! A whole SQLite store as a [`Dump`] and back: [`StoreDump`] for
//! [`SqliteStore`], behind `ltmc migrate-store`.
//!
//! Export reads every table in one read transaction (one snapshot). Times
//! leave in the dump's fixed-width form (`strftime('%Y-%m-%dT%H:%M:%fZ')`:
//! the store writes some times with fewer fraction digits, or none, and a
//! caller's `last_applied` as given); text SQLite cannot read as a time
//! leaves as it is. Import writes every row with its id and vector id in one
//! `BEGIN IMMEDIATE` transaction that first finds the store empty, bumps the
//! write generation (so the vector log's triggers file the new vectors under
//! the generation this transaction commits as, and every process's index
//! catches up from the log), and last moves `vector_id_sequence` and
//! AUTOINCREMENT's `sqlite_sequence` past the copied ids. The FTS5 indexes
//! follow the chunk and todo rows by their triggers.
//!
//! This file holds the orchestration (the transactions, the model check,
//! the emptiness check, the order of the table families) and the row helpers
//! the families share; each family reads and writes its own tables:
//! `documents` (resources, chunks, vectors), `activity` (chats, context
//! links, todos, graph edges, code attempts), `fix` (audits, fix patterns and
//! their vectors, relationships, applications, guardian rules and hits),
//! `mining` (mining state, mined pattern sources, tombstones), and
//! `sequences` (the id sequences, read on export and moved on import).
//!
//! Not here: the record format and checksums (ltmc-store's `dump`), the
//! command (the `ltmc` binary), and the use cases' writes (which allocate
//! new ids: this module writes the tables directly).

mod activity;
mod documents;
mod fix;
mod mining;
mod sequences;

use crate::error::{Error, Result};
use crate::resources::bad_value;
use crate::store::State;
use crate::{SqliteStore, blob, meta};
use async_trait::async_trait;
use ltmc_store::{Dump, ModelRecord, StoreDump, StoreError, describe_counts};
use rusqlite::{Connection, Row, TransactionBehavior};
use serde::de::DeserializeOwned;
use std::path::Path;

/// The data tables: (the dump's name, the table here), in the dump's order.
const TABLES: &[(&str, &str)] = &[
    ("resources", "resources"),
    ("chunks", "chunks"),
    ("chat_messages", "chat_messages"),
    ("context_links", "context_links"),
    ("todos", "todos"),
    ("graph_edges", "graph_edges"),
    ("code_attempts", "code_attempts"),
    ("attempt_links", "attempt_links"),
    ("file_audits", "file_audits"),
    ("file_audit_history", "file_audit_history"),
    ("fix_patterns", "fix_patterns"),
    ("pattern_relationships", "pattern_relationships"),
    ("pattern_applications", "pattern_applications"),
    ("guardian_rules", "guardian_rules"),
    ("guardian_rule_hits", "guardian_rule_hits"),
    ("fix_calibrations", "fix_calibrations"),
    ("mining_state", "mining_state"),
    ("mined_pattern_sources", "mined_pattern_sources"),
    ("mining_tombstones", "mining_tombstones"),
];

#[async_trait]
impl StoreDump for SqliteStore {
    async fn dump_counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        self.call(|state, _| counts(&state.conn)).await
    }

    async fn export_dump(&self) -> Result<Dump, StoreError> {
        self.call(|state, _| export(state)).await
    }

    async fn import_dump(&self, dump: &Dump) -> Result<(), StoreError> {
        dump.check()?;
        // The work runs on a blocking thread that must own what it reads.
        let dump = dump.clone();
        self.call(move |state, path| import(state, path, &dump))
            .await
    }
}

fn counts(conn: &Connection) -> Result<Vec<(&'static str, u64)>> {
    let mut counts = Vec::with_capacity(TABLES.len());
    for (name, table) in TABLES {
        let n: u64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })?;
        counts.push((*name, n));
    }
    Ok(counts)
}

/// `column` as the dump's time text, or as stored when SQLite cannot read it
/// as a time (NULL stays NULL).
fn ts(column: &str) -> String {
    format!("coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', {column}), {column})")
}

/// The JSON text in column `index` as a `T`.
fn json<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|err| bad_value(index, err))
}

fn json_text(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|err| Error::Store(StoreError::Corrupt(format!("cannot write JSON: {err}"))))
}

fn rows<T>(
    conn: &Connection,
    sql: &str,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], read)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A vector blob of the store's dimension, else a damaged row.
fn vector(bytes: Option<Vec<u8>>, dimension: Option<usize>, what: &str) -> Result<Vec<f32>> {
    let Some(bytes) = bytes else {
        return Err(Error::Store(StoreError::Corrupt(format!(
            "{what} has no vector"
        ))));
    };
    let Some(dimension) = dimension else {
        return Err(Error::Store(StoreError::Corrupt(format!(
            "{what} has a vector but the store records no embedding model"
        ))));
    };
    blob::decode(&bytes, dimension).ok_or_else(|| {
        Error::Store(StoreError::Corrupt(format!(
            "{what} has a vector of {} bytes, not {dimension} floats",
            bytes.len()
        )))
    })
}

fn export(state: &mut State) -> Result<Dump> {
    let tx = state.conn.transaction()?;
    let folds: u64 = tx.query_row("SELECT count(*) FROM resource_folds", [], |row| row.get(0))?;
    if folds > 0 {
        return Err(ltmc_store::folds_not_copied(folds).into());
    }
    let model = meta::read_embedding(&tx)?;
    let dimension = model.as_ref().map(|m| m.dimension);
    let mut dump = Dump::new(model.as_ref().map(ModelRecord::from_spec));
    documents::export(&tx, dimension, &mut dump)?;
    activity::export(&tx, &mut dump)?;
    fix::export(&tx, dimension, &mut dump)?;
    mining::export(&tx, &mut dump)?;
    dump.next_ids = sequences::next_ids(&tx)?;
    tx.commit()?;
    dump.sort();
    Ok(dump)
}

fn import(state: &mut State, path: &Path, dump: &Dump) -> Result<()> {
    let recorded = state.embedding()?.cloned();
    if let Some(model) = &dump.model {
        let wanted = model.spec()?;
        match recorded {
            None => {
                return Err(Error::Store(StoreError::Unavailable(format!(
                    "{}: no embedding model is recorded in this store; open it with the \
                     source's model ({}) before importing",
                    path.display(),
                    wanted.model_id
                ))));
            }
            Some(recorded) if recorded.model_id != wanted.model_id => {
                return Err(Error::Store(StoreError::WrongModel {
                    expected: recorded.model_id,
                    got: wanted.model_id,
                }));
            }
            Some(recorded) if recorded.dimension != wanted.dimension => {
                return Err(Error::Store(StoreError::WrongDimension {
                    expected: recorded.dimension,
                    got: wanted.dimension,
                }));
            }
            Some(_) => {}
        }
    }
    let tx = state
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let held = counts(&tx)?;
    if held.iter().any(|(_, n)| *n > 0) {
        return Err(Error::Store(StoreError::Conflict(format!(
            "{}: the store is not empty (it holds {}); copy into a new or empty store",
            path.display(),
            describe_counts(&held)
        ))));
    }
    // Before any vector is written: the log's triggers read it.
    meta::bump_generation(&tx)?;
    documents::import(&tx, dump)?;
    activity::import(&tx, dump)?;
    fix::import(&tx, dump)?;
    mining::import(&tx, dump)?;
    sequences::set(&tx, dump)?;
    // Dropping the transaction on any error above rolls everything back.
    tx.commit()?;
    Ok(())
}
