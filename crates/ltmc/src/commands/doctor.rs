//! `ltmc doctor`: the system check. Each check is independent and reported
//! even when an earlier one failed, so one run shows everything that is wrong;
//! each failure carries the repair that fits it (`ltmc reindex --all` for
//! derived indexes, a backup for damaged pages or rows). Exits non-zero, with
//! an `error:` and a `hint:` line on stderr, when any check fails.
//!
//! Not here: the checks themselves (the store's `StoreAdmin`), and any repair.

use crate::context::{Context, shown};
use crate::output;
use ltmc_store::{Repair, StorageReport};
use serde::Serialize;
use std::process::ExitCode;

/// The repair for derived data: indexes rebuilt from the rows.
const REINDEX_HINT: &str = "run `ltmc reindex --all`: it rebuilds SQLite's indexes, the keyword \
     indexes and the vector indexes from the stored rows";
/// The repair for damaged pages or rows, which no rebuild brings back.
const BACKUP_HINT: &str = "restore the data dir from a backup (stop every ltmc process, then put \
     back ltmc.db together with its ltmc.db-wal); `ltmc reindex` cannot repair damaged pages or rows";

#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

impl Check {
    fn new(name: &'static str, result: Result<String, (String, String)>) -> Self {
        match result {
            Ok(detail) => Self {
                name,
                ok: true,
                detail,
                hint: None,
            },
            Err((detail, hint)) => Self {
                name,
                ok: false,
                detail,
                hint: Some(hint),
            },
        }
    }
}

/// `full`: SQLite's `integrity_check` (reads every index against its table)
/// instead of the quicker `quick_check`.
pub async fn run(ctx: &Context, full: bool) -> anyhow::Result<ExitCode> {
    let mut checks = vec![Check::new("data_dir", data_dir(ctx))];
    checks.push(Check::new("model", model(ctx)));
    match ctx.open_existing(None) {
        Err(e) => {
            let hint = crate::failure::hint_for(&e).unwrap_or_else(|| BACKUP_HINT.into());
            checks.push(Check::new("store", Err((format!("{e:#}"), hint))));
        }
        Ok(store) => {
            let schema = store
                .info()
                .await
                .map_err(|e| e.to_string())
                .and_then(|info| {
                    if info.schema_version == info.latest_schema_version {
                        Ok(format!(
                            "schema v{} ({} resources, {} chunks, {} vectors; model {}, {} dims)",
                            info.schema_version,
                            info.resources,
                            info.chunks,
                            info.vectors,
                            info.embedding_model,
                            info.dimension
                        ))
                    } else {
                        Err(format!(
                            "schema v{} but this ltmc knows v{}",
                            info.schema_version, info.latest_schema_version
                        ))
                    }
                });
            checks.push(Check::new(
                "schema",
                schema.map_err(|e| {
                    (
                        e,
                        "upgrade ltmc, or open the store once writable to migrate it".into(),
                    )
                }),
            ));
            let vectors = store.check_integrity().await.map_err(|e| e.to_string());
            checks.push(Check::new(
                "vectors",
                vectors.map_err(|e| (e, BACKUP_HINT.into())).and_then(|r| {
                    if r.is_ok() {
                        Ok("every chunk has exactly one vector and every vector one chunk".into())
                    } else {
                        let only_keyword =
                            r.problems.iter().all(|p| p.starts_with("keyword index"))
                                && IntegrityCounters::of(&r).all_zero();
                        let hint = if only_keyword {
                            REINDEX_HINT
                        } else {
                            BACKUP_HINT
                        };
                        Err((
                            serde_json::to_string(&r).unwrap_or_else(|_| format!("{r:?}")),
                            hint.into(),
                        ))
                    }
                }),
            ));
            checks.push(Check::new(
                "index",
                store
                    .check_indexes()
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|statuses| index_agrees(&statuses))
                    .map_err(|e| (e, REINDEX_HINT.into())),
            ));
            checks.push(Check::new(
                "storage",
                store
                    .check_storage(full)
                    .await
                    .map_err(|e| (e.to_string(), BACKUP_HINT.into()))
                    .and_then(|report| {
                        if report == StorageReport::default() {
                            return Ok("no engine-level check for this backend".into());
                        }
                        storage(&report)
                    }),
            ));
            checks.push(Check::new(
                "citations",
                citations(store.as_ref(), ctx).await,
            ));
        }
    }
    // Last, so the checks before it keep their places in `--json` output.
    checks.push(Check::new("runtime", runtime(ctx)));
    let ok = checks.iter().all(|c| c.ok);
    if ctx.json {
        output::json_line(&serde_json::json!({"ok": ok, "checks": checks}))?;
    } else {
        for c in &checks {
            output::line(&format!(
                "{} {:<9} {}",
                if c.ok { "ok  " } else { "FAIL" },
                c.name,
                c.detail
            ));
            if let Some(hint) = &c.hint {
                output::line(&format!("     {:<9} hint: {hint}", ""));
            }
        }
    }
    let failed: Vec<&Check> = checks.iter().filter(|c| !c.ok).collect();
    let Some(first) = failed.first() else {
        return Ok(ExitCode::SUCCESS);
    };
    // A backup is the answer when any failure needs one.
    let hint = failed
        .iter()
        .filter_map(|c| c.hint.as_deref())
        .find(|h| *h == BACKUP_HINT)
        .or(first.hint.as_deref())
        .unwrap_or(BACKUP_HINT);
    Err(crate::failure::with_hint(
        anyhow::anyhow!(
            "{} of {} checks failed: {}",
            failed.len(),
            checks.len(),
            failed.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
        ),
        hint,
    ))
}

/// How the project's citations to code stand (issue 22): never a failure
/// (code changes; memories citing it are ranked down when used), but the
/// figures a team watches.
async fn citations(
    store: &dyn ltmc_store::Store,
    ctx: &Context,
) -> Result<String, (String, String)> {
    let s = ltmc_service::citations::survey(store, &ctx.project, Some(&ctx.project_root))
        .await
        .map_err(|e| (e.to_string(), BACKUP_HINT.into()))?;
    if s.citations == 0 {
        return Ok(format!(
            "project {}: none of {} memories and {} fix patterns cite code",
            ctx.project, s.memories, s.patterns
        ));
    }
    Ok(format!(
        "project {}: {} of {} memories and {} of {} fix patterns cite code; {} citations \
         checked under {}: {} verified, {} moved, {} changed, {} missing{}",
        ctx.project,
        s.memories_citing,
        s.memories,
        s.patterns_citing,
        s.patterns,
        s.citations,
        shown(&ctx.project_root),
        s.verified,
        s.moved,
        s.changed,
        s.missing,
        if s.stale() > 0 {
            " (memories citing changed or missing code rank last when retrieved)"
        } else {
            ""
        }
    ))
}

/// The report's counters, to tell keyword-index-only findings from others.
struct IntegrityCounters([u64; 4]);

impl IntegrityCounters {
    fn of(r: &ltmc_store::IntegrityReport) -> Self {
        Self([
            r.chunks_without_vector,
            r.vectors_without_chunk,
            r.duplicate_vector_ids,
            r.wrong_dimension_vectors,
        ])
    }

    fn all_zero(&self) -> bool {
        self.0.iter().all(|n| *n == 0)
    }
}

fn storage(report: &StorageReport) -> Result<String, (String, String)> {
    let settings = report.settings.join(", ");
    let skipped = if report.skipped.is_empty() {
        String::new()
    } else {
        format!("; skipped: {}", report.skipped.join("; "))
    };
    if report.problems.is_empty() {
        return Ok(format!(
            "{} found no damage ({settings}){skipped}",
            report.checked.join(" and ")
        ));
    }
    let shown: Vec<&str> = report
        .problems
        .iter()
        .take(10)
        .map(|p| p.what.as_str())
        .collect();
    let more = report.problems.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" | and {more} more")
    } else {
        String::new()
    };
    let hint = if report
        .problems
        .iter()
        .any(|p| p.repair == Repair::RestoreBackup)
    {
        BACKUP_HINT
    } else {
        REINDEX_HINT
    };
    Err((
        format!("{} ({settings}){more}{skipped}", shown.join(" | ")),
        hint.into(),
    ))
}

fn data_dir(ctx: &Context) -> Result<String, (String, String)> {
    if ctx.database_url.is_some() {
        return Ok(format!(
            "the store is in PostgreSQL ({}); no data dir needed",
            ctx.store_location()
        ));
    }
    let dir = &ctx.data_dir;
    let meta = std::fs::metadata(dir).map_err(|e| {
        (
            format!("{}: {e}", shown(dir)),
            "run `ltmc init`, or pass the data dir that holds ltmc.db with --data-dir (LTMC_DATA_DIR)".into(),
        )
    })?;
    if !meta.is_dir() {
        return Err((
            format!("{} is a file, not a directory", shown(dir)),
            crate::context::data_dir_hint(dir),
        ));
    }
    if let Some(reason) = ctx.read_only_reason() {
        return Ok(format!(
            "{} is read-only ({reason}): searches, checks and exports work, writes are refused",
            shown(dir)
        ));
    }
    // Writable means we can create a file there, which is what a store needs.
    let probe = dir.join(".ltmc-doctor-probe");
    match std::fs::write(&probe, b"ok") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            Ok(format!("{} is a writable directory", shown(dir)))
        }
        Err(e) => Ok(format!(
            "{} is read-only ({e}): the store opens read-only, writes are refused",
            shown(dir)
        )),
    }
}

fn model(ctx: &Context) -> Result<String, (String, String)> {
    if std::env::var("LTMC_EMBEDDER").is_ok_and(|v| v.starts_with("hash")) {
        return Ok("test embedder selected (LTMC_EMBEDDER); no model files needed".into());
    }
    let models = ltmc_embed::ModelStore::new(ctx.model_dir.clone());
    models
        .verify()
        .map(|()| {
            format!(
                "all-MiniLM-L6-v2 in {} (sha256 verified)",
                shown(&ctx.model_dir)
            )
        })
        .map_err(|e| {
            let hint = e
                .hint()
                .map_or_else(|| "run `ltmc model fetch`".to_owned(), str::to_owned);
            (e.to_string(), hint)
        })
}

/// The runtime that will run the model, its version, threads and the CPU
/// features it can use; ONNX Runtime's library is checked when it is there
/// (it is fetched on first use otherwise, so its absence is no failure).
fn runtime(ctx: &Context) -> Result<String, (String, String)> {
    if std::env::var("LTMC_EMBEDDER").is_ok_and(|v| v.starts_with("hash")) {
        return Ok("test embedder selected (LTMC_EMBEDDER); no runtime needed".into());
    }
    let models = ltmc_embed::ModelStore::new(ctx.model_dir.clone());
    let described = ltmc_embed::describe(ctx.runtime, &models, ctx.threads);
    if ctx.runtime == ltmc_embed::Runtime::Onnx {
        models.verify_runtime().map_err(|e| {
            let hint = e
                .hint()
                .map_or_else(|| "run with `--runtime candle`".to_owned(), str::to_owned);
            (e.to_string(), hint)
        })?;
    }
    Ok(described)
}

/// Every project's index holds exactly the stored vectors.
fn index_agrees(statuses: &[ltmc_store::IndexStatus]) -> Result<String, String> {
    let describe = |s: &ltmc_store::IndexStatus| {
        let file = s
            .persisted_position
            .map_or_else(String::new, |p| format!(", file at position {p}"));
        format!(
            "{}: {} {}/{} vectors at position {}{file}",
            s.project, s.kind, s.indexed, s.stored, s.position
        )
    };
    let bad: Vec<String> = statuses
        .iter()
        .filter(|s| !s.agrees())
        .map(|s| format!("{} ({})", describe(s), s.problems.join("; ")))
        .collect();
    if !bad.is_empty() {
        return Err(format!(
            "index and database disagree: {}; run `ltmc reindex --all`",
            bad.join(" | ")
        ));
    }
    if statuses.is_empty() {
        return Ok("no vectors stored".into());
    }
    Ok(format!(
        "index agrees with the database: {}",
        statuses.iter().map(describe).collect::<Vec<_>>().join("; ")
    ))
}
