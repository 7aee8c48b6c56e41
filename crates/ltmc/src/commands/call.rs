//! How the CLI's typed commands run a tool: the tool is named by its type
//! (`one::<ListTodos>(...)`), the store is opened for writing only when the
//! registry says the tool writes, and the answer is printed as the tool's
//! object (`--json`) or as a few lines rendered from the typed output.
//! Plus the small text helpers the renderers share.
//!
//! Not here: the tools (ltmc-tools) or any command's grammar.

use crate::context::Context;
use crate::failure::with_hint;
use crate::output;
use anyhow::{Context as _, anyhow};
use ltmc_tools::{LlmConfig, Tool, ToolError, Tools};
use serde_json::Value;
use std::io::Read as _;
use std::path::Path;
use std::process::ExitCode;

/// The tools over the context's store, opened for writing if `T` writes.
pub(crate) fn tools_for<T: Tool>(ctx: &Context, llm: Option<LlmConfig>) -> anyhow::Result<Tools> {
    tools(ctx, T::WRITES, llm)
}

pub(crate) fn tools(ctx: &Context, write: bool, llm: Option<LlmConfig>) -> anyhow::Result<Tools> {
    let memory = ctx.memory(write)?;
    Ok(Tools::new(memory, ctx.project.clone(), llm)
        .with_project_root(Some(ctx.project_root.clone())))
}

/// A tool failure as a CLI error naming the tool.
pub(crate) fn failed(name: &str, e: &ToolError) -> anyhow::Error {
    with_hint(
        anyhow!("{name}: {}", e.message()),
        "check the arguments; `ltmc tool list --json` shows each tool's schema",
    )
}

/// Runs `T` with JSON arguments (`null` fields are left out).
pub(crate) async fn call<T: Tool>(tools: &Tools, arguments: Value) -> anyhow::Result<T::Output> {
    ltmc_tools::run_json::<T>(tools, arguments)
        .await
        .map_err(|e| failed(T::NAME, &e))
}

/// How [`one`] runs: with the configured language model, and whether a
/// failure also prints the error object under `--json`.
#[derive(Default)]
pub(crate) struct Options {
    pub llm: Option<LlmConfig>,
    pub json_errors: bool,
}

/// One tool call, printed: `--json` prints the answer object; otherwise `lines`.
pub(crate) async fn one<T: Tool>(
    ctx: &Context,
    arguments: Value,
    options: Options,
    lines: impl FnOnce(&T::Output) -> Vec<String>,
) -> anyhow::Result<ExitCode> {
    let tools = tools_for::<T>(ctx, options.llm)?;
    let output = match ltmc_tools::run_json::<T>(&tools, arguments).await {
        Ok(output) => output,
        Err(e) => {
            if options.json_errors && ctx.json {
                output::json_line(&e.clone().into_value())?;
            }
            return Err(failed(T::NAME, &e));
        }
    };
    print::<T>(ctx, &output, lines)
}

/// Prints a typed output: the answer object, or the rendered lines.
pub(crate) fn print<T: Tool>(
    ctx: &Context,
    output: &T::Output,
    lines: impl FnOnce(&T::Output) -> Vec<String>,
) -> anyhow::Result<ExitCode> {
    if ctx.json {
        let value = ltmc_tools::answer(output).map_err(|e| failed(T::NAME, &e))?;
        output::json_line(&value)?;
    } else {
        for line in lines(output) {
            output::line(&line);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A JSON value as a person reads it: strings bare, null as nothing.
pub(crate) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A typed value as its JSON text shows it: enums by their wire names,
/// numbers as JSON writes them (`1.0`, not `1`), options `None` as nothing.
pub(crate) fn shown<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).map_or_else(|_| String::new(), |v| text(&v))
}

/// One line per item, or `empty`.
pub(crate) fn items<T>(items: &[T], empty: &str, line: impl Fn(&T) -> String) -> Vec<String> {
    if items.is_empty() {
        vec![empty.to_owned()]
    } else {
        items.iter().map(line).collect()
    }
}

/// A typed answer's message, as its only line.
pub(crate) fn said(message: &str) -> Vec<String> {
    vec![message.to_owned()]
}

/// The whole answer, pretty-printed (keys sorted, as the JSON object has them).
pub(crate) fn pretty<O: serde::Serialize>(output: &O) -> Vec<String> {
    let value = serde_json::to_value(output).unwrap_or_default();
    vec![serde_json::to_string_pretty(&value).unwrap_or_default()]
}

/// A comma-separated flag as a list.
pub(crate) fn split(list: Option<&str>) -> Option<Vec<String>> {
    list.map(|l| {
        l.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

/// A file's text, or stdin's for `-`.
pub(crate) fn read_input(path: &Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read stdin")?;
        Ok(s)
    } else {
        crate::paths::regular_file(path, "the input")?;
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    }
}

/// The first sentence, cut to 90 characters.
pub(crate) fn first_sentence(s: &str) -> String {
    let first = s.split(". ").next().unwrap_or(s);
    let cut: String = first.chars().take(90).collect();
    if cut.len() < first.len() {
        format!("{cut}...")
    } else {
        cut
    }
}
