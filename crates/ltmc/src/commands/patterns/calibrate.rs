//! `ltmc patterns calibrate`: the fix-pattern calibration refitted from the
//! team's recorded outcomes (stored with the store, so every process and
//! backend uses it), shown before and after, or undone. Grammar and
//! rendering; the use case is ltmc-service's `fix::team_calibration`.
//!
//! Not a tool call: the refit reads the whole history and is a maintainer's
//! decision, made from the command line.

use crate::context::Context;
use crate::output;
use clap::Args;
use ltmc_service::fix::team_calibration::{
    CalibrateReport, DEFAULT_MIN_PAIRS, Decisions, UndoReport, calibrate, undo,
};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Show what a refit would give without storing it.
    #[arg(long, conflicts_with = "undo")]
    dry_run: bool,
    /// Undo the newest refit: the one before it (or the shipped default) is active again.
    #[arg(long)]
    undo: bool,
    /// The fewest candidate pairs a refit needs.
    #[arg(long, default_value_t = DEFAULT_MIN_PAIRS)]
    min_pairs: usize,
}

fn decisions(name: &str, d: Option<&Decisions>) -> String {
    match d {
        Some(d) => format!(
            "  {name}: apply precision {:.3}, apply recall {:.3}, new for failed-only debts {:.3}",
            d.apply_precision, d.apply_recall, d.new_for_failed
        ),
        None => format!("  {name}: -"),
    }
}

fn render(r: &CalibrateReport) -> Vec<String> {
    let mut lines = vec![r.message.clone()];
    lines.push(format!(
        "  model {}; before: {}",
        r.model_id,
        r.before_calibration.as_ref().map_or_else(
            || "no calibration".to_owned(),
            |c| format!(
                "the {} calibration fitted {}",
                c.source.as_str(),
                c.fitted_at
            )
        )
    ));
    lines.push(format!(
        "  {} outcomes: {} debts searched, {} without a debt text, {} not returned by the search; \
         {} candidate pairs ({} right, {} wrong)",
        r.outcomes, r.debts, r.without_debt, r.not_found_by_search, r.pairs, r.right, r.wrong
    ));
    lines.push(decisions("before", r.before.as_ref()));
    lines.push(decisions("after", r.after.as_ref()));
    lines
}

fn render_undo(r: &UndoReport) -> Vec<String> {
    vec![r.message.clone()]
}

pub(super) async fn run(ctx: &Context, args: CalibrateArgs) -> anyhow::Result<ExitCode> {
    let memory = ctx.memory(!args.dry_run)?;
    if args.undo {
        let report = undo(&memory, &ctx.project).await?;
        print(ctx, &report, render_undo(&report))?;
        return Ok(ExitCode::SUCCESS);
    }
    let report = calibrate(&memory, &ctx.project, args.min_pairs, args.dry_run).await?;
    print(ctx, &report, render(&report))?;
    Ok(ExitCode::SUCCESS)
}

fn print<T: serde::Serialize>(ctx: &Context, value: &T, lines: Vec<String>) -> anyhow::Result<()> {
    if ctx.json {
        output::json_line(value)?;
    } else {
        for l in lines {
            output::line(&l);
        }
    }
    Ok(())
}
