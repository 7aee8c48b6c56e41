//! `ltmc migrate-store --from SRC --to DST`: copies a whole store (every
//! project, every table, ids and vector ids kept, the embedding model) from
//! SQLite to PostgreSQL or back, into an empty target, then verifies it.
//!
//! This file is the command line's side: it parses the two locations,
//! picks and opens the backends (refusing a target that holds data before
//! anything is read), and prints the report; the copy and its verification
//! (`ltmc_migrate::copy_store`, through ltmc-store's backend-neutral `Dump`)
//! are ltmc-migrate's. A difference exits 1 and leaves the target as it is,
//! for a person to look at.
//!
//! Not here: merging into a store that holds data, copying one project only,
//! or streaming (the dump is held in memory; see ltmc-store's `dump`).

use crate::cli::MigrateStoreArgs;
use crate::context::{Context, DB_FILE, shown};
use crate::failure::with_hint;
use crate::output;
use crate::progress::Steps;
use anyhow::{Context as _, anyhow};
use ltmc_migrate::Progress as _;
use ltmc_migrate::{CopyReport, Migratable};
use ltmc_store::{EmbeddingSpec, StoreError, describe_counts};
use ltmc_store_pg::{PgStore, is_postgres_url};
use ltmc_store_sqlite::{IndexOptions, SqliteStore};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// Where a store is, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

/// `sqlite:PATH` (a database file, or a data dir: an existing directory or
/// one written with a trailing `/`, whose file is `ltmc.db`) or a PostgreSQL
/// URL; `flag` names the option in errors.
fn parse_location(flag: &str, value: &str) -> anyhow::Result<Location> {
    let value = value.trim();
    if is_postgres_url(value) {
        return Ok(Location::Postgres(value.to_owned()));
    }
    if let Some(path) = value.strip_prefix("sqlite:") {
        if path.is_empty() {
            return Err(with_hint(
                anyhow!("{flag} sqlite: names no file"),
                format!(
                    "give the database file, e.g. {flag} sqlite:$HOME/.local/share/ltmc/ltmc.db"
                ),
            ));
        }
        // A directory (existing, or written with a trailing slash) is a data
        // dir: its store is the file ltmc keeps there.
        let dir = path.ends_with('/');
        let path = PathBuf::from(path);
        return Ok(Location::Sqlite(if dir || path.is_dir() {
            path.join(DB_FILE)
        } else {
            path
        }));
    }
    Err(with_hint(
        anyhow!("{flag} {value:?} is neither a SQLite file nor a PostgreSQL URL"),
        format!(
            "write {flag} sqlite:PATH for a SQLite database file (or data dir), or \
             {flag} postgres://user@host:5432/db for PostgreSQL"
        ),
    ))
}

/// Opens a store; `None`: without checking or recording a model. A SQLite
/// store builds its vector indexes (for the check after the copy) with the
/// command line's `--ann-threshold`, showing progress.
async fn open(
    ctx: &Context,
    location: &Location,
    spec: Option<&EmbeddingSpec>,
) -> anyhow::Result<Box<dyn Migratable>> {
    match location {
        Location::Postgres(url) => Ok(Box::new(PgStore::connect(url, spec).await?)),
        Location::Sqlite(path) => {
            let (path, spec) = (path.clone(), spec.cloned());
            let options = IndexOptions {
                ann_threshold: ctx.ann_threshold,
                progress: Arc::new(crate::progress::Bar::default()),
                ..IndexOptions::default()
            };
            let store = tokio::task::spawn_blocking(move || {
                SqliteStore::open_with(&path, spec.as_ref(), options)
            })
            .await??;
            Ok(Box::new(store))
        }
    }
}

/// The source: it must exist (opening a SQLite path would create it).
async fn open_source(ctx: &Context, location: &Location) -> anyhow::Result<Box<dyn Migratable>> {
    if let Location::Sqlite(path) = location
        && !path.is_file()
    {
        return Err(with_hint(
            anyhow!("--from: no ltmc store at {}", shown(path)),
            "give the SQLite database file (e.g. --from sqlite:$HOME/.local/share/ltmc/ltmc.db) \
             or its data dir",
        ));
    }
    open(ctx, location, None).await
}

/// The target, refused unless it holds no record (before anything is read
/// from the source), then opened with the source's model.
async fn open_target(
    ctx: &Context,
    location: &Location,
    spec: Option<&EmbeddingSpec>,
) -> anyhow::Result<Box<dyn Migratable>> {
    if let Location::Sqlite(path) = location
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("--to: cannot create the directory {}", shown(dir)))?;
    }
    let probe = open(ctx, location, None).await?;
    let held = probe.dump_counts().await?;
    if held.iter().any(|(_, n)| *n > 0) {
        let location = probe.info().await.map(|i| i.location).unwrap_or_default();
        return Err(with_hint(
            anyhow!(
                "--to: the target store {location} is not empty (it holds {})",
                describe_counts(&held)
            ),
            "migrate-store only copies into an empty store: give --to a new file \
             (--to sqlite:NEW/ltmc.db) or an empty database (createdb NAME, then \
             --to postgres://user@host/NAME); it never merges or overwrites",
        ));
    }
    drop(probe);
    open(ctx, location, spec).await.map_err(|e| {
        let other_model = matches!(
            e.downcast_ref::<StoreError>(),
            Some(StoreError::WrongModel { .. } | StoreError::WrongDimension { .. })
        );
        if other_model {
            with_hint(
                e,
                "the target holds no records but was created for another embedding model; \
                 give --to a new file or a new database",
            )
        } else {
            e
        }
    })
}

pub async fn run(ctx: &Context, args: MigrateStoreArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let from = parse_location("--from", &args.from)?;
    let to = parse_location("--to", &args.to)?;
    if from == to {
        return Err(with_hint(
            anyhow!("--from and --to name the same store"),
            "copy into another SQLite file or another database",
        ));
    }

    let bar = Steps::default();
    bar.phase("opening the source");
    let source = open_source(ctx, &from).await?;
    let info = source.info().await?;
    let spec = (!info.embedding_model.is_empty()).then(|| EmbeddingSpec {
        model_id: info.embedding_model.clone(),
        dimension: info.dimension,
    });
    bar.phase("opening the target");
    let target = open_target(ctx, &to, spec.as_ref()).await?;

    let report = ltmc_migrate::copy_store(source.as_ref(), target.as_ref(), started, &bar).await?;
    let ok = report.ok;
    if ctx.json {
        output::json_line(&report)?;
    } else {
        print_report(&report);
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_report(report: &CopyReport) {
    output::line(&format!(
        "copied {} rows from {} to {} (model {}) in {:.2} s (export {:.2} s, import {:.2} s, \
         verify {:.2} s)",
        report.rows,
        report.from,
        report.to,
        report.model.as_deref().unwrap_or("none recorded"),
        report.seconds.total,
        report.seconds.export,
        report.seconds.import,
        report.seconds.verify
    ));
    output::line(&format!(
        "{:<22} {:>8} {:>8}  checksum-ok",
        "table", "source", "target"
    ));
    for t in &report.tables {
        output::line(&format!(
            "{:<22} {:>8} {:>8}  {}",
            t.table,
            t.source,
            t.target,
            if t.checksum_ok { "yes" } else { "NO" }
        ));
    }
    let behind: Vec<String> = report
        .sequences
        .iter()
        .filter(|s| !s.ok)
        .map(|s| format!("{} at {} (source {})", s.sequence, s.target, s.source))
        .collect();
    if behind.is_empty() {
        output::line("id sequences: every one continues after the source's");
    } else {
        output::line(&format!("id sequences BEHIND: {}", behind.join(", ")));
    }
    if report.integrity.is_ok() {
        output::line("integrity: ok");
    } else {
        output::line(&format!(
            "integrity: FAILED {}",
            serde_json::to_string(&report.integrity).unwrap_or_default()
        ));
    }
    let disagree: Vec<String> = report
        .indexes
        .iter()
        .filter(|s| !s.agrees())
        .map(|s| format!("{} ({})", s.project, s.problems.join("; ")))
        .collect();
    if disagree.is_empty() {
        output::line(&format!(
            "vector indexes: {} projects agree with the database",
            report.indexes.len()
        ));
    } else {
        output::line(&format!(
            "vector indexes DISAGREE: {}",
            disagree.join(" | ")
        ));
    }
    output::line(if report.ok {
        "ok: the target holds exactly the source's records"
    } else {
        "FAILED: the target differs from the source (left as it is; see above)"
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_and_errors_name_the_flag() {
        assert_eq!(
            parse_location("--from", "sqlite:/tmp/x/ltmc.db").unwrap(),
            Location::Sqlite(PathBuf::from("/tmp/x/ltmc.db"))
        );
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            parse_location("--to", &format!("sqlite:{}", dir.path().display())).unwrap(),
            Location::Sqlite(dir.path().join(DB_FILE))
        );
        assert_eq!(
            parse_location("--to", "sqlite:new/dir/").unwrap(),
            Location::Sqlite(PathBuf::from("new/dir").join(DB_FILE))
        );
        assert_eq!(
            parse_location("--to", "postgres://u@h/db").unwrap(),
            Location::Postgres("postgres://u@h/db".into())
        );
        for bad in ["/tmp/x.db", "sqlite:", "mysql://h/db"] {
            let err = format!("{:#}", parse_location("--to", bad).unwrap_err());
            assert!(err.contains("--to"), "{bad}: {err}");
        }
    }
}
