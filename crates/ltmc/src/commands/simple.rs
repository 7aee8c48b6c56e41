//! The one-step commands: `init`, `delete`, `embed`, `reindex`.

use crate::context::Context;
use crate::output;
use ltmc_core::ResourceId;
use serde_json::json;
use std::process::ExitCode;

pub async fn init(ctx: &Context) -> anyhow::Result<ExitCode> {
    let embedder = ctx.embedder()?;
    let store = ctx.open_for_write(embedder.as_ref())?;
    let info = store.info().await?;
    if ctx.json {
        output::json_line(&info)?;
    } else {
        output::line(&format!(
            "ltmc store ready at {} (model {}, {} dimensions, schema v{})",
            ctx.store_location(),
            info.embedding_model,
            info.dimension,
            info.schema_version
        ));
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn delete(ctx: &Context, id: i64) -> anyhow::Result<ExitCode> {
    // Deleting needs no model: open the store without one.
    let store = ctx.open_existing(None)?;
    let chunks = store.delete_resource(&ctx.project, ResourceId(id)).await?;
    if ctx.json {
        output::json_line(&json!({"resource_id": id, "deleted": true, "chunk_count": chunks}))?;
    } else {
        output::line(&format!("deleted resource {id} ({chunks} chunks)"));
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn embed(ctx: &Context, texts: Vec<String>) -> anyhow::Result<ExitCode> {
    if let Some(i) = texts.iter().position(|t| t.trim().is_empty()) {
        return Err(crate::failure::with_hint(
            anyhow::anyhow!("text #{} is empty", i + 1),
            "give non-empty texts, e.g. `ltmc embed \"hello world\"`",
        ));
    }
    let embedder = ctx.embedder()?;
    let owned = texts.clone();
    let (dimension, vectors) = tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        embedder.embed(&refs).map(|v| (embedder.dimension(), v))
    })
    .await??;
    if ctx.json {
        output::json_line(&json!({"dimension": dimension, "vectors": vectors}))?;
    } else {
        for (text, vector) in texts.iter().zip(&vectors) {
            let head: Vec<String> = vector.iter().take(6).map(|x| format!("{x:.4}")).collect();
            output::line(&format!(
                "{text:?}: [{}, ...] ({dimension} dims)",
                head.join(", ")
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn reindex(ctx: &Context, all: bool) -> anyhow::Result<ExitCode> {
    // The index holds the stored vectors: no model needed.
    let store = ctx.open_existing(None)?;
    let statuses = store
        .rebuild_indexes(if all { None } else { Some(&ctx.project) })
        .await?;
    let ok = statuses.iter().all(ltmc_store::IndexStatus::agrees);
    if ctx.json {
        output::json_line(&json!({"ok": ok, "indexes": statuses}))?;
    } else if statuses.is_empty() {
        output::line("no vectors stored: nothing to index");
    } else {
        for s in &statuses {
            output::line(&format!(
                "project {}: {} index of {} vectors rebuilt at position {}{}",
                s.project,
                s.kind,
                s.indexed,
                s.position,
                if s.agrees() {
                    String::new()
                } else {
                    format!(" but: {}", s.problems.join("; "))
                }
            ));
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
