//! `ltmc doctor`: the system check. Each check is independent and reported
//! even when an earlier one failed, so one run shows everything that is wrong.
//! Exits non-zero when any check fails.

use crate::context::{Context, shown};
use crate::output;
use serde::Serialize;
use std::process::ExitCode;

#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
}

impl Check {
    fn new(name: &'static str, result: Result<String, String>) -> Self {
        match result {
            Ok(detail) => Self {
                name,
                ok: true,
                detail,
            },
            Err(detail) => Self {
                name,
                ok: false,
                detail,
            },
        }
    }
}

pub async fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    let mut checks = vec![Check::new("data_dir", data_dir(ctx))];
    checks.push(Check::new("model", model(ctx)));
    match ctx.open_existing(None) {
        Err(e) => checks.push(Check::new("store", Err(format!("{e:#}")))),
        Ok(store) => {
            checks.push(Check::new(
                "schema",
                store.info().await.map_err(|e| e.to_string()).and_then(|info| {
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
                }),
            ));
            checks.push(Check::new(
                "vectors",
                store
                    .check_integrity()
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| {
                        if r.is_ok() {
                            Ok(
                                "every chunk has exactly one vector and every vector one chunk"
                                    .into(),
                            )
                        } else {
                            Err(serde_json::to_string(&r).unwrap_or_else(|_| format!("{r:?}")))
                        }
                    }),
            ));
            checks.push(Check::new(
                "index",
                store
                    .check_indexes()
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|statuses| index_agrees(&statuses)),
            ));
        }
    }
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
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn data_dir(ctx: &Context) -> Result<String, String> {
    if ctx.database_url.is_some() {
        return Ok(format!(
            "the store is in PostgreSQL ({}); no data dir needed",
            ctx.store_location()
        ));
    }
    let dir = &ctx.data_dir;
    let meta = std::fs::metadata(dir).map_err(|e| format!("{}: {e}", shown(dir)))?;
    if !meta.is_dir() {
        return Err(format!("{} is not a directory", shown(dir)));
    }
    // Writable means we can create a file there, which is what a store needs.
    let probe = dir.join(".ltmc-doctor-probe");
    std::fs::write(&probe, b"ok").map_err(|e| format!("{} is not writable: {e}", shown(dir)))?;
    let _ = std::fs::remove_file(&probe);
    Ok(format!("{} is a writable directory", shown(dir)))
}

fn model(ctx: &Context) -> Result<String, String> {
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
        .map_err(|e| match e.hint() {
            Some(h) => format!("{e} (hint: {h})"),
            None => e.to_string(),
        })
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
