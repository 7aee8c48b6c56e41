//! A whole PostgreSQL store as a [`Dump`] and back: [`StoreDump`] for
//! [`PgStore`], behind `ltmc migrate-store`.
//!
//! Export reads every table in one repeatable-read, read-only transaction
//! (one snapshot), times through `ltmc_ts` (the dump's text form), integer
//! and real columns widened to the dump's i64 / f64. Import runs in one
//! transaction: it locks every data table against concurrent writers (other
//! ltmc servers wait until it ends), finds them empty, writes every row with
//! its id (`OVERRIDING SYSTEM VALUE`: the ids are identity columns) and
//! vector id, the chunks in batches through `unnest` with their resource's
//! type (a column PostgreSQL repeats from the resource), and last moves each
//! identity sequence and `vector_id_seq` past the copied ids with `setval`.
//! The sequences are moved last because `setval` is not undone by a
//! rollback: a failure before it leaves the database exactly as it was.
//! Each chunk's tsvector and the HNSW indexes follow the rows by themselves.
//!
//! This file holds the orchestration (the transactions, the model check, the
//! locks and the emptiness check, the order of the table families) and the
//! helpers the families share; each family reads and writes its own tables:
//! `documents` (resources, chunks with their vectors), `activity` (chats,
//! context links, todos, graph edges, code attempts), `fix` (audits, fix
//! patterns with their vectors, relationships, applications, guardian rules
//! and hits), `mining` (mining state, mined pattern sources, tombstones),
//! and `sequences` (read on export, moved last on import).
//!
//! Not here: the record format and checksums (ltmc-store's `dump`), the
//! command (the `ltmc` binary), and the use cases' writes (which allocate
//! new ids: this module writes the tables directly).

mod activity;
mod documents;
mod fix;
mod mining;
mod sequences;

use crate::PgStore;
use crate::error::{Error, Result, corrupt};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use ltmc_store::{Dump, ModelRecord, StoreDump, StoreError, describe_counts};
use tokio_postgres::{IsolationLevel, Row};

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
    ("file_audits", "file_audit"),
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
impl StoreDump for PgStore {
    async fn dump_counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        async {
            let client = self.client().await?;
            counts(&client).await
        }
        .await
        .map_err(|e| self.fail(e))
    }

    async fn export_dump(&self) -> Result<Dump, StoreError> {
        export(self).await.map_err(|e| self.fail(e))
    }

    async fn import_dump(&self, dump: &Dump) -> Result<(), StoreError> {
        dump.check()?;
        import(self, dump).await.map_err(|e| self.fail(e))
    }
}

async fn counts(client: &impl GenericClient) -> Result<Vec<(&'static str, u64)>> {
    let selects: Vec<String> = TABLES
        .iter()
        .map(|(_, table)| format!("(SELECT count(*) FROM {table})"))
        .collect();
    let row = client
        .query_one(&format!("SELECT {}", selects.join(", ")), &[])
        .await?;
    let mut counts = Vec::with_capacity(TABLES.len());
    for (i, (name, _)) in TABLES.iter().enumerate() {
        let n: i64 = row.try_get(i)?;
        counts.push((
            *name,
            u64::try_from(n).map_err(|_| corrupt(format!("count(*) is {n}")))?,
        ));
    }
    Ok(counts)
}

/// The table of a sequence name of [`ltmc_store::ID_SEQUENCES`] (not
/// [`sequences::VECTOR_IDS`]).
fn table_of(sequence: &str) -> Result<&'static str> {
    TABLES
        .iter()
        .find(|(name, _)| *name == sequence)
        .map(|(_, table)| *table)
        .ok_or_else(|| corrupt(format!("no table for the id sequence {sequence}")))
}

async fn rows<T>(
    client: &impl GenericClient,
    sql: &str,
    read: impl Fn(&Row) -> Result<T>,
) -> Result<Vec<T>> {
    client.query(sql, &[]).await?.iter().map(read).collect()
}

async fn export(store: &PgStore) -> Result<Dump> {
    let mut client = store.client().await?;
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let folds: i64 = tx
        .query_one("SELECT count(*) FROM resource_folds", &[])
        .await?
        .try_get(0)?;
    if folds > 0 {
        return Err(ltmc_store::folds_not_copied(folds.unsigned_abs()).into());
    }
    let model = tx
        .query_one(
            "SELECT embedding_model, dimension::int8 FROM store_meta WHERE id = 1",
            &[],
        )
        .await?;
    let model = match (
        model.try_get::<_, Option<String>>(0)?,
        model.try_get::<_, Option<i64>>(1)?,
    ) {
        (Some(model_id), Some(dimension)) => Some(ModelRecord {
            model_id,
            dimension,
        }),
        _ => None,
    };
    let mut dump = Dump::new(model);
    documents::export(&tx, &mut dump).await?;
    activity::export(&tx, &mut dump).await?;
    fix::export(&tx, &mut dump).await?;
    mining::export(&tx, &mut dump).await?;
    dump.next_ids = sequences::next_ids(&tx).await?;
    tx.commit().await?;
    dump.sort();
    Ok(dump)
}

async fn import(store: &PgStore, dump: &Dump) -> Result<()> {
    if let Some(model) = &dump.model {
        let wanted = model.spec()?;
        let recorded = store.spec()?;
        if recorded.model_id != wanted.model_id {
            return Err(Error::Store(StoreError::WrongModel {
                expected: recorded.model_id.clone(),
                got: wanted.model_id,
            }));
        }
        if recorded.dimension != wanted.dimension {
            return Err(Error::Store(StoreError::WrongDimension {
                expected: recorded.dimension,
                got: wanted.dimension,
            }));
        }
    }
    let mut client = store.client().await?;
    let tx = client.transaction().await?;
    // Other servers' writes wait for this transaction; their reads do not.
    let tables: Vec<&str> = TABLES.iter().map(|(_, table)| *table).collect();
    tx.batch_execute(&format!(
        "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
        tables.join(", ")
    ))
    .await?;
    let held = counts(&tx).await?;
    if held.iter().any(|(_, n)| *n > 0) {
        return Err(Error::Store(StoreError::Conflict(format!(
            "{}: the database is not empty (it holds {}); copy into a new or empty database",
            store.location(),
            describe_counts(&held)
        ))));
    }
    documents::import(&tx, dump).await?;
    activity::import(&tx, dump).await?;
    fix::import(&tx, dump).await?;
    mining::import(&tx, dump).await?;
    sequences::set(&tx, dump).await?;
    tx.commit().await?;
    Ok(())
}
