//! `ltmc chat`, `ltmc todo`, `ltmc graph`, `ltmc attempts` and `ltmc tool`:
//! each command is one call of an LTMC tool, so the CLI and the MCP server can
//! never disagree on validation or answers. `--json` prints the tool's answer
//! object; otherwise a few lines for people.
//!
//! Not here: the tools themselves (ltmc-service `tools/`).

use crate::cli_memory::{AttemptsCommand, ChatCommand, GraphCommand, TodoCommand, ToolCommand};
use crate::context::Context;
use crate::output;
use anyhow::{Context as _, bail};
use ltmc_tools::Tools;
use serde_json::{Map, Value, json};
use std::process::ExitCode;

/// One tool call of the CLI: its name and arguments.
struct Call {
    name: &'static str,
    arguments: Value,
}

impl Call {
    fn new(name: &'static str, arguments: Value) -> Self {
        Self { name, arguments }
    }
}

/// Tools that change the store (they may create it); the others need one.
fn writes(name: &str) -> bool {
    matches!(
        name,
        "store_memory"
            | "retrieve_memory"
            | "ask_with_context"
            | "log_chat"
            | "add_todo"
            | "complete_todo"
            | "store_context_links_tool"
            | "link_resources"
            | "auto_link_documents"
            | "log_code_attempt"
    )
}

pub async fn chat(ctx: &Context, command: ChatCommand) -> anyhow::Result<ExitCode> {
    let call = match command {
        ChatCommand::Log {
            content,
            conversation,
            role,
            agent,
            source_tool,
        } => Call::new(
            "log_chat",
            json!({"conversation_id": conversation, "role": role, "content": content,
                   "agent_name": agent, "source_tool": source_tool}),
        ),
        ChatCommand::Link {
            message_id,
            chunk_ids,
        } => Call::new(
            "store_context_links_tool",
            json!({"message_id": message_id, "chunk_ids": chunk_ids}),
        ),
        ChatCommand::Links { message_id } => Call::new(
            "get_context_links_for_message_tool",
            json!({"message_id": message_id}),
        ),
        ChatCommand::Messages { chunk_id } => {
            Call::new("get_messages_for_chunk_tool", json!({"chunk_id": chunk_id}))
        }
        ChatCommand::Stats => Call::new("get_context_usage_statistics_tool", json!({})),
    };
    run(ctx, call).await
}

pub async fn todo(ctx: &Context, command: TodoCommand) -> anyhow::Result<ExitCode> {
    let call = match command {
        TodoCommand::Add {
            title,
            description,
            priority,
        } => Call::new(
            "add_todo",
            json!({"title": title, "description": description, "priority": priority}),
        ),
        TodoCommand::List { status, limit } => {
            Call::new("list_todos", json!({"status": status, "limit": limit}))
        }
        TodoCommand::Done { todo_id } => Call::new("complete_todo", json!({"todo_id": todo_id})),
        TodoCommand::Search { query, limit } => Call::new(
            "search_todos",
            json!({"query": query.join(" "), "limit": limit}),
        ),
    };
    run(ctx, call).await
}

pub async fn graph(ctx: &Context, command: GraphCommand) -> anyhow::Result<ExitCode> {
    let call = match command {
        GraphCommand::Link {
            source,
            target,
            relation,
        } => Call::new(
            "link_resources",
            json!({"source_id": source, "target_id": target, "relation": relation}),
        ),
        GraphCommand::Query { entity, relation } => Call::new(
            "query_graph",
            json!({"entity": entity, "relation_type": relation}),
        ),
        GraphCommand::AutoLink {
            resource_ids,
            limit,
            threshold,
        } => {
            let documents = stored_documents(ctx, &resource_ids, limit).await?;
            let mut arguments = json!({ "documents": documents });
            if let Some(threshold) = threshold {
                arguments["threshold"] = json!(threshold);
            }
            Call::new("auto_link_documents", arguments)
        }
    };
    run(ctx, call).await
}

pub async fn attempts(ctx: &Context, command: AttemptsCommand) -> anyhow::Result<ExitCode> {
    let call = match command {
        AttemptsCommand::Log {
            prompt,
            code,
            result,
            function,
            file,
            module,
            time_ms,
            error,
            tags,
        } => {
            let generated_code = if code.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
                    .context("cannot read the code from stdin")?
            } else {
                std::fs::read_to_string(&code)
                    .with_context(|| format!("cannot read the code file {}", code.display()))?
            };
            Call::new(
                "log_code_attempt",
                json!({"input_prompt": prompt, "generated_code": generated_code, "result": result,
                       "function_name": function, "file_name": file, "module_name": module,
                       "execution_time_ms": time_ms, "error_message": error, "tags": tags}),
            )
        }
        AttemptsCommand::Search {
            query,
            result,
            function,
            file,
            module,
            top_k,
        } => Call::new(
            "get_code_patterns",
            json!({"query": query.join(" "), "result_filter": result, "function_name": function,
                   "file_name": file, "module_name": module, "top_k": top_k}),
        ),
        AttemptsCommand::Analyze {
            function,
            file,
            module,
            days,
        } => Call::new(
            "analyze_code_patterns_tool",
            json!({"function_name": function, "file_name": file, "module_name": module,
                   "time_range_days": days}),
        ),
    };
    run(ctx, call).await
}

pub async fn tool(ctx: &Context, command: ToolCommand) -> anyhow::Result<ExitCode> {
    match command {
        ToolCommand::List => {
            let specs = Tools::specs();
            if ctx.json {
                output::json_line(&specs)?;
            } else {
                for spec in specs {
                    output::line(&format!(
                        "{:<36} {}",
                        spec.name,
                        first_line(spec.description)
                    ));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ToolCommand::Call { name, arguments } => {
            let arguments: Value = serde_json::from_str(&arguments).map_err(|e| {
                crate::failure::with_hint(
                    anyhow::anyhow!("the arguments are not JSON: {e}"),
                    "pass one JSON object, e.g. '{\"query\": \"...\"}'",
                )
            })?;
            let Some(spec) = Tools::specs().into_iter().find(|s| s.name == name) else {
                return Err(crate::failure::with_hint(
                    anyhow::anyhow!("no tool named {name:?}"),
                    "`ltmc tool list` shows the tools",
                ));
            };
            run(ctx, Call::new(spec.name, arguments)).await
        }
    }
}

/// Runs the call and prints its answer; a tool failure is an `error:` line
/// and a non-zero exit, like any other CLI failure.
async fn run(ctx: &Context, call: Call) -> anyhow::Result<ExitCode> {
    let memory = ctx.memory(writes(call.name))?;
    let tools = Tools::new(memory, ctx.project.clone(), Context::llm()?)
        .with_project_root(Some(ctx.project_root.clone()));
    let arguments = without_nulls(call.arguments);
    let outcome = tools.call(call.name, arguments).await;
    if outcome.is_error {
        let error = outcome.value["error"]
            .as_str()
            .unwrap_or("the tool failed")
            .to_owned();
        if ctx.json {
            output::json_line(&outcome.value)?;
        }
        return Err(crate::failure::with_hint(
            anyhow::anyhow!("{}: {error}", call.name),
            "check the arguments; `ltmc tool list --json` shows each tool's schema",
        ));
    }
    if ctx.json {
        output::json_line(&outcome.value)?;
    } else {
        for line in render(call.name, &outcome.value) {
            output::line(&line);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Optional flags left out are `null` in the JSON built above; tools treat a
/// missing field as "not given", so drop them rather than send nulls.
pub(super) fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .collect::<Map<String, Value>>(),
        ),
        other => other,
    }
}

/// The stored resources to auto-link, as the tool's documents.
async fn stored_documents(ctx: &Context, ids: &[i64], limit: usize) -> anyhow::Result<Vec<Value>> {
    let store = ctx.open_existing(None)?;
    let resources = if ids.is_empty() {
        store
            .list_resources(
                &ctx.project,
                &ltmc_store::ResourceFilter {
                    resource_type: None,
                    limit: Some(limit),
                },
            )
            .await?
            .into_iter()
            .filter(|r| r.resource_type != ltmc_core::CODE_ATTEMPT_TYPE)
            .collect()
    } else {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            found.push(
                store
                    .get_resource(&ctx.project, ltmc_core::ResourceId(*id))
                    .await?,
            );
        }
        found
    };
    if resources.len() < 2 {
        bail!(
            "auto-linking needs at least two stored resources, found {}",
            resources.len()
        );
    }
    Ok(resources
        .into_iter()
        .map(|r| json!({"id": r.id.to_string(), "title": r.file_name, "content": r.content}))
        .collect())
}

pub(super) fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// A JSON value as a person reads it: strings bare, null as nothing.
pub(super) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A few lines for people; the full object is one `--json` away.
fn render(tool: &str, value: &Value) -> Vec<String> {
    match tool {
        "list_todos" | "search_todos" => list(value, "todos", "no todos", |t| {
            format!(
                "[{}] {:>4}  {:<6}  {}{}",
                if t["completed"] == true { "x" } else { " " },
                text(&t["id"]),
                text(&t["priority"]),
                text(&t["title"]),
                match t["description"].as_str() {
                    Some(d) if !d.is_empty() => format!(" — {d}"),
                    _ => String::new(),
                }
            )
        }),
        "query_graph" | "get_document_relationships_tool" => {
            list(value, "relationships", "no relationships", |e| {
                format!(
                    "{} -{}-> {}  {}",
                    text(&e["source_id"]),
                    text(&e["relationship_type"]),
                    text(&e["target_id"]),
                    e["properties"]
                )
            })
        }
        "get_context_links_for_message_tool" => list(value, "links", "no links", |l| {
            format!(
                "message {} used chunk {}",
                text(&l["message_id"]),
                text(&l["chunk_id"])
            )
        }),
        "get_messages_for_chunk_tool" => list(value, "messages", "no messages", |m| {
            format!(
                "{} {} [{}] {}: {}",
                text(&m["timestamp"]),
                text(&m["message_id"]),
                text(&m["conversation_id"]),
                text(&m["role"]),
                text(&m["content"])
            )
        }),
        "get_code_patterns" => list(value, "patterns", "no attempts", |p| {
            format!(
                "{:.3}  attempt {} {:<7} {} {}",
                p["similarity"].as_f64().unwrap_or_default(),
                text(&p["pattern_id"]),
                text(&p["result"]),
                text(&p["function_name"]),
                text(&p["file_name"])
            )
        }),
        _ => match value.get("message").and_then(Value::as_str) {
            Some(message) if tool != "analyze_code_patterns_tool" => vec![message.to_owned()],
            _ => vec![serde_json::to_string_pretty(value).unwrap_or_default()],
        },
    }
}

pub(super) fn list(
    value: &Value,
    field: &str,
    empty: &str,
    line: impl Fn(&Value) -> String,
) -> Vec<String> {
    match value[field].as_array() {
        Some(items) if !items.is_empty() => items.iter().map(line).collect(),
        _ => vec![empty.to_owned()],
    }
}
