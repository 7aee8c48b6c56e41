//! `ltmc patterns load DIR`: a fix-pattern data set (see
//! examples/fix-patterns/README.md) fed through the tools: audits imported,
//! patterns extracted (and reviewed where the data set says so),
//! relationships linked by key.
//!
//! Not here: the tools (ltmc-tools) or the other `patterns` commands.

use crate::commands::call::{call, tools};
use crate::context::Context;
use crate::failure::with_hint;
use crate::output;
use anyhow::{Context as _, anyhow};
use ltmc_tools::{ExtractPattern, ImportFileAudits, LinkPatterns, ReviewPattern};
use serde_json::{Value, json};
use std::path::Path;
use std::process::ExitCode;

/// Loads a data set (see examples/fix-patterns/README.md) through the tools.
pub(super) async fn load(ctx: &Context, dir: &Path) -> anyhow::Result<ExitCode> {
    let read = |name: &str| -> anyhow::Result<Option<Value>> {
        let path = dir.join(name);
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| anyhow!("{} is not valid JSON: {e}", path.display()))
    };
    let patterns = read("patterns.json")?.ok_or_else(|| {
        with_hint(
            anyhow!("{} has no patterns.json", dir.display()),
            "point at a data set directory such as examples/fix-patterns",
        )
    })?;
    let tools = tools(ctx, true, None)?;
    let mut summary = json!({});
    if let Some(audits) = read("audits.json")? {
        let v = call::<ImportFileAudits>(
            &tools,
            json!({"content": audits.to_string(), "format": "json"}),
        )
        .await?;
        summary["audits"] = json!({"imported": v.imported, "errors": v.errors});
    }
    let mut ids = std::collections::HashMap::new();
    let (mut extracted, mut reviewed, mut rules) = (0, 0, 0);
    let items = patterns.as_array().cloned().unwrap_or_default();
    let progress = crate::progress::Bar::default();
    ltmc_store::Progress::start(&progress, "extracting patterns", items.len() as u64);
    for item in items {
        let mut draft = item.clone();
        if let Some(o) = draft.as_object_mut() {
            for k in ["key", "reviewed", "reviewer_notes"] {
                o.remove(k);
            }
            // solution_steps as lines of text is the tool's to split.
        }
        let v = call::<ExtractPattern>(&tools, draft).await?;
        extracted += 1;
        rules += v.guardian_rules.len();
        let id = v.pattern_id;
        if let Some(key) = item["key"].as_str() {
            ids.insert(key.to_owned(), id);
        }
        if item["reviewed"] == true {
            call::<ReviewPattern>(
                &tools,
                json!({"pattern_id": id, "reviewed": true, "reviewer_notes": item["reviewer_notes"]}),
            )
            .await?;
            reviewed += 1;
        }
        ltmc_store::Progress::advance(&progress, 1);
    }
    ltmc_store::Progress::finish(&progress);
    let mut linked = 0;
    for r in read("relationships.json")?
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
    {
        let key = |f: &str| -> anyhow::Result<ltmc_core::PatternId> {
            let k = r[f].as_str().unwrap_or_default();
            ids.get(k)
                .copied()
                .ok_or_else(|| anyhow!("relationships.json: {f} {k:?} names no pattern key"))
        };
        call::<LinkPatterns>(
            &tools,
            json!({"source_pattern_id": key("source_key")?, "target_pattern_id": key("target_key")?,
                   "relationship_type": r["relationship_type"], "strength": r["strength"],
                   "description": r["description"]}),
        )
        .await?;
        linked += 1;
    }
    summary["patterns"] = json!({"extracted": extracted, "reviewed": reviewed,
                                 "guardian_rules": rules, "relationships_linked": linked});
    if ctx.json {
        output::json_line(&summary)?;
    } else {
        output::line(&format!(
            "loaded {}: {} audits, {extracted} patterns ({reviewed} reviewed), {rules} guardian rules, {linked} relationships",
            dir.display(),
            summary["audits"]["imported"]
        ));
    }
    Ok(ExitCode::SUCCESS)
}
