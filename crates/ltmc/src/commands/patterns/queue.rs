//! `ltmc patterns drafts`, `accept`, `reject` and `merge`: the review queue
//! from the command line, each one call of its fix-pattern tool
//! (`list_pattern_drafts`, `accept_pattern`, `reject_pattern`,
//! `merge_patterns`), rendered from the tool's output.
//!
//! Not here: the tools (ltmc-tools), the transactions (the stores'
//! `ReviewStore`).

use super::one;
use crate::commands::call::{read_input, said};
use crate::context::Context;
use crate::failure::with_hint;
use anyhow::anyhow;
use clap::Args;
use ltmc_tools::{AcceptPattern, ListPatternDrafts, MergePatterns, RejectPattern};
use serde_json::{Map, Value, json};
use std::path::PathBuf;
use std::process::ExitCode;

/// The review queue, one page at a time.
#[derive(Debug, Args)]
pub struct DraftsArgs {
    /// newest, confidence (highest first) or source (mined, then audit, then manual).
    #[arg(long, default_value = "newest")]
    pub order: String,
    /// Only drafts of this origin: mined, audit or manual.
    #[arg(long)]
    pub origin: Option<String>,
    /// Skip N (paging).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,
    /// Show at most N (1-500).
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub limit: usize,
    /// Reviewed patterns too.
    #[arg(long)]
    pub all: bool,
}

/// Accept a draft, optionally editing it on the way.
#[derive(Debug, Args)]
pub struct AcceptArgs {
    pub pattern_id: i64,
    /// The reviewer's notes.
    #[arg(long)]
    pub notes: Option<String>,
    /// Edits as JSON (a file or `-`) with the accept_pattern fields, e.g. {"title": "..", "layers": "1,4"}.
    #[arg(long, value_name = "FILE")]
    pub edits: Option<PathBuf>,
    #[arg(long)]
    pub title: Option<String>,
    /// The problem description.
    #[arg(long)]
    pub problem: Option<String>,
    /// The solution steps: one text, split on lines and numbering.
    #[arg(long)]
    pub steps: Option<String>,
    /// Comma-separated layers 1-7.
    #[arg(long)]
    pub layers: Option<String>,
    /// Comma-separated tags.
    #[arg(long)]
    pub tags: Option<String>,
    /// CRITICAL, HIGH, MEDIUM or LOW.
    #[arg(long)]
    pub severity: Option<String>,
    /// Security, Architecture, Standards or UI-UX.
    #[arg(long)]
    pub problem_type: Option<String>,
    /// Save the edits but keep it in the review queue.
    #[arg(long)]
    pub keep_in_queue: bool,
}

/// Reject a pattern: delete it and leave a tombstone, so mining never brings it back.
#[derive(Debug, Args)]
pub struct RejectArgs {
    pub pattern_id: i64,
    /// Why (kept with the tombstone).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Merge FROM into INTO (FROM is deleted; its history moves to INTO).
#[derive(Debug, Args)]
pub struct MergeArgs {
    pub into: i64,
    pub from: i64,
    /// A note kept in INTO's reviewer notes.
    #[arg(long)]
    pub notes: Option<String>,
}

pub async fn drafts(ctx: &Context, a: DraftsArgs) -> anyhow::Result<ExitCode> {
    let args = json!({"order": a.order, "origin": a.origin, "offset": a.offset,
                      "limit": a.limit, "all": a.all});
    one::<ListPatternDrafts>(ctx, args, |v| {
        let mut lines: Vec<String> = v
            .items
            .iter()
            .map(|e| {
                let p = &e.pattern;
                let from = match &e.source {
                    Some(s) => s
                        .commits
                        .iter()
                        .map(|c| c.get(..10).unwrap_or(c))
                        .collect::<Vec<_>>()
                        .join(" "),
                    None => e.origin.to_owned(),
                };
                format!(
                    "{:>5}  {:<12} {:<8} {:.2}  x{:<3} {}  ({from}, {})",
                    p.id.0,
                    p.problem_type.as_str(),
                    p.severity.as_str(),
                    e.confidence_score,
                    p.applied_count,
                    p.title,
                    e.created_by.as_deref().unwrap_or("unknown author")
                )
            })
            .collect();
        if lines.is_empty() {
            lines.push("no drafts waiting for review".to_owned());
        }
        lines.push(format!(
            "{} to {} of {} ({}); `ltmc patterns accept ID` accepts (with edits), \
             `reject ID` rejects, `merge INTO FROM` merges",
            (v.offset + 1).min(usize::try_from(v.total).unwrap_or(usize::MAX)),
            v.offset + v.items.len(),
            v.total,
            v.order
        ));
        lines
    })
    .await
}

pub async fn accept(ctx: &Context, a: AcceptArgs) -> anyhow::Result<ExitCode> {
    let mut args = match &a.edits {
        Some(file) => match serde_json::from_str::<Value>(&read_input(file)?) {
            Ok(Value::Object(map)) => map,
            Ok(_) | Err(_) => {
                return Err(with_hint(
                    anyhow!("{} is not a JSON object", file.display()),
                    "give one JSON object with the accept_pattern fields (`ltmc tool list --json`)",
                ));
            }
        },
        None => Map::new(),
    };
    for (field, value) in [
        ("title", a.title),
        ("problem_description", a.problem),
        ("solution_steps", a.steps),
        ("tags", a.tags),
        ("severity", a.severity),
        ("problem_type", a.problem_type),
        ("reviewer_notes", a.notes),
    ] {
        if let Some(v) = value {
            args.insert(field.to_owned(), Value::String(v));
        }
    }
    if let Some(layers) = a.layers {
        // "3,4" on the command line; a part that is no integer goes to the
        // tool as given, which names the field and the accepted forms.
        let parsed: Option<Vec<i64>> = layers.split(',').map(|l| l.trim().parse().ok()).collect();
        args.insert(
            "layers".to_owned(),
            parsed.map_or(Value::String(layers), |l| json!(l)),
        );
    }
    args.insert("pattern_id".to_owned(), json!(a.pattern_id));
    args.insert("reviewed".to_owned(), json!(!a.keep_in_queue));
    one::<AcceptPattern>(ctx, Value::Object(args), |v| said(&v.message)).await
}

pub async fn reject(ctx: &Context, a: RejectArgs) -> anyhow::Result<ExitCode> {
    one::<RejectPattern>(
        ctx,
        json!({"pattern_id": a.pattern_id, "reason": a.reason}),
        |v| said(&v.message),
    )
    .await
}

pub async fn merge(ctx: &Context, a: MergeArgs) -> anyhow::Result<ExitCode> {
    one::<MergePatterns>(
        ctx,
        json!({"into_pattern_id": a.into, "from_pattern_id": a.from, "reviewer_notes": a.notes}),
        |v| said(&v.message),
    )
    .await
}
