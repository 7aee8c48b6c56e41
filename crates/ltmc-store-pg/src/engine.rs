//! PostgreSQL's own checks of ltmc's tables, for `ltmc doctor`'s storage
//! check ([`StoreAdmin::check_storage`](ltmc_store::StoreAdmin)), and the
//! repair `ltmc reindex --all` runs for what they find.
//!
//! - **Index validity.** Every index of ltmc's tables (the tables the
//!   migrations create, looked up in the store's schema) must be valid, ready
//!   and live in `pg_index`; an interrupted `CREATE INDEX CONCURRENTLY` or
//!   `REINDEX CONCURRENTLY` leaves one that is not, and PostgreSQL then
//!   neither uses it for searches nor (when not ready) keeps it current.
//! - **amcheck**, where the extension is installed in the database:
//!   `bt_index_check` on every valid b-tree index (with `heapallindexed`, i.e.
//!   every row must be in the index, when `full`). Installed but not usable
//!   (no privilege) or not installed is reported as skipped with the reason;
//!   doctor never installs an extension.
//! - The settings that bear on durability: `fsync`, `synchronous_commit`,
//!   `full_page_writes`, `data_checksums`.
//!
//! A damaged index is repaired by rebuilding it from its table (REINDEX),
//! so every finding here is [`Repair::Reindex`]. Not here: ltmc's cross-row
//! invariants (admin.rs `check_integrity`), or damage to the tables' pages,
//! which only PostgreSQL's `pg_amcheck --heapallindexed`/`verify_heapam`
//! or a restore can address.

use crate::PgStore;
use crate::error::{Error, Result};
use crate::open::ltmc_tables;
use deadpool_postgres::GenericClient;
use ltmc_store::{Repair, StorageProblem, StorageReport};

/// One index of ltmc's tables as `pg_index` describes it.
struct Index {
    name: String,
    table: String,
    method: String,
    usable: bool,
}

/// The indexes of ltmc's tables in the store's schema, by name.
async fn indexes(client: &impl GenericClient) -> Result<Vec<Index>> {
    let tables = ltmc_tables();
    let rows = client
        .query(
            "SELECT ic.relname::text, t.relname::text, am.amname::text, \
                    i.indisvalid AND i.indisready AND i.indislive \
             FROM pg_index i \
             JOIN pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_class t ON t.oid = i.indrelid \
             JOIN pg_am am ON am.oid = ic.relam \
             WHERE t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) \
               AND t.relname::text = ANY($1::text[]) \
             ORDER BY ic.relname",
            &[&tables],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Index {
                name: row.try_get(0)?,
                table: row.try_get(1)?,
                method: row.try_get(2)?,
                usable: row.try_get(3)?,
            })
        })
        .collect()
}

/// The check; see the module comment.
pub(crate) async fn check_storage(store: &PgStore, full: bool) -> Result<StorageReport> {
    let client = store.client().await?;
    let mut report = StorageReport::default();
    for setting in [
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "data_checksums",
    ] {
        let value: String = client
            .query_one("SELECT current_setting($1)", &[&setting])
            .await?
            .try_get(0)?;
        report.settings.push(format!("{setting}={value}"));
    }
    let indexes = indexes(&client).await?;
    report.checked.push(format!(
        "pg_index validity of the {} indexes of ltmc's tables",
        indexes.len()
    ));
    for index in indexes.iter().filter(|i| !i.usable) {
        report.problems.push(StorageProblem {
            what: format!(
                "index {} of table {} is not valid (an interrupted CREATE INDEX or REINDEX \
                 CONCURRENTLY); PostgreSQL does not use it",
                index.name, index.table
            ),
            repair: Repair::Reindex,
        });
    }
    let installed: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck')",
            &[],
        )
        .await?
        .try_get(0)?;
    if !installed {
        let available: bool = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck')",
                &[],
            )
            .await?
            .try_get(0)?;
        report.skipped.push(if available {
            "amcheck's b-tree check: the extension is not installed in this database \
             (`CREATE EXTENSION amcheck` as a superuser turns it on)"
                .into()
        } else {
            "amcheck's b-tree check: the extension is not available on this server".into()
        });
        return Ok(report);
    }
    let btrees: Vec<&Index> = indexes
        .iter()
        .filter(|i| i.usable && i.method == "btree")
        .collect();
    for index in &btrees {
        // Each index alone: a failed check aborts only its own statement.
        let checked = client
            .execute(
                "SELECT bt_index_check(index => $1::text::regclass, heapallindexed => $2)",
                &[&index.name, &full],
            )
            .await;
        match checked {
            Ok(_) => {}
            Err(err) if is_privilege(&err) => {
                report.skipped.push(format!(
                    "amcheck's b-tree check: this role may not run bt_index_check ({})",
                    Error::Pg(err).into_store(store.location())
                ));
                return Ok(report);
            }
            Err(err) => report.problems.push(StorageProblem {
                what: format!(
                    "amcheck bt_index_check on index {} of table {}: {}",
                    index.name,
                    index.table,
                    err.as_db_error()
                        .map_or_else(|| err.to_string(), |db| db.message().to_owned())
                ),
                repair: Repair::Reindex,
            }),
        }
    }
    report.checked.push(format!(
        "amcheck bt_index_check{} on {} b-tree indexes",
        if full { " (heapallindexed)" } else { "" },
        btrees.len()
    ));
    Ok(report)
}

fn is_privilege(err: &tokio_postgres::Error) -> bool {
    err.code() == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
}

/// `REINDEX` of every index of ltmc's tables that is not valid, for
/// `ltmc reindex --all`; with `all_btrees`, of every b-tree index too (a
/// b-tree amcheck found damaged is still marked valid). Returns how many
/// indexes were rebuilt. Each REINDEX blocks writes to its table while it
/// runs.
pub(crate) async fn reindex_tables(store: &PgStore, all_btrees: bool) -> Result<usize> {
    let client = store.client().await?;
    let mut rebuilt = 0;
    for index in indexes(&client).await? {
        if !index.usable || (all_btrees && index.method == "btree") {
            // The name comes from pg_class; quote it as an identifier.
            let quoted = format!("\"{}\"", index.name.replace('"', "\"\""));
            client
                .batch_execute(&format!("REINDEX INDEX {quoted}"))
                .await?;
            rebuilt += 1;
        }
    }
    Ok(rebuilt)
}
