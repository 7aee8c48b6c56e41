//! The `store_meta` row: the embedding model the store was created for, and
//! the write generation.
//!
//! The generation is how every process learns, with one cheap read, whether
//! its cached vector index still matches the database: every write transaction
//! bumps it. It is not a clock and not a per-project version.

use crate::error::{Error, Result};
use ltmc_core::CoreError;
use ltmc_store::{EmbeddingSpec, StoreError};
use rusqlite::{Connection, TransactionBehavior, params};

/// The model recorded in the store, or `None` when none has been yet.
pub(crate) fn read_embedding(conn: &Connection) -> Result<Option<EmbeddingSpec>> {
    let (model, dimension): (Option<String>, Option<i64>) = conn.query_row(
        "SELECT embedding_model, dimension FROM store_meta WHERE id = 1",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    match (model, dimension) {
        (None, None) => Ok(None),
        (Some(model_id), Some(dimension)) => Ok(Some(EmbeddingSpec {
            model_id,
            dimension: usize::try_from(dimension)
                .map_err(|_| StoreError::Corrupt(format!("store_meta.dimension is {dimension}")))?,
        })),
        (model, dimension) => Err(Error::Store(StoreError::Corrupt(format!(
            "store_meta records model {model:?} with dimension {dimension:?}; both or neither must be set"
        )))),
    }
}

/// Checks the model a caller opens the store with against the recorded one,
/// recording it on the first open. With `None` nothing is checked (doctor).
pub(crate) fn settle_embedding(
    conn: &mut Connection,
    wanted: Option<&EmbeddingSpec>,
) -> Result<Option<EmbeddingSpec>> {
    let Some(wanted) = wanted else {
        return read_embedding(conn);
    };
    check_spec(wanted)?;
    if let Some(recorded) = read_embedding(conn)? {
        same_model(&recorded, wanted)?;
        return Ok(Some(recorded));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have recorded a model while we waited for the lock.
    if let Some(recorded) = read_embedding(&tx)? {
        same_model(&recorded, wanted)?;
        return Ok(Some(recorded));
    }
    tx.execute(
        "UPDATE store_meta SET embedding_model = ?1, dimension = ?2 WHERE id = 1",
        params![wanted.model_id, wanted.dimension],
    )?;
    bump_generation(&tx)?;
    tx.commit()?;
    Ok(Some(wanted.clone()))
}

/// The read-only form of [`settle_embedding`]: a recorded model must be
/// `wanted`; none recorded is left so (nothing can be written anyway).
pub(crate) fn check_embedding(
    conn: &Connection,
    wanted: Option<&EmbeddingSpec>,
) -> Result<Option<EmbeddingSpec>> {
    let recorded = read_embedding(conn)?;
    if let (Some(recorded), Some(wanted)) = (&recorded, wanted) {
        check_spec(wanted)?;
        same_model(recorded, wanted)?;
    }
    Ok(recorded)
}

fn check_spec(spec: &EmbeddingSpec) -> Result<()> {
    if spec.model_id.trim().is_empty() {
        return Err(CoreError::invalid("model_id", "is empty (e.g. \"all-MiniLM-L6-v2\")").into());
    }
    if spec.dimension == 0 {
        return Err(CoreError::invalid("dimension", "is 0 (all-MiniLM-L6-v2 gives 384)").into());
    }
    Ok(())
}

/// The model is compared first: a different model is the cause even when its
/// dimension also differs.
fn same_model(recorded: &EmbeddingSpec, wanted: &EmbeddingSpec) -> Result<()> {
    if recorded.model_id != wanted.model_id {
        return Err(Error::Store(StoreError::WrongModel {
            expected: recorded.model_id.clone(),
            got: wanted.model_id.clone(),
        }));
    }
    if recorded.dimension != wanted.dimension {
        return Err(Error::Store(StoreError::WrongDimension {
            expected: recorded.dimension,
            got: wanted.dimension,
        }));
    }
    Ok(())
}

/// The write generation and the store's identity, which together name a
/// state of this database: what an index file records it reflects.
pub(crate) fn read_position(conn: &Connection) -> Result<(i64, String)> {
    Ok(conn.query_row(
        "SELECT write_generation, store_uid FROM store_meta WHERE id = 1",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?)
}

/// Bumps the generation inside the caller's write transaction; returns the new
/// value. Call it before touching vectors: the vector log's triggers record
/// the generation current at each change, which must be the one this
/// transaction commits as.
pub(crate) fn bump_generation(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "UPDATE store_meta SET write_generation = write_generation + 1 WHERE id = 1 \
         RETURNING write_generation",
        [],
        |row| row.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(model: &str, dimension: usize) -> EmbeddingSpec {
        EmbeddingSpec {
            model_id: model.into(),
            dimension,
        }
    }

    fn check(recorded: &EmbeddingSpec, wanted: &EmbeddingSpec, expected: &str) {
        let got = match same_model(recorded, wanted) {
            Ok(()) => "ok",
            Err(Error::Store(StoreError::WrongModel { .. })) => "WrongModel",
            Err(Error::Store(StoreError::WrongDimension { .. })) => "WrongDimension",
            Err(other) => panic!("{other:?}"),
        };
        assert_eq!(got, expected, "{recorded:?} vs {wanted:?}");
    }

    #[test]
    fn model_checks() {
        check(&spec("m", 8), &spec("m", 8), "ok");
        check(&spec("m", 8), &spec("m", 9), "WrongDimension");
        check(&spec("m", 8), &spec("n", 8), "WrongModel");
        check(&spec("m", 8), &spec("n", 9), "WrongModel");
        assert!(check_spec(&spec(" ", 8)).is_err());
        assert!(check_spec(&spec("m", 0)).is_err());
    }
}
