//! `ltmc patterns`: the fix patterns from the command line, grammar and
//! dispatch. Each command is one call of a fix-pattern tool, named by its
//! type (so the CLI and MCP validate and answer alike), rendered from the
//! tool's output; `patterns load` (in `load.rs`) feeds a data set through
//! those tools.
//!
//! Not here: the tools (ltmc-tools), the use cases (ltmc-service `fix`).

mod calibrate;
mod load;
mod mine;
mod queue;

use super::call::{first_sentence, items, pretty, read_input, said, shown, split};
use crate::context::Context;
use crate::failure::with_hint;
use anyhow::anyhow;
use clap::Subcommand;
use ltmc_tools::{
    ExtractPattern, FindSimilarOutput, FindSimilarPatterns, GetPattern, GetRelatedPatterns,
    LinkPatterns, ListPatterns, PatternInsights, PatternInsightsOutput, RecommendFix,
    RecommendFixOutput, RecordPatternOutcome, ReviewPattern, Scored,
};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;

/// One fix-pattern tool call, printed (without a language model).
async fn one<T: ltmc_tools::Tool>(
    ctx: &Context,
    arguments: Value,
    lines: impl FnOnce(&T::Output) -> Vec<String>,
) -> anyhow::Result<ExitCode> {
    super::call::one::<T>(ctx, arguments, super::call::Options::default(), lines).await
}

#[derive(Debug, Subcommand)]
pub enum PatternsCommand {
    /// Load a fix-pattern data set: DIR/audits.json, DIR/patterns.json (with
    /// `key` and `reviewed`), DIR/relationships.json (by key), e.g. examples/fix-patterns.
    Load { dir: PathBuf },
    /// Extract a pattern from a fix described as JSON (a file or `-`), with the
    /// fields of the extract_pattern tool.
    Extract { file: PathBuf },
    /// Mark a pattern reviewed, or send it back to the queue (review_pattern).
    Review {
        pattern_id: i64,
        #[arg(long)]
        notes: Option<String>,
        /// Back to the review queue.
        #[arg(long)]
        reject: bool,
    },
    /// Show a pattern with its relationships, rules and applications (get_pattern).
    Show { pattern_id: i64 },
    /// List patterns (list_patterns).
    List {
        /// Only the review queue.
        #[arg(long, conflicts_with = "reviewed")]
        unreviewed: bool,
        /// Only reviewed patterns.
        #[arg(long)]
        reviewed: bool,
        #[arg(long)]
        problem_type: Option<String>,
        #[arg(long)]
        layer: Option<i64>,
        #[arg(long)]
        workflow: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Relate two patterns: TARGET is a TYPE of SOURCE (link_patterns).
    Link {
        source: i64,
        target: i64,
        /// prerequisite, follows, conflicts or enhances.
        relationship_type: String,
        #[arg(long, default_value_t = 1.0)]
        strength: f64,
        #[arg(long)]
        description: Option<String>,
    },
    /// Patterns related to one (get_related_patterns).
    Related {
        pattern_id: i64,
        /// Comma-separated types (default prerequisite,follows,enhances).
        #[arg(long)]
        types: Option<String>,
    },
    /// Find patterns for a debt, by audit or text (find_similar_patterns).
    Similar {
        /// The debt, in words.
        text: Vec<String>,
        #[command(flatten)]
        target: FixTarget,
        /// Also unreviewed patterns.
        #[arg(long)]
        all: bool,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Decide apply / adapt / new for a debt, with steps and guardian warnings (recommend_fix).
    Recommend {
        /// The debt, in words.
        text: Vec<String>,
        #[command(flatten)]
        target: FixTarget,
        /// Also unreviewed patterns.
        #[arg(long)]
        all: bool,
    },
    /// Record the outcome of applying a pattern (record_pattern_outcome).
    Outcome {
        pattern_id: i64,
        /// It worked (default) ...
        #[arg(long, conflicts_with = "failure")]
        success: bool,
        /// ... or it did not.
        #[arg(long)]
        failure: bool,
        #[arg(long)]
        audit: Option<i64>,
        #[arg(long)]
        file: Option<String>,
        /// Minutes the fix took.
        #[arg(long)]
        time_taken: Option<i64>,
        /// Minutes the pattern saved.
        #[arg(long)]
        time_saved: Option<i64>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// Reuse, success, knowledge gaps, guardian hits, time saved (pattern_insights).
    Insights {
        #[arg(long, default_value_t = 10)]
        top: usize,
        #[arg(long)]
        gap_threshold: Option<f64>,
    },
    /// Refit the confidence calibration from the recorded outcomes (stored
    /// with the store; --dry-run to look first, --undo to go back).
    Calibrate(calibrate::CalibrateArgs),
    /// Mine fix commits of a git repository into unreviewed draft patterns
    /// (incremental: a second run reads only new commits).
    Mine(mine::MineArgs),
    /// The review queue a page at a time (newest, by confidence or by source),
    /// with the commits mined drafts came from (list_pattern_drafts).
    Drafts(queue::DraftsArgs),
    /// Accept a draft, optionally with edits (accept_pattern).
    Accept(queue::AcceptArgs),
    /// Reject a pattern: delete it and leave a tombstone, so mining never
    /// brings it back (reject_pattern).
    Reject(queue::RejectArgs),
    /// Merge two patterns: FROM goes into INTO with its history (merge_patterns).
    Merge(queue::MergeArgs),
}

/// Where a debt is: an audit, or a layer/workflows/file given by hand.
#[derive(Debug, clap::Args)]
pub struct FixTarget {
    /// A file audit id.
    #[arg(long)]
    pub audit: Option<i64>,
    #[arg(long)]
    pub layer: Option<i64>,
    /// Comma-separated workflows.
    #[arg(long)]
    pub workflows: Option<String>,
    /// The file to fix.
    #[arg(long)]
    pub file: Option<String>,
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

/// What `patterns recommend` prints: the decision, the steps, the guardian
/// warnings, the related patterns and the candidates.
fn recommendation_lines(v: &RecommendFixOutput) -> Vec<String> {
    let mut lines = vec![format!(
        "decision: {}  ({})",
        shown(&v.decision).to_uppercase(),
        v.message
    )];
    for (i, s) in v.steps.iter().enumerate() {
        lines.push(format!("  {}. {s}", i + 1));
    }
    for w in &v.guardian_warnings {
        lines.push(format!(
            "  guardian: {}:{}: {} {} -> {}",
            w.file_path,
            w.line,
            shown(&w.severity),
            w.rule_name,
            w.action_required
        ));
    }
    for r in &v.related_patterns {
        lines.push(format!(
            "  related: {} pattern {} {}",
            shown(&r.relationship_type),
            shown(&r.id),
            r.title
        ));
    }
    lines.push("candidates:".to_owned());
    lines.extend(
        scored_lines(&v.candidates)
            .into_iter()
            .map(|l| format!("  {l}")),
    );
    lines
}

fn scored_lines(patterns: &[Scored]) -> Vec<String> {
    if patterns.is_empty() {
        return vec!["no pattern above the similarity threshold".to_owned()];
    }
    patterns
        .iter()
        .map(|p| {
            format!(
                "{:.3}  (similarity {:.3}, problem {:.3})  pattern {:>4}  {}",
                p.computed_confidence,
                p.similarity,
                p.problem_similarity,
                shown(&p.pattern_id),
                p.title
            )
        })
        .collect()
}

pub async fn run(ctx: &Context, command: PatternsCommand) -> anyhow::Result<ExitCode> {
    match command {
        PatternsCommand::Load { dir } => load::load(ctx, &dir).await,
        PatternsCommand::Extract { file } => {
            let draft: Value = serde_json::from_str(&read_input(&file)?).map_err(|e| {
                with_hint(
                    anyhow!("{} is not JSON: {e}", file.display()),
                    "give one JSON object with the extract_pattern fields (`ltmc tool list --json`)",
                )
            })?;
            one::<ExtractPattern>(ctx, draft, |v| {
                let mut lines = said(&v.message);
                for i in &v.inferred {
                    lines.push(format!(
                        "  inferred {} = {} ({})",
                        i.field, i.value, i.reason
                    ));
                }
                for r in &v.relationships {
                    lines.push(format!(
                        "  {} pattern {} (strength {}): {}",
                        shown(&r.relationship_type),
                        r.target,
                        shown(&r.strength),
                        r.description.as_deref().unwrap_or_default()
                    ));
                }
                for r in &v.guardian_rules {
                    lines.push(format!(
                        "  rule {} {} {}{}",
                        r.id,
                        r.rule_name,
                        if r.active { "active" } else { "inactive: " },
                        r.inactive_reason.as_deref().unwrap_or_default()
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
            one::<ReviewPattern>(
                ctx,
                json!({"pattern_id": pattern_id, "reviewed": !reject, "reviewer_notes": notes}),
                |v| said(&v.message),
            )
            .await
        }
        PatternsCommand::Show { pattern_id } => {
            one::<GetPattern>(ctx, json!({"pattern_id": pattern_id}), pretty).await
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
            one::<ListPatterns>(
                ctx,
                json!({"reviewed": r, "problem_type": problem_type, "layer": layer,
                       "workflow": workflow, "tag": tag, "limit": limit}),
                |v| {
                    items(&v.patterns, "no patterns", |p| {
                        format!(
                            "{:>4}  {}  {:<12} {:<8} L{:<8} applied {} ({:.0}%)  {}",
                            p.id.to_string(),
                            if p.reviewed {
                                "reviewed  "
                            } else {
                                "unreviewed"
                            },
                            shown(&p.problem_type),
                            shown(&p.severity),
                            shown(&p.layers),
                            p.applied_count,
                            p.success_rate * 100.0,
                            p.title
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
            one::<LinkPatterns>(
                ctx,
                json!({"source_pattern_id": source, "target_pattern_id": target,
                       "relationship_type": relationship_type, "strength": strength,
                       "description": description}),
                |v| said(&v.message),
            )
            .await
        }
        PatternsCommand::Related { pattern_id, types } => {
            one::<GetRelatedPatterns>(
                ctx,
                json!({"pattern_id": pattern_id, "relationship_types": split(types.as_deref())}),
                |v| {
                    items(&v.related_patterns, "no related patterns", |r| {
                        format!(
                            "{:<12} {:.2}  pattern {:>4}  {}",
                            shown(&r.relationship_type),
                            r.strength,
                            r.id.to_string(),
                            r.title
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
            one::<FindSimilarPatterns>(ctx, args, |v: &FindSimilarOutput| scored_lines(&v.patterns))
                .await
        }
        PatternsCommand::Recommend {
            text: words,
            target,
            all,
        } => {
            let mut args = target_args(&words, &target);
            args["include_unreviewed"] = json!(all);
            one::<RecommendFix>(ctx, args, recommendation_lines).await
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
            one::<RecordPatternOutcome>(
                ctx,
                json!({"pattern_id": pattern_id, "success": !failure, "file_audit_id": audit,
                       "file_path": file, "time_taken": time_taken, "time_saved": time_saved,
                       "notes": notes}),
                |v| said(&v.message),
            )
            .await
        }
        PatternsCommand::Calibrate(args) => calibrate::run(ctx, args).await,
        PatternsCommand::Mine(args) => mine::mine_command(ctx, args).await,
        PatternsCommand::Drafts(args) => queue::drafts(ctx, args).await,
        PatternsCommand::Accept(args) => queue::accept(ctx, args).await,
        PatternsCommand::Reject(args) => queue::reject(ctx, args).await,
        PatternsCommand::Merge(args) => queue::merge(ctx, args).await,
        PatternsCommand::Insights { top, gap_threshold } => {
            one::<PatternInsights>(
                ctx,
                json!({"top": top, "gap_threshold": gap_threshold}),
                insight_lines,
            )
            .await
        }
    }
}

fn insight_lines(v: &PatternInsightsOutput) -> Vec<String> {
    let v = &v.insights;
    let mut lines = vec![format!(
        "{} patterns ({} reviewed, {} in the review queue); {} applications, success rate {}; {} minutes saved",
        v.patterns,
        v.reviewed,
        v.review_queue,
        v.applications,
        v.success_rate
            .map_or_else(|| "n/a".to_owned(), |r| format!("{:.0}%", r * 100.0)),
        v.total_time_saved_minutes
    )];
    lines.push("most reused:".into());
    for p in &v.most_reused {
        lines.push(format!(
            "  {:>3}x {:>4.0}%  pattern {:>4}  {}",
            p.applied_count.to_string(),
            p.success_rate * 100.0,
            p.pattern_id.to_string(),
            p.title
        ));
    }
    lines.push(format!(
        "knowledge gaps (open debt with no pattern above {}):",
        shown(&v.gap_threshold)
    ));
    for g in &v.knowledge_gaps {
        lines.push(format!(
            "  audit {:>4}  {}  {}",
            g.audit_id.to_string(),
            g.file_path,
            first_sentence(&g.technical_debt)
        ));
    }
    lines.push("guardian hits:".into());
    for r in v.guardian.iter().filter(|r| r.hit_count > 0) {
        lines.push(format!(
            "  {:>4} hits in {:>3} files  L{} {}{}",
            r.hit_count.to_string(),
            r.files_hit.to_string(),
            r.layer_number,
            r.rule_name,
            if r.false_positive_candidates.is_empty() {
                String::new()
            } else {
                format!(
                    "  (possible false positives: {})",
                    r.false_positive_candidates.len()
                )
            }
        ));
    }
    lines
}
