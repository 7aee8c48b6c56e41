//! `ltmc chat`, `ltmc todo`, `ltmc graph`, `ltmc attempts` and `ltmc tool`:
//! each command is one call of an LTMC tool, so the CLI and the MCP server can
//! never disagree on validation or answers. `--json` prints the tool's answer
//! object; otherwise a few lines for people.
//!
//! Not here: the tools themselves (ltmc-service `tools/`).

use super::call::{Options, list, one, pretty, text, tools};
use crate::cli_memory::{AttemptsCommand, ChatCommand, GraphCommand, TodoCommand, ToolCommand};
use crate::context::Context;
use crate::output;
use anyhow::{Context as _, bail};
use ltmc_tools::{
    AddTodo, AnalyzeCodePatterns, AutoLinkDocuments, CompleteTodo, GetCodePatterns,
    GetContextLinksForMessage, GetContextUsageStatistics, GetMessagesForChunk, LinkResources,
    ListTodos, LogChat, LogCodeAttempt, QueryGraph, SearchTodos, StoreContextLinks, Tool,
    ToolEntry, Tools,
};
use serde_json::{Map, Value, json};
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;

/// A renderer of a tool's answer for people.
type Render = fn(&Value) -> Vec<String>;

/// The runner of one tool type, its types erased so a `match` can pick one.
type Go = for<'a> fn(&'a Context, Value, Render) -> LocalBoxFuture<'a>;

type LocalBoxFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<ExitCode>> + 'a>>;

/// One tool call of the CLI: the tool (by type), its arguments and how to print it.
struct Call {
    go: Go,
    render: Render,
    arguments: Value,
}

impl Call {
    fn of<T: Tool<Output = Value>>(render: Render, arguments: Value) -> Self {
        Self {
            go: go::<T>,
            render,
            arguments,
        }
    }
}

fn go<T: Tool<Output = Value>>(
    ctx: &Context,
    arguments: Value,
    render: Render,
) -> LocalBoxFuture<'_> {
    Box::pin(async move {
        let options = Options {
            llm: Context::llm()?,
            json_errors: true,
        };
        one::<T>(ctx, arguments, options, render).await
    })
}

/// Runs the call and prints its answer; a tool failure is an `error:` line
/// and a non-zero exit, like any other CLI failure.
async fn run(ctx: &Context, call: Call) -> anyhow::Result<ExitCode> {
    (call.go)(ctx, call.arguments, call.render).await
}

pub async fn chat(ctx: &Context, command: ChatCommand) -> anyhow::Result<ExitCode> {
    let call = match command {
        ChatCommand::Log {
            content,
            conversation,
            role,
            agent,
            source_tool,
        } => Call::of::<LogChat>(
            message_or_pretty,
            json!({"conversation_id": conversation, "role": role, "content": content,
                   "agent_name": agent, "source_tool": source_tool}),
        ),
        ChatCommand::Link {
            message_id,
            chunk_ids,
        } => Call::of::<StoreContextLinks>(
            message_or_pretty,
            json!({"message_id": message_id, "chunk_ids": chunk_ids}),
        ),
        ChatCommand::Links { message_id } => {
            Call::of::<GetContextLinksForMessage>(link_lines, json!({"message_id": message_id}))
        }
        ChatCommand::Messages { chunk_id } => {
            Call::of::<GetMessagesForChunk>(message_lines, json!({"chunk_id": chunk_id}))
        }
        ChatCommand::Stats => Call::of::<GetContextUsageStatistics>(message_or_pretty, json!({})),
    };
    run(ctx, call).await
}

pub async fn todo(ctx: &Context, command: TodoCommand) -> anyhow::Result<ExitCode> {
    let call = match command {
        TodoCommand::Add {
            title,
            description,
            priority,
        } => Call::of::<AddTodo>(
            message_or_pretty,
            json!({"title": title, "description": description, "priority": priority}),
        ),
        TodoCommand::List { status, limit } => {
            Call::of::<ListTodos>(todo_lines, json!({"status": status, "limit": limit}))
        }
        TodoCommand::Done { todo_id } => {
            Call::of::<CompleteTodo>(message_or_pretty, json!({"todo_id": todo_id}))
        }
        TodoCommand::Search { query, limit } => Call::of::<SearchTodos>(
            todo_lines,
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
        } => Call::of::<LinkResources>(
            message_or_pretty,
            json!({"source_id": source, "target_id": target, "relation": relation}),
        ),
        GraphCommand::Query { entity, relation } => Call::of::<QueryGraph>(
            edge_lines,
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
            Call::of::<AutoLinkDocuments>(message_or_pretty, arguments)
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
            Call::of::<LogCodeAttempt>(
                message_or_pretty,
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
        } => Call::of::<GetCodePatterns>(
            attempt_lines,
            json!({"query": query.join(" "), "result_filter": result, "function_name": function,
                   "file_name": file, "module_name": module, "top_k": top_k}),
        ),
        AttemptsCommand::Analyze {
            function,
            file,
            module,
            days,
        } => Call::of::<AnalyzeCodePatterns>(
            pretty,
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
            let Some(entry) = ToolEntry::find(&name) else {
                return Err(crate::failure::with_hint(
                    anyhow::anyhow!("no tool named {name:?}"),
                    "`ltmc tool list` shows the tools",
                ));
            };
            let tools = tools(ctx, entry.writes, Context::llm()?)?;
            let outcome = tools.call(entry.name, without_nulls(arguments)).await;
            if outcome.is_error {
                let error = outcome.value["error"]
                    .as_str()
                    .unwrap_or("the tool failed")
                    .to_owned();
                if ctx.json {
                    output::json_line(&outcome.value)?;
                }
                return Err(crate::failure::with_hint(
                    anyhow::anyhow!("{}: {error}", entry.name),
                    "check the arguments; `ltmc tool list --json` shows each tool's schema",
                ));
            }
            if ctx.json {
                output::json_line(&outcome.value)?;
            } else {
                for line in message_or_pretty(&outcome.value) {
                    output::line(&line);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Optional flags left out are `null` in the JSON built above; tools treat a
/// missing field as "not given", so drop them rather than send nulls.
fn without_nulls(value: Value) -> Value {
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

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn todo_lines(value: &Value) -> Vec<String> {
    list(value, "todos", "no todos", |t| {
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
    })
}

fn edge_lines(value: &Value) -> Vec<String> {
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

fn link_lines(value: &Value) -> Vec<String> {
    list(value, "links", "no links", |l| {
        format!(
            "message {} used chunk {}",
            text(&l["message_id"]),
            text(&l["chunk_id"])
        )
    })
}

fn message_lines(value: &Value) -> Vec<String> {
    list(value, "messages", "no messages", |m| {
        format!(
            "{} {} [{}] {}: {}",
            text(&m["timestamp"]),
            text(&m["message_id"]),
            text(&m["conversation_id"]),
            text(&m["role"]),
            text(&m["content"])
        )
    })
}

fn attempt_lines(value: &Value) -> Vec<String> {
    list(value, "patterns", "no attempts", |p| {
        format!(
            "{:.3}  attempt {} {:<7} {} {}",
            p["similarity"].as_f64().unwrap_or_default(),
            text(&p["pattern_id"]),
            text(&p["result"]),
            text(&p["function_name"]),
            text(&p["file_name"])
        )
    })
}

/// The answer's message, or the whole answer when it has none.
fn message_or_pretty(value: &Value) -> Vec<String> {
    match value.get("message").and_then(Value::as_str) {
        Some(message) => vec![message.to_owned()],
        None => pretty(value),
    }
}
