//! A whole-store copy (`ltmc migrate-store`) between any two stores that
//! implement [`StoreDump`]: the source is exported in one snapshot, the
//! target imports it in one transaction (a failure leaves it empty) and
//! moves its id sequences past the copied ids. Verification exports the
//! target again and compares per table the row count and a sha256 of the
//! records, checks that every id sequence of the target continues after
//! the source's, and runs the target's own integrity and vector-index
//! checks; the caller reads [`CopyReport::ok`].
//!
//! Not here: opening the stores or refusing a target that holds data (the
//! caller, which picks the backends), merging, streaming (the dump is held
//! in memory; see ltmc-store's `dump`).

use crate::{MigrateError, Progress};
use ltmc_store::{Dump, IndexStatus, IntegrityReport, StoreAdmin, StoreDump, TableChecksum};
use serde::Serialize;
use std::time::Instant;

/// What a copy needs of a store.
pub trait Migratable: StoreDump + StoreAdmin {}
impl<T: StoreDump + StoreAdmin> Migratable for T {}

/// One table compared.
#[derive(Debug, Clone, Serialize)]
pub struct TableCopy {
    pub table: &'static str,
    pub source: u64,
    pub target: u64,
    pub checksum_ok: bool,
    pub source_sha256: String,
    pub target_sha256: String,
}

/// One id sequence compared: the target's next id must not be below the source's.
#[derive(Debug, Clone, Serialize)]
pub struct SequenceCopy {
    pub sequence: String,
    pub source: i64,
    pub target: i64,
    pub ok: bool,
}

/// Seconds per step; `total` from the caller's start (opening included).
#[derive(Debug, Clone, Serialize)]
pub struct Seconds {
    pub export: f64,
    pub import: f64,
    pub verify: f64,
    pub total: f64,
}

/// What the copy did and what the verification found.
#[derive(Debug, Serialize)]
pub struct CopyReport {
    pub ok: bool,
    pub from: String,
    pub to: String,
    pub model: Option<String>,
    pub rows: u64,
    pub tables: Vec<TableCopy>,
    pub sequences: Vec<SequenceCopy>,
    pub integrity: IntegrityReport,
    pub indexes: Vec<IndexStatus>,
    pub seconds: Seconds,
}

fn compare_tables(source: &[TableChecksum], target: &[TableChecksum]) -> Vec<TableCopy> {
    source
        .iter()
        .map(|s| {
            let t = target.iter().find(|t| t.table == s.table);
            TableCopy {
                table: s.table,
                source: s.rows,
                target: t.map_or(0, |t| t.rows),
                checksum_ok: t.is_some_and(|t| t.rows == s.rows && t.sha256 == s.sha256),
                source_sha256: s.sha256.clone(),
                target_sha256: t.map(|t| t.sha256.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

fn compare_sequences(source: &Dump, target: &Dump) -> Vec<SequenceCopy> {
    source
        .next_ids
        .iter()
        .map(|(sequence, &next)| {
            let got = target.next_ids.get(sequence).copied().unwrap_or(0);
            SequenceCopy {
                sequence: sequence.clone(),
                source: next,
                target: got,
                ok: got >= next,
            }
        })
        .collect()
}

/// Copies `source` into the empty `target` (opened for the source's model)
/// and verifies the result. `started`: when the command began.
pub async fn copy_store(
    source: &dyn Migratable,
    target: &dyn Migratable,
    started: Instant,
    progress: &dyn Progress,
) -> Result<CopyReport, MigrateError> {
    let info = source.info().await?;
    let target_location = target.info().await?.location;
    let model = (!info.embedding_model.is_empty())
        .then(|| format!("{} ({} dimensions)", info.embedding_model, info.dimension));

    progress.phase(&format!("exporting {}", info.location));
    let t = Instant::now();
    let dump = source.export_dump().await?;
    let export_s = t.elapsed().as_secs_f64();
    let rows: u64 = dump.counts().iter().map(|(_, n)| n).sum();

    progress.phase(&format!("importing {rows} rows into {target_location}"));
    let t = Instant::now();
    target
        .import_dump(&dump)
        .await
        .map_err(|source| MigrateError::ImportDump { source })?;
    // A SQLite target writes the graphs of large projects beside the file.
    target.sync_indexes().await?;
    let import_s = t.elapsed().as_secs_f64();

    progress.phase("verifying the target");
    let t = Instant::now();
    let copied = target.export_dump().await?;
    let tables = compare_tables(&dump.checksums(), &copied.checksums());
    let sequences = compare_sequences(&dump, &copied);
    let integrity = target.check_integrity().await?;
    let indexes = target.check_indexes().await?;
    let verify_s = t.elapsed().as_secs_f64();
    progress.finish();

    let ok = tables.iter().all(|t| t.checksum_ok)
        && sequences.iter().all(|s| s.ok)
        && integrity.is_ok()
        && indexes.iter().all(IndexStatus::agrees);
    Ok(CopyReport {
        ok,
        from: info.location,
        to: target_location,
        model,
        rows,
        tables,
        sequences,
        integrity,
        indexes,
        seconds: Seconds {
            export: export_s,
            import: import_s,
            verify: verify_s,
            total: started.elapsed().as_secs_f64(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(table: &'static str, rows: u64, sha256: &str) -> TableChecksum {
        TableChecksum {
            table,
            rows,
            sha256: sha256.into(),
        }
    }

    #[test]
    fn a_table_agrees_only_with_the_same_rows_and_checksum() {
        let source = [
            sum("todos", 2, "aa"),
            sum("resources", 1, "bb"),
            sum("chunks", 3, "cc"),
        ];
        let target = [sum("todos", 2, "aa"), sum("resources", 1, "bx")];
        let got = compare_tables(&source, &target);
        let ok: Vec<(&str, bool, u64)> = got
            .iter()
            .map(|t| (t.table, t.checksum_ok, t.target))
            .collect();
        assert_eq!(
            ok,
            [
                ("todos", true, 2),
                ("resources", false, 1),
                ("chunks", false, 0)
            ]
        );
        assert_eq!(got[2].target_sha256, "");
    }
}
