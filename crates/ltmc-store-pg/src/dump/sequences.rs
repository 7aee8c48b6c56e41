//! The id sequences of a PostgreSQL dump: what each sequence hands out next
//! (read on export) and moving every sequence past the copied ids with
//! `setval` (last on import: `setval` is not rolled back). Chunks' vector
//! ids come from `vector_id_seq`; every other sequence is its table's
//! identity. Not the rows themselves (the table families of `dump`).

use super::table_of;
use crate::error::{Result, corrupt};
use deadpool_postgres::GenericClient;
use ltmc_store::{Dump, ID_SEQUENCES};
use std::collections::BTreeMap;

/// The sequence of chunks' vector ids; every other sequence of
/// [`ID_SEQUENCES`] is the identity of the table of its name ([`TABLES`]).
const VECTOR_IDS: &str = "vector_ids";

/// The sequence behind `sequence` (a name of [`ID_SEQUENCES`]), qualified.
async fn sequence_name(client: &impl GenericClient, sequence: &str) -> Result<String> {
    if sequence == VECTOR_IDS {
        return Ok("vector_id_seq".to_owned());
    }
    let table = table_of(sequence)?;
    client
        .query_one("SELECT pg_get_serial_sequence($1, 'id')", &[&table])
        .await?
        .try_get::<_, Option<String>>(0)?
        .ok_or_else(|| corrupt(format!("{table}.id has no sequence")))
}

/// The value `nextval` would hand out next.
async fn sequence_next(client: &impl GenericClient, name: &str) -> Result<i64> {
    // `name` comes from pg_get_serial_sequence (quoted) or is our own.
    Ok(client
        .query_one(
            &format!(
                "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {name}"
            ),
            &[],
        )
        .await?
        .try_get(0)?)
}

/// The next id of each sequence: past what it handed out (deleted rows
/// included) and past the largest id held.
pub(super) async fn next_ids(client: &impl GenericClient) -> Result<BTreeMap<String, i64>> {
    let mut next = BTreeMap::new();
    for sequence in ID_SEQUENCES {
        let name = sequence_name(client, sequence).await?;
        let position = sequence_next(client, &name).await?;
        let (table, column) = if *sequence == VECTOR_IDS {
            ("chunks", "vector_id")
        } else {
            (table_of(sequence)?, "id")
        };
        let held: i64 = client
            .query_one(
                &format!("SELECT coalesce(max({column}), 0) + 1 FROM {table}"),
                &[],
            )
            .await?
            .try_get(0)?;
        next.insert((*sequence).to_owned(), position.max(held));
    }
    Ok(next)
}

/// Moves every sequence past the copied ids and the source's position,
/// never back. Last in the transaction: `setval` is not rolled back.
pub(super) async fn set(tx: &impl GenericClient, dump: &Dump) -> Result<()> {
    for sequence in ID_SEQUENCES {
        let name = sequence_name(tx, sequence).await?;
        let current = sequence_next(tx, &name).await?;
        let next = dump.next_id(sequence, current);
        if next > current {
            tx.execute(
                "SELECT setval($1::text::regclass, $2, true)",
                &[&name, &(next - 1)],
            )
            .await?;
        }
    }
    Ok(())
}
