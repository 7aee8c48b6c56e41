//! `ltmc audit`: the file audits of the fix-pattern knowledge base from the
//! command line, grammar and behaviour. Each command is one call of a
//! fix-pattern tool, named by its type, so the CLI and MCP validate and
//! answer alike.
//!
//! Not here: the tools (ltmc-tools), the use cases (ltmc-service `fix`).

use super::call::{first_sentence, items, read_input, said, shown, split};
use crate::context::Context;
use clap::Subcommand;
use ltmc_tools::{ImportFileAudits, ListFileAudits, UpsertFileAudit};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// One fix-pattern tool call, printed (the fix commands run without a language model).
async fn one<T: ltmc_tools::Tool>(
    ctx: &Context,
    arguments: serde_json::Value,
    lines: impl FnOnce(&T::Output) -> Vec<String>,
) -> anyhow::Result<ExitCode> {
    super::call::one::<T>(ctx, arguments, super::call::Options::default(), lines).await
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Create or update the audit of a file (upsert_file_audit).
    Upsert {
        /// The file's path relative to the project root.
        file_path: String,
        /// Architecture layer 1-7.
        #[arg(long)]
        layer: i64,
        /// Comma-separated workflows, e.g. WF1,WF4.
        #[arg(long)]
        workflows: Option<String>,
        /// The technical debt found in the file.
        #[arg(long)]
        debt: Option<String>,
        /// Not Started, In Progress, Complete or Failed.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// List audits (list_file_audits).
    List {
        #[arg(long)]
        layer: Option<i64>,
        #[arg(long)]
        workflow: Option<String>,
        #[arg(long)]
        status: Option<String>,
        /// Only audits with technical debt.
        #[arg(long, conflicts_with = "clean")]
        has_debt: bool,
        /// Only audits without debt.
        #[arg(long)]
        clean: bool,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Import audits from a CSV or JSON file, or `-` for stdin (import_file_audits).
    Import {
        file: PathBuf,
        /// csv or json (default: from the file name or the content).
        #[arg(long)]
        format: Option<String>,
    },
}

pub async fn run(ctx: &Context, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Upsert {
            file_path,
            layer,
            workflows,
            debt,
            status,
            notes,
        } => {
            one::<UpsertFileAudit>(
                ctx,
                json!({"file_path": file_path, "layer_number": layer,
                       "workflows": split(workflows.as_deref()), "technical_debt": debt,
                       "status": status, "notes": notes}),
                |v| said(&v.message),
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
            one::<ListFileAudits>(
                ctx,
                json!({"layer": layer, "workflow": workflow, "status": status,
                       "has_debt": has, "limit": limit}),
                |v| {
                    items(&v.audits, "no audits", |a| {
                        format!(
                            "{:>4}  L{}  {:<11}  {:<40} {}",
                            a.id.to_string(),
                            a.layer_number,
                            shown(&a.status),
                            a.file_path,
                            first_sentence(a.technical_debt.as_deref().unwrap_or_default())
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
            one::<ImportFileAudits>(ctx, json!({"content": content, "format": format}), |v| {
                let mut lines = said(&v.message);
                for e in &v.errors {
                    lines.push(format!("  line {}: {}", e.line, e.error));
                }
                lines
            })
            .await
        }
    }
}
