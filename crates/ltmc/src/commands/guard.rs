//! `ltmc guard`: the guardian rules from the command line, grammar and
//! behaviour. `guard check` and `guard export` use the store and ltmc-guard
//! directly, without the embedding model, so they stay fast in hooks and CI;
//! the other commands are one call each of a guardian tool, named by its type.
//!
//! Not here: the scan (ltmc-guard), the tools (ltmc-tools).

use super::call::{items, said, shown};
use crate::context::Context;
use crate::failure::with_hint;
use crate::output;
use anyhow::{Context as _, anyhow};
use clap::Subcommand;
use ltmc_core::fix::GuardianRule;
use ltmc_guard::{RuleInput, RuleSet, ScanOptions};
use ltmc_service::fix::guardian::{active_rule_set, hits_of};
use ltmc_tools::{AddGuardianRule, ListGuardianRules, SetGuardianRuleActive};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// One guardian tool call, printed (without a language model).
async fn one<T: ltmc_tools::Tool>(
    ctx: &Context,
    arguments: serde_json::Value,
    lines: impl FnOnce(&T::Output) -> Vec<String>,
) -> anyhow::Result<ExitCode> {
    super::call::one::<T>(ctx, arguments, super::call::Options::default(), lines).await
}

#[derive(Debug, Subcommand)]
pub enum GuardCommand {
    /// Check files and directories against the active guardian rules; exits 1
    /// on an enforcement violation (for pre-commit hooks and CI). Honours .gitignore.
    Check {
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// text, json or sarif (SARIF 2.1.0, for GitHub code scanning).
        #[arg(long, default_value = "text", value_parser = ["text", "json", "sarif"])]
        format: String,
        /// Only the rules of this layer.
        #[arg(long)]
        layer: Option<i64>,
        /// Rules from a file written by `ltmc guard export` instead of the store
        /// (no data dir needed: commit it and check in CI).
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Write the report to FILE instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Do not add the hits to the rules' statistics.
        #[arg(long)]
        no_record: bool,
        /// Also check hidden files and directories.
        #[arg(long)]
        hidden: bool,
        /// Also check files .gitignore excludes.
        #[arg(long)]
        no_ignore: bool,
    },
    /// Print the active rules (with their patterns' file types) as JSON, for `guard check --rules`.
    Export {
        #[arg(long)]
        layer: Option<i64>,
    },
    /// Add a rule (add_guardian_rule).
    Add {
        /// Layer 1-7.
        #[arg(long)]
        layer: i64,
        /// Unique within the layer.
        #[arg(long)]
        name: String,
        /// prevention, detection or enforcement.
        #[arg(long = "type", default_value = "prevention")]
        rule_type: String,
        /// The regex.
        #[arg(long)]
        pattern: String,
        /// CRITICAL, HIGH, MEDIUM or LOW.
        #[arg(long, default_value = "MEDIUM")]
        severity: String,
        /// What to do when it fires.
        #[arg(long)]
        action: String,
        #[arg(long)]
        source_pattern: Option<i64>,
    },
    /// List rules (list_guardian_rules).
    List {
        #[arg(long)]
        layer: Option<i64>,
        /// Only inactive rules.
        #[arg(long)]
        inactive: bool,
    },
    /// Activate a rule.
    Enable { rule_id: i64 },
    /// Deactivate a rule, with the reason.
    Disable {
        rule_id: i64,
        #[arg(long)]
        reason: Option<String>,
    },
}

/// An exported rule: the rule and its pattern's file types.
#[derive(serde::Serialize, serde::Deserialize)]
struct ExportedRule {
    #[serde(flatten)]
    rule: GuardianRule,
    #[serde(default)]
    file_types: Vec<String>,
}

pub async fn run(ctx: &Context, command: GuardCommand) -> anyhow::Result<ExitCode> {
    match command {
        GuardCommand::Check {
            paths,
            format,
            layer,
            rules,
            output: out,
            no_record,
            hidden,
            no_ignore,
        } => {
            check(
                ctx,
                CheckArgs {
                    paths,
                    format,
                    layer,
                    rules,
                    out,
                    record: !no_record,
                    hidden,
                    no_ignore,
                },
            )
            .await
        }
        GuardCommand::Export { layer } => {
            let store = ctx.open_existing(None)?;
            let (set, _) = active_rule_set(store.as_ref(), &ctx.project, layer).await?;
            let exported: Vec<ExportedRule> = set
                .rules()
                .iter()
                .map(|c| ExportedRule {
                    rule: c.rule().clone(),
                    file_types: c.file_types().to_vec(),
                })
                .collect();
            output::json_line(&exported)?;
            Ok(ExitCode::SUCCESS)
        }
        GuardCommand::Add {
            layer,
            name,
            rule_type,
            pattern,
            severity,
            action,
            source_pattern,
        } => {
            one::<AddGuardianRule>(
                ctx,
                json!({"layer_number": layer, "rule_name": name, "rule_type": rule_type,
                       "rule_pattern": pattern, "severity": severity, "action_required": action,
                       "source_pattern_id": source_pattern}),
                |v| said(&v.message),
            )
            .await
        }
        GuardCommand::List { layer, inactive } => {
            one::<ListGuardianRules>(
                ctx,
                json!({"layer": layer, "active": if inactive { Some(false) } else { None }}),
                |v| {
                    items(&v.rules, "no rules", |r| {
                        format!(
                            "{:>4}  L{}  {:<11} {:<8} {:<6} {:>4} hits  {}{}",
                            r.id.to_string(),
                            r.layer_number,
                            shown(&r.rule_type),
                            shown(&r.severity),
                            if r.active { "active" } else { "off" },
                            r.hit_count.to_string(),
                            r.rule_name,
                            match &r.inactive_reason {
                                Some(why) => format!("  ({why})"),
                                None => String::new(),
                            }
                        )
                    })
                },
            )
            .await
        }
        GuardCommand::Enable { rule_id } => {
            one::<SetGuardianRuleActive>(ctx, json!({"rule_id": rule_id, "active": true}), |v| {
                said(&v.message)
            })
            .await
        }
        GuardCommand::Disable { rule_id, reason } => {
            one::<SetGuardianRuleActive>(
                ctx,
                json!({"rule_id": rule_id, "active": false, "reason": reason}),
                |v| said(&v.message),
            )
            .await
        }
    }
}

struct CheckArgs {
    paths: Vec<PathBuf>,
    format: String,
    layer: Option<i64>,
    rules: Option<PathBuf>,
    out: Option<PathBuf>,
    record: bool,
    hidden: bool,
    no_ignore: bool,
}

/// `ltmc guard check`: exit 1 on an enforcement violation, 0 otherwise.
#[allow(clippy::single_match_else)] // rules from a file, or from the store
async fn check(ctx: &Context, args: CheckArgs) -> anyhow::Result<ExitCode> {
    // Named paths are checked as given; a FIFO or device would block or never end.
    for path in args.paths.iter().filter(|p| !p.is_dir()) {
        crate::paths::regular_file(path, "the path")?;
    }
    let (set, store) = match &args.rules {
        Some(file) => {
            crate::paths::regular_file(file, "the rules file")?;
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read the rules file {}", file.display()))?;
            let exported: Vec<ExportedRule> = serde_json::from_str(&text).map_err(|e| {
                with_hint(
                    anyhow!("{} is not a rules file: {e}", file.display()),
                    "write one with `ltmc guard export > FILE`",
                )
            })?;
            let inputs = exported
                .into_iter()
                .filter(|r| args.layer.is_none_or(|l| r.rule.layer_number == l))
                .map(|r| RuleInput {
                    rule: r.rule,
                    file_types: r.file_types,
                })
                .collect();
            (RuleSet::compile(inputs)?, None)
        }
        None => {
            let store = ctx.open_existing(None).map_err(|e| {
                with_hint(
                    e,
                    "load rules first (`ltmc patterns load examples/fix-patterns`), or pass --rules FILE from `ltmc guard export`",
                )
            })?;
            let (set, _) = active_rule_set(store.as_ref(), &ctx.project, args.layer).await?;
            (set, Some(store))
        }
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let base = ctx
        .project_root
        .canonicalize()
        .unwrap_or_else(|_| ctx.project_root.clone());
    let options = ScanOptions {
        respect_gitignore: !args.no_ignore,
        include_hidden: args.hidden,
        ..ScanOptions::default()
    };
    let report = {
        let set = set.clone();
        tokio::task::spawn_blocking(move || ltmc_guard::scan_paths(&set, &paths, &base, &options))
            .await
            .map_err(|e| anyhow!("the scan failed: {e}"))??
    };
    if let (Some(store), true) = (&store, args.record) {
        let hits = hits_of(&report);
        if !hits.is_empty() {
            store.record_rule_hits(&ctx.project, hits).await?;
        }
    }
    let rendered = match args.format.as_str() {
        "json" => serde_json::to_string_pretty(&ltmc_guard::report::json(&report))?,
        "sarif" => serde_json::to_string_pretty(&ltmc_guard::report::sarif(
            &report,
            &set,
            env!("CARGO_PKG_VERSION"),
        ))?,
        _ => ltmc_guard::report::text(&report),
    };
    match &args.out {
        Some(file) => std::fs::write(file, rendered.as_bytes())
            .with_context(|| format!("cannot write {}", file.display()))?,
        None => output::line(rendered.trim_end()),
    }
    if report.has_enforcement() {
        tracing::warn!(
            enforcement = report.enforcement_violations(),
            "guardian check failed: enforcement rules fired"
        );
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
