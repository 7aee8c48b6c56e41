//! `ltmc chat`, `ltmc todo`, `ltmc graph`, `ltmc attempts` and `ltmc tool`:
//! each command is one call of an LTMC tool, so the CLI and the MCP server can
//! never disagree on validation or answers. `--json` prints the tool's answer
//! object; otherwise a few lines for people.
//!
//! Not here: the tools themselves (ltmc-tools).

use super::call::{Options, items, one, pretty, said, shown, tools};
use crate::cli_memory::{AttemptsCommand, ChatCommand, GraphCommand, TodoCommand, ToolCommand};
use crate::context::Context;
use crate::output;
use anyhow::{Context as _, bail};
use ltmc_tools::{
    AddTodo, AnalyzeCodePatterns, AutoLinkDocuments, CompleteTodo, GetCodePatterns,
    GetCodePatternsOutput, GetContextLinksForMessage, GetContextLinksForMessageOutput,
    GetContextUsageStatistics, GetMessagesForChunk, GetMessagesForChunkOutput, LinkResources,
    ListTodos, LogChat, LogCodeAttempt, QueryGraph, QueryGraphOutput, SearchTodos,
    StoreContextLinks, TodoView, Tool, ToolEntry, Tools,
};
use serde_json::{Map, Value, json};
use std::process::ExitCode;

/// Runs `T` with the configured language model and prints its answer:
/// `--json` prints the answer object (or the error object), otherwise the
/// lines `render` makes from the typed output.
async fn go<T: Tool>(
    ctx: &Context,
    render: fn(&T::Output) -> Vec<String>,
    arguments: Value,
) -> anyhow::Result<ExitCode> {
    let options = Options {
        llm: Context::llm()?,
        json_errors: true,
    };
    one::<T>(ctx, arguments, options, render).await
}

pub async fn chat(ctx: &Context, command: ChatCommand) -> anyhow::Result<ExitCode> {
    match command {
        ChatCommand::Log {
            content,
            conversation,
            role,
            agent,
            source_tool,
        } => {
            go::<LogChat>(
                ctx,
                pretty,
                json!({"conversation_id": conversation, "role": role, "content": content,
                   "agent_name": agent, "source_tool": source_tool}),
            )
            .await
        }
        ChatCommand::Link {
            message_id,
            chunk_ids,
        } => {
            go::<StoreContextLinks>(
                ctx,
                pretty,
                json!({"message_id": message_id, "chunk_ids": chunk_ids}),
            )
            .await
        }
        ChatCommand::Links { message_id } => {
            go::<GetContextLinksForMessage>(ctx, link_lines, json!({"message_id": message_id}))
                .await
        }
        ChatCommand::Messages { chunk_id } => {
            go::<GetMessagesForChunk>(ctx, message_lines, json!({"chunk_id": chunk_id})).await
        }
        ChatCommand::Stats => go::<GetContextUsageStatistics>(ctx, pretty, json!({})).await,
    }
}

pub async fn todo(ctx: &Context, command: TodoCommand) -> anyhow::Result<ExitCode> {
    match command {
        TodoCommand::Add {
            title,
            description,
            priority,
        } => {
            go::<AddTodo>(
                ctx,
                |v| said(&v.message),
                json!({"title": title, "description": description, "priority": priority}),
            )
            .await
        }
        TodoCommand::List { status, limit } => {
            go::<ListTodos>(
                ctx,
                |v| todo_lines(&v.todos),
                json!({"status": status, "limit": limit}),
            )
            .await
        }
        TodoCommand::Done { todo_id } => {
            go::<CompleteTodo>(ctx, |v| said(&v.message), json!({"todo_id": todo_id})).await
        }
        TodoCommand::Search { query, limit } => {
            go::<SearchTodos>(
                ctx,
                |v| todo_lines(&v.todos),
                json!({"query": query.join(" "), "limit": limit}),
            )
            .await
        }
    }
}

pub async fn graph(ctx: &Context, command: GraphCommand) -> anyhow::Result<ExitCode> {
    match command {
        GraphCommand::Link {
            source,
            target,
            relation,
        } => {
            go::<LinkResources>(
                ctx,
                pretty,
                json!({"source_id": source, "target_id": target, "relation": relation}),
            )
            .await
        }
        GraphCommand::Query { entity, relation } => {
            go::<QueryGraph>(
                ctx,
                edge_lines,
                json!({"entity": entity, "relation_type": relation}),
            )
            .await
        }
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
            go::<AutoLinkDocuments>(ctx, pretty, arguments).await
        }
    }
}

pub async fn attempts(ctx: &Context, command: AttemptsCommand) -> anyhow::Result<ExitCode> {
    match command {
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
            go::<LogCodeAttempt>(
                ctx,
                |v| said(&v.message),
                json!({"input_prompt": prompt, "generated_code": generated_code, "result": result,
                       "function_name": function, "file_name": file, "module_name": module,
                       "execution_time_ms": time_ms, "error_message": error, "tags": tags}),
            )
            .await
        }
        AttemptsCommand::Search {
            query,
            result,
            function,
            file,
            module,
            top_k,
        } => {
            go::<GetCodePatterns>(
                ctx,
                attempt_lines,
                json!({"query": query.join(" "), "result_filter": result, "function_name": function,
                   "file_name": file, "module_name": module, "top_k": top_k}),
            )
            .await
        }
        AttemptsCommand::Analyze {
            function,
            file,
            module,
            days,
        } => {
            go::<AnalyzeCodePatterns>(
                ctx,
                pretty,
                json!({"function_name": function, "file_name": file, "module_name": module,
                   "time_range_days": days}),
            )
            .await
        }
    }
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

fn todo_lines(todos: &[TodoView]) -> Vec<String> {
    items(todos, "no todos", |t| {
        format!(
            "[{}] {:>4}  {:<6}  {}{}",
            if t.completed { "x" } else { " " },
            t.id.to_string(),
            shown(&t.priority),
            t.title,
            if t.description.is_empty() {
                String::new()
            } else {
                format!(" — {}", t.description)
            }
        )
    })
}

fn edge_lines(v: &QueryGraphOutput) -> Vec<String> {
    items(&v.relationships, "no relationships", |e| {
        format!(
            "{} -{}-> {}  {}",
            e.source_id, e.relationship_type, e.target_id, e.properties
        )
    })
}

fn link_lines(v: &GetContextLinksForMessageOutput) -> Vec<String> {
    items(&v.links, "no links", |l| {
        format!("message {} used chunk {}", l.message_id, l.chunk_id)
    })
}

fn message_lines(v: &GetMessagesForChunkOutput) -> Vec<String> {
    items(&v.messages, "no messages", |m| {
        format!(
            "{} {} [{}] {}: {}",
            m.timestamp, m.message_id, m.conversation_id, m.role, m.content
        )
    })
}

fn attempt_lines(v: &GetCodePatternsOutput) -> Vec<String> {
    items(&v.patterns, "no attempts", |p| {
        format!(
            "{:.3}  attempt {} {:<7} {} {}",
            f64::from(p.similarity),
            p.attempt.pattern_id,
            shown(&p.attempt.result),
            p.attempt.function_name.as_deref().unwrap_or_default(),
            p.attempt.file_name.as_deref().unwrap_or_default()
        )
    })
}

/// The generic `ltmc tool call`: the answer's message, or the whole answer.
fn message_or_pretty(value: &Value) -> Vec<String> {
    match value.get("message").and_then(Value::as_str) {
        Some(message) => vec![message.to_owned()],
        None => pretty(value),
    }
}
