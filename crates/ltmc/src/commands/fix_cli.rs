//! `ltmc audit`, `ltmc patterns`, `ltmc guard`: the fix-pattern knowledge
//! base from the command line (`ltmc guard` is in `guard_cli.rs`). Each command is one or more calls of the
//! fix-pattern tools (so the CLI and MCP validate and answer alike);
//! `patterns load` reads a data set and feeds it through those tools; `guard
//! check` and `guard export` use the store and ltmc-guard directly, without
//! the embedding model, so they stay fast in hooks and CI.
//!
//! Not here: the use cases (ltmc-service `fix`), the scan (ltmc-guard).

use super::tool_cli::{list, text, without_nulls};
use crate::cli_fix::{AuditCommand, FixTarget, PatternsCommand};
use crate::context::Context;
use crate::failure::with_hint;
use crate::output;
use anyhow::{Context as _, anyhow};
use ltmc_service::Tools;
use serde_json::{Value, json};
use std::io::Read as _;
use std::path::Path;
use std::process::ExitCode;

/// Tools that only read (the store must exist).
fn reads_only(name: &str) -> bool {
    matches!(
        name,
        "list_file_audits"
            | "get_pattern"
            | "list_patterns"
            | "get_related_patterns"
            | "find_similar_patterns"
            | "list_guardian_rules"
            | "pattern_insights"
    )
}

fn tools(ctx: &Context, write: bool) -> anyhow::Result<Tools> {
    let memory = ctx.memory(write)?;
    Ok(Tools::new(memory, ctx.project.clone(), None)
        .with_project_root(Some(ctx.project_root.clone())))
}

/// Calls a tool; a failure becomes an error naming the tool.
async fn call(tools: &Tools, name: &str, arguments: Value) -> anyhow::Result<Value> {
    let outcome = tools.call(name, without_nulls(arguments)).await;
    if outcome.is_error {
        let error = outcome.value["error"].as_str().unwrap_or("the tool failed");
        return Err(with_hint(
            anyhow!("{name}: {error}"),
            "check the arguments; `ltmc tool list --json` shows each tool's schema",
        ));
    }
    Ok(outcome.value)
}

/// One tool call, printed: `--json` prints the answer; otherwise `lines`.
pub(super) async fn one(
    ctx: &Context,
    name: &str,
    arguments: Value,
    lines: fn(&Value) -> Vec<String>,
) -> anyhow::Result<ExitCode> {
    let tools = tools(ctx, !reads_only(name))?;
    let value = call(&tools, name, arguments).await?;
    if ctx.json {
        output::json_line(&value)?;
    } else {
        for line in lines(&value) {
            output::line(&line);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn message(v: &Value) -> Vec<String> {
    vec![text(&v["message"])]
}

fn pretty(v: &Value) -> Vec<String> {
    vec![serde_json::to_string_pretty(v).unwrap_or_default()]
}

fn split(list: Option<&str>) -> Option<Vec<String>> {
    list.map(|l| {
        l.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

fn read_input(path: &Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read stdin")?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    }
}

pub async fn audit(ctx: &Context, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Upsert {
            file_path,
            layer,
            workflows,
            debt,
            status,
            notes,
        } => {
            one(
                ctx,
                "upsert_file_audit",
                json!({"file_path": file_path, "layer_number": layer,
                       "workflows": split(workflows.as_deref()), "technical_debt": debt,
                       "status": status, "notes": notes}),
                message,
            )
            .await
        }
        AuditCommand::List {
            layer,
            workflow,
            status,
            has_debt,
            clean,
            limit,
        } => {
            let has = if has_debt {
                Some(true)
            } else if clean {
                Some(false)
            } else {
                None
            };
            one(
                ctx,
                "list_file_audits",
                json!({"layer": layer, "workflow": workflow, "status": status,
                       "has_debt": has, "limit": limit}),
                |v| {
                    list(v, "audits", "no audits", |a| {
                        format!(
                            "{:>4}  L{}  {:<11}  {:<40} {}",
                            text(&a["id"]),
                            text(&a["layer_number"]),
                            text(&a["status"]),
                            text(&a["file_path"]),
                            first_sentence(&text(&a["technical_debt"]))
                        )
                    })
                },
            )
            .await
        }
        AuditCommand::Import { file, format } => {
            let content = read_input(&file)?;
            let format = format.or_else(|| {
                file.extension()
                    .map(|e| e.to_string_lossy().to_ascii_lowercase())
                    .filter(|e| e == "csv" || e == "json")
            });
            one(
                ctx,
                "import_file_audits",
                json!({"content": content, "format": format}),
                |v| {
                    let mut lines = message(v);
                    for e in v["errors"].as_array().into_iter().flatten() {
                        lines.push(format!(
                            "  line {}: {}",
                            text(&e["line"]),
                            text(&e["error"])
                        ));
                    }
                    lines
                },
            )
            .await
        }
    }
}

fn first_sentence(s: &str) -> String {
    let first = s.split(". ").next().unwrap_or(s);
    let cut: String = first.chars().take(90).collect();
    if cut.len() < first.len() {
        format!("{cut}...")
    } else {
        cut
    }
}

fn target_args(text: &[String], target: &FixTarget) -> Value {
    let t = text.join(" ");
    json!({
        "text": if t.trim().is_empty() { None } else { Some(t) },
        "file_audit_id": target.audit,
        "layer": target.layer,
        "workflows": split(target.workflows.as_deref()),
        "file_path": target.file,
    })
}

fn scored_lines(v: &Value, field: &str) -> Vec<String> {
    list(v, field, "no pattern above the similarity threshold", |p| {
        format!(
            "{:.3}  (similarity {:.3}, problem {:.3})  pattern {:>4}  {}",
            p["computed_confidence"].as_f64().unwrap_or_default(),
            p["similarity"].as_f64().unwrap_or_default(),
            p["problem_similarity"].as_f64().unwrap_or_default(),
            text(&p["pattern_id"]),
            text(&p["title"])
        )
    })
}

pub async fn patterns(ctx: &Context, command: PatternsCommand) -> anyhow::Result<ExitCode> {
    match command {
        PatternsCommand::Load { dir } => load(ctx, &dir).await,
        PatternsCommand::Extract { file } => {
            let draft: Value = serde_json::from_str(&read_input(&file)?).map_err(|e| {
                with_hint(
                    anyhow!("{} is not JSON: {e}", file.display()),
                    "give one JSON object with the extract_pattern fields (`ltmc tool list --json`)",
                )
            })?;
            one(ctx, "extract_pattern", draft, |v| {
                let mut lines = message(v);
                for i in v["inferred"].as_array().into_iter().flatten() {
                    lines.push(format!(
                        "  inferred {} = {} ({})",
                        text(&i["field"]),
                        i["value"],
                        text(&i["reason"])
                    ));
                }
                for r in v["relationships"].as_array().into_iter().flatten() {
                    lines.push(format!(
                        "  {} pattern {} (strength {}): {}",
                        text(&r["relationship_type"]),
                        text(&r["target"]),
                        text(&r["strength"]),
                        text(&r["description"])
                    ));
                }
                for r in v["guardian_rules"].as_array().into_iter().flatten() {
                    lines.push(format!(
                        "  rule {} {} {}{}",
                        text(&r["id"]),
                        text(&r["rule_name"]),
                        if r["active"] == true {
                            "active"
                        } else {
                            "inactive: "
                        },
                        text(&r["inactive_reason"])
                    ));
                }
                lines
            })
            .await
        }
        PatternsCommand::Review {
            pattern_id,
            notes,
            reject,
        } => {
            one(
                ctx,
                "review_pattern",
                json!({"pattern_id": pattern_id, "reviewed": !reject, "reviewer_notes": notes}),
                message,
            )
            .await
        }
        PatternsCommand::Show { pattern_id } => {
            one(
                ctx,
                "get_pattern",
                json!({"pattern_id": pattern_id}),
                pretty,
            )
            .await
        }
        PatternsCommand::List {
            unreviewed,
            reviewed,
            problem_type,
            layer,
            workflow,
            tag,
            limit,
        } => {
            let r = if unreviewed {
                Some(false)
            } else if reviewed {
                Some(true)
            } else {
                None
            };
            one(
                ctx,
                "list_patterns",
                json!({"reviewed": r, "problem_type": problem_type, "layer": layer,
                       "workflow": workflow, "tag": tag, "limit": limit}),
                |v| {
                    list(v, "patterns", "no patterns", |p| {
                        format!(
                            "{:>4}  {}  {:<12} {:<8} L{:<8} applied {} ({:.0}%)  {}",
                            text(&p["id"]),
                            if p["reviewed"] == true {
                                "reviewed  "
                            } else {
                                "unreviewed"
                            },
                            text(&p["problem_type"]),
                            text(&p["severity"]),
                            text(&p["layers"]),
                            text(&p["applied_count"]),
                            p["success_rate"].as_f64().unwrap_or_default() * 100.0,
                            text(&p["title"])
                        )
                    })
                },
            )
            .await
        }
        PatternsCommand::Link {
            source,
            target,
            relationship_type,
            strength,
            description,
        } => {
            one(
                ctx,
                "link_patterns",
                json!({"source_pattern_id": source, "target_pattern_id": target,
                       "relationship_type": relationship_type, "strength": strength,
                       "description": description}),
                message,
            )
            .await
        }
        PatternsCommand::Related { pattern_id, types } => {
            one(
                ctx,
                "get_related_patterns",
                json!({"pattern_id": pattern_id, "relationship_types": split(types.as_deref())}),
                |v| {
                    list(v, "related_patterns", "no related patterns", |r| {
                        format!(
                            "{:<12} {:.2}  pattern {:>4}  {}",
                            text(&r["relationship_type"]),
                            r["strength"].as_f64().unwrap_or_default(),
                            text(&r["id"]),
                            text(&r["title"])
                        )
                    })
                },
            )
            .await
        }
        PatternsCommand::Similar {
            text: words,
            target,
            all,
            limit,
        } => {
            let mut args = target_args(&words, &target);
            args["include_unreviewed"] = json!(all);
            args["limit"] = json!(limit);
            one(ctx, "find_similar_patterns", args, |v| {
                scored_lines(v, "patterns")
            })
            .await
        }
        PatternsCommand::Recommend {
            text: words,
            target,
            all,
        } => {
            let mut args = target_args(&words, &target);
            args["include_unreviewed"] = json!(all);
            one(ctx, "recommend_fix", args, |v| {
                let mut lines = vec![format!(
                    "decision: {}  ({})",
                    text(&v["decision"]).to_uppercase(),
                    text(&v["message"])
                )];
                for (i, s) in v["steps"].as_array().into_iter().flatten().enumerate() {
                    lines.push(format!("  {}. {}", i + 1, text(s)));
                }
                for w in v["guardian_warnings"].as_array().into_iter().flatten() {
                    lines.push(format!(
                        "  guardian: {}:{}: {} {} -> {}",
                        text(&w["file_path"]),
                        text(&w["line"]),
                        text(&w["severity"]),
                        text(&w["rule_name"]),
                        text(&w["action_required"])
                    ));
                }
                for r in v["related_patterns"].as_array().into_iter().flatten() {
                    lines.push(format!(
                        "  related: {} pattern {} {}",
                        text(&r["relationship_type"]),
                        text(&r["id"]),
                        text(&r["title"])
                    ));
                }
                lines.push("candidates:".to_owned());
                lines.extend(
                    scored_lines(v, "candidates")
                        .into_iter()
                        .map(|l| format!("  {l}")),
                );
                lines
            })
            .await
        }
        PatternsCommand::Outcome {
            pattern_id,
            success: _,
            failure,
            audit,
            file,
            time_taken,
            time_saved,
            notes,
        } => {
            one(
                ctx,
                "record_pattern_outcome",
                json!({"pattern_id": pattern_id, "success": !failure, "file_audit_id": audit,
                       "file_path": file, "time_taken": time_taken, "time_saved": time_saved,
                       "notes": notes}),
                message,
            )
            .await
        }
        PatternsCommand::Insights { top, gap_threshold } => {
            one(
                ctx,
                "pattern_insights",
                json!({"top": top, "gap_threshold": gap_threshold}),
                insight_lines,
            )
            .await
        }
    }
}

fn insight_lines(v: &Value) -> Vec<String> {
    let mut lines = vec![format!(
        "{} patterns ({} reviewed, {} in the review queue); {} applications, success rate {}; {} minutes saved",
        text(&v["patterns"]),
        text(&v["reviewed"]),
        text(&v["review_queue"]),
        text(&v["applications"]),
        v["success_rate"]
            .as_f64()
            .map_or_else(|| "n/a".to_owned(), |r| format!("{:.0}%", r * 100.0)),
        text(&v["total_time_saved_minutes"])
    )];
    lines.push("most reused:".into());
    for p in v["most_reused"].as_array().into_iter().flatten() {
        lines.push(format!(
            "  {:>3}x {:>4.0}%  pattern {:>4}  {}",
            text(&p["applied_count"]),
            p["success_rate"].as_f64().unwrap_or_default() * 100.0,
            text(&p["pattern_id"]),
            text(&p["title"])
        ));
    }
    lines.push(format!(
        "knowledge gaps (open debt with no pattern above {}):",
        text(&v["gap_threshold"])
    ));
    for g in v["knowledge_gaps"].as_array().into_iter().flatten() {
        lines.push(format!(
            "  audit {:>4}  {}  {}",
            text(&g["audit_id"]),
            text(&g["file_path"]),
            first_sentence(&text(&g["technical_debt"]))
        ));
    }
    lines.push("guardian hits:".into());
    for r in v["guardian"].as_array().into_iter().flatten() {
        if r["hit_count"].as_i64().unwrap_or(0) > 0 {
            lines.push(format!(
                "  {:>4} hits in {:>3} files  L{} {}{}",
                text(&r["hit_count"]),
                text(&r["files_hit"]),
                text(&r["layer_number"]),
                text(&r["rule_name"]),
                match r["false_positive_candidates"].as_array() {
                    Some(f) if !f.is_empty() =>
                        format!("  (possible false positives: {})", f.len()),
                    _ => String::new(),
                }
            ));
        }
    }
    lines
}

/// Loads a data set (see examples/fix-patterns/README.md) through the tools.
async fn load(ctx: &Context, dir: &Path) -> anyhow::Result<ExitCode> {
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
    let tools = tools(ctx, true)?;
    let mut summary = json!({});
    if let Some(audits) = read("audits.json")? {
        let v = call(
            &tools,
            "import_file_audits",
            json!({"content": audits.to_string(), "format": "json"}),
        )
        .await?;
        summary["audits"] = json!({"imported": v["imported"], "errors": v["errors"]});
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
            // The data set writes steps as an array or as lines of text.
            if let Some(Value::String(steps)) = o.get("solution_steps").cloned() {
                o.insert(
                    "solution_steps".into(),
                    json!(
                        steps
                            .lines()
                            .filter(|l| !l.trim().is_empty())
                            .collect::<Vec<_>>()
                    ),
                );
            }
        }
        let v = call(&tools, "extract_pattern", draft).await?;
        extracted += 1;
        rules += v["guardian_rules"].as_array().map_or(0, Vec::len);
        let id = v["pattern_id"].clone();
        if let Some(key) = item["key"].as_str() {
            ids.insert(key.to_owned(), id.clone());
        }
        if item["reviewed"] == true {
            call(
                &tools,
                "review_pattern",
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
        let key = |f: &str| -> anyhow::Result<Value> {
            let k = r[f].as_str().unwrap_or_default();
            ids.get(k)
                .cloned()
                .ok_or_else(|| anyhow!("relationships.json: {f} {k:?} names no pattern key"))
        };
        call(
            &tools,
            "link_patterns",
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
