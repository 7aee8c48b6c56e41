//! `ltmc patterns mine`: fix patterns mined from a repository's git history
//! (ltmc-mine), saved as unreviewed drafts (the review queue's commands are
//! in `queue.rs`). Progress on stderr (a bar on a
//! terminal, a line per tenth otherwise, as log lines), the report on stdout (text, or
//! JSON with `--json`).
//!
//! Not a tool call: mining reads a repository on this machine and is a
//! maintainer's batch job. Not here: the mining itself (ltmc-mine), storage
//! (the backends).

use crate::context::Context;
use crate::failure::with_hint;
use crate::output;
use anyhow::{Context as _, anyhow};
use clap::Args;
use ltmc_mine::layers::LayerMap;
use ltmc_mine::{MineError, MineOptions, mine};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

/// Mine fix commits of a git repository into unreviewed draft patterns.
#[derive(Debug, Args)]
pub struct MineArgs {
    /// The repository (a work tree or a bare repository; default: the current directory).
    #[arg(default_value = ".")]
    pub repo: PathBuf,
    /// Mine only commits after REV (exclusive; an id, tag or branch);
    /// default: after the last mined commit, or all on the first run.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Read at most N commits, newest first (merges count); the next run
    /// mines the new commits, then goes on where this one stopped.
    #[arg(long, value_name = "N")]
    pub max_commits: Option<usize>,
    /// A path-to-layer map: lines `glob=N`, e.g. `app/models/**=1`.
    #[arg(long, value_name = "FILE")]
    pub layers: Option<PathBuf>,
    /// The layer (1-7) of drafts the map gives none; without it they have
    /// no layers until a reviewer gives them (accepting needs them).
    #[arg(long, value_name = "N")]
    pub default_layer: Option<i64>,
    /// Show what would be drafted; embed and save nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn mine_command(ctx: &Context, args: MineArgs) -> anyhow::Result<ExitCode> {
    let layers = match &args.layers {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the layer map {}", path.display()))?;
            Some(LayerMap::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let memory = ctx.memory(!args.dry_run)?;
    let mut options = MineOptions::new(&args.repo);
    options.since = args.since;
    options.max_commits = args.max_commits;
    options.layers = layers;
    options.default_layer = args.default_layer;
    options.dry_run = args.dry_run;
    let bar = MineProgress::default();
    let report = mine(&memory, &ctx.project, options, &bar)
        .await
        .map_err(|e| match e {
            MineError::Invalid { .. } => with_hint(
                anyhow!(e),
                "`ltmc patterns mine --help` lists the accepted forms",
            ),
            other => anyhow!(other),
        })?;
    if ctx.json {
        output::json_line(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    output::line(&format!(
        "{}: {} commits scanned in {:.1}s ({:.0}/s), {} merges and {} binary files skipped",
        report.repo_path,
        report.commits_scanned,
        report.seconds,
        report.commits_per_second,
        report.merges_skipped,
        report.binary_files_skipped
    ));
    output::line(&format!(
        "{} fix-word commits: {} fix commits -> {} drafts ({} folded into another), {} rules proposed (inactive)",
        report.candidates, report.fix_commits, report.drafts, report.folded, report.rules_proposed
    ));
    if !report.skipped.is_empty() {
        let reasons: Vec<String> = report
            .skipped
            .iter()
            .map(|(reason, n)| format!("{reason} {n}"))
            .collect();
        output::line(&format!("skipped: {}", reasons.join(", ")));
    }
    if report.dry_run {
        for d in &report.preview {
            output::line(&format!(
                "  [{:.2}] {} ({} commit(s), {} file(s)) {}",
                d.confidence,
                d.title,
                d.commits.len(),
                d.files.len(),
                d.problem_type
            ));
        }
        output::line("dry run: nothing saved");
    } else {
        output::line(&format!(
            "{} drafts saved ({} already mined, {} rejected before); review them with `ltmc patterns list --unreviewed`",
            report.drafts_created, report.already_mined, report.tombstoned
        ));
    }
    if report.older_history_left && !report.dry_run {
        output::line(
            "--max-commits left older history unmined; the next run mines new commits, then goes on below it",
        );
    } else if !report.resumed_from.is_empty() && !report.older_history_left {
        output::line("the older history a limited run left is now mined");
    }
    Ok(ExitCode::SUCCESS)
}

/// Mining progress on stderr: an indicatif bar on a terminal, else one line
/// per tenth of a task (so a log shows how far a long run got).
#[derive(Debug, Default)]
struct MineProgress {
    state: Mutex<Option<Task>>,
}

#[derive(Debug)]
struct Task {
    name: String,
    total: u64,
    done: u64,
    bar: Option<indicatif::ProgressBar>,
}

impl MineProgress {
    fn with(&self, f: impl FnOnce(&mut Option<Task>)) {
        let mut guard = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard);
    }
}

impl ltmc_store::Progress for MineProgress {
    fn start(&self, task: &str, total: u64) {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta} left)")
            {
                bar.set_style(style);
            }
            bar.set_message(task.to_owned());
            bar
        });
        if bar.is_none() {
            tracing::info!("{task}: 0/{total}");
        }
        self.with(|t| {
            if let Some(old) = t.replace(Task {
                name: task.to_owned(),
                total,
                done: 0,
                bar,
            }) && let Some(b) = old.bar
            {
                b.finish_and_clear();
            }
        });
    }

    fn advance(&self, n: u64) {
        self.with(|t| {
            if let Some(t) = t {
                let before = t.done;
                t.done += n;
                if let Some(b) = &t.bar {
                    b.inc(n);
                } else if t.total >= 10 && before * 10 / t.total != t.done * 10 / t.total {
                    tracing::info!("{}: {}/{}", t.name, t.done, t.total);
                }
            }
        });
    }

    fn finish(&self) {
        self.with(|t| {
            if let Some(t) = t.take() {
                if let Some(b) = t.bar {
                    b.finish_and_clear();
                } else {
                    tracing::info!("{}: done ({})", t.name, t.done);
                }
            }
        });
    }
}
