//! `ltmc migrate --from ltmc.db [--index faiss_index] [--dry-run]`, `--verify`
//! and `--rollback`: moving an original LTMC database into ltmc. This file
//! is the command line's side only: it checks the flags, picks the store
//! (a SQLite data dir: the migration switches its files), loads the model,
//! calls ltmc-migrate and prints the report as JSON or lines. The use case
//! itself (backup, staging, resumable import, switch, rollback chain,
//! verify) is ltmc-migrate's. Not here: PostgreSQL targets.

use crate::cli::LegacyMigrateArgs;
use crate::context::{Context, DB_FILE};
use crate::failure::with_hint;
use crate::output;
use crate::progress::Steps;
use anyhow::{Context as _, anyhow};
use ltmc_embed::Embedder;
use ltmc_migrate::{
    DataDir, MigrateOptions, MigrateReport, RollbackReport, SourceFiles, StoreLayout, VerifyReport,
};
use ltmc_store::{EmbeddingSpec, Store, StoreError};
use ltmc_store_sqlite::{IndexOptions, SqliteStore};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// The files of a SQLite store in a data dir (the -ann graph is a cache;
/// the database and its WAL hold the data).
const SQLITE_LAYOUT: StoreLayout = StoreLayout {
    main: DB_FILE,
    files: &["ltmc.db", "ltmc.db-wal", "ltmc.db-shm", "ltmc.db-ann"],
    data: &["ltmc.db", "ltmc.db-wal"],
};

pub async fn run(ctx: &Context, args: LegacyMigrateArgs) -> anyhow::Result<ExitCode> {
    if ctx.database_url.is_some() {
        return Err(with_hint(
            anyhow!("ltmc migrate imports into a SQLite data dir, not PostgreSQL"),
            "migrate into a data dir, then copy it with `ltmc migrate-store`",
        ));
    }
    if args.rollback {
        let report = ltmc_migrate::rollback(&ctx.data_dir, &SQLITE_LAYOUT)?;
        print_rollback(ctx, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let from = args.from.clone().context("--from is required")?;
    let index = args
        .index
        .clone()
        .or_else(|| SourceFiles::default_index(&from));
    if args.verify {
        let db = ltmc_migrate::read_database(&from).await?;
        let memory = ctx.memory(false)?;
        let report = ltmc_migrate::verify(&db, &memory, &ctx.project, &Steps::default()).await?;
        print_verify(ctx, &report)?;
        return Ok(if report.ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    // Checksums first: a missing source is reported before the model loads.
    let sources = SourceFiles::read(from, index)?;
    let embedder = ctx.embedder()?;
    let ann_threshold = ctx.ann_threshold;
    let open = move |dir: &Path, embedder: &dyn Embedder| -> Result<Arc<dyn Store>, StoreError> {
        let spec = EmbeddingSpec {
            model_id: embedder.model_id().to_owned(),
            dimension: embedder.dimension(),
        };
        let options = IndexOptions {
            ann_threshold,
            progress: Arc::new(crate::progress::Bar::default()),
            ..IndexOptions::default()
        };
        let store = SqliteStore::open_with(&dir.join(DB_FILE), Some(&spec), options)?;
        Ok(Arc::new(store))
    };
    let data_dir = DataDir {
        path: &ctx.data_dir,
        layout: SQLITE_LAYOUT,
        open: &open,
    };
    let options = MigrateOptions {
        project: ctx.project.clone(),
        chunking: ctx.chunking,
        dry_run: args.dry_run,
        batch_chunks: args.batch_chunks as usize,
    };
    let report =
        ltmc_migrate::migrate(&sources, &data_dir, embedder, &options, &Steps::default()).await?;
    print_report(ctx, &report)?;
    Ok(ExitCode::SUCCESS)
}

fn print_rollback(ctx: &Context, r: &RollbackReport) -> anyhow::Result<()> {
    if ctx.json {
        return output::json_line(r);
    }
    output::line(&format!(
        "rolled back the migration of {}; the migrated store is kept in {}; {} earlier migration(s) can still be rolled back",
        r.rolled_back, r.migrated_store_kept_in, r.migrations_left
    ));
    Ok(())
}

fn print_verify(ctx: &Context, r: &VerifyReport) -> anyhow::Result<()> {
    if ctx.json {
        return output::json_line(r);
    }
    output::line(&format!(
        "verify: {} chunks ({} found behind near-duplicates of their text), {} messages, {} todos, {} code patterns checked; {} problems",
        r.chunks_checked,
        r.chunks_found_behind_near_duplicates,
        r.messages_checked,
        r.todos_checked,
        r.code_patterns_checked,
        r.problems.len()
    ));
    for p in &r.problems {
        output::line(&format!("  {p}"));
    }
    Ok(())
}

fn print_report(ctx: &Context, r: &MigrateReport) -> anyhow::Result<()> {
    if ctx.json {
        return output::json_line(r);
    }
    output::line(&format!(
        "{} {} into project {} in {:.1}s ({:.0} chunks/s)",
        if r.dry_run { "dry run of" } else { "migrated" },
        r.source,
        r.project,
        r.seconds,
        r.chunks_per_second
    ));
    for (name, t) in &r.tables {
        let why: Vec<String> = t
            .skipped_because
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        output::line(&format!(
            "  {name}: read {}, imported {}, skipped {}{}",
            t.read,
            t.imported,
            t.skipped,
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join("; "))
            }
        ));
    }
    let v = &r.vectors;
    output::line(&format!(
        "  vectors: {} legacy; chunks matched {} ({} not where their id pointed), differed {}, without vector {}; vectors without chunk {}",
        v.legacy_vectors,
        v.matched,
        v.matched_elsewhere,
        v.differed,
        v.no_vector,
        v.vectors_without_chunk
    ));
    if let Some(b) = &r.backup {
        output::line(&format!("  backup of the source: {b}"));
    }
    output::line(&format!("  source unchanged: {}", r.source_unchanged));
    Ok(())
}
