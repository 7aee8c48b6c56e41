//! The id sequences of a SQLite dump: what each sequence hands out next
//! (read on export) and moving every sequence past the copied ids (on
//! import). Chunks' vector ids live in `vector_id_sequence`; every other
//! sequence is the AUTOINCREMENT (`sqlite_sequence`) of its table. Not the
//! rows themselves (the table families of `dump`).

use crate::error::Result;
use ltmc_store::{Dump, ID_SEQUENCES};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;

/// The sequence of chunks' vector ids, in `vector_id_sequence`; every other
/// sequence of [`ID_SEQUENCES`] is the AUTOINCREMENT of the table of its name.
const VECTOR_IDS: &str = "vector_ids";

/// The next id of each sequence: past both what AUTOINCREMENT handed out
/// (deleted rows included) and the largest id held.
pub(super) fn next_ids(conn: &Connection) -> Result<BTreeMap<String, i64>> {
    let mut next = BTreeMap::new();
    for sequence in ID_SEQUENCES {
        let value: i64 = if *sequence == VECTOR_IDS {
            conn.query_row(
                "SELECT max((SELECT next_id FROM vector_id_sequence WHERE id = 1), \
                            coalesce((SELECT max(vector_id) FROM chunks), 0) + 1)",
                [],
                |row| row.get(0),
            )?
        } else {
            // The table names are ours (ID_SEQUENCES), never input.
            conn.query_row(
                &format!(
                    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?1), 0), \
                                coalesce((SELECT max(id) FROM {sequence}), 0)) + 1"
                ),
                [sequence],
                |row| row.get(0),
            )?
        };
        next.insert((*sequence).to_owned(), value);
    }
    Ok(next)
}

/// Moves every id sequence past the copied ids and the source's position,
/// never back.
pub(super) fn set(conn: &Connection, dump: &Dump) -> Result<()> {
    for sequence in ID_SEQUENCES {
        if *sequence == VECTOR_IDS {
            let current: i64 = conn.query_row(
                "SELECT next_id FROM vector_id_sequence WHERE id = 1",
                [],
                |row| row.get(0),
            )?;
            conn.execute(
                "UPDATE vector_id_sequence SET next_id = ?1 WHERE id = 1",
                [dump.next_id(sequence, current)],
            )?;
            continue;
        }
        // sqlite_sequence holds the last id handed out, one row per table
        // that has handed out any (the inserts before this made theirs).
        let last: Option<i64> = conn
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                [sequence],
                |row| row.get(0),
            )
            .optional()?;
        let next = dump.next_id(sequence, last.unwrap_or(0) + 1);
        match last {
            Some(_) => conn.execute(
                "UPDATE sqlite_sequence SET seq = ?2 WHERE name = ?1",
                params![sequence, next - 1],
            )?,
            None if next > 1 => conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)",
                params![sequence, next - 1],
            )?,
            None => 0,
        };
    }
    Ok(())
}
